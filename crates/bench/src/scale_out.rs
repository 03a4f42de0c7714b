//! `tertulia-bench scale-out`: home timeline reads and posting on one
//! PostgreSQL database served by one `tertulia serve` process, then by
//! two (or more), the bench spreading requests round-robin across them
//! (the way a proxy in front of several processes would). Same machine,
//! same data, one measurement per process count.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::BenchError;
use crate::load::{self, Budget};
use crate::report::{json_line, percentile, round, table};
use crate::seed::PASSWORD;
use crate::server::{Launch, Server, absolute_binary};
use crate::target::Target;

#[derive(Debug, Args)]
pub struct ScaleOutArgs {
    /// The `tertulia` binary to start (build it with --release).
    #[arg(long, default_value = "target/release/tertulia")]
    binary: PathBuf,
    /// A seeded PostgreSQL database (`seed` on a postgres:// URL); SQLite
    /// is served by one process only.
    #[arg(long)]
    database_url: String,
    /// The domain the database was seeded for (`seed --domain`): every
    /// process serves that one site.
    #[arg(long)]
    domain: String,
    /// Access token whose home timeline is read (the one `seed` prints).
    /// Pass it as `--token=…`: a token may start with `-`.
    #[arg(long)]
    token: String,
    /// The account that posts (`seed` prints `poster`).
    #[arg(long)]
    username: String,
    /// Its password.
    #[arg(long, default_value = PASSWORD)]
    password: String,
    /// Measured with 1, 2, … up to this many processes.
    #[arg(long, default_value_t = 2)]
    processes: usize,
    /// Clients reading the home timeline at the same time.
    #[arg(long, default_value_t = 32)]
    read_concurrency: usize,
    /// Statuses being posted at the same time.
    #[arg(long, default_value_t = 8)]
    post_concurrency: usize,
    /// Most home timeline requests per measurement.
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
    /// Most statuses posted per measurement.
    #[arg(long, default_value_t = 300)]
    posts: usize,
    /// Most seconds per measurement.
    #[arg(long, default_value_t = 20)]
    duration_secs: u64,
}

/// Requests per second, latency and failures of one measurement.
struct Throughput {
    succeeded: usize,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

impl From<load::Outcome> for Throughput {
    fn from(outcome: load::Outcome) -> Throughput {
        Throughput {
            succeeded: outcome.latencies.len(),
            per_sec: outcome.latencies.len() as f64 / outcome.seconds.max(1e-9),
            p50_ms: percentile(&outcome.latencies, 0.50),
            p99_ms: percentile(&outcome.latencies, 0.99),
            errors: outcome.errors.len(),
        }
    }
}

pub async fn run(mut args: ScaleOutArgs) -> Result<(), BenchError> {
    if !args.database_url.starts_with("postgres") {
        return Err(BenchError::Usage("--database-url: several processes share a PostgreSQL database only".into()));
    }
    args.binary = absolute_binary(&args.binary)?;
    let http = reqwest::Client::new();
    let mut rows = Vec::new();
    let mut failed = 0;
    for processes in 1..=args.processes.max(1) {
        // Started one after the other: each checks the schema on start-up.
        let mut servers = Vec::new();
        for _ in 0..processes {
            let env = vec![("TERTULIA_DOMAIN".to_owned(), args.domain.clone())];
            let launch =
                Launch { binary: &args.binary, name: "scale-out", db_url: Some(args.database_url.clone()), env };
            servers.push(Server::start(launch, &http).await?);
        }
        let (home, posting) = measure(&args, &servers).await?;
        drop(servers);
        json_line(&json!({
            "scenario": "scale_out",
            "processes": processes,
            "home_concurrency": args.read_concurrency,
            "home_requests": home.succeeded,
            "home_requests_per_sec": round(home.per_sec),
            "home_p50_ms": round(home.p50_ms),
            "home_p99_ms": round(home.p99_ms),
            "home_errors": home.errors,
            "post_concurrency": args.post_concurrency,
            "posts": posting.succeeded,
            "posts_per_sec": round(posting.per_sec),
            "post_p50_ms": round(posting.p50_ms),
            "post_p99_ms": round(posting.p99_ms),
            "post_errors": posting.errors,
        }));
        failed += home.errors + posting.errors;
        rows.push(vec![
            processes.to_string(),
            format!("{:.0}", home.per_sec),
            format!("{:.1}", home.p99_ms),
            format!("{:.1}", posting.per_sec),
            format!("{:.1}", posting.p99_ms),
            (home.errors + posting.errors).to_string(),
        ]);
    }
    table(&["processes", "home req/s", "home p99 ms", "posts/s", "post p99 ms", "errors"], &rows);
    if failed > 0 {
        return Err(BenchError::Check(format!("{failed} requests failed")));
    }
    Ok(())
}

/// Home timeline reads, then posts, spread round-robin over `servers`.
async fn measure(args: &ScaleOutArgs, servers: &[Server]) -> Result<(Throughput, Throughput), BenchError> {
    let budget = |requests| Budget { requests, time: Some(Duration::from_secs(args.duration_secs.max(1))) };
    let readers = on_each(servers, &args.token, args.read_concurrency)?;
    let home = load::run(args.read_concurrency, budget(args.requests), move |n| {
        let reader = readers[n % readers.len()].clone();
        async move {
            reader.get_json("/api/v1/timelines/home?limit=40").await?;
            Ok(())
        }
    })
    .await?;

    let author = Target::sign_in(&servers[0].url(""), &args.username, &args.password).await?;
    let authors = on_each(servers, &author.token, args.post_concurrency)?;
    let posting = load::run(args.post_concurrency, budget(args.posts), move |n| {
        let author = authors[n % authors.len()].clone();
        async move {
            author.post_json("/api/v1/statuses", &json!({"status": format!("Scale-out benchmark {n} #bench")})).await?;
            Ok(())
        }
    })
    .await?;
    Ok((home.into(), posting.into()))
}

/// One client per server, all with `token`: the processes share the
/// database, so a token is valid on each.
fn on_each(servers: &[Server], token: &str, connections: usize) -> Result<Vec<Target>, BenchError> {
    servers.iter().map(|server| Target::new(&server.url(""), token.to_owned(), connections)).collect()
}
