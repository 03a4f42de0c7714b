//! Cross-origin requests as a browser makes them for a web client served
//! from another site: preflights, the headers on answers (errors and 429s
//! included), what stays closed (the HTML sign-in page), and preflights
//! costing nothing against the request limits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tertulia_testrig::{TestInstance, openapi};

const ORIGIN: &str = "https://elk.example";

async fn preflight(instance: &TestInstance, path: &str, method: &str, headers: &str) -> reqwest::Response {
    instance
        .client
        .request(Method::OPTIONS, instance.url(path))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A comma-separated header value as lower-case names.
fn names(headers: &HeaderMap, name: &str) -> Vec<String> {
    header(headers, name).split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect()
}

/// The answer allows any origin to read it, and nothing more.
fn assert_open(headers: &HeaderMap, what: &str) {
    assert_eq!(header(headers, "access-control-allow-origin"), "*", "{what}: {headers:?}");
    assert!(!headers.contains_key("access-control-allow-credentials"), "{what}: never with credentials");
    let exposed = names(headers, "access-control-expose-headers");
    for name in ["link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-request-id"] {
        assert!(exposed.iter().any(|e| e == name), "{what}: {name} not exposed in {exposed:?}");
    }
}

fn assert_closed(headers: &HeaderMap, what: &str) {
    let cors: Vec<_> = headers.keys().filter(|k| k.as_str().starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "{what}: no CORS header expected, got {cors:?}");
}

#[tokio::test]
async fn a_preflight_allows_what_web_clients_send() {
    let instance = support::start().await;
    let requested = "authorization, content-type, idempotency-key, accept, x-requested-with, x-csrf-whatever";
    for (path, method) in [
        ("/api/v1/timelines/home", "GET"),
        ("/api/v1/statuses", "POST"),
        ("/api/v1/statuses/123", "DELETE"),
        ("/api/v1/accounts/update_credentials", "PATCH"),
        ("/api/v1/media/123", "PUT"),
        ("/api/v2/media", "POST"),
        ("/oauth/token", "POST"),
        ("/oauth/revoke", "POST"),
        ("/api/v1/no/such/endpoint", "GET"),
    ] {
        let answer = preflight(&instance, path, method, requested).await;
        let what = format!("preflight for {method} {path}");
        assert!(answer.status().is_success(), "{what}: {}", answer.status());
        let headers = answer.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), "*", "{what}");
        assert!(names(headers, "access-control-allow-methods").contains(&method.to_ascii_lowercase()), "{what}");
        let allowed = names(headers, "access-control-allow-headers");
        for name in requested.split(", ") {
            assert!(allowed.iter().any(|a| a == name), "{what}: {name} not allowed in {allowed:?}");
        }
        let max_age: u32 = header(headers, "access-control-max-age").parse().unwrap_or(0);
        assert!(max_age >= 600, "{what}: browsers should keep the answer a while, max-age {max_age}");
        assert!(!headers.contains_key("access-control-allow-credentials"), "{what}");
    }
}

#[tokio::test]
async fn answers_to_other_origins_carry_the_headers_errors_included() {
    let instance = support::start().await;
    let token = instance.sign_up("ana").await;
    for n in 0..3 {
        instance.api(&token).post_status(&format!("post {n}"), Value::Null).await;
    }
    let get = |path: &str, token: Option<&str>| {
        let request = instance.client.get(instance.url(path)).header("Origin", ORIGIN);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        request.send()
    };

    let page = get("/api/v1/timelines/home?limit=2", Some(&token)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_open(page.headers(), "home timeline");
    assert!(page.headers().contains_key("link"), "a page a script can follow");
    assert!(page.headers().contains_key("x-ratelimit-remaining"));
    let statuses: Value = page.json().await.unwrap();
    for status in statuses.as_array().unwrap() {
        openapi::assert_matches(status, "Status");
    }

    let unauthorized = get("/api/v1/timelines/home", None).await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_open(unauthorized.headers(), "401");
    let missing = get("/api/v1/no/such/endpoint", Some(&token)).await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_open(missing.headers(), "404");
    let invalid = instance
        .client
        .post(instance.url("/api/v1/apps"))
        .header("Origin", ORIGIN)
        .form(&[("client_name", "x"), ("redirect_uris", "https://a.example/cb"), ("scopes", "read sudo")])
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    assert_open(invalid.headers(), "422");

    let webfinger = format!("/.well-known/webfinger?resource=acct:ana@{}", instance.domain);
    // With authorized fetch (the default) an unsigned request for an actor
    // is refused; the refusal is still readable.
    for (path, accept, status) in [
        ("/.well-known/nodeinfo", "application/json", 200),
        (webfinger.as_str(), "application/jrd+json", 200),
        ("/nodeinfo/2.0", "application/json", 200),
        ("/actor", "application/activity+json", 200),
        ("/users/ana", "application/activity+json", 401),
    ] {
        let answer = instance.client.get(instance.url(path)).header("Origin", ORIGIN).header("Accept", accept);
        let answer = answer.send().await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
        assert_open(answer.headers(), path);
    }
}

#[tokio::test]
async fn the_sign_in_page_is_never_open_to_other_origins() {
    let instance = support::start().await;
    let page = instance
        .client
        .get(instance.url("/oauth/authorize?response_type=code&client_id=x&redirect_uri=urn:ietf:wg:oauth:2.0:oob"))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_closed(page.headers(), "GET /oauth/authorize");
    for spelling in ["/oauth/authorize", "/oauth/%61uthorize", "/%6Fauth/authorize/", "/oauth//authorize"] {
        let answer = preflight(&instance, spelling, "POST", "content-type").await;
        assert_closed(answer.headers(), &format!("preflight for {spelling}"));
        let submit = instance
            .client
            .post(instance.url(spelling))
            .header("Origin", ORIGIN)
            .form(&[("username", "nobody")])
            .send()
            .await
            .unwrap();
        assert_closed(submit.headers(), &format!("POST {spelling}"));
    }
    let profile = instance.client.get(instance.url("/@nobody")).header("Origin", ORIGIN).send().await.unwrap();
    assert_closed(profile.headers(), "the HTML profile page");
}

#[tokio::test]
async fn preflights_do_not_use_up_the_request_limit() {
    let instance = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_RATE_LIMITS_PER_IP", "5")]).await;
    let address = "198.51.100.7";
    for n in 0..120 {
        let answer = instance
            .client
            .request(Method::OPTIONS, instance.url("/api/v1/timelines/public"))
            .header("X-Forwarded-For", address)
            .header("Origin", ORIGIN)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "preflight {n}");
    }
    let get = || {
        instance
            .client
            .get(instance.url("/api/v1/timelines/public"))
            .header("X-Forwarded-For", address)
            .header("Origin", ORIGIN)
            .send()
    };
    let first = get().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(header(first.headers(), "x-ratelimit-remaining"), "4", "the preflights were not counted");
    for _ in 0..4 {
        assert_eq!(get().await.unwrap().status(), 200);
    }
    let refused = get().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_open(refused.headers(), "429");
}
