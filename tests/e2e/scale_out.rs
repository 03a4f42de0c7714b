//! Several `tertulia serve` processes on one PostgreSQL database behind a
//! round-robin proxy: what a request to one process does reaches listeners
//! on another, and queued work is neither done twice nor lost, even when a
//! process is killed. PostgreSQL only; on SQLite, which serves one process,
//! a second server refuses to start.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tertulia_testrig::{Backend, StandInSite, TestCluster, TestInstance, eventually_within};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for something that must arrive.
const ARRIVAL: Duration = Duration::from_secs(10);
/// Longest wait for a queue to drain, a killed process's leases included.
const DRAIN: Duration = Duration::from_secs(60);
/// A one-second request timeout makes the delivery lease 7 seconds (twice
/// the timeout plus 5), so a killed process's jobs come back quickly; the
/// sink is on loopback (on a random port, so on no allowlist: open mode).
const SETTINGS: [(&str, &str); 3] = [
    ("TERTULIA_FEDERATION_REQUEST_TIMEOUT_SECS", "1"),
    ("TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
    ("TERTULIA_FEDERATION_MODE", "open"),
];

fn on_postgres() -> bool {
    let postgres = Backend::from_env() == Backend::Postgres;
    if !postgres {
        eprintln!("skipped: several processes share a PostgreSQL database only (TERTULIA_TEST_DB=postgres)");
    }
    postgres
}

/// A public-timeline stream on `member`, subscribed once this returns.
async fn public_stream(member: &TestInstance) -> Socket {
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?stream=public", member.port);
    let (mut socket, _) = timeout(ARRIVAL, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap();
    // The server answers pings in order: a pong means the subscription is made.
    socket.send(Message::Ping(b"sync".to_vec().into())).await.unwrap();
    timeout(ARRIVAL, async {
        while let Some(message) = socket.next().await {
            if matches!(message.unwrap(), Message::Pong(data) if &data[..] == b"sync") {
                return;
            }
        }
    })
    .await
    .expect("no pong");
    socket
}

/// The id of the status in the next `update` event.
async fn next_update(socket: &mut Socket) -> String {
    timeout(ARRIVAL, async {
        loop {
            if let Message::Text(text) = socket.next().await.expect("socket closed").unwrap() {
                let message: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(message["event"], "update", "{message}");
                let status: Value = serde_json::from_str(message["payload"].as_str().unwrap()).unwrap();
                return status["id"].as_str().unwrap().to_owned();
            }
        }
    })
    .await
    .expect("no update arrived")
}

/// Posts a status through the proxy on a new connection, so that
/// successive posts go to the processes in turn; returns its id.
async fn post_through(cluster: &TestCluster, token: &str, text: &str) -> String {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(ARRIVAL).build().unwrap();
    let response = client
        .post(format!("http://127.0.0.1:{}/api/v1/statuses", cluster.proxy.port))
        .bearer_auth(token)
        .json(&json!({ "status": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn posts_through_either_process_reach_streams_on_both_once() {
    if !on_postgres() {
        return;
    }
    let cluster = TestCluster::start(support::BINARY, 2, &SETTINGS).await;
    let (a, b) = (&cluster.members[0], &cluster.members[1]);
    let ana = a.sign_up("ana").await;
    let mut on_a = public_stream(a).await;
    let mut on_b = public_stream(b).await;
    // Two connections through the round-robin proxy: one post each way.
    let first = post_through(&cluster, &ana, "Through the proxy").await;
    let second = post_through(&cluster, &ana, "And through the other process").await;
    // Each stream gets each post once, in order: a duplicate of the first
    // would come before the second.
    for socket in [&mut on_a, &mut on_b] {
        assert_eq!(next_update(socket).await, first);
        assert_eq!(next_update(socket).await, second);
    }
}

/// Queues a delivery of a small activity signed by `actor` to
/// `<sink>/inbox/<n>` for every `n` in `numbers`, as the outbox would.
fn queue(db: &mut PgConnection, actor: &str, sink: &StandInSite, numbers: Range<u32>) {
    let (base, host) = (sink.base_url.as_str(), sink.domain.as_str());
    db.batch_execute(&format!(
        "INSERT INTO delivery_jobs \
           (id, activity_id, actor_account_id, inbox_url, inbox_host, payload, attempts, next_attempt_at, created_at) \
         SELECT n, 'https://example.invalid/activities/' || n, {actor}, '{base}/inbox/' || n, '{host}', \
           '{{\"type\":\"Test\"}}', 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' \
         FROM generate_series({}, {}) AS n",
        numbers.start,
        numbers.end - 1
    ))
    .unwrap();
}

/// How often each `/inbox/<n>` path was posted to, once all of `numbers`
/// arrived (at most [`DRAIN`]).
async fn received_all(sink: &StandInSite, numbers: Range<u32>) -> HashMap<u32, usize> {
    let what = format!("deliveries to /inbox/{}..{}", numbers.start, numbers.end);
    eventually_within(DRAIN, &what, || async {
        let mut counts = HashMap::new();
        for (path, _) in sink.posts() {
            let n: u32 = path.trim_start_matches("/inbox/").parse().unwrap();
            *counts.entry(n).or_insert(0) += 1;
        }
        numbers.clone().all(|n| counts.contains_key(&n)).then_some(counts)
    })
    .await
}

#[tokio::test]
async fn queued_deliveries_are_sent_once_by_two_processes_and_survive_a_kill() {
    if !on_postgres() {
        return;
    }
    let sink = StandInSite::start();
    let mut cluster = TestCluster::start(support::BINARY, 2, &SETTINGS).await;
    let ana = cluster.members[0].sign_up("ana").await;
    let actor = cluster.members[0].api(&ana).account_id().await;
    let mut db = PgConnection::establish(&cluster.members[0].db.url).unwrap();

    // Both processes claim from the one queue: each job is sent exactly once.
    queue(&mut db, &actor, &sink, 1..1001);
    let counts = received_all(&sink, 1..1001).await;
    let twice: Vec<_> = counts.iter().filter(|(_, times)| **times > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");

    // Killed mid-way, a process loses nothing: the other takes its claimed
    // jobs over when their leases run out. (A job sent but not yet marked
    // done when the process died is sent again: receivers drop repeats by
    // activity id.)
    queue(&mut db, &actor, &sink, 1001..2001);
    eventually_within(ARRIVAL, "the second batch to start", || async { (sink.posts().len() > 1000).then_some(()) })
        .await;
    cluster.members[0].stop_with("KILL", ARRIVAL).await;
    received_all(&sink, 1001..2001).await;
    eventually_within(ARRIVAL, "the delivery queue to empty", || {
        let empty = waiting_jobs(&mut db) == 0;
        async move { empty.then_some(()) }
    })
    .await;
}

/// Jobs in the delivery queue (sent ones are removed).
fn waiting_jobs(db: &mut PgConnection) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count =
        diesel::RunQueryDsl::get_result(diesel::sql_query("SELECT count(*) AS n FROM delivery_jobs"), db).unwrap();
    count.n
}

#[tokio::test]
async fn a_second_server_on_one_sqlite_database_refuses_to_start() {
    if Backend::from_env() != Backend::Sqlite {
        eprintln!("skipped: the SQLite lock (TERTULIA_TEST_DB=sqlite)");
        return;
    }
    let instance = support::start().await;
    let second = instance.cli(&["serve"]).await;
    assert!(!second.status.success());
    assert!(second.stderr.contains("SQLite serves one process"), "{}", second.stderr);
    assert!(instance.get_json("/api/v1/instance").await["uri"].is_string(), "the first server runs on");
}
