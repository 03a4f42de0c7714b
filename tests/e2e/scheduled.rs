//! Scheduled statuses: `scheduled_at` on posting, `/api/v1/scheduled_statuses`,
//! and the worker that publishes them on time, also after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, openapi};
use tokio_tungstenite::tungstenite::Message;

/// Longest wait for a due post to be published (it is due within seconds).
const ARRIVAL: Duration = Duration::from_secs(20);

/// A server that lets posts be scheduled one second ahead instead of five
/// minutes, so the tests need not wait.
async fn start_quick() -> TestInstance {
    TestInstance::start_with_env(support::BINARY, &[("TERTULIA_LIMITS_MIN_SCHEDULE_DELAY_SECS", "1")]).await
}

/// `secs` from now, as clients send it.
fn in_secs(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// Schedules `text` at `at` with `extra` fields, asserting a
/// ScheduledStatus comes back.
async fn schedule(instance: &TestInstance, token: &str, text: &str, at: &str, extra: Value) -> Value {
    let mut body = json!({ "status": text, "scheduled_at": at });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let scheduled = instance.api(token).post("/api/v1/statuses", body).await.ok();
    openapi::assert_matches(&scheduled, "ScheduledStatus");
    assert!(
        scheduled.get("content").is_none(),
        "a scheduled post answers a ScheduledStatus, not a Status: {scheduled}"
    );
    scheduled
}

/// The account's statuses once there are at least `count` (waiting a
/// bounded time for the worker).
async fn statuses_once(instance: &TestInstance, token: &str, account: &str, count: usize) -> Vec<Value> {
    instance
        .eventually(&format!("{count} statuses of account {account}"), || async {
            let list = instance.api(token).get(&format!("/api/v1/accounts/{account}/statuses")).await.ok();
            let list = list.as_array().unwrap().clone();
            (list.len() >= count).then_some(list)
        })
        .await
}

/// Waits until the account has nothing scheduled any more.
async fn until_nothing_scheduled(instance: &TestInstance, token: &str) {
    instance
        .eventually("nothing scheduled any more", || async {
            instance.api(token).ids("/api/v1/scheduled_statuses").await.is_empty().then_some(())
        })
        .await;
}

/// The next `update` on a streaming socket, as JSON.
async fn next_update(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) -> Value {
    tokio::time::timeout(ARRIVAL, async {
        loop {
            if let Message::Text(text) = socket.next().await.expect("socket closed").unwrap() {
                let message: Value = serde_json::from_str(&text).unwrap();
                if message["event"] == "update" {
                    return serde_json::from_str(message["payload"].as_str().unwrap()).unwrap();
                }
            }
        }
    })
    .await
    .expect("no update arrived in time")
}

#[tokio::test]
async fn a_scheduled_post_waits_in_the_list_then_reaches_followers_like_any_post() {
    let instance = start_quick().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?access_token={bruno}&stream=user", instance.port);
    let (mut home, _) = tokio_tungstenite::connect_async(url).await.unwrap();

    let chart = instance.api(&ana).upload_png().await;
    let at = in_secs(2);
    let scheduled = schedule(
        &instance,
        &ana,
        "Quarterly numbers are out #q4",
        &at,
        json!({"media_ids": [id(&chart)], "spoiler_text": "figures", "language": "en"}),
    )
    .await;
    assert_eq!(scheduled["params"]["text"], "Quarterly numbers are out #q4");
    assert_eq!(scheduled["params"]["visibility"], "public");
    assert_eq!(scheduled["params"]["spoiler_text"], "figures");
    assert_eq!(scheduled["params"]["media_ids"], json!([id(&chart)]));
    assert_eq!(scheduled["media_attachments"][0]["id"], chart["id"]);
    let scheduled_at = scheduled["scheduled_at"].as_str().unwrap().to_owned();

    // Listed and readable by its author only, and its upload is reserved.
    let path = format!("/api/v1/scheduled_statuses/{}", id(&scheduled));
    let listed = instance.api(&ana).get("/api/v1/scheduled_statuses").await.ok();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    openapi::assert_matches(&listed[0], "ScheduledStatus");
    assert_eq!(instance.api(&ana).get(&path).await.ok()["id"], scheduled["id"]);
    instance.api(&bruno).get(&path).await.error(404);
    assert!(instance.api(&bruno).ids("/api/v1/scheduled_statuses").await.is_empty());
    let refusal = instance
        .api(&ana)
        .post("/api/v1/statuses", json!({"status": "now", "media_ids": [id(&chart)]}))
        .await
        .error(422);
    assert!(refusal.contains("media_ids"), "{refusal}");

    // Published on time through the ordinary path: on the follower's stream
    // with its attachment and content warning, then gone from the list.
    let update = next_update(&mut home).await;
    assert!(update["content"].as_str().unwrap().contains("Quarterly numbers"), "{update}");
    assert_eq!(update["spoiler_text"], "figures");
    assert_eq!(update["media_attachments"][0]["id"], chart["id"]);
    assert_ne!(update["id"], scheduled["id"]);
    let published = update["created_at"].as_str().unwrap();
    assert!(published >= scheduled_at.as_str(), "published at {published}, before its time {scheduled_at}");
    until_nothing_scheduled(&instance, &ana).await;
    instance.api(&ana).get(&path).await.error(404);
    let posted = statuses_once(&instance, &ana, &ana_id, 1).await;
    assert_eq!(posted.len(), 1, "published exactly once");
    assert_eq!(id(&posted[0]), id(&update));
    let home_timeline = instance.api(&bruno).ids("/api/v1/timelines/home").await;
    assert_eq!(home_timeline, vec![id(&update)]);
}

#[tokio::test]
async fn a_scheduled_post_survives_a_restart_and_is_published_after_it() {
    let mut instance = start_quick().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let scheduled = schedule(&instance, &ana, "Posted by the next process", &in_secs(3600), json!({})).await;

    // Stopped before its time; while the server is down, its time comes.
    let status = instance.stop_with("TERM", Duration::from_secs(10)).await;
    assert!(status.success());
    let config = tertulia_core::config::DatabaseConfig { url: instance.db.url.clone(), ..Default::default() };
    let db = tertulia_db::Db::connect(&config).unwrap();
    let scheduled_id: i64 = id(&scheduled).parse().unwrap();
    let due = chrono::Utc::now().naive_utc();
    db.run_blocking(|conn| {
        tertulia_db::transaction(conn, |conn| tertulia_db::scheduled::reschedule(conn, scheduled_id, due))
    })
    .unwrap();
    drop(db);

    instance.start_again().await;
    let posted = statuses_once(&instance, &ana, &ana_id, 1).await;
    assert_eq!(posted.len(), 1);
    assert!(posted[0]["content"].as_str().unwrap().contains("Posted by the next process"));
    until_nothing_scheduled(&instance, &ana).await;
    assert!(instance.logs().contains("scheduled status published"), "{}", instance.logs());
}

#[tokio::test]
async fn a_post_that_can_no_longer_be_published_is_dropped_with_a_reason() {
    let instance = start_quick().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let parent = instance.api(&ana).post_status("Agenda for Monday", json!({})).await;
    schedule(&instance, &ana, "Minutes of Monday", &in_secs(2), json!({"in_reply_to_id": id(&parent)})).await;
    instance.api(&ana).delete(&format!("/api/v1/statuses/{}", id(&parent))).await.ok();

    until_nothing_scheduled(&instance, &ana).await;
    let statuses = instance.api(&ana).get(&format!("/api/v1/accounts/{ana_id}/statuses")).await.ok();
    assert_eq!(statuses, json!([]), "the reply to a deleted status is not posted");
    let logs = instance.logs();
    assert!(logs.contains("scheduled status dropped") && logs.contains("the status you reply to"), "{logs}");
}

#[tokio::test]
async fn scheduled_posts_move_cancel_page_and_keep_mastodons_rules() {
    // The default minimum: five minutes ahead, as on Mastodon.
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let api = instance.api(&ana);

    let too_soon = api.post("/api/v1/statuses", json!({"status": "soon", "scheduled_at": in_secs(60)})).await;
    assert!(too_soon.error(422).contains("The scheduled date must be in the future"));
    let garbled = api.post("/api/v1/statuses", json!({"status": "when?", "scheduled_at": "next tuesday"})).await;
    assert!(garbled.error(422).contains("scheduled_at"));
    // A time already past posts at once, as on Mastodon.
    let now = api.post("/api/v1/statuses", json!({"status": "late", "scheduled_at": in_secs(-60)})).await.ok();
    openapi::assert_matches(&now, "Status");
    // Form-encoded, as most apps send it.
    let form_at = in_secs(1200);
    let by_form =
        api.post_form("/api/v1/statuses", &[("status", "from a form"), ("scheduled_at", &form_at)]).await.ok();
    openapi::assert_matches(&by_form, "ScheduledStatus");

    // Moving: too soon is refused, later is kept.
    let chart = instance.api(&ana).upload_png().await;
    let scheduled = schedule(
        &instance,
        &ana,
        "Move me",
        &in_secs(600),
        json!({"media_ids": [id(&chart)], "visibility": "private"}),
    )
    .await;
    assert_eq!(scheduled["params"]["visibility"], "private");
    let path = format!("/api/v1/scheduled_statuses/{}", id(&scheduled));
    assert!(api.put(&path, json!({"scheduled_at": in_secs(30)})).await.error(422).contains("must be in the future"));
    let later = in_secs(7200);
    let moved = api.put(&path, json!({"scheduled_at": later})).await.ok();
    openapi::assert_matches(&moved, "ScheduledStatus");
    assert_ne!(moved["scheduled_at"], scheduled["scheduled_at"]);
    assert_eq!(api.get(&path).await.ok()["scheduled_at"], moved["scheduled_at"]);
    instance.api(&bruno).put(&path, json!({"scheduled_at": in_secs(9000)})).await.error(404);
    instance.api(&bruno).delete(&path).await.error(404);

    // Paging: three scheduled, two per page, Link to the next.
    schedule(&instance, &ana, "Third", &in_secs(3000), json!({})).await;
    let first = api.get("/api/v1/scheduled_statuses?limit=2").await;
    assert_eq!(first.status, 200);
    let link = first.link.clone().expect("Link header");
    assert_eq!(first.body.as_array().unwrap().len(), 2);
    let next = link.split(">; rel=\"next\"").next().unwrap().trim_start_matches('<').to_owned();
    let next_path = next.trim_start_matches(&instance.base_url).to_owned();
    assert_eq!(api.get(&next_path).await.ok().as_array().unwrap().len(), 1);

    // Cancelling frees the upload.
    assert_eq!(api.delete(&path).await.ok(), json!({}));
    api.get(&path).await.error(404);
    api.delete(&path).await.error(404);
    api.post_status("Now with the chart", json!({"media_ids": [id(&chart)]})).await;

    // At most 50 on one day.
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(3);
    for minute in 0..50 {
        let at = format!("{day}T10:{minute:02}:00Z");
        api.post("/api/v1/statuses", json!({"status": format!("#{minute}"), "scheduled_at": at})).await.ok();
    }
    let over =
        api.post("/api/v1/statuses", json!({"status": "one more", "scheduled_at": format!("{day}T11:00:00Z")})).await;
    assert!(over.error(422).contains("limit of 50 scheduled posts for today"));
    let next_day = format!("{}T11:00:00Z", day + chrono::Duration::days(1));
    api.post("/api/v1/statuses", json!({"status": "one more", "scheduled_at": next_day})).await.ok();
}
