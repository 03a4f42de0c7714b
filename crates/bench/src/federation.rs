//! `tertulia-bench federation`: starts one sending site and three
//! receiving sites on loopback (SQLite each) and measures
//!
//! 1. how long a post takes to appear in followers' home timelines on the
//!    other sites (post, then poll each reader's home timeline), and
//! 2. how many deliveries per second the sender makes to many remote
//!    followers, each with its own inbox (no shared inbox, so one delivery
//!    per follower), until its queue is empty.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;
use tertulia_core::Id;
use tertulia_db::{Db, delivery};

use crate::followers::{RemoteFollower, add_remote_followers};
use crate::report::{json_line, percentile, table};
use crate::server::{Launch, Server, absolute_binary};
use crate::target::Target;
use crate::{BenchError, memory};

#[derive(Debug, Args)]
pub struct FederationArgs {
    /// The `tertulia` binary to start (build it with --release).
    #[arg(long, default_value = "target/release/tertulia")]
    binary: PathBuf,
    /// Posts whose propagation is timed, one after the other.
    #[arg(long, default_value_t = 100)]
    posts: u32,
    /// Remote followers of the sender, spread over the receiving sites.
    #[arg(long, default_value_t = 1000)]
    followers: u32,
    /// Posts fanned out to all the followers in the throughput run.
    #[arg(long, default_value_t = 3)]
    fan_out_posts: u32,
}

/// How long one post may take to arrive before the run fails.
const ARRIVAL_DEADLINE: Duration = Duration::from_secs(30);

pub async fn run(mut args: FederationArgs) -> Result<(), BenchError> {
    // The sites run in their own directories.
    args.binary = absolute_binary(&args.binary)?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let start = |name| Server::start(Launch { binary: &args.binary, name, db_url: None, env: Vec::new() }, &http);
    let sender = start("hq").await?;
    let mut receivers = Vec::new();
    for name in ["es", "mx", "br"] {
        receivers.push(start(name).await?);
    }
    let sender_pid = sender.pid()?;
    let idle = memory::read(sender_pid)?;
    let author = sender.user("author").await?;

    // 1. Propagation: one reader per receiving site follows the author.
    let mut readers = Vec::new();
    for site in &receivers {
        let reader = site.user("reader").await?;
        follow(&reader, &sender).await?;
        readers.push((site, reader));
    }
    let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); readers.len()];
    let mut slowest: Vec<f64> = Vec::new();
    for n in 0..args.posts {
        let posted = author.post_json("/api/v1/statuses", &json!({"status": format!("Propagation probe {n}")})).await?;
        let uri = posted["uri"].as_str().unwrap_or_default().to_owned();
        let started = Instant::now();
        let mut pending: Vec<usize> = (0..readers.len()).collect();
        while !pending.is_empty() {
            if started.elapsed() > ARRIVAL_DEADLINE {
                return Err(BenchError::Check(format!("post {n} did not arrive within {ARRIVAL_DEADLINE:?}")));
            }
            let mut still = Vec::new();
            for index in pending {
                let home = readers[index].1.get_json("/api/v1/timelines/home?limit=1").await?;
                if home[0]["uri"] == uri.as_str() {
                    latencies[index].push(started.elapsed().as_secs_f64() * 1000.0);
                } else {
                    still.push(index);
                }
            }
            pending = still;
            if !pending.is_empty() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        slowest.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut rows = Vec::new();
    for (index, samples) in latencies.iter_mut().enumerate() {
        rows.push(latency_row(readers[index].0.name, samples));
    }
    rows.push(latency_row("all sites", &mut slowest));
    for row in &rows {
        json_line(
            &json!({"scenario": "federation", "measure": "propagation_ms", "site": row[0], "p50": row[1], "p99": row[2], "max": row[3], "posts": args.posts}),
        );
    }
    println!();
    table(&["post reaches", "p50 ms", "p99 ms", "max ms"], &rows);

    // 2. Throughput: many followers, each with a personal inbox.
    let db = sender.database()?;
    let author_id = seed_followers(&db, &sender, &receivers, args.followers).await?;
    let before = queue_len(&db).await?;
    memory::reset_peak(sender_pid)?;
    let started = Instant::now();
    for n in 0..args.fan_out_posts {
        author.post_json("/api/v1/statuses", &json!({"status": format!("Fan-out probe {n}")})).await?;
    }
    // Each post goes to every seeded follower's inbox, plus the shared inbox
    // of each receiving site (its reader follows too).
    let expected = u64::from(args.fan_out_posts) * (u64::from(args.followers) + readers.len() as u64);
    loop {
        let (pending, failed) = queue_len(&db).await?;
        if pending == 0 && started.elapsed() > Duration::from_millis(500) {
            if failed > before.1 {
                return Err(BenchError::Check(format!("{} deliveries failed", failed - before.1)));
            }
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err(BenchError::Check(format!("{pending} deliveries still waiting after 10 minutes")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = expected as f64 / seconds;
    let rss = memory::read(sender_pid)?;
    json_line(
        &json!({"scenario": "federation", "measure": "deliveries_per_second", "deliveries": expected, "seconds": seconds, "rate": rate, "followers": args.followers, "sites": receivers.len(), "author": author_id.0, "sender_idle_rss_mib": idle.current_mib, "sender_peak_rss_mib": rss.peak_mib}),
    );
    println!();
    table(
        &["fan-out", "deliveries", "seconds", "deliveries/s", "sender peak RSS MiB"],
        &[vec![
            format!("{} posts to {} followers on {} sites", args.fan_out_posts, args.followers, receivers.len()),
            expected.to_string(),
            format!("{seconds:.2}"),
            format!("{rate:.0}"),
            format!("{:.1}", rss.peak_mib),
        ]],
    );
    Ok(())
}

fn latency_row(name: &str, samples: &mut [f64]) -> Vec<String> {
    samples.sort_by(f64::total_cmp);
    let max = samples.last().copied().unwrap_or(0.0);
    vec![
        name.to_owned(),
        format!("{:.0}", percentile(samples, 0.5)),
        format!("{:.0}", percentile(samples, 0.99)),
        format!("{max:.0}"),
    ]
}

/// `reader` (on another site) follows `author` on `sender`, waiting for the
/// Accept.
async fn follow(reader: &Target, sender: &Server) -> Result<(), BenchError> {
    let q = format!("@author@{}", sender.domain());
    let found = reader.get_json(&format!("/api/v2/search?q={q}&resolve=true&type=accounts")).await?;
    let id = found["accounts"][0]["id"]
        .as_str()
        .ok_or_else(|| BenchError::Check(format!("cannot resolve {q}: {found}")))?
        .to_owned();
    reader.post_json(&format!("/api/v1/accounts/{id}/follow"), &json!({})).await?;
    let deadline = Instant::now() + ARRIVAL_DEADLINE;
    loop {
        let rel = reader.get_json(&format!("/api/v1/accounts/relationships?id[]={id}")).await?;
        if rel[0]["following"] == true {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(BenchError::Check(format!("{} never accepted the follow", sender.name)));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Stores `count` remote followers of the sender's author, spread over the
/// receiving sites, each with its own inbox there.
async fn seed_followers(db: &Db, sender: &Server, receivers: &[Server], count: u32) -> Result<Id, BenchError> {
    let followers = (0..count as usize)
        .map(|n| {
            let site = &receivers[n % receivers.len()];
            let uri = site.url(&format!("/users/follower{n}"));
            RemoteFollower { domain: site.domain(), inbox: format!("{uri}/inbox"), shared_inbox: None, uri }
        })
        .collect();
    add_remote_followers(db, sender.url("/users/author"), followers).await
}

/// Deliveries waiting and given up in the sender's queue.
async fn queue_len(db: &Db) -> Result<(i64, i64), BenchError> {
    let stats = db.run(delivery::stats).await?;
    Ok((stats.pending, stats.failed))
}
