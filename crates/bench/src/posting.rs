//! `tertulia-bench posting`: statuses created per second through the API
//! by an account with many local followers, fan-out to their home
//! timelines included, while followers listen on the streaming API
//! (server-sent events, WebSockets, or half of each). Each listener must
//! receive every post; the time from sending a post to a listener reading
//! it is reported per transport, and, given the server's process id, the
//! server's CPU time per event per listener.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore, mpsc};
use tokio_tungstenite::tungstenite;

use crate::BenchError;
use crate::cpu;
use crate::load::{self, Budget};
use crate::report::{json_line, percentile, round, table};
use crate::seed::{PASSWORD, username};
use crate::target::{App, Target};

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
    /// Followers listening on their user stream. When the author has fewer
    /// followers, other seeded accounts (`user0`, `user1`, …) follow it
    /// first. The server's streaming connection caps
    /// (`limits.streaming_connections*`) must allow this many.
    #[arg(long, default_value_t = 10)]
    listeners: usize,
    /// How listeners connect: `sse` (`/api/v1/streaming/user`), `websocket`
    /// (`/api/v1/streaming?stream=user`) or `both` (alternately).
    #[arg(long, value_enum, default_value_t = Transport::Sse)]
    transport: Transport,
    /// Process id of the server (on this machine): its CPU time over the
    /// run is reported per event per listener.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Most seconds for posting; the rest of the posts are not sent.
    #[arg(long, default_value_t = 120)]
    duration_secs: u64,
    /// Most seconds listeners may take, after the last post, to receive
    /// every post.
    #[arg(long, default_value_t = 30)]
    stream_deadline_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Transport {
    Sse,
    Websocket,
    Both,
}

impl Transport {
    /// How listener number `index` connects.
    fn for_listener(self, index: usize) -> Transport {
        match self {
            Transport::Both if index.is_multiple_of(2) => Transport::Sse,
            Transport::Both => Transport::Websocket,
            one => one,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Transport::Sse => "sse",
            Transport::Websocket => "websocket",
            Transport::Both => "both",
        }
    }
}

/// Sign-ins (an argon2 check each) and follows made at the same time while
/// the listeners get ready.
const SETUP_CONCURRENCY: usize = 4;

/// Post id → when its request was sent, shared with the listeners.
type SentAt = Arc<Mutex<HashMap<String, Instant>>>;

pub async fn run(args: PostingArgs) -> Result<(), BenchError> {
    let author = Target::sign_in(&args.base_url, &args.username, &args.password).await?;
    let author_id =
        author.get_json("/api/v1/accounts/verify_credentials").await?["id"].as_str().unwrap_or_default().to_owned();
    let listeners = listen(&args, &author, &author_id).await?;
    // Read after the listeners followed, so it counts them.
    let followers =
        author.get_json(&format!("/api/v1/accounts/{author_id}")).await?["followers_count"].as_u64().unwrap_or(0);

    let cpu_before = args.server_pid.map(cpu::used).transpose()?;
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

    let deadline = Duration::from_secs(args.stream_deadline_secs);
    let streamed = collect_streams(listeners, &sent_at, posted, deadline).await;
    let server_cpu = match (args.server_pid, cpu_before) {
        (Some(pid), Some(before)) => Some(cpu::used(pid)?.saturating_sub(before)),
        _ => None,
    };
    let listening = streamed.len();
    let events_times_listeners = (posted * listening).max(1) as f64;
    let cpu_us_per_event_per_listener = server_cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / events_times_listeners);
    let transports: Vec<TransportFigures> = [Transport::Sse, Transport::Websocket]
        .into_iter()
        .filter_map(|transport| TransportFigures::of(transport, &streamed, posted))
        .collect();
    let missing: usize = transports.iter().map(|t| t.missing).sum();
    let stream_events: usize = transports.iter().map(|t| t.delays_ms.len()).sum();
    let all_delays = {
        let mut all: Vec<f64> = transports.iter().flat_map(|t| t.delays_ms.iter().copied()).collect();
        all.sort_by(f64::total_cmp);
        all
    };
    let stream_errors: Vec<&String> = streamed.iter().filter_map(|s| s.ended.as_ref()).collect();

    let rate = posted as f64 / seconds.max(1e-9);
    let mut line = json!({
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
        "transport": args.transport.name(),
        "listeners": listening,
        "stream_events": stream_events,
        "stream_missing": missing,
        "stream_p50_ms": round(percentile(&all_delays, 0.50)),
        "stream_p99_ms": round(percentile(&all_delays, 0.99)),
        "server_cpu_seconds": server_cpu.map(|cpu| round(cpu.as_secs_f64())),
        "server_cpu_us_per_event_per_listener": cpu_us_per_event_per_listener.map(round),
    });
    for figures in &transports {
        let name = figures.transport.name();
        line[format!("{name}_listeners")] = json!(figures.listeners);
        line[format!("{name}_missing")] = json!(figures.missing);
        line[format!("{name}_p50_ms")] = json!(round(percentile(&figures.delays_ms, 0.50)));
        line[format!("{name}_p99_ms")] = json!(round(percentile(&figures.delays_ms, 0.99)));
    }
    json_line(&line);
    table(
        &["posting", "posts", "errors", "posts/s", "p50 ms", "p99 ms", "server CPU s"],
        &[vec![
            format!("{} followers, concurrency {}", followers, args.concurrency),
            posted.to_string(),
            errors.to_string(),
            format!("{rate:.1}"),
            format!("{:.1}", percentile(&latencies, 0.50)),
            format!("{:.1}", percentile(&latencies, 0.99)),
            server_cpu.map_or("-".into(), |cpu| format!("{:.2}", cpu.as_secs_f64())),
        ]],
    );
    let rows: Vec<Vec<String>> = transports
        .iter()
        .map(|figures| {
            vec![
                figures.transport.name().to_owned(),
                figures.listeners.to_string(),
                figures.delays_ms.len().to_string(),
                figures.missing.to_string(),
                format!("{:.1}", percentile(&figures.delays_ms, 0.50)),
                format!("{:.1}", percentile(&figures.delays_ms, 0.99)),
            ]
        })
        .collect();
    table(&["streaming", "listeners", "received", "missing", "p50 ms", "p99 ms"], &rows);
    if let Some(per_event) = cpu_us_per_event_per_listener {
        println!("server CPU per event per listener: {per_event:.1} µs");
    }
    if errors > 0 || missing > 0 || !stream_errors.is_empty() {
        return Err(BenchError::Check(format!(
            "{errors} posts failed, {missing} streaming events missing{}",
            stream_errors.first().map(|e| format!("; a listener stopped: {e}")).unwrap_or_default()
        )));
    }
    Ok(())
}

/// The streaming figures of the listeners on one transport.
struct TransportFigures {
    transport: Transport,
    listeners: usize,
    /// Milliseconds from sending a post to a listener reading it, sorted.
    delays_ms: Vec<f64>,
    /// Posts a listener never read, summed over listeners.
    missing: usize,
}

impl TransportFigures {
    /// `None` when no listener used `transport`.
    fn of(transport: Transport, streamed: &[Streamed], posted: usize) -> Option<TransportFigures> {
        let on_it: Vec<&Streamed> = streamed.iter().filter(|s| s.transport == transport).collect();
        if on_it.is_empty() {
            return None;
        }
        let mut delays_ms: Vec<f64> = on_it.iter().flat_map(|s| s.delays_ms.iter().copied()).collect();
        delays_ms.sort_by(f64::total_cmp);
        let missing = on_it.iter().map(|s| posted - s.delays_ms.len().min(posted)).sum();
        Some(TransportFigures { transport, listeners: on_it.len(), delays_ms, missing })
    }
}

/// An `update` event a listener read: which listener, which status, when.
type Update = (usize, String, Instant);

/// Followers' open user streams, feeding one channel of updates.
struct Listeners {
    streams: Vec<(Transport, tokio::task::JoinHandle<Result<(), String>>)>,
    updates: mpsc::UnboundedReceiver<Update>,
}

/// Signs in `--listeners` followers of the author (making more seeded
/// accounts follow it if it has too few) and opens their user streams.
async fn listen(args: &PostingArgs, author: &Target, author_id: &str) -> Result<Listeners, BenchError> {
    let readers = sign_in_followers(args, author, author_id).await?;
    let (sender, updates) = mpsc::unbounded_channel();
    let mut streams = Vec::new();
    // Streams live until the posts are sent and read.
    let lifetime = Duration::from_secs(args.duration_secs + args.stream_deadline_secs) * 2;
    for (index, reader) in readers.into_iter().enumerate() {
        let transport = args.transport.for_listener(index);
        let stream = match transport {
            Transport::Websocket => {
                let (socket, _) = tokio_tungstenite::connect_async(reader.streaming_socket_url("user")?.as_str())
                    .await
                    .map_err(|e| BenchError::Check(format!("WebSocket streaming: {e}")))?;
                tokio::spawn(read_socket_updates(index, socket, sender.clone()))
            }
            _ => {
                let response = reader
                    .client
                    .get(reader.url("/api/v1/streaming/user")?)
                    .bearer_auth(&reader.token)
                    .timeout(lifetime)
                    .send()
                    .await?
                    .error_for_status()?;
                tokio::spawn(read_event_updates(index, response, sender.clone()))
            }
        };
        streams.push((transport, stream));
    }
    Ok(Listeners { streams, updates })
}

/// `--listeners` followers of the author, signed in (through one app, a
/// few at a time). Seeded accounts that do not follow the author yet
/// follow it first when its followers are too few.
async fn sign_in_followers(args: &PostingArgs, author: &Target, author_id: &str) -> Result<Vec<Target>, BenchError> {
    let mut names = Vec::new();
    let mut page = Some(author.url(&format!("/api/v1/accounts/{author_id}/followers?limit=80"))?);
    while let Some(url) = page.filter(|_| names.len() < args.listeners) {
        let (followers, next) = author.get_page(url).await?;
        let usernames = followers.as_array().into_iter().flatten().filter_map(|f| f["username"].as_str());
        names.extend(usernames.map(str::to_owned));
        page = next;
    }
    names.truncate(args.listeners);
    let already: HashSet<String> = names.iter().cloned().chain([args.username.clone()]).collect();
    let newcomers: Vec<String> =
        (0..).map(username).filter(|name| !already.contains(name)).take(args.listeners - names.len()).collect();

    let app = Arc::new(App::register(&args.base_url).await?);
    let setup = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let tasks: Vec<_> = names
        .into_iter()
        .map(|name| (name, None))
        .chain(newcomers.into_iter().map(|name| (name, Some(author_id.to_owned()))))
        .map(|(name, follow): (String, Option<String>)| {
            let (app, setup, password) = (app.clone(), setup.clone(), args.password.clone());
            tokio::spawn(async move {
                let _turn = setup.acquire().await.map_err(|e| BenchError::Check(e.to_string()))?;
                let reader = app.sign_in(&name, &password).await?;
                if let Some(author_id) = follow {
                    reader.post_json(&format!("/api/v1/accounts/{author_id}/follow"), &json!({})).await?;
                }
                Ok::<Target, BenchError>(reader)
            })
        })
        .collect();
    let mut readers = Vec::with_capacity(tasks.len());
    for task in tasks {
        readers.push(task.await.map_err(|e| BenchError::Check(format!("a sign-in stopped: {e}")))??);
    }
    Ok(readers)
}

/// Passes on the `update` events of one server-sent event stream until it
/// ends.
async fn read_event_updates(
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
                && !pass_on(listener, data, &updates)
            {
                return Ok(());
            }
        }
    }
}

/// Passes on the `update` events of one WebSocket until it closes.
async fn read_socket_updates(
    listener: usize,
    mut socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    updates: mpsc::UnboundedSender<Update>,
) -> Result<(), String> {
    while let Some(message) = socket.next().await {
        let tungstenite::Message::Text(text) = message.map_err(|e| e.to_string())? else { continue };
        // Mastodon's frame: {"stream": [...], "event": "update", "payload": "<status JSON>"}.
        let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
        if frame["event"] == "update"
            && let Some(payload) = frame["payload"].as_str()
            && !pass_on(listener, payload, &updates)
        {
            return Ok(());
        }
    }
    Err("the socket closed".into())
}

/// Sends on the status in an `update` event's data; false once nobody
/// reads the updates any more.
fn pass_on(listener: usize, data: &str, updates: &mpsc::UnboundedSender<Update>) -> bool {
    let Ok(status) = serde_json::from_str::<Value>(data) else { return true };
    let id = status["id"].as_str().unwrap_or_default().to_owned();
    updates.send((listener, id, Instant::now())).is_ok()
}

/// What one listener read, and how its stream ended if it ended early.
struct Streamed {
    transport: Transport,
    /// Milliseconds from sending each post to reading it.
    delays_ms: Vec<f64>,
    ended: Option<String>,
}

/// Waits (at most `deadline`) until every listener has read every post,
/// then closes the streams.
async fn collect_streams(
    mut listeners: Listeners,
    sent_at: &SentAt,
    posted: usize,
    deadline: Duration,
) -> Vec<Streamed> {
    let sent_at = sent_at.lock().await;
    let mut delays: Vec<Vec<f64>> = vec![Vec::new(); listeners.streams.len()];
    let deadline = tokio::time::Instant::now() + deadline;
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
    for ((transport, task), delays_ms) in listeners.streams.into_iter().zip(delays) {
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
        results.push(Streamed { transport, delays_ms, ended });
    }
    results
}
