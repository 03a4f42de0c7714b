//! `tertulia-bench posting`: statuses created per second through the API
//! by an account with many local followers, fan-out to their home
//! timelines included, while some of those followers listen on the
//! streaming API. Each listener must receive every post; the time from
//! sending a post to a listener reading it is reported too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};

use crate::BenchError;
use crate::load::{self, Budget};
use crate::report::{json_line, percentile, round, table};
use crate::seed::PASSWORD;
use crate::target::Target;

#[derive(Debug, Args)]
pub struct PostingArgs {
    /// The server, on this machine only (127.0.0.1, ::1 or localhost).
    #[arg(long)]
    base_url: String,
    /// The account that posts: a seeded one (`seed` prints `poster`, the
    /// account whose follower count is nearest 1,000).
    #[arg(long)]
    username: String,
    /// Its password, and its followers' (seeded accounts share one).
    #[arg(long, default_value = PASSWORD)]
    password: String,
    /// Statuses to post.
    #[arg(long, default_value_t = 500)]
    posts: usize,
    /// Statuses being posted at the same time.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Followers listening on the streaming API (`/api/v1/streaming/user`),
    /// at most 80.
    #[arg(long, default_value_t = 10)]
    listeners: usize,
    /// Most seconds for posting; the rest of the posts are not sent.
    #[arg(long, default_value_t = 120)]
    duration_secs: u64,
}

/// How long listeners may take to receive the last post.
const STREAM_DEADLINE: Duration = Duration::from_secs(30);

/// Post id → when its request was sent, shared with the listeners.
type SentAt = Arc<Mutex<HashMap<String, Instant>>>;

pub async fn run(args: PostingArgs) -> Result<(), BenchError> {
    let author = Target::sign_in(&args.base_url, &args.username, &args.password).await?;
    let me = author.get_json("/api/v1/accounts/verify_credentials").await?;
    let followers = me["followers_count"].as_u64().unwrap_or(0);
    let listeners = listen(&args, &author, me["id"].as_str().unwrap_or_default()).await?;

    let sent_at: SentAt = Arc::default();
    let budget = Budget { requests: args.posts, time: Some(Duration::from_secs(args.duration_secs.max(1))) };
    let outcome = load::run(args.concurrency, budget, {
        let (author, sent_at) = (author.clone(), sent_at.clone());
        move |n| {
            let (author, sent_at) = (author.clone(), sent_at.clone());
            async move {
                let sent = Instant::now();
                let status = author
                    .post_json("/api/v1/statuses", &json!({"status": format!("Posting benchmark {n} #bench")}))
                    .await?;
                sent_at.lock().await.insert(status["id"].as_str().unwrap_or_default().to_owned(), sent);
                Ok(())
            }
        }
    })
    .await?;
    let load::Outcome { latencies, errors, seconds } = outcome;
    let errors = errors.len();
    let posted = latencies.len();

    let streamed = collect_streams(listeners, &sent_at, posted).await;
    let mut stream_ms: Vec<f64> = streamed.iter().flat_map(|(received, _)| received.iter().copied()).collect();
    stream_ms.sort_by(f64::total_cmp);
    let missing: usize = streamed.iter().map(|(received, _)| posted - received.len().min(posted)).sum();
    let stream_errors: Vec<&String> = streamed.iter().filter_map(|(_, error)| error.as_ref()).collect();

    let rate = posted as f64 / seconds.max(1e-9);
    json_line(&json!({
        "scenario": "posting",
        "author": args.username,
        "followers": followers,
        "posts": posted,
        "errors": errors,
        "concurrency": args.concurrency,
        "seconds": round(seconds),
        "posts_per_sec": round(rate),
        "home_entries_per_sec": round(rate * (followers + 1) as f64),
        "p50_ms": round(percentile(&latencies, 0.50)),
        "p95_ms": round(percentile(&latencies, 0.95)),
        "p99_ms": round(percentile(&latencies, 0.99)),
        "listeners": streamed.len(),
        "stream_events": stream_ms.len(),
        "stream_missing": missing,
        "stream_p50_ms": round(percentile(&stream_ms, 0.50)),
        "stream_p99_ms": round(percentile(&stream_ms, 0.99)),
    }));
    table(
        &[
            "posting",
            "posts",
            "errors",
            "posts/s",
            "p50 ms",
            "p99 ms",
            "streamed",
            "missing",
            "stream p50",
            "stream p99",
        ],
        &[vec![
            format!("{} followers, concurrency {}", followers, args.concurrency),
            posted.to_string(),
            errors.to_string(),
            format!("{rate:.1}"),
            format!("{:.1}", percentile(&latencies, 0.50)),
            format!("{:.1}", percentile(&latencies, 0.99)),
            stream_ms.len().to_string(),
            missing.to_string(),
            format!("{:.1}", percentile(&stream_ms, 0.50)),
            format!("{:.1}", percentile(&stream_ms, 0.99)),
        ]],
    );
    if errors > 0 || missing > 0 || !stream_errors.is_empty() {
        return Err(BenchError::Check(format!(
            "{errors} posts failed, {missing} streaming events missing{}",
            stream_errors.first().map(|e| format!("; a listener stopped: {e}")).unwrap_or_default()
        )));
    }
    Ok(())
}

/// An `update` event a listener read: which listener, which status, when.
type Update = (usize, String, Instant);

/// Followers' open user streams, feeding one channel of updates.
struct Listeners {
    tasks: Vec<tokio::task::JoinHandle<Result<(), String>>>,
    updates: mpsc::UnboundedReceiver<Update>,
}

/// Signs in up to `--listeners` followers of the author and opens their
/// user streams.
async fn listen(args: &PostingArgs, author: &Target, author_id: &str) -> Result<Listeners, BenchError> {
    let count = args.listeners.min(80);
    let (sender, updates) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    if count > 0 {
        let followers = author.get_json(&format!("/api/v1/accounts/{author_id}/followers?limit={count}")).await?;
        for (index, follower) in followers.as_array().into_iter().flatten().enumerate() {
            let username = follower["username"].as_str().unwrap_or_default();
            let reader = Target::sign_in(&args.base_url, username, &args.password).await?;
            let response = reader
                .client
                .get(reader.url("/api/v1/streaming/user")?)
                .bearer_auth(&reader.token)
                .timeout(Duration::from_secs(args.duration_secs) + STREAM_DEADLINE * 2)
                .send()
                .await?
                .error_for_status()?;
            tasks.push(tokio::spawn(read_updates(index, response, sender.clone())));
        }
    }
    Ok(Listeners { tasks, updates })
}

/// Passes on the `update` events of one stream until it ends.
async fn read_updates(
    listener: usize,
    mut response: reqwest::Response,
    updates: mpsc::UnboundedSender<Update>,
) -> Result<(), String> {
    let mut buffer = String::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(None) => return Err("the stream ended".into()),
            Err(error) => return Err(error.to_string()),
        }
        // Events end with a blank line; keep an incomplete one for later.
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if event.lines().any(|line| line == "event: update")
                && let Some(data) = event.lines().find_map(|line| line.strip_prefix("data: "))
                && let Ok(status) = serde_json::from_str::<Value>(data)
            {
                let id = status["id"].as_str().unwrap_or_default().to_owned();
                if updates.send((listener, id, Instant::now())).is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// Waits (at most [`STREAM_DEADLINE`]) until every listener has read every
/// post, then closes the streams. Returns, per listener, the delays from
/// sending each post to reading it, in milliseconds, and how it ended if
/// it ended early.
async fn collect_streams(mut listeners: Listeners, sent_at: &SentAt, posted: usize) -> Vec<(Vec<f64>, Option<String>)> {
    let sent_at = sent_at.lock().await;
    let mut delays: Vec<Vec<f64>> = vec![Vec::new(); listeners.tasks.len()];
    let deadline = tokio::time::Instant::now() + STREAM_DEADLINE;
    while delays.iter().any(|d| d.len() < posted) {
        match tokio::time::timeout_at(deadline, listeners.updates.recv()).await {
            Ok(Some((listener, id, at))) => {
                if let Some(sent) = sent_at.get(&id) {
                    delays[listener].push(at.duration_since(*sent).as_secs_f64() * 1_000.0);
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
    let mut results = Vec::new();
    for (task, received) in listeners.tasks.into_iter().zip(delays) {
        let ended = if task.is_finished() {
            match task.await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(e) => Some(e.to_string()),
            }
        } else {
            task.abort();
            None
        };
        results.push((received, ended));
    }
    results
}
