//! The operations metrics (`/metrics`, docs/metrics.md): two federating
//! sites, `hq` exposing them on its main address behind a token and `es`
//! on a separate address. Each scrape is parsed as Prometheus text and
//! the counts checked against what the test did: requests, a federated
//! delivery, a site that is down, inbox answers, a streaming connection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::net::TcpListener;

use futures_util::StreamExt;
use serde_json::json;
use tertulia_testrig::{Federation, TestInstance, eventually};

const TOKEN: &str = "scrape-me-0123456789abcdef";

/// One sample of the exposition text.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Every sample of `text` (comments skipped), as Prometheus reads them.
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, parse_labels(labels.strip_suffix('}').unwrap())),
                None => (series, BTreeMap::new()),
            };
            Sample { name: name.to_owned(), labels, value: value.parse().unwrap_or_else(|_| panic!("value: {line}")) }
        })
        .collect()
}

/// `name="value",…`, values with `\\`, `\"` and `\n` escaped.
fn parse_labels(mut text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    while !text.is_empty() {
        let (name, after) = text.split_once("=\"").unwrap();
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().unwrap() {
                (_, '\\') => match chars.next().unwrap().1 {
                    'n' => value.push('\n'),
                    escaped => value.push(escaped),
                },
                (at, '"') => break at,
                (_, c) => value.push(c),
            }
        };
        labels.insert(name.to_owned(), value);
        text = after[end + 1..].trim_start_matches(',');
    }
    labels
}

/// The sum of the samples named `name` carrying all of `labels`.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
        .sum()
}

/// hq's metrics, scraped with the token as Prometheus would.
async fn scrape(hq: &TestInstance) -> Vec<Sample> {
    let response = hq.client.get(hq.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let samples = parse(&response.text().await.unwrap());
    let unlabelled: Vec<&Sample> = samples.iter().filter(|s| !s.labels.contains_key("node")).collect();
    assert!(unlabelled.is_empty(), "every series names its process: {unlabelled:?}");
    samples
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn metrics_count_requests_deliveries_queues_inbox_and_streaming() {
    let metrics_port = free_port();
    let listen = format!("127.0.0.1:{metrics_port}");
    let [hq, mut es] = Federation::start(
        support::BINARY,
        [&[("TERTULIA_METRICS_TOKEN", TOKEN)], &[("TERTULIA_METRICS_LISTEN", listen.as_str())]],
    )
    .await;

    // hq: the token is required, and a wrong one is refused, both clearly.
    let anonymous = hq.api("").get("/metrics").await.error(401);
    assert!(anonymous.contains("metrics.token"), "{anonymous}");
    hq.api("not-the-token").get("/metrics").await.error(401);

    // es: metrics on their own address only, no token asked.
    es.api(TOKEN).get("/metrics").await.error(404);
    let apart = reqwest::get(format!("http://{listen}/metrics")).await.unwrap();
    assert_eq!(apart.status(), 200);
    let apart = parse(&apart.text().await.unwrap());
    assert!(apart.iter().any(|s| s.name == "tertulia_queue_depth" && s.labels.contains_key("node")));
    assert_eq!(reqwest::get(format!("http://{listen}/api/v2/instance")).await.unwrap().status(), 404);

    // Requests are counted by route pattern: a trailing slash and two
    // different ids are the same routes.
    let before = scrape(&hq).await;
    for path in ["/api/v2/instance", "/api/v2/instance/", "/api/v2/instance"] {
        hq.api("").get(path).await.ok();
    }
    for id in ["1", "2"] {
        hq.api("").get(&format!("/api/v1/statuses/{id}")).await.error(404);
    }
    let after = scrape(&hq).await;
    let count = |samples: &[Sample], labels: &[(&str, &str)]| sum(samples, "tertulia_http_requests_total", labels);
    let instance = [("route", "/api/v2/instance"), ("method", "GET"), ("status", "200")];
    assert_eq!(count(&after, &instance) - count(&before, &instance), 3.0);
    let status = [("route", "/api/v1/statuses/{id}"), ("status", "404")];
    assert_eq!(count(&after, &status) - count(&before, &status), 2.0);
    assert!(!after.iter().any(|s| s.labels.get("route").is_some_and(|r| r.contains("/statuses/1"))));
    let timed = sum(&after, "tertulia_http_request_duration_seconds_count", &instance[..2]);
    assert!(timed >= 3.0, "{timed}");
    assert_eq!(sum(&after, "tertulia_db_pool_max_connections", &[]), 4.0, "testrig's database.pool_size");
    assert!(sum(&after, "process_resident_memory_bytes", &[]) > 1e6);
    assert!(sum(&after, "process_open_fds", &[]) > 0.0);

    // A follow from es: hq's inbox accepts it and delivers the Accept.
    let ana = hq.sign_up("ana").await;
    let bruno = es.sign_up("bruno").await;
    let ana_on_es = es.api(&bruno).resolve("ana", &hq).await;
    es.api(&bruno).follow_and_wait(&ana_on_es).await;
    let es_domain = es.domain.clone();
    let es_host = [("host", es_domain.as_str())];
    let delivered = eventually("hq to count the Accept it delivered to es", || async {
        let samples = scrape(&hq).await;
        let success = sum(&samples, "tertulia_deliveries_total", &[es_host[0], ("outcome", "success")]);
        let waiting = sum(&samples, "tertulia_queue_depth", &[("queue", "delivery")]);
        (success >= 1.0 && waiting == 0.0).then_some(samples)
    })
    .await;
    assert!(sum(&delivered, "tertulia_inbox_accepted_total", &[]) >= 1.0);

    // An unsigned activity is refused, and counted by its reason.
    let forged = json!({"type": "Follow", "id": "https://x.example/1", "actor": "https://x.example/u"}).to_string();
    hq.api("").send_raw(reqwest::Method::POST, "/inbox", "application/activity+json", &forged).await.error(401);
    let refused = scrape(&hq).await;
    let signature = [("reason", "signature")];
    let rejected = |samples: &[Sample]| sum(samples, "tertulia_inbox_rejected_total", &signature);
    assert_eq!(rejected(&refused) - rejected(&delivered), 1.0);

    // es is down: ana's post waits in hq's delivery queue, and the failed
    // attempt is counted against es.
    es.stop_with("TERM", std::time::Duration::from_secs(10)).await;
    hq.api(&ana).post_status("while es is down", json!({})).await;
    let waiting = eventually("the delivery to es to fail and wait", || async {
        let samples = scrape(&hq).await;
        let failed = sum(&samples, "tertulia_deliveries_total", &[es_host[0], ("outcome", "failure")]);
        (failed >= 1.0).then_some(samples)
    })
    .await;
    assert_eq!(sum(&waiting, "tertulia_queue_depth", &[("queue", "delivery")]), 1.0, "one post, one inbox");
    assert!(sum(&waiting, "tertulia_queue_oldest_age_seconds", &[("queue", "delivery")]) > 0.0);
    assert_eq!(sum(&waiting, "tertulia_deliveries_total", &[es_host[0], ("outcome", "gave_up")]), 0.0);

    // A streaming connection is counted while open.
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?access_token={ana}&stream=user", hq.port);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let streaming = |samples: &[Sample]| sum(samples, "tertulia_streaming_connections", &[]);
    assert_eq!(streaming(&scrape(&hq).await), 1.0);
    socket.close(None).await.unwrap();
    while socket.next().await.is_some() {}
    eventually("the closed stream to be let go", || async { (streaming(&scrape(&hq).await) == 0.0).then_some(()) })
        .await;
}
