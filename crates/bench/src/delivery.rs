//! `tertulia-bench delivery`: deliveries per second from one server to
//! many remote followers on stand-in sites (loopback sinks that count
//! signed POSTs), against what RSA-2048 signing alone allows here. Run
//! twice: with each follower's personal inbox, and with the shared inbox of
//! each site, where one delivery serves every follower there (the saving is
//! reported as work avoided, not as throughput).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;
use tertulia_db::{Db, delivery};

use crate::followers::{RemoteFollower, add_remote_followers};
use crate::remote_site::RemoteSite;
use crate::report::{json_line, round, table};
use crate::server::{Launch, Server, absolute_binary};
use crate::{BenchError, memory, rsa_cost};

#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// The `tertulia` binary to start (build it with --release).
    #[arg(long, default_value = "target/release/tertulia")]
    binary: PathBuf,
    /// Remote followers of the posting account.
    #[arg(long, default_value_t = 1_000)]
    followers: usize,
    /// Distinct personal inboxes the followers share out.
    #[arg(long, default_value_t = 10)]
    inboxes: usize,
    /// Stand-in sites, each with a shared inbox.
    #[arg(long, default_value_t = 3)]
    sites: usize,
    /// Statuses posted in each run.
    #[arg(long, default_value_t = 200)]
    posts: usize,
}

/// How long the queue may take to empty before the run fails.
const DRAIN_DEADLINE: Duration = Duration::from_secs(600);

/// The two ways the followers' inboxes are set up.
#[derive(Clone, Copy, PartialEq)]
enum Inboxes {
    Personal,
    Shared,
}

pub async fn run(mut args: DeliveryArgs) -> Result<(), BenchError> {
    args.binary = absolute_binary(&args.binary)?;
    let (sites_count, inboxes) = (args.sites.max(1), args.inboxes.max(1));
    let rsa = rsa_cost::measure().await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let server =
        Server::start(Launch { binary: &args.binary, name: "delivery", db_url: None, env: Vec::new() }, &http).await?;
    let pid = server.pid()?;
    let author = server.user("author").await?;
    let db = server.database()?;
    let sites: Vec<RemoteSite> = (0..sites_count).map(|_| RemoteSite::start(Vec::new())).collect::<Result<_, _>>()?;
    let cores = rsa_cost::cores();
    let sign_limit = rsa.signs_per_sec * cores as f64;

    let mut rows = Vec::new();
    for mode in [Inboxes::Personal, Inboxes::Shared] {
        let followers = (0..args.followers)
            .map(|n| {
                let inbox = n % inboxes;
                let site = &sites[inbox % sites.len()];
                RemoteFollower {
                    uri: site.url(&format!("/users/follower{n}")),
                    domain: site.domain(),
                    inbox: site.url(&format!("/inboxes/{inbox}")),
                    shared_inbox: (mode == Inboxes::Shared).then(|| site.url("/inbox")),
                }
            })
            .collect();
        add_remote_followers(&db, server.url("/users/author"), followers).await?;
        let per_post = match mode {
            Inboxes::Personal => inboxes.min(args.followers),
            Inboxes::Shared => sites.len().min(args.followers),
        };
        let expected = (args.posts * per_post) as u64;
        let before: u64 = sites.iter().map(|s| s.deliveries().0).sum();

        memory::reset_peak(pid)?;
        let started = Instant::now();
        for n in 0..args.posts {
            author.post_json("/api/v1/statuses", &json!({"status": format!("Delivery benchmark {n}")})).await?;
        }
        let posted_secs = started.elapsed().as_secs_f64();
        drain(&db, &sites, before + expected).await?;
        let seconds = started.elapsed().as_secs_f64();
        let rss = memory::read(pid)?;
        let unsigned: u64 = sites.iter().map(|s| s.deliveries().1).sum();
        if unsigned > 0 {
            return Err(BenchError::Check(format!("{unsigned} deliveries arrived without a signature")));
        }

        let rate = expected as f64 / seconds;
        let saved = (args.posts * args.followers) as u64 - expected;
        let name = match mode {
            Inboxes::Personal => format!("{inboxes} personal inboxes"),
            Inboxes::Shared => format!("{} shared inboxes", sites.len()),
        };
        json_line(&json!({
            "scenario": "delivery",
            "inboxes": name,
            "followers": args.followers,
            "posts": args.posts,
            "deliveries": expected,
            "deliveries_saved": saved,
            "seconds": round(seconds),
            "posting_secs": round(posted_secs),
            "deliveries_per_sec": round(rate),
            "rsa_signs_per_sec_per_core": round(rsa.signs_per_sec),
            "cores": cores,
            "rsa_sign_limit_per_sec": round(sign_limit),
            "percent_of_limit": round(100.0 * rate / sign_limit),
            "peak_rss_mib": round(rss.peak_mib),
        }));
        rows.push(vec![
            name,
            expected.to_string(),
            saved.to_string(),
            format!("{seconds:.2}"),
            format!("{rate:.0}"),
            format!("{sign_limit:.0} ({cores} cores)"),
            format!("{:.1}", 100.0 * rate / sign_limit),
            format!("{:.1}", rss.peak_mib),
        ]);
    }
    table(
        &[
            "delivery to",
            "deliveries",
            "saved",
            "seconds",
            "deliveries/s",
            "RSA sign limit/s",
            "% of limit",
            "peak RSS MiB",
        ],
        &rows,
    );
    Ok(())
}

/// Waits until the stand-in sites have received `total` deliveries and the
/// server's queue is empty, failing if any delivery was given up.
async fn drain(db: &Db, sites: &[RemoteSite], total: u64) -> Result<(), BenchError> {
    let started = Instant::now();
    loop {
        let received: u64 = sites.iter().map(|s| s.deliveries().0).sum();
        let stats = db.run(delivery::stats).await?;
        if stats.failed > 0 {
            return Err(BenchError::Check(format!(
                "{} deliveries failed; see tertulia admin federation status",
                stats.failed
            )));
        }
        if received >= total && stats.pending == 0 {
            if received > total {
                return Err(BenchError::Check(format!("{received} deliveries arrived, {total} expected")));
            }
            return Ok(());
        }
        if started.elapsed() > DRAIN_DEADLINE {
            return Err(BenchError::Check(format!("{received} of {total} deliveries after {DRAIN_DEADLINE:?}")));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
