//! `tertulia-bench workload`: the small site issue 17 compares with
//! GoToSocial. A fresh SQLite server; 20 users, each signed in with the
//! password grant (argon2 on the server), all following each other; 2,000
//! statuses posted through the API; the home timeline read at 1 and at 16
//! connections. It reports the server's resident memory at its peak and
//! once idle after the workload, against the targets.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use serde_json::json;
use tertulia_core::Config;

use crate::BenchError;
use crate::load::{self, Budget};
use crate::memory::{self, Rss};
use crate::report::{json_line, percentile, round, table};
use crate::server::{Launch, Server, absolute_binary};
use crate::target::Target;
use crate::targets::{IDLE_RSS_TARGET_MB, PEAK_RSS_TARGET_MB};

const BYTES_PER_MIB: f64 = 1_048_576.0;
/// Statuses posted at the same time.
const POST_CONCURRENCY: usize = 4;
/// The read measurements, as in the issue: connections reading at once.
const READ_CONCURRENCIES: [usize; 2] = [1, 16];

#[derive(Debug, Args)]
pub struct WorkloadArgs {
    /// The `tertulia` binary to start (build it with --release).
    #[arg(long, default_value = "target/release/tertulia")]
    binary: PathBuf,
    #[arg(long, default_value_t = 20)]
    users: usize,
    #[arg(long, default_value_t = 2_000)]
    statuses: usize,
    /// Seconds of home timeline reads at each concurrency.
    #[arg(long, default_value_t = 10)]
    read_secs: u64,
    /// Seconds the server is left alone before its idle memory is read.
    #[arg(long, default_value_t = 5)]
    settle_secs: u64,
}

pub async fn run(args: WorkloadArgs) -> Result<(), BenchError> {
    let binary = absolute_binary(&args.binary)?;
    let http = reqwest::Client::new();
    // The pool as installed, not the benchmarks' larger one: each SQLite
    // connection has a page cache of its own.
    let pool_size = Config::default().database.pool_size.to_string();
    let env = vec![("TERTULIA_DATABASE_POOL_SIZE".to_owned(), pool_size)];
    let server = Server::start(Launch { binary: &binary, name: "workload", db_url: None, env }, &http).await?;
    let pid = server.pid()?;
    let started = memory::read(pid)?;
    let mut users = Vec::with_capacity(args.users);
    for n in 0..args.users {
        users.push(server.user(&format!("user{n}")).await?);
    }
    follow_each_other(&users).await?;
    let users = Arc::new(users);
    let posting = load::run(POST_CONCURRENCY, Budget { requests: args.statuses, time: None }, {
        let users = users.clone();
        move |n| {
            let author = users[n % users.len()].clone();
            async move {
                let status = json!({"status": format!("Status {n} of the workload"), "visibility": "public"});
                author.post_json("/api/v1/statuses", &status).await.map(drop)
            }
        }
    })
    .await?;
    let mut reads = Vec::new();
    for concurrency in READ_CONCURRENCIES {
        let reader = Target::new(&server.url(""), users[0].token.clone(), concurrency)?;
        let budget = Budget { requests: usize::MAX, time: Some(Duration::from_secs(args.read_secs)) };
        let outcome = load::run(concurrency, budget, move |_| {
            let reader = reader.clone();
            async move { reader.get_json("/api/v1/timelines/home?limit=40").await.map(drop) }
        })
        .await?;
        reads.push((concurrency, outcome));
    }
    tokio::time::sleep(Duration::from_secs(args.settle_secs)).await;
    let idle = memory::read(pid)?;
    let failures = posting.errors.len() + reads.iter().map(|(_, outcome)| outcome.errors.len()).sum::<usize>();
    if failures > 0 {
        let first = posting.errors.iter().chain(reads.iter().flat_map(|(_, o)| &o.errors)).next();
        return Err(BenchError::Check(format!("{failures} requests failed, first: {}", first.map_or("", |e| e))));
    }
    report(&args, started, idle, &posting, &reads);
    Ok(())
}

/// Every user follows every other one, through the API.
async fn follow_each_other(users: &[Target]) -> Result<(), BenchError> {
    let mut ids = Vec::with_capacity(users.len());
    for user in users {
        ids.push(user.get_json("/api/v1/accounts/verify_credentials").await?["id"].clone());
    }
    for (follower, user) in users.iter().enumerate() {
        for (followed, id) in ids.iter().enumerate().filter(|(followed, _)| *followed != follower) {
            let id = id.as_str().ok_or_else(|| BenchError::Check(format!("user{followed} has no id")))?;
            user.post_json(&format!("/api/v1/accounts/{id}/follow"), &json!({})).await?;
        }
    }
    Ok(())
}

fn report(args: &WorkloadArgs, started: Rss, idle: Rss, posting: &load::Outcome, reads: &[(usize, load::Outcome)]) {
    let mb = |mib: f64| mib * BYTES_PER_MIB / 1e6;
    let verdict = |met: bool| if met { "met" } else { "missed" };
    let idle_met = mb(idle.current_mib) <= IDLE_RSS_TARGET_MB;
    let peak_met = mb(idle.peak_mib) <= PEAK_RSS_TARGET_MB;
    let posts_per_sec = posting.latencies.len() as f64 / posting.seconds.max(1e-9);
    let read_figures: Vec<_> = reads
        .iter()
        .map(|(concurrency, outcome)| {
            let per_sec = outcome.latencies.len() as f64 / outcome.seconds.max(1e-9);
            (*concurrency, per_sec, percentile(&outcome.latencies, 0.99))
        })
        .collect();
    json_line(&json!({
        "scenario": "workload",
        "users": args.users,
        "statuses": args.statuses,
        "rss_after_start_mb": round(mb(started.current_mib)),
        "peak_rss_mb": round(mb(idle.peak_mib)),
        "idle_rss_mb": round(mb(idle.current_mib)),
        "peak_target_met": peak_met,
        "idle_target_met": idle_met,
        "posts_per_sec": round(posts_per_sec),
        "home_reads": read_figures
            .iter()
            .map(|(concurrency, per_sec, p99)| json!({"concurrency": concurrency, "per_sec": round(*per_sec), "p99_ms": round(*p99)}))
            .collect::<Vec<_>>(),
    }));
    let mut rows = vec![
        vec!["RSS after start (MB)".to_owned(), format!("{:.1}", mb(started.current_mib)), String::new()],
        vec![
            "peak RSS (MB)".to_owned(),
            format!("{:.1}", mb(idle.peak_mib)),
            format!("<= {PEAK_RSS_TARGET_MB}: {}", verdict(peak_met)),
        ],
        vec![
            "idle RSS after the workload (MB)".to_owned(),
            format!("{:.1}", mb(idle.current_mib)),
            format!("<= {IDLE_RSS_TARGET_MB}: {}", verdict(idle_met)),
        ],
        vec![
            format!("statuses posted, {POST_CONCURRENCY} at a time (/s)"),
            format!("{posts_per_sec:.0}"),
            String::new(),
        ],
    ];
    for (concurrency, per_sec, p99) in read_figures {
        rows.push(vec![
            format!("home reads at {concurrency} (/s, p99 ms)"),
            format!("{per_sec:.0}"),
            format!("{p99:.2}"),
        ]);
    }
    table(&["workload", "value", "target"], &rows);
}
