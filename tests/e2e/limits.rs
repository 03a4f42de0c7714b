//! Limits that strangers must not get around: request limits however the
//! path is spelled and whatever token is sent, password guessing slowed per
//! account, the routes other sites call, streaming connection caps, and
//! refused uploads that are not read to their end.
//!
//! Every request names its client with `X-Forwarded-For` (the test server
//! trusts loopback as a proxy), so one test can be many addresses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use tertulia_testrig::{TEST_PASSWORD, TestApp, TestInstance, eventually_within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for something that must happen.
const DEADLINE: Duration = Duration::from_secs(30);

async fn start(env: &[(&str, &str)]) -> TestInstance {
    TestInstance::start_with_env(support::BINARY, env).await
}

/// A password-grant sign-in from `address`: the status and how long the
/// answer took.
async fn sign_in(
    instance: &TestInstance,
    path: &str,
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> (u16, Duration) {
    let started = Instant::now();
    let response = instance
        .client
        .post(instance.url(path))
        .header("X-Forwarded-For", address)
        .form(&[
            ("grant_type", "password"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), started.elapsed())
}

#[tokio::test]
async fn the_sign_in_limit_holds_however_the_path_is_spelled() {
    // No per-account delay: this is about the per-address count.
    let instance =
        start(&[("TERTULIA_RATE_LIMITS_SIGN_IN_PER_IP", "3"), ("TERTULIA_RATE_LIMITS_SIGN_IN_MAX_DELAY_SECS", "0")])
            .await;
    instance.create_user("ana", &[]).await;
    let app = instance.register_app("read").await;
    let spellings = ["/oauth/token", "/%6Fauth/token", "/oauth/%74oken", "/%6f%61uth/token/", "/oauth//token"];
    for (n, spelling) in spellings.iter().enumerate() {
        let address = format!("198.51.100.{n}");
        for attempt in 1..=3 {
            let (status, _) = sign_in(&instance, spelling, &app, &address, "ana", "wrong password").await;
            assert_eq!(status, 403, "{spelling}, attempt {attempt}");
        }
        let (status, _) = sign_in(&instance, spelling, &app, &address, "ana", "wrong password").await;
        assert_eq!(status, 429, "the fourth attempt through {spelling} is over the limit");
    }
}

#[tokio::test]
async fn made_up_bearer_tokens_count_against_the_address_they_come_from() {
    let instance = start(&[("TERTULIA_RATE_LIMITS_PER_IP", "3")]).await;
    let get = |token: String| {
        let instance = &instance;
        async move {
            instance
                .client
                .get(instance.url("/api/v1/instance"))
                .header("X-Forwarded-For", "203.0.113.9")
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..3 {
        let response = get(format!("made-up-{n}")).await;
        assert_eq!(response.status(), 200, "public endpoints ignore a bad token");
        assert_eq!(response.headers()["x-ratelimit-limit"], "3", "counted against the address");
    }
    assert_eq!(get("made-up-3".into()).await.status(), 429);
}

#[tokio::test]
async fn wrong_passwords_for_one_account_from_many_addresses_slow_it_down_yet_the_right_one_gets_in() {
    let instance = start(&[("TERTULIA_RATE_LIMITS_SIGN_IN_MAX_DELAY_SECS", "2")]).await;
    instance.create_user("ana", &[]).await;
    let app = instance.register_app("read").await;
    // A different address each time: per-address limits never see more
    // than one attempt.
    for n in 0..7 {
        let (status, _) = sign_in(&instance, "/oauth/token", &app, &format!("192.0.2.{n}"), "ana", "guess").await;
        assert_eq!(status, 403);
    }
    let (status, took) = sign_in(&instance, "/oauth/token", &app, "192.0.2.100", "ANA", "guess").await;
    assert_eq!(status, 403);
    assert!(took >= Duration::from_millis(1_900), "the eighth guess waited the 2 s maximum, took {took:?}");
    // The delay is the same for everyone, the owner included, and never
    // longer than the maximum: no lock-out.
    let (status, took) = sign_in(&instance, "/oauth/token", &app, "192.0.2.200", "ana", TEST_PASSWORD).await;
    assert_eq!(status, 200, "the right password gets in");
    assert!(took >= Duration::from_millis(1_900), "{took:?}");
    assert!(took < Duration::from_secs(12), "bounded by the 2 s maximum (plus a slow machine's margin): {took:?}");
}

#[tokio::test]
async fn an_unknown_username_costs_the_same_password_work_as_a_wrong_password() {
    let instance = start(&[("TERTULIA_RATE_LIMITS_SIGN_IN_MAX_DELAY_SECS", "0")]).await;
    instance.create_user("ana", &[]).await;
    let app = instance.register_app("read").await;
    let attempts = 12;
    let before = instance.cpu_seconds().await;
    for n in 0..attempts {
        let (status, _) =
            sign_in(&instance, "/oauth/token", &app, &format!("192.0.2.{n}"), &format!("nobody{n}"), "guess").await;
        assert_eq!(status, 403);
    }
    let unknown_user = instance.cpu_seconds().await - before;
    let before = instance.cpu_seconds().await;
    for n in 0..attempts {
        let (status, _) = sign_in(&instance, "/oauth/token", &app, &format!("192.0.2.{n}"), "ana", "guess").await;
        assert_eq!(status, 403);
    }
    let wrong_password = instance.cpu_seconds().await - before;
    // CPU time, not wall time: argon2 dominates both when it runs in both.
    assert!(
        unknown_user >= wrong_password / 2.0,
        "unknown usernames cost {unknown_user:.2} s of CPU, wrong passwords {wrong_password:.2} s"
    );
}

/// Makes checking `username`'s password take hours: the stored hash (a
/// real argon2id hash, its salt kept) is changed to ask for a million
/// passes, and the server reads its parameters from the stored hash.
async fn make_password_check_endless(instance: &TestInstance, username: &str) {
    let db = tertulia_db::Db::connect(&tertulia_core::config::DatabaseConfig {
        url: instance.db.url.clone(),
        pool_size: 1,
        connect_timeout_secs: 5,
        ..tertulia_core::config::DatabaseConfig::default()
    })
    .unwrap();
    let username = username.to_owned();
    db.run(move |conn| {
        let (user, _) = tertulia_db::users::find_by_username(conn, &username)?.expect("user created");
        let endless = user.password_hash.replace(",t=2,", ",t=1000000,");
        assert_ne!(endless, user.password_hash, "argon2's default of two passes: {}", user.password_hash);
        tertulia_db::users::set_password_hash(conn, user.id, &endless, tertulia_db::now())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn password_checks_hold_no_database_connection_while_argon2_runs() {
    // One connection. Once the server is seen hashing (its CPU time grows,
    // and nothing else here uses CPU), a request needing the database must
    // still be answered while the check goes on. Were the check run
    // holding the connection, that request would wait until the pool gave
    // up after 15 s and be answered with an error. No wall-clock bound.
    let instance = start(&[
        ("TERTULIA_DATABASE_POOL_SIZE", "1"),
        ("TERTULIA_DATABASE_CONNECT_TIMEOUT_SECS", "15"),
        // No limits and no per-account delay: only the pool is tested.
        ("TERTULIA_RATE_LIMITS_ENABLED", "false"),
    ])
    .await;
    instance.create_user("ana", &[]).await;
    let app = instance.register_app("read").await;
    make_password_check_endless(&instance, "ana").await;
    let cpu_before = instance.cpu_seconds().await;
    let check = sign_in(&instance, "/oauth/token", &app, "192.0.2.1", "ana", "guess");
    let meanwhile = async {
        eventually_within(DEADLINE, "the server hashing ana's password", || async {
            (instance.cpu_seconds().await - cpu_before >= 1.0).then_some(())
        })
        .await;
        instance.client.get(instance.url("/api/v1/accounts/lookup?acct=ana")).send().await.unwrap()
    };
    tokio::select! {
        (status, _) = check => panic!("the endless password check answered {status} instead of running"),
        looked_up = meanwhile => {
            let status = looked_up.status();
            let body = looked_up.text().await.unwrap();
            assert_eq!(status, 200, "answered during the check, from the one connection: {body}");
        }
    }
}

#[tokio::test]
async fn inboxes_and_fetches_by_other_sites_are_limited_per_address_apart_from_the_client_api() {
    let instance = start(&[("TERTULIA_RATE_LIMITS_SERVER_PER_IP", "3")]).await;
    let send = |method: reqwest::Method, path: &'static str, address: &'static str| {
        let instance = &instance;
        async move {
            instance
                .client
                .request(method, instance.url(path))
                .header("X-Forwarded-For", address)
                .header("Content-Type", "application/activity+json")
                .body("{}")
                .send()
                .await
                .unwrap()
        }
    };
    let post = reqwest::Method::POST;
    for path in ["/inbox", "/%69nbox", "/users/nobody/inbox"] {
        let response = send(post.clone(), path, "198.51.100.7").await;
        assert_ne!(response.status(), 429, "{path}");
        assert_eq!(response.headers()["x-ratelimit-limit"], "3", "{path}");
    }
    let refused = send(post.clone(), "/inbox", "198.51.100.7").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("Too many requests"), "{body}");
    assert_eq!(send(reqwest::Method::GET, "/users/nobody", "198.51.100.7").await.status(), 429, "actor fetches too");
    assert_eq!(
        send(reqwest::Method::GET, "/api/v1/instance", "198.51.100.7").await.status(),
        200,
        "the client API has its own budget"
    );
    assert_ne!(send(post, "/inbox", "198.51.100.8").await.status(), 429, "other addresses are unaffected");
}

/// Opens a WebSocket on the public stream as `address`; the refusal's
/// status and body if there is one.
async fn websocket(instance: &TestInstance, address: &str) -> Result<Socket, (u16, String)> {
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?stream=public", instance.port);
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("X-Forwarded-For", address.parse().unwrap());
    match timeout(DEADLINE, tokio_tungstenite::connect_async(request)).await.unwrap() {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err((
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        )),
        Err(other) => panic!("WebSocket to the server failed: {other}"),
    }
}

/// Opens a server-sent events stream as `address`: the response (kept open
/// while held).
async fn server_sent_events(instance: &TestInstance, address: &str) -> reqwest::Response {
    instance
        .client
        .get(instance.url("/api/v1/streaming/public"))
        .header("X-Forwarded-For", address)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn streaming_connections_are_capped_per_address_and_in_all() {
    let instance =
        start(&[("TERTULIA_LIMITS_STREAMING_CONNECTIONS_PER_IP", "2"), ("TERTULIA_LIMITS_STREAMING_CONNECTIONS", "3")])
            .await;
    let first = websocket(&instance, "192.0.2.1").await.unwrap();
    let _second = websocket(&instance, "192.0.2.1").await.unwrap();
    let Err((status, body)) = websocket(&instance, "192.0.2.1").await else {
        panic!("a third connection from one address was accepted")
    };
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("streaming_connections_per_ip"), "{body}");

    let third = server_sent_events(&instance, "192.0.2.2").await;
    assert_eq!(third.status(), 200);
    let full = server_sent_events(&instance, "192.0.2.3").await;
    assert_eq!(full.status(), 503);
    let body: Value = full.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("limits.streaming_connections"), "{body}");

    drop(first);
    eventually_within(DEADLINE, "a closed connection to give its place back", || async {
        (server_sent_events(&instance, "192.0.2.3").await.status() == 200).then_some(())
    })
    .await;
}

/// How the test client frames the endless upload body.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// `Content-Length` of 100 GB.
    Length,
    Chunked,
}

/// Starts an upload of `head` followed by endless zeros, the way a client
/// streams a huge file, and reads the answer while still sending. Returns
/// the answer's head, once the server has also closed the connection.
async fn endless_upload(instance: &TestInstance, token: &str, framing: Framing, head: &[u8]) -> String {
    let boundary = "tertulia-endless";
    let mut start = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    start.extend_from_slice(head);
    let length_header = match framing {
        Framing::Length => "Content-Length: 100000000000".to_owned(),
        Framing::Chunked => "Transfer-Encoding: chunked".to_owned(),
    };
    let request = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n{length_header}\r\n\r\n",
        instance.domain
    );
    let stream = TcpStream::connect(("127.0.0.1", instance.port)).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let chunk = |bytes: &[u8]| match framing {
        Framing::Length => bytes.to_vec(),
        Framing::Chunked => [format!("{:x}\r\n", bytes.len()).as_bytes(), bytes, b"\r\n"].concat(),
    };
    let first = [request.as_bytes(), &chunk(&start)].concat();
    let zeros = chunk(&[0u8; 64 * 1024]);
    // Sends until the server closes the connection (or the deadline).
    let sender = tokio::spawn(async move {
        writer.write_all(&first).await?;
        let started = Instant::now();
        while started.elapsed() < DEADLINE {
            writer.write_all(&zeros).await?;
        }
        Ok::<(), std::io::Error>(())
    });
    let mut answer = Vec::new();
    let read_all = async {
        let mut buffer = [0u8; 4096];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    timeout(DEADLINE, read_all).await.expect("the server answered and closed the connection");
    let sent = timeout(DEADLINE, sender).await.expect("sending stopped").unwrap();
    assert!(sent.is_err(), "the server must stop taking the body, not read it to the end");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    answer.split("\r\n\r\n").next().unwrap().to_ascii_lowercase()
}

#[tokio::test]
async fn a_refused_upload_is_answered_at_once_and_the_rest_of_the_body_is_not_read() {
    let instance =
        start(&[("TERTULIA_MEDIA_MAX_IMAGE_BYTES", "100000"), ("TERTULIA_MEDIA_MAX_VIDEO_BYTES", "200000")]).await;
    let token = instance.sign_up("ana").await;
    let png_signature = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    for framing in [Framing::Length, Framing::Chunked] {
        let too_large = endless_upload(&instance, &token, framing, png_signature).await;
        assert!(too_large.starts_with("http/1.1 413"), "{framing:?}: {too_large}");
        assert!(too_large.contains("connection: close"), "{framing:?}: {too_large}");
        let wrong_type = endless_upload(&instance, &token, framing, b"Meeting notes, not a picture.").await;
        assert!(wrong_type.starts_with("http/1.1 422"), "{framing:?}: {wrong_type}");
        assert!(wrong_type.contains("connection: close"), "{framing:?}: {wrong_type}");
    }
    assert_eq!(instance.get("/healthz").await.status(), 200, "the server is fine");
}
