//! `tertulia-bench targets`: issue 17's targets, each met or missed, from
//! the JSON lines a `bench/run.sh` run printed. Figures the run did not
//! measure (the 1M-status seed in a quick run, for instance) are reported
//! as not measured, with the command that measures them; never guessed.
//!
//! Timelines and posting lines carry no database name: they belong to the
//! database of the `seed` line printed before them, as `bench/run.sh`
//! seeds each database before measuring it. The read and posting targets
//! are SQLite's.

use std::path::PathBuf;

use clap::Args;
use serde_json::{Value, json};

use crate::BenchError;
use crate::report::{json_line, table};

/// Idle and peak resident memory of the workload, in MB (10^6 bytes).
pub const IDLE_RSS_TARGET_MB: f64 = 30.0;
pub const PEAK_RSS_TARGET_MB: f64 = 64.0;
/// Server CPU per timeline page of 40 on SQLite, in microseconds.
const HOME_CPU_TARGET_US: f64 = 250.0;
const OTHER_TIMELINE_CPU_TARGET_US: f64 = 400.0;
/// GoToSocial 0.19.2's home timeline requests/s at 16 connections on the
/// issue's 2-core machine; the target is three times that, at p99 ≤ 10 ms.
const GOTOSOCIAL_HOME_PER_SEC_AT_16: f64 = 1_467.0;
const READ_P99_TARGET_MS: f64 = 10.0;
/// Inbox and delivery, as a share of this machine's RSA-2048 limit.
const RSA_SHARE_TARGET_PERCENT: f64 = 70.0;
/// Posting by an account with about 1,000 followers.
const POSTS_PER_SEC_TARGET: f64 = 200.0;
const POST_P99_TARGET_MS: f64 = 50.0;
/// Seeding 1,000,000 statuses on SQLite, in seconds.
const SEED_1M_TARGET_SECS: f64 = 180.0;
const FULL_SIZE_STATUSES: u64 = 1_000_000;

#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// The output of a `bench/run.sh` run; lines that are not JSON objects
    /// (tables, build output) are skipped.
    results: PathBuf,
}

enum Verdict {
    Met,
    Missed,
    NotMeasured(String),
}

/// One target: what it asks, what was measured, and the verdict.
struct Row {
    target: &'static str,
    measured: String,
    verdict: Verdict,
}

impl Row {
    fn checked(target: &'static str, measured: String, met: bool) -> Row {
        Row { target, measured, verdict: if met { Verdict::Met } else { Verdict::Missed } }
    }

    fn not_measured(target: &'static str, why: &str) -> Row {
        Row { target, measured: String::new(), verdict: Verdict::NotMeasured(why.to_owned()) }
    }
}

/// The lines of one run, sorted by what the targets need.
#[derive(Default)]
struct Results {
    /// SQLite's seed line, if the run seeded SQLite.
    sqlite_seed: Option<Value>,
    /// Timelines at concurrency 1 and posting lines measured on SQLite.
    sqlite_timelines: Vec<Value>,
    sqlite_posting: Vec<Value>,
    workload: Option<Value>,
    inbox: Option<Value>,
    delivery: Vec<Value>,
}

impl Results {
    fn parse(text: &str) -> Results {
        let mut results = Results::default();
        let mut on_sqlite = false;
        let objects = text.lines().filter(|line| line.starts_with('{'));
        for line in objects.filter_map(|line| serde_json::from_str::<Value>(line).ok()) {
            match line["scenario"].as_str().unwrap_or_default() {
                "seed" => {
                    on_sqlite = line["backend"] == "sqlite";
                    if on_sqlite {
                        results.sqlite_seed = Some(line);
                    }
                }
                "timelines" if on_sqlite && line["concurrency"] == 1 => results.sqlite_timelines.push(line),
                "posting" if on_sqlite => results.sqlite_posting.push(line),
                "workload" => results.workload = Some(line),
                "inbox" => results.inbox = Some(line),
                "delivery" => results.delivery.push(line),
                _ => {}
            }
        }
        results
    }

    /// Statuses in the SQLite dataset the read and posting figures come from.
    fn sqlite_statuses(&self) -> Option<u64> {
        self.sqlite_seed.as_ref().and_then(|seed| seed["statuses"].as_u64())
    }
}

pub fn run(args: TargetsArgs) -> Result<(), BenchError> {
    let text = std::fs::read_to_string(&args.results)
        .map_err(|e| BenchError::Usage(format!("cannot read {}: {e}", args.results.display())))?;
    let results = Results::parse(&text);
    let mut rows = read_cpu(&results);
    rows.extend([
        reads_at_16(&results),
        inbox(&results),
        delivery(&results, "personal", "delivery, personal inboxes: >= 70 % of the RSA sign limit"),
        delivery(&results, "shared", "delivery, shared inboxes: >= 70 % of the RSA sign limit (bound by signing)"),
        posting(&results),
    ]);
    rows.extend(memory(&results));
    rows.extend([seed(&results), scale(&results, &rows)]);
    let mut cells = Vec::with_capacity(rows.len());
    for row in rows {
        let (verdict, why) = match row.verdict {
            Verdict::Met => ("met", None),
            Verdict::Missed => ("missed", None),
            Verdict::NotMeasured(why) => ("not measured", Some(why)),
        };
        json_line(&json!({
            "scenario": "targets",
            "target": row.target,
            "measured": row.measured,
            "verdict": verdict,
            "why": why,
        }));
        let verdict = why.map_or_else(|| verdict.to_owned(), |why| format!("{verdict}: {why}"));
        cells.push(vec![row.target.to_owned(), row.measured, verdict]);
    }
    println!("Issue 17 targets");
    table(&["target", "measured", "verdict"], &cells);
    Ok(())
}

const HOME_CPU: &str = "home page of 40, server CPU per request <= 250 us (SQLite)";
const OTHER_CPU: &str = "every other timeline page, server CPU per request <= 400 us (SQLite)";

/// Server CPU per page at concurrency 1: the home first page, and the
/// worst of every other page.
fn read_cpu(results: &Results) -> Vec<Row> {
    let cpu = |line: &Value| line["server_cpu_us_per_request"].as_f64();
    let is_home_first = |line: &Value| line["endpoint"] == "home" && line["page"] == "first";
    let size = results.sqlite_statuses().map_or_else(String::new, |n| format!(" at {n} statuses"));
    let home = results.sqlite_timelines.iter().filter(|l| is_home_first(l)).find_map(cpu);
    let other = results
        .sqlite_timelines
        .iter()
        .filter(|l| !is_home_first(l))
        .filter_map(|l| Some((cpu(l)?, format!("{} {}", l["endpoint"].as_str()?, l["page"].as_str()?))))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let why = "no SQLite timelines run with --server-pid in this output";
    vec![
        match home {
            Some(us) => Row::checked(HOME_CPU, format!("{us:.0} us{size}"), us <= HOME_CPU_TARGET_US),
            None => Row::not_measured(HOME_CPU, why),
        },
        match other {
            Some((us, page)) => {
                Row::checked(OTHER_CPU, format!("worst {us:.0} us ({page}){size}"), us <= OTHER_TIMELINE_CPU_TARGET_US)
            }
            None => Row::not_measured(OTHER_CPU, why),
        },
    ]
}

/// The workload's home reads at 16 connections.
fn reads_at_16(results: &Results) -> Row {
    const TARGET: &str = "home at 16 connections: >= 3x GoToSocial's 1,467 req/s, p99 <= 10 ms (workload)";
    let at_16 = results.workload.as_ref().and_then(|workload| {
        let reads = workload["home_reads"].as_array()?;
        let line = reads.iter().find(|r| r["concurrency"] == 16)?;
        Some((line["per_sec"].as_f64()?, line["p99_ms"].as_f64()?))
    });
    match at_16 {
        Some((per_sec, p99)) => Row::checked(
            TARGET,
            format!("{per_sec:.0} req/s, p99 {p99:.1} ms"),
            per_sec >= 3.0 * GOTOSOCIAL_HOME_PER_SEC_AT_16 && p99 <= READ_P99_TARGET_MS,
        ),
        None => Row::not_measured(TARGET, "no workload line in this output"),
    }
}

fn inbox(results: &Results) -> Row {
    const TARGET: &str = "inbox: applied >= 70 % of the RSA verify limit";
    match results
        .inbox
        .as_ref()
        .and_then(|line| Some((line["applied_per_sec"].as_f64()?, line["percent_of_limit"].as_f64()?)))
    {
        Some((per_sec, percent)) => {
            Row::checked(TARGET, format!("{per_sec:.0}/s = {percent:.1} %"), percent >= RSA_SHARE_TARGET_PERCENT)
        }
        None => Row::not_measured(TARGET, "no inbox line in this output"),
    }
}

/// The delivery run whose inboxes are named with `kind`.
fn delivery(results: &Results, kind: &str, target: &'static str) -> Row {
    let line = results.delivery.iter().find(|line| line["inboxes"].as_str().is_some_and(|name| name.contains(kind)));
    match line.and_then(|line| Some((line["deliveries_per_sec"].as_f64()?, line["percent_of_limit"].as_f64()?))) {
        Some((per_sec, percent)) => {
            Row::checked(target, format!("{per_sec:.0}/s = {percent:.1} %"), percent >= RSA_SHARE_TARGET_PERCENT)
        }
        None => Row::not_measured(target, "no delivery line for these inboxes in this output"),
    }
}

/// Posting on SQLite: the rate and p99 of the run with a few listeners
/// (`bench/run.sh` posts four at a time), and no event missed by any run.
fn posting(results: &Results) -> Row {
    const TARGET: &str = "posting with ~1,000 followers: >= 200/s, p99 <= 50 ms, every post streamed (SQLite)";
    let Some(first) = results.sqlite_posting.first() else {
        return Row::not_measured(TARGET, "no SQLite posting line in this output");
    };
    let (Some(per_sec), Some(p99), Some(followers)) =
        (first["posts_per_sec"].as_f64(), first["p99_ms"].as_f64(), first["followers"].as_u64())
    else {
        return Row::not_measured(TARGET, "the posting line lacks posts_per_sec, p99_ms or followers");
    };
    let missing: u64 = results.sqlite_posting.iter().filter_map(|line| line["stream_missing"].as_u64()).sum();
    Row::checked(
        TARGET,
        format!("{per_sec:.0}/s, p99 {p99:.0} ms, {followers} followers, {missing} events missed"),
        per_sec >= POSTS_PER_SEC_TARGET && p99 <= POST_P99_TARGET_MS && missing == 0,
    )
}

/// Idle and peak resident memory of the workload's server.
fn memory(results: &Results) -> [Row; 2] {
    const IDLE: &str = "idle RSS after 20 sign-ins and the workload <= 30 MB";
    const PEAK: &str = "peak RSS during the workload <= 64 MB";
    let figure = |name: &str| results.workload.as_ref().and_then(|line| line[name].as_f64());
    let row = |target, name, limit| match figure(name) {
        Some(mb) => Row::checked(target, format!("{mb:.1} MB"), mb <= limit),
        None => Row::not_measured(target, "no workload line in this output"),
    };
    [row(IDLE, "idle_rss_mb", IDLE_RSS_TARGET_MB), row(PEAK, "peak_rss_mb", PEAK_RSS_TARGET_MB)]
}

fn seed(results: &Results) -> Row {
    const TARGET: &str = "seed 1,000,000 statuses on SQLite <= 3 minutes";
    let Some(seed) = results.sqlite_seed.as_ref().filter(|_| results.sqlite_statuses() >= Some(FULL_SIZE_STATUSES))
    else {
        return Row::not_measured(TARGET, "quick seeds 100,000 statuses; run bench/run.sh full sqlite");
    };
    let secs = seed["plan_secs"].as_f64().unwrap_or(0.0) + seed["write_secs"].as_f64().unwrap_or(0.0);
    Row::checked(TARGET, format!("{secs:.0} s"), secs <= SEED_1M_TARGET_SECS)
}

/// The read targets again at full size: met when they were measured on
/// 1M statuses and met there.
fn scale(results: &Results, rows: &[Row]) -> Row {
    const TARGET: &str = "the read CPU targets at 1M statuses and 10k accounts";
    if results.sqlite_statuses() < Some(FULL_SIZE_STATUSES) {
        return Row::not_measured(TARGET, "quick seeds 100,000 statuses; run bench/run.sh full sqlite");
    }
    let reads = rows.iter().filter(|row| row.target == HOME_CPU || row.target == OTHER_CPU);
    let met = reads.clone().all(|row| matches!(row.verdict, Verdict::Met));
    Row::checked(TARGET, "see the two read CPU rows".to_owned(), met)
}

#[cfg(test)]
mod tests {
    use super::{Results, Verdict, memory, read_cpu};

    #[test]
    fn figures_belong_to_the_database_seeded_before_them() {
        let output = r#"
==> sqlite: seeding
{"scenario":"seed","backend":"sqlite","statuses":100000}
{"scenario":"timelines","endpoint":"home","page":"first","concurrency":1,"server_cpu_us_per_request":180.5}
{"scenario":"timelines","endpoint":"tag","page":"deep (5)","concurrency":1,"server_cpu_us_per_request":450.0}
{"scenario":"timelines","endpoint":"home","page":"first","concurrency":32,"server_cpu_us_per_request":90.0}
{"scenario":"seed","backend":"postgres","statuses":100000}
{"scenario":"timelines","endpoint":"home","page":"first","concurrency":1,"server_cpu_us_per_request":900.0}
{"scenario":"workload","idle_rss_mb":28.4,"peak_rss_mb":70.1}
"#;
        let results = Results::parse(output);
        let rows = read_cpu(&results);
        let (home, other) = (&rows[0], &rows[1]);
        assert!(matches!(home.verdict, Verdict::Met), "home: {}", home.measured);
        assert_eq!(home.measured, "180 us at 100000 statuses");
        assert!(matches!(other.verdict, Verdict::Missed));
        assert!(other.measured.contains("tag deep (5)"), "{}", other.measured);
        let [idle, peak] = memory(&results);
        assert!(matches!(idle.verdict, Verdict::Met));
        assert!(matches!(peak.verdict, Verdict::Missed));
    }

    #[test]
    fn absent_figures_are_not_measured() {
        let results = Results::parse("no JSON at all\n");
        assert!(read_cpu(&results).iter().all(|row| matches!(row.verdict, Verdict::NotMeasured(_))));
        assert!(matches!(super::seed(&results).verdict, Verdict::NotMeasured(_)));
    }
}
