//! `tertulia-bench inbox`: signed `Create(Note)` activities accepted and
//! applied per second by one server, from a stand-in site on loopback
//! whose actors the server fetches and caches like any other. Compared
//! with what RSA-2048 verification alone allows on this machine.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use serde_json::{Value, json};
use tertulia_db::Db;
use tertulia_federation::signatures::{self, SigningKey};

use crate::load::{self, Budget};
use crate::remote_site::RemoteSite;
use crate::report::{json_line, percentile, round, table};
use crate::server::{Launch, Server, absolute_binary};
use crate::{BenchError, memory, rsa_cost};

#[derive(Debug, Args)]
pub struct InboxArgs {
    /// The `tertulia` binary to start (build it with --release).
    #[arg(long, default_value = "target/release/tertulia")]
    binary: PathBuf,
    /// Activities sent in the measured run.
    #[arg(long, default_value_t = 3_000)]
    activities: usize,
    /// Activities in flight at the same time.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Remote actors the activities come from (each one's key is fetched
    /// once, before the measured run).
    #[arg(long, default_value_t = 10)]
    senders: usize,
}

/// How long the server may take to apply what it accepted.
const APPLY_DEADLINE: Duration = Duration::from_secs(600);

/// One remote actor: its name on the stand-in site and its signing key.
struct Sender {
    actor: String,
    key: SigningKey,
}

pub async fn run(mut args: InboxArgs) -> Result<(), BenchError> {
    args.binary = absolute_binary(&args.binary)?;
    let rsa = rsa_cost::measure().await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let server =
        Server::start(Launch { binary: &args.binary, name: "inbox", db_url: None, env: Vec::new() }, &http).await?;
    let pid = server.pid()?;
    let db = server.database()?;

    let mut published = Vec::new();
    let mut keys = Vec::new();
    for n in 0..args.senders.max(1) {
        let pair = signatures::generate_keypair().map_err(|e| BenchError::Check(e.to_string()))?;
        published.push((format!("sender{n}"), pair.public_pem));
        keys.push(pair.private_pem);
    }
    let site = RemoteSite::start(published.clone())?;
    let senders: Vec<Sender> = published
        .iter()
        .zip(keys)
        .map(|((name, _), private_pem)| {
            let actor = site.url(&format!("/users/{name}"));
            let key = SigningKey::from_pem(format!("{actor}#main-key"), &private_pem)
                .map_err(|e| BenchError::Check(e.to_string()))?;
            Ok(Sender { actor, key })
        })
        .collect::<Result<_, BenchError>>()?;
    let senders = Arc::new(senders);
    let inbox = url::Url::parse(&server.url("/inbox")).map_err(|e| BenchError::Usage(e.to_string()))?;

    // Warm-up, not measured: each sender's first activity makes the server
    // fetch its actor and key.
    for (n, sender) in senders.iter().enumerate() {
        post_activity(&http, &inbox, sender, &format!("warm-up-{n}")).await?;
    }
    wait_until_applied(&db).await?;

    memory::reset_peak(pid)?;
    let started = Instant::now();
    let outcome = load::run(args.concurrency, Budget { requests: args.activities, time: None }, {
        let (http, inbox, senders) = (http.clone(), inbox.clone(), senders.clone());
        move |n| {
            let (http, inbox, senders) = (http.clone(), inbox.clone(), senders.clone());
            async move { post_activity(&http, &inbox, &senders[n % senders.len()], &n.to_string()).await }
        }
    })
    .await?;
    let load::Outcome { latencies, errors, .. } = outcome;
    let accepted_secs = started.elapsed().as_secs_f64();
    wait_until_applied(&db).await?;
    let applied_secs = started.elapsed().as_secs_f64();
    let rss = memory::read(pid)?;

    let accepted = latencies.len();
    let cores = rsa_cost::cores();
    let verify_limit = rsa.verifies_per_sec * cores as f64;
    let applied_rate = accepted as f64 / applied_secs;
    json_line(&json!({
        "scenario": "inbox",
        "activities": accepted,
        "errors": errors.len(),
        "concurrency": args.concurrency,
        "senders": senders.len(),
        "accepted_per_sec": round(accepted as f64 / accepted_secs),
        "applied_per_sec": round(applied_rate),
        "p50_ms": round(percentile(&latencies, 0.50)),
        "p99_ms": round(percentile(&latencies, 0.99)),
        "rsa_verifies_per_sec_per_core": round(rsa.verifies_per_sec),
        "cores": cores,
        "rsa_verify_limit_per_sec": round(verify_limit),
        "percent_of_limit": round(100.0 * applied_rate / verify_limit),
        "peak_rss_mib": round(rss.peak_mib),
    }));
    table(
        &[
            "inbox",
            "activities",
            "accepted/s",
            "applied/s",
            "p50 ms",
            "p99 ms",
            "RSA verify limit/s",
            "% of limit",
            "peak RSS MiB",
        ],
        &[vec![
            format!("{} senders, concurrency {}", senders.len(), args.concurrency),
            accepted.to_string(),
            format!("{:.0}", accepted as f64 / accepted_secs),
            format!("{applied_rate:.0}"),
            format!("{:.1}", percentile(&latencies, 0.50)),
            format!("{:.1}", percentile(&latencies, 0.99)),
            format!("{verify_limit:.0} ({cores} cores)"),
            format!("{:.1}", 100.0 * applied_rate / verify_limit),
            format!("{:.1}", rss.peak_mib),
        ]],
    );
    match errors.first() {
        Some(first) => Err(BenchError::Check(format!("{} activities were refused; the first: {first}", errors.len()))),
        None => Ok(()),
    }
}

/// Signs and posts a public `Create(Note)` from `sender`, expecting 202.
async fn post_activity(
    http: &reqwest::Client,
    inbox: &url::Url,
    sender: &Sender,
    serial: &str,
) -> Result<(), BenchError> {
    let note = format!("{}/statuses/{serial}", sender.actor);
    let activity: Value = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": sender.actor,
        "published": Utc::now().to_rfc3339(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{}/followers", sender.actor)],
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": sender.actor,
            "content": format!("<p>Inbox benchmark note {serial} from a stand-in site</p>"),
            "published": Utc::now().to_rfc3339(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{}/followers", sender.actor)],
        },
    });
    let body = serde_json::to_vec(&activity).map_err(|e| BenchError::Check(e.to_string()))?;
    let signed = signatures::sign_request(&sender.key, "POST", inbox, Some(&body), Utc::now())
        .map_err(|e| BenchError::Check(e.to_string()))?;
    let mut request = http
        .post(inbox.clone())
        .header("content-type", "application/activity+json")
        .header("date", signed.date)
        .header("signature", signed.signature);
    if let Some(digest) = signed.digest {
        request = request.header("digest", digest);
    }
    let response = request.body(body).send().await?;
    let status = response.status();
    if status != reqwest::StatusCode::ACCEPTED {
        let text = response.text().await.unwrap_or_default();
        return Err(BenchError::Check(format!("the inbox answered {status}: {text}")));
    }
    Ok(())
}

/// Waits until the server has applied every activity it accepted.
async fn wait_until_applied(db: &Db) -> Result<(), BenchError> {
    let started = Instant::now();
    loop {
        let backlog = db.run(tertulia_db::inbox::backlog).await?;
        if backlog == 0 {
            return Ok(());
        }
        if started.elapsed() > APPLY_DEADLINE {
            return Err(BenchError::Check(format!("{backlog} activities still unapplied after {APPLY_DEADLINE:?}")));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
