//! `tertulia-bench timelines`: latency and throughput of the timeline
//! endpoints over HTTP, first page and a deep page, with a fixed number of
//! concurrent clients. A small load generator: each worker sends its next
//! request as soon as the previous answer is read, until the request budget
//! or the time budget runs out.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::load::{self, Budget};
use crate::report;
use crate::seed::TAGS;
use crate::target::Target;
use crate::{BenchError, cpu};

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The server, on this machine only (127.0.0.1, ::1 or localhost).
    #[arg(long)]
    base_url: String,
    /// Access token with `read` (the one `seed` prints). Pass it as
    /// `--token=…`: a token may start with `-`.
    #[arg(long)]
    token: String,
    /// Clients sending requests at the same time.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Most requests per measurement (endpoint and page).
    #[arg(long, default_value_t = 1_000)]
    requests: usize,
    /// Most seconds per measurement.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Hashtag of the tag timeline; by default the seed's most used one.
    #[arg(long)]
    tag: Option<String>,
    /// Items per page.
    #[arg(long, default_value_t = 40)]
    limit: u32,
    /// The deep page: its `max_id` is the last item of the page before.
    #[arg(long, default_value_t = 5)]
    deep_page: u32,
    /// Process id of the server (on this machine): each measurement then
    /// reports the server's CPU time per request (`/proc/PID/stat`).
    #[arg(long)]
    server_pid: Option<u32>,
}

/// What one measurement found.
struct Measurement {
    endpoint: &'static str,
    page: String,
    requests: usize,
    errors: usize,
    items: usize,
    seconds: f64,
    /// Milliseconds, sorted.
    latencies: Vec<f64>,
    /// The server's CPU time (user and system) per request, when its
    /// process id was given.
    server_cpu_us_per_request: Option<f64>,
}

pub async fn run(args: TimelineArgs) -> Result<(), BenchError> {
    let concurrency = args.concurrency.max(1);
    let target = Target::new(&args.base_url, args.token.clone(), concurrency)?;
    let me = target.get_json("/api/v1/accounts/verify_credentials").await?;
    let account_id = me["id"].as_str().unwrap_or_default().to_owned();
    let tag = args.tag.clone().unwrap_or_else(|| TAGS[0].to_owned());
    let limit = args.limit;
    let endpoints: [(&'static str, String); 5] = [
        ("home", format!("/api/v1/timelines/home?limit={limit}")),
        ("public_local", format!("/api/v1/timelines/public?local=true&limit={limit}")),
        ("tag", format!("/api/v1/timelines/tag/{tag}?limit={limit}")),
        ("account_statuses", format!("/api/v1/accounts/{account_id}/statuses?limit={limit}")),
        ("notifications", format!("/api/v1/notifications?limit={limit}")),
    ];
    let budget = Budget { requests: args.requests.max(1), time: Some(Duration::from_secs(args.duration_secs.max(1))) };
    let mut results = Vec::new();
    for (endpoint, first) in endpoints {
        let (deep, reached) = target.deep_page(&first, args.deep_page).await?;
        let pages = [("first".to_owned(), first), (format!("deep ({reached})"), deep)];
        for (page, path) in pages {
            let mut measurement = target.measure(&path, concurrency, budget, args.server_pid).await?;
            measurement.endpoint = endpoint;
            measurement.page = page;
            print_line(&measurement, concurrency, &path);
            results.push(measurement);
        }
    }
    print_table(&results, concurrency);
    if results.iter().any(|m| m.errors > 0) {
        return Err(BenchError::Check("some requests failed; see the errors column".into()));
    }
    Ok(())
}

impl Target {
    /// The path of page `page` (1 is the first), following `max_id` from
    /// the last item of each page, and the page actually reached when the
    /// timeline is shorter.
    async fn deep_page(&self, first: &str, page: u32) -> Result<(String, u32), BenchError> {
        let mut path = first.to_owned();
        let mut reached = 1;
        while reached < page {
            let items = self.get_json(&path).await?;
            let Some(last) = items.as_array().and_then(|a| a.last()).and_then(|item| item["id"].as_str()) else {
                break;
            };
            let next = format!("{first}&max_id={last}");
            if self.get_json(&next).await?.as_array().is_none_or(|a| a.is_empty()) {
                break;
            }
            path = next;
            reached += 1;
        }
        Ok((path, reached))
    }

    /// Runs `concurrency` workers against `path` until the budget is spent,
    /// timing the CPU of the server `server_pid` if given.
    async fn measure(
        &self,
        path: &str,
        concurrency: usize,
        budget: Budget,
        server_pid: Option<u32>,
    ) -> Result<Measurement, BenchError> {
        let url = self.url(path)?;
        let items = self.get_json(path).await?.as_array().map_or(0, Vec::len);
        let cpu_before = server_pid.map(cpu::used).transpose()?;
        let target = self.clone();
        let outcome = load::run(concurrency, budget, move |_| {
            let (target, url) = (target.clone(), url.clone());
            async move {
                let response = target.client.get(url).bearer_auth(&target.token).send().await?;
                let status = response.status();
                response.bytes().await?;
                if !status.is_success() {
                    return Err(BenchError::Check(format!("answered {status}")));
                }
                Ok(())
            }
        })
        .await?;
        let server_cpu_us_per_request = match (server_pid, cpu_before) {
            (Some(pid), Some(before)) => {
                let used = cpu::used(pid)?.saturating_sub(before);
                Some(used.as_secs_f64() * 1e6 / outcome.requests().max(1) as f64)
            }
            _ => None,
        };
        Ok(Measurement {
            endpoint: "",
            page: String::new(),
            requests: outcome.requests(),
            errors: outcome.errors.len(),
            items,
            seconds: outcome.seconds,
            latencies: outcome.latencies,
            server_cpu_us_per_request,
        })
    }
}

fn print_line(m: &Measurement, concurrency: usize, path: &str) {
    let round = |x: f64| (x * 1_000.0).round() / 1_000.0;
    report::json_line(&json!({
        "scenario": "timelines",
        "endpoint": m.endpoint,
        "page": m.page,
        "path": path,
        "concurrency": concurrency,
        "requests": m.requests,
        "errors": m.errors,
        "items": m.items,
        "seconds": round(m.seconds),
        "requests_per_sec": round(m.requests as f64 / m.seconds.max(1e-9)),
        "p50_ms": round(report::percentile(&m.latencies, 0.50)),
        "p95_ms": round(report::percentile(&m.latencies, 0.95)),
        "p99_ms": round(report::percentile(&m.latencies, 0.99)),
        "max_ms": round(m.latencies.last().copied().unwrap_or(0.0)),
        "server_cpu_us_per_request": m.server_cpu_us_per_request.map(round),
    }));
}

fn print_table(results: &[Measurement], concurrency: usize) {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|m| {
            vec![
                m.endpoint.to_owned(),
                m.page.clone(),
                m.items.to_string(),
                m.requests.to_string(),
                m.errors.to_string(),
                format!("{:.0}", m.requests as f64 / m.seconds.max(1e-9)),
                format!("{:.2}", report::percentile(&m.latencies, 0.50)),
                format!("{:.2}", report::percentile(&m.latencies, 0.95)),
                format!("{:.2}", report::percentile(&m.latencies, 0.99)),
                m.server_cpu_us_per_request.map_or_else(|| "-".to_owned(), |us| format!("{us:.0}")),
            ]
        })
        .collect();
    println!("concurrency {concurrency}");
    report::table(
        &[
            "endpoint",
            "page",
            "items",
            "requests",
            "errors",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "server CPU us/req",
        ],
        &rows,
    );
}
