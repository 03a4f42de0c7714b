//! The HTTP skeleton against a real server: instance metadata, discovery
//! documents, health, errors, request ids, shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::Value;
use tertulia_testrig::{Backend, openapi};

#[tokio::test]
async fn instance_v1_reports_the_configured_domain_live_counts_and_the_contact() {
    let instance = support::start().await;
    let empty = instance.get_json("/api/v1/instance").await;
    assert_eq!(empty["uri"], instance.domain.as_str());
    assert_eq!(empty["stats"]["user_count"], 0);
    assert_eq!(empty["contact_account"], Value::Null);
    openapi::assert_matches(&empty, "V1Instance");

    instance.create_user("ana", &["--admin"]).await;
    instance.create_user("bruno", &[]).await;
    let v1 = instance.get_json("/api/v1/instance").await;
    assert_eq!(v1["stats"]["user_count"], 2);
    assert_eq!(v1["stats"]["status_count"], 0);
    assert_eq!(v1["contact_account"]["username"], "ana");
    assert_eq!(v1["contact_account"]["acct"], "ana");
    assert_eq!(v1["urls"]["streaming_api"], format!("ws://{}", instance.domain));
    assert!(v1["version"].as_str().unwrap().starts_with("4."), "Mastodon-style version: {}", v1["version"]);
    openapi::assert_matches(&v1, "V1Instance");
    openapi::assert_matches(&v1["contact_account"], "Account");
}

#[tokio::test]
async fn instance_v2_matches_the_mastodon_schema_and_announces_limits_from_config() {
    let instance = tertulia_testrig::TestInstance::start_with_env(
        support::BINARY,
        &[
            ("TERTULIA_INSTANCE_TITLE", "ACME España"),
            ("TERTULIA_LIMITS_MAX_STATUS_CHARS", "1000"),
            ("TERTULIA_MEDIA_MAX_IMAGE_BYTES", "2000000"),
            ("TERTULIA_INSTANCE_CONTACT_EMAIL", "it-es@acme.example"),
        ],
    )
    .await;
    instance.create_user("ana", &["--admin"]).await;
    let v2 = instance.get_json("/api/v2/instance").await;
    openapi::assert_matches(&v2, "Instance");
    assert_eq!(v2["domain"], instance.domain.as_str());
    assert_eq!(v2["title"], "ACME España");
    assert_eq!(v2["configuration"]["statuses"]["max_characters"], 1000);
    assert_eq!(v2["configuration"]["media_attachments"]["image_size_limit"], 2_000_000);
    assert_eq!(v2["configuration"]["urls"]["streaming"], format!("ws://{}", instance.domain));
    assert_eq!(v2["contact"]["email"], "it-es@acme.example");
    assert_eq!(v2["contact"]["account"]["username"], "ana");
    assert_eq!(v2["registrations"]["enabled"], false);
}

#[tokio::test]
async fn nodeinfo_is_discoverable_and_counts_users() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let links = instance.get_json("/.well-known/nodeinfo").await;
    let href = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1")
        .and_then(|l| l["href"].as_str())
        .expect("a 2.1 link")
        .to_owned();
    assert_eq!(href, instance.url("/nodeinfo/2.1"));
    let response = instance.client.get(&href).send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().contains("schema/2.1"));
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["version"], "2.1");
    assert_eq!(document["software"]["name"], "tertulia");
    assert_eq!(document["protocols"][0], "activitypub");
    assert_eq!(document["usage"]["users"]["total"], 1);
    assert_eq!(document["usage"]["localPosts"], 0);
    assert_eq!(instance.get_json("/nodeinfo/2.0").await["version"], "2.0");
    assert_eq!(instance.get("/nodeinfo/9.9").await.status(), 404);
}

#[tokio::test]
async fn host_meta_points_at_webfinger() {
    let instance = support::start().await;
    let response = instance.get("/.well-known/host-meta").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/xrd+xml"));
    let body = response.text().await.unwrap();
    let template = format!("template=\"{}/.well-known/webfinger?resource={{uri}}\"", instance.base_url);
    assert!(body.contains(&template), "{body}");
}

#[tokio::test]
async fn healthz_names_the_backend_in_use() {
    let instance = support::start().await;
    let health = instance.get_json("/healthz").await;
    let expected = match Backend::from_env() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(health, serde_json::json!({"status": "ok", "database": expected}));
}

#[tokio::test]
async fn unknown_endpoints_answer_a_json_404_with_a_request_id() {
    let instance = support::start().await;
    let response = instance.get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "no such endpoint: GET /api/v1/nothing-here");
    // The same inside a group of routes, and for a method a route lacks.
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/timelines/nothing-here"),
        (reqwest::Method::GET, "/api/v1/admin/accounts/1/nothing-here"),
        (reqwest::Method::DELETE, "/api/v1/timelines/home"),
    ] {
        let response = instance.client.request(method.clone(), instance.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], format!("no such endpoint: {method} {path}"));
    }

    let traced =
        instance.client.get(instance.url("/healthz")).header("X-Request-Id", "proxy-abc-123").send().await.unwrap();
    assert_eq!(traced.headers()["x-request-id"], "proxy-abc-123");
    let hostile = instance
        .client
        .get(instance.url("/healthz"))
        .header("X-Request-Id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers()["x-request-id"], "bad id\twith spaces");
    assert!(instance.logs().contains("proxy-abc-123"), "request id is in the log");
}

#[tokio::test]
async fn default_avatar_is_a_cacheable_png() {
    let instance = support::start().await;
    let response = instance.get("/avatars/original/missing.png").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert!(response.bytes().await.unwrap().starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn ctrl_c_and_sigterm_stop_the_server_cleanly_and_quickly() {
    let mut instance = support::start().await;
    let status = instance.stop_with("INT", Duration::from_secs(5)).await;
    assert!(status.success(), "Ctrl-C exit status {status}:\n{}", instance.logs());
    assert!(instance.logs().contains("stopped"));
}

#[tokio::test]
async fn a_restart_keeps_the_data_and_migrations_are_not_reapplied() {
    let mut instance = support::start().await;
    instance.create_user("ana", &[]).await;
    instance.restart().await;
    assert!(instance.logs().contains("applied=0"), "{}", instance.logs());
    assert_eq!(instance.get_json("/api/v1/instance").await["stats"]["user_count"], 1);
}

#[tokio::test]
async fn rate_limits_answer_429_with_headers_per_ip_and_per_token() {
    let instance = tertulia_testrig::TestInstance::start_with_env(
        support::BINARY,
        &[("TERTULIA_RATE_LIMITS_PER_IP", "3"), ("TERTULIA_RATE_LIMITS_PER_TOKEN", "5")],
    )
    .await;
    let token = instance.sign_up("ana").await;
    // sign_up used two anonymous requests (app registration, token).
    let first = instance.get("/api/v1/instance").await;
    assert_eq!(first.headers()["x-ratelimit-limit"], "3");
    assert_eq!(first.headers()["x-ratelimit-remaining"], "0");
    assert!(first.headers()["x-ratelimit-reset"].to_str().unwrap().ends_with('Z'));
    let refused = instance.get("/api/v1/instance").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 300);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("Too many requests"));

    // A token has its own budget, not the exhausted IP's.
    let api = instance.api(&token);
    for _ in 0..5 {
        assert_eq!(api.get("/api/v1/accounts/verify_credentials").await.status, 200);
    }
    assert_eq!(api.get("/api/v1/accounts/verify_credentials").await.status, 429);

    // A trusted proxy's X-Forwarded-For names the real client.
    let forwarded = instance
        .client
        .get(instance.url("/api/v1/instance"))
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), 200, "another client behind the proxy has its own budget");
}

#[tokio::test]
async fn privacy_policy_and_terms_come_from_the_configuration() {
    let instance = tertulia_testrig::TestInstance::start_with_env(
        support::BINARY,
        &[
            ("TERTULIA_INSTANCE_TERMS_OF_SERVICE", "Be kind.\n\nNo spam <ever>."),
            ("TERTULIA_INSTANCE_POLICIES_DATE", "2026-12-01"),
        ],
    )
    .await;
    let policy = instance.get_json("/api/v1/instance/privacy_policy").await;
    openapi::assert_matches(&policy, "PrivacyPolicy");
    assert!(policy["content"].as_str().unwrap().contains(&instance.domain), "the built-in policy names the site");
    assert!(policy["updated_at"].as_str().unwrap().starts_with("2026-12-01"), "{policy}");
    let terms = instance.get_json("/api/v1/instance/terms_of_service").await;
    openapi::assert_matches(&terms, "TermsOfService");
    assert_eq!(terms["content"], "<p>Be kind.</p><p>No spam &lt;ever&gt;.</p>");
    assert_eq!((terms["effective_date"].as_str(), terms["effective"].as_bool()), (Some("2026-12-01"), Some(true)));
    assert_eq!(instance.get_json("/api/v1/instance/translation_languages").await, serde_json::json!({}));
    let languages = instance.get_json("/api/v1/instance/languages").await;
    let languages = languages.as_array().unwrap();
    assert!(languages.len() > 180, "every ISO 639-1 language: {}", languages.len());
    let find = |code: &str| languages.iter().find(|l| l["code"] == code).map(|l| l["name"].clone());
    assert_eq!((find("es"), find("ca")), (Some(serde_json::json!("Spanish")), Some(serde_json::json!("Catalan"))));

    let plain = support::start().await;
    assert_eq!(plain.get("/api/v1/instance/terms_of_service").await.status(), 404, "none published");
}

#[tokio::test]
async fn activity_counts_this_weeks_posts_sign_ins_and_registrations() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    let first = api.post_status("one", serde_json::json!({})).await;
    api.post_status("two", serde_json::json!({})).await;
    api.post(&format!("/api/v1/statuses/{}/reblog", first["id"].as_str().unwrap()), serde_json::json!({})).await.ok();

    let weeks = instance.get_json("/api/v1/instance/activity").await;
    let weeks = weeks.as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let this_week = &weeks[0];
    assert_eq!(this_week["statuses"], "2", "boosts are not counted: {this_week}");
    assert_eq!(this_week["registrations"], "1");
    assert_eq!(this_week["logins"], "1");
    let start: i64 = this_week["week"].as_str().unwrap().parse().unwrap();
    // 1970-01-01 was a Thursday: Mondays are day 4 of each 7.
    assert_eq!((start % 86_400, (start / 86_400) % 7), (0, 4), "weeks start on Monday at midnight UTC");
    let previous: i64 = weeks[1]["week"].as_str().unwrap().parse().unwrap();
    assert_eq!(start - previous, 7 * 86_400);
    assert_eq!(weeks[1]["statuses"], "0");
}
