#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The federation client against a small local HTTP/1.1 server that records
//! each request and checks its signature the way an inbox would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use chrono::Utc;
use tertulia_core::config::{FederationConfig, FederationMode};
use tertulia_domain::federation_policy::{FederationPolicy, Refusal};
use tertulia_federation::address_guard::GuardError;
use tertulia_federation::client::{ClientSettings, DeliveryOutcome, FederationClient, FetchError, SiteRefusal};
use tertulia_federation::signatures::{
    IncomingRequest, KeyPair, SignatureError, SigningKey, generate_keypair, parse_signature, verify_request,
};
use tertulia_federation::urls::Urls;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use url::Url;

static KEYS: LazyLock<KeyPair> = LazyLock::new(|| generate_keypair().unwrap());
const ACTIVITY: &[u8] = br#"{"type":"Create","actor":"https://a.example/users/alice"}"#;

fn signer() -> SigningKey {
    SigningKey::from_pem("https://a.example/users/alice#main-key".to_owned(), &KEYS.private_pem).unwrap()
}

/// This site, as the client under test knows it.
const OWN_SITE: &str = "https://tertulia.test";

fn client_with(federation: FederationConfig) -> FederationClient {
    let federation = FederationConfig { request_timeout_secs: 2, max_fetch_bytes: 1024, ..federation };
    FederationClient::new(ClientSettings {
        policy: FederationPolicy::new(&federation),
        federation,
        site: Urls::new(OWN_SITE),
        user_agent: "tertulia-test".to_owned(),
    })
    .unwrap()
}

fn client(allow_private: bool) -> FederationClient {
    client_with(FederationConfig {
        mode: FederationMode::Open,
        allow_private_addresses: allow_private,
        ..FederationConfig::default()
    })
}

/// What the test server answers to one request.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Without Content-Length the body ends when the connection closes,
    /// so only reading can reveal its size.
    send_length: bool,
}

impl Reply {
    fn status(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: Vec::new(), send_length: true }
    }

    fn json(body: &str) -> Reply {
        Reply {
            headers: vec![("Content-Type", "application/activity+json".to_owned())],
            body: body.into(),
            ..Reply::status(200)
        }
    }
}

/// A request as the server received it, with the outcome of verifying its
/// signature against [`KEYS`].
#[derive(Debug)]
struct Recorded {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
    signature: Result<(), SignatureError>,
}

struct TestServer {
    address: SocketAddr,
    requests: mpsc::UnboundedReceiver<Recorded>,
}

impl TestServer {
    /// Answers requests with `replies` in turn, repeating the last one.
    async fn start(replies: Vec<Reply>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (sender, requests) = mpsc::unbounded_channel();
        let replies = Arc::new(Mutex::new(replies));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let reply = {
                    let mut replies = replies.lock().unwrap();
                    if replies.len() > 1 { replies.remove(0) } else { replies[0].clone() }
                };
                tokio::spawn(answer(stream, reply, sender.clone()));
            }
        });
        TestServer { address, requests }
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.address)).unwrap()
    }

    async fn next_request(&mut self) -> Recorded {
        tokio::time::timeout(Duration::from_secs(5), self.requests.recv()).await.unwrap().unwrap()
    }

    /// Gives a request that should not have been sent time to arrive, then
    /// checks that none did.
    async fn assert_received_nothing(&mut self, why: &str) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(self.requests.try_recv().is_err(), "{why}");
    }
}

/// Asserts that a delivery was refused before anything was sent, for a
/// reason that says `words`.
fn assert_refused(outcome: &DeliveryOutcome, words: &str) {
    assert!(matches!(outcome, DeliveryOutcome::Refused { reason } if reason.contains(words)), "{outcome:?}");
}

async fn answer(stream: TcpStream, reply: Reply, recorded: mpsc::UnboundedSender<Recorded>) {
    let mut stream = BufReader::new(stream);
    let mut request_line = String::new();
    stream.read_line(&mut request_line).await.unwrap();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned());

    let mut headers = BTreeMap::<String, String>::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        let value = value.trim().to_owned();
        headers.entry(name.to_ascii_lowercase()).and_modify(|v| *v = format!("{v}, {value}")).or_insert(value);
    }
    let length = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();

    let received: std::collections::BTreeMap<String, String> = headers.clone().into_iter().collect();
    let incoming = IncomingRequest::new(&method, &target, &received, (method == "POST").then_some(body.as_slice()));
    let signature = parse_signature(&incoming).and_then(|params| {
        verify_request(&incoming, &params, &KEYS.public_pem, Utc::now(), chrono::Duration::minutes(5))
    });
    recorded.send(Recorded { method, target, headers, body, signature }).unwrap();

    let mut head = format!("HTTP/1.1 {} Test\r\nConnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.send_length {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    head.push_str("\r\n");
    let stream = stream.get_mut();
    // The client may hang up early (body too large); that is not a server error.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&reply.body).await;
    let _ = stream.shutdown().await;
}

#[tokio::test]
async fn delivery_is_a_signed_post_with_digest() {
    let mut server = TestServer::start(vec![Reply::status(202)]).await;
    let outcome = client(true).deliver(&server.url("/users/bob/inbox"), ACTIVITY, &signer()).await;
    assert_eq!(outcome, DeliveryOutcome::Delivered);

    let request = server.next_request().await;
    assert_eq!(request.signature, Ok(()));
    assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/users/bob/inbox"));
    assert_eq!(request.body, ACTIVITY);
    assert_eq!(request.headers["content-type"], "application/activity+json");
    assert_eq!(request.headers["host"], server.address.to_string());
    assert_eq!(request.headers["user-agent"], "tertulia-test");
    assert!(request.headers["digest"].starts_with("SHA-256="));
    assert!(request.headers["signature"].contains("headers=\"(request-target) host date digest\""));
}

#[tokio::test]
async fn delivery_statuses_map_to_outcomes() {
    let statuses = [200, 400, 401, 404, 410, 408, 429, 500, 503, 301, 429, 503];
    let mut replies: Vec<Reply> = statuses.iter().map(|&status| Reply::status(status)).collect();
    // The last two say when to come back (RFC 9110 section 10.2.3).
    replies[10].headers.push(("Retry-After", "120".to_owned()));
    let in_an_hour = (Utc::now() + chrono::Duration::hours(1)).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    replies[11].headers.push(("Retry-After", in_an_hour));
    let mut server = TestServer::start(replies).await;
    let client = client(true);
    let inbox = server.url("/inbox");
    let mut outcomes = Vec::new();
    for _ in statuses {
        outcomes.push(client.deliver(&inbox, ACTIVITY, &signer()).await);
        assert_eq!(server.next_request().await.signature, Ok(()));
    }
    let retry =
        |status: u16| DeliveryOutcome::Retry { reason: format!("the inbox answered HTTP {status}"), retry_after: None };
    let asked_for_an_hour = outcomes.pop().unwrap();
    assert!(
        matches!(asked_for_an_hour, DeliveryOutcome::Retry { retry_after: Some(wait), .. }
            if (3590..=3600).contains(&wait.num_seconds())),
        "{asked_for_an_hour:?}"
    );
    let asked_for_two_minutes = outcomes.pop().unwrap();
    assert_eq!(
        asked_for_two_minutes,
        DeliveryOutcome::Retry {
            reason: "the inbox answered HTTP 429".into(),
            retry_after: Some(chrono::Duration::seconds(120))
        }
    );
    assert_eq!(
        outcomes,
        [
            DeliveryOutcome::Delivered,
            DeliveryOutcome::Rejected { status: 400 },
            // Retried, as on Mastodon: the receiver may not have our key yet.
            retry(401),
            DeliveryOutcome::Rejected { status: 404 },
            DeliveryOutcome::Rejected { status: 410 },
            retry(408),
            retry(429),
            retry(500),
            retry(503),
            retry(301),
        ]
    );
}

#[tokio::test]
async fn unreachable_inbox_is_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = Url::parse(&format!("http://{}/inbox", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let outcome = client(true).deliver(&closed, ACTIVITY, &signer()).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.starts_with("cannot reach the inbox")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn silent_inbox_times_out_into_a_retry() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let inbox = Url::parse(&format!("http://{}/inbox", listener.local_addr().unwrap())).unwrap();
    // Accepts the connection and never answers.
    let _held = tokio::spawn(async move {
        let _connection = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let outcome = client(true).deliver(&inbox, ACTIVITY, &signer()).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.contains("no answer within")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn fetch_is_a_signed_get_without_digest() {
    let mut server = TestServer::start(vec![Reply::json(r#"{"id":"x","type":"Note"}"#)]).await;
    let fetched = client(true).fetch(&server.url("/notes/1?page=true"), &signer()).await.unwrap();
    assert_eq!(fetched.document, serde_json::json!({"id": "x", "type": "Note"}));
    assert_eq!(fetched.url, server.url("/notes/1?page=true"));

    let request = server.next_request().await;
    assert_eq!(request.signature, Ok(()));
    assert_eq!((request.method.as_str(), request.target.as_str()), ("GET", "/notes/1?page=true"));
    assert!(!request.headers.contains_key("digest"));
    assert!(request.headers["signature"].contains("headers=\"(request-target) host date\""));
    assert!(request.headers["accept"].starts_with("application/activity+json, application/ld+json; profile="));
}

#[tokio::test]
async fn fetch_follows_redirects_signing_each_hop() {
    let moved = Reply { headers: vec![("Location", "/users/new-alice".to_owned())], ..Reply::status(301) };
    let mut server = TestServer::start(vec![moved, Reply::json(r#"{"id":"new"}"#)]).await;
    let fetched = client(true).fetch(&server.url("/users/alice"), &signer()).await.unwrap();
    assert_eq!(fetched.document["id"], "new");
    assert_eq!(fetched.url, server.url("/users/new-alice"), "the URL that answered, not the one asked");
    assert_eq!(server.next_request().await.target, "/users/alice");
    let second = server.next_request().await;
    assert_eq!((second.target.as_str(), second.signature), ("/users/new-alice", Ok(())));
}

#[tokio::test]
async fn fetch_gives_up_after_three_redirects() {
    let looping = Reply { headers: vec![("Location", "/again".to_owned())], ..Reply::status(302) };
    let server = TestServer::start(vec![looping]).await;
    assert_eq!(client(true).fetch(&server.url("/start"), &signer()).await, Err(FetchError::TooManyRedirects));
}

#[tokio::test]
async fn fetch_reports_gone_other_statuses_and_non_json() {
    let server = TestServer::start(vec![
        Reply::status(410),
        Reply::status(404),
        Reply { body: b"<html>".to_vec(), ..Reply::status(200) },
    ])
    .await;
    let client = client(true);
    let url = server.url("/notes/1");
    assert_eq!(client.fetch(&url, &signer()).await, Err(FetchError::Gone));
    assert_eq!(client.fetch(&url, &signer()).await, Err(FetchError::Status(404)));
    assert!(matches!(client.fetch(&url, &signer()).await, Err(FetchError::NotJson(_))));
}

#[tokio::test]
async fn fetch_stops_at_the_size_limit() {
    let large = format!(r#"{{"content":"{}"}}"#, "a".repeat(4096));
    let announced = Reply::json(&large);
    let unannounced = Reply { send_length: false, ..Reply::json(&large) };
    let just_fits = Reply::json(&format!(r#"{{"content":"{}"}}"#, "a".repeat(1000)));
    let server = TestServer::start(vec![announced, unannounced, just_fits]).await;
    let client = client(true);
    let url = server.url("/notes/big");
    assert_eq!(client.fetch(&url, &signer()).await, Err(FetchError::TooLarge { limit: 1024 }));
    assert_eq!(client.fetch(&url, &signer()).await, Err(FetchError::TooLarge { limit: 1024 }));
    assert!(client.fetch(&url, &signer()).await.is_ok());
}

#[tokio::test]
async fn without_allow_private_local_servers_are_refused_before_sending() {
    let mut server = TestServer::start(vec![Reply::status(202)]).await;
    let client = client(false);

    let plain = server.url("/inbox");
    assert!(matches!(client.fetch(&plain, &signer()).await, Err(FetchError::Refused(GuardError::Scheme { .. }))));

    let mut tls = plain.clone();
    tls.set_scheme("https").unwrap();
    let refused = client.fetch(&tls, &signer()).await;
    assert!(matches!(&refused, Err(FetchError::Refused(GuardError::Forbidden { host, .. })) if host == "127.0.0.1"));
    let outcome = client.deliver(&tls, ACTIVITY, &signer()).await;
    assert_refused(&outcome, "refusing to contact 127.0.0.1");

    server.assert_received_nothing("a refused destination was contacted").await;
}

#[tokio::test]
async fn every_redirect_must_lead_to_an_allowed_site() {
    let mut server = TestServer::start(vec![Reply::json(r#"{"id":"x"}"#)]).await;
    let allowed = server.address.to_string();
    // The same server under another name: a site that is not on the list.
    let elsewhere = format!("http://localhost:{}/users/alice", server.address.port());
    let moved = Reply { headers: vec![("Location", elsewhere.clone())], ..Reply::status(302) };
    let mut redirecting = TestServer::start(vec![moved]).await;
    let client = client_with(FederationConfig {
        allow_private_addresses: true,
        allowed_domains: vec![allowed.clone(), redirecting.address.to_string()],
        ..FederationConfig::default()
    });

    assert!(client.fetch(&server.url("/users/alice"), &signer()).await.is_ok());
    server.next_request().await;
    let refused = client.fetch(&redirecting.url("/users/alice"), &signer()).await;
    let refusal = Refusal::NotAllowed { host: format!("localhost:{}", server.address.port()) };
    assert_eq!(refused, Err(FetchError::NotAllowed(SiteRefusal::NotAllowed { url: elsewhere, refusal })));
    redirecting.next_request().await;
    server.assert_received_nothing("the redirect was followed to a site not allowed").await;
}

#[tokio::test]
async fn with_federation_off_nothing_is_sent() {
    let mut server = TestServer::start(vec![Reply::json(r#"{"id":"x"}"#)]).await;
    let client =
        client_with(FederationConfig { enabled: false, allow_private_addresses: true, ..FederationConfig::default() });
    let url = server.url("/users/alice");
    assert_eq!(client.fetch(&url, &signer()).await, Err(FetchError::NotAllowed(SiteRefusal::FederationOff)));
    let outcome = client.deliver(&url, ACTIVITY, &signer()).await;
    assert_refused(&outcome, "federation.enabled = false");
    server.assert_received_nothing("a refused destination was contacted").await;
}

#[tokio::test]
async fn this_site_is_never_fetched_or_delivered_to_as_another() {
    let client = client(true);
    for url in ["https://tertulia.test/users/alice", "http://TERTULIA.test./users/alice#main-key"] {
        let url = Url::parse(url).unwrap();
        let refused = client.fetch(&url, &signer()).await;
        assert_eq!(refused, Err(FetchError::NotAllowed(SiteRefusal::OwnSite { url: url.to_string() })));
        let outcome = client.deliver(&url, ACTIVITY, &signer()).await;
        assert_refused(&outcome, "on this site");
    }
}
