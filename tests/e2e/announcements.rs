//! Announcements: the admin API and CLI, what readers see (`read`, reactions
//! with `me`), the streaming events, scheduled publishing, and company-wide
//! announcements travelling from HQ to the sites that follow it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tertulia_testrig::{Federation, eventually, http_client, openapi};
use tokio_tungstenite::tungstenite::Message;

const ADMIN_SCOPES: &str = "read write admin:read admin:write";
/// 👍, as it travels in a URL path.
const THUMBS_UP: &str = "%F0%9F%91%8D";

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

#[tokio::test]
async fn admins_write_publish_edit_and_withdraw_and_readers_dismiss_and_react() {
    let instance = support::start().await;
    let boss = instance.sign_up_admin("boss").await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;

    let draft = instance
        .api(&boss)
        .post(
            "/api/v1/admin/announcements",
            json!({"text": "Offices close at 15:00 on Friday", "starts_at": "2026-12-24T00:00:00Z",
                   "ends_at": "2099-12-25T00:00:00Z", "all_day": true}),
        )
        .await
        .ok();
    assert_eq!((draft["published"].clone(), draft["all_day"].clone()), (json!(false), json!(true)), "{draft}");
    assert!(instance.api(&ana).announcements().await.is_empty(), "a draft is not shown");

    let announcement = id(&draft);
    let published =
        instance.api(&boss).post(&format!("/api/v1/admin/announcements/{announcement}/publish"), json!({})).await.ok();
    assert_eq!(published["published"], true);
    let shown = instance.api(&ana).announcements().await;
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["content"], "<p>Offices close at 15:00 on Friday</p>");
    assert_eq!(shown[0]["read"], false);
    assert_eq!(shown[0]["origin_site"], Value::Null);

    // Reactions count per emoji and say which are the reader's own.
    for token in [&ana, &bruno] {
        instance
            .api(token)
            .put(&format!("/api/v1/announcements/{announcement}/reactions/{THUMBS_UP}"), json!({}))
            .await
            .ok();
    }
    instance
        .api(&ana)
        .put(&format!("/api/v1/announcements/{announcement}/reactions/%F0%9F%8E%89"), json!({}))
        .await
        .ok();
    instance.api(&bruno).delete(&format!("/api/v1/announcements/{announcement}/reactions/{THUMBS_UP}")).await.ok();
    let for_ana = &instance.api(&ana).announcements().await[0];
    assert_eq!(
        for_ana["reactions"],
        json!([{"name": "👍", "count": 1, "me": true}, {"name": "🎉", "count": 1, "me": true}])
    );
    let for_bruno = &instance.api(&bruno).announcements().await[0];
    assert_eq!(
        for_bruno["reactions"],
        json!([{"name": "👍", "count": 1, "me": false}, {"name": "🎉", "count": 1, "me": false}])
    );

    instance.api(&ana).post(&format!("/api/v1/announcements/{announcement}/dismiss"), json!({})).await.ok();
    assert_eq!(instance.api(&ana).announcements().await[0]["read"], true);
    assert_eq!(instance.api(&bruno).announcements().await[0]["read"], false, "dismissing is per reader");

    let edited = instance
        .api(&boss)
        .put(
            &format!("/api/v1/admin/announcements/{announcement}"),
            json!({"text": "Offices close at 14:00 on Friday"}),
        )
        .await
        .ok();
    assert_eq!(edited["published"], true, "an edit keeps it published: {edited}");
    assert_eq!(instance.api(&bruno).announcements().await[0]["content"], "<p>Offices close at 14:00 on Friday</p>");

    instance.api(&boss).post(&format!("/api/v1/admin/announcements/{announcement}/unpublish"), json!({})).await.ok();
    assert!(instance.api(&ana).announcements().await.is_empty(), "unpublished");
    let listed = instance.api(&boss).get("/api/v1/admin/announcements").await.ok();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    instance.api(&boss).delete(&format!("/api/v1/admin/announcements/{announcement}")).await.ok();
    let gone = instance.api(&boss).get(&format!("/api/v1/admin/announcements/{announcement}")).await;
    assert!(gone.error(404).contains("announcement"));
}

#[tokio::test]
async fn non_admins_are_refused_and_bad_input_is_explained() {
    let instance = support::start().await;
    let boss = instance.sign_up_admin("boss").await;
    let ana = instance.sign_up("ana").await;
    instance.create_user("carla", &[]).await;
    let carla_with_admin_scopes = instance.token_with_scopes("carla", ADMIN_SCOPES).await;

    let refused =
        instance.api(&carla_with_admin_scopes).post("/api/v1/admin/announcements", json!({"text": "Hi"})).await;
    assert!(refused.error(403).contains("manage_announcements"));
    let no_scope = instance.api(&ana).get("/api/v1/admin/announcements").await;
    assert!(no_scope.error(403).contains("admin:read"));

    let blank = instance.api(&boss).post("/api/v1/admin/announcements", json!({"text": "  "})).await;
    assert!(blank.error(422).contains("text"));
    let backwards = instance
        .api(&boss)
        .post(
            "/api/v1/admin/announcements",
            json!({"text": "Hi", "starts_at": "2026-12-25T00:00:00Z", "ends_at": "2026-12-24T00:00:00Z"}),
        )
        .await;
    assert!(backwards.error(422).contains("ends_at"));
    let past = instance
        .api(&boss)
        .post("/api/v1/admin/announcements", json!({"text": "Hi", "scheduled_at": "2020-01-01T00:00:00Z"}))
        .await;
    assert!(past.error(422).contains("scheduled_at"));
    let not_a_time =
        instance.api(&boss).post("/api/v1/admin/announcements", json!({"text": "Hi", "starts_at": "friday"})).await;
    assert!(not_a_time.error(422).contains("starts_at"));

    let published =
        instance.api(&boss).post("/api/v1/admin/announcements", json!({"text": "Hi", "published": true})).await.ok();
    let announcement = id(&published);
    let custom =
        instance.api(&ana).put(&format!("/api/v1/announcements/{announcement}/reactions/blobcat"), json!({})).await;
    assert!(custom.error(422).contains("emoji"));
    let unknown = instance.api(&ana).post("/api/v1/announcements/12345/dismiss", json!({})).await;
    unknown.error(404);
    let draft = instance.api(&boss).post("/api/v1/admin/announcements", json!({"text": "Draft"})).await.ok();
    let hidden =
        instance.api(&ana).put(&format!("/api/v1/announcements/{}/reactions/{THUMBS_UP}", id(&draft)), json!({})).await;
    hidden.error(404);
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next message on `socket` other than a status update: (event, payload).
async fn next_event(socket: &mut Socket) -> (String, String) {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Message::Text(text) = socket.next().await.expect("socket closed").unwrap() {
                let message: Value = serde_json::from_str(&text).unwrap();
                return (
                    message["event"].as_str().unwrap().to_owned(),
                    message["payload"].as_str().unwrap().to_owned(),
                );
            }
        }
    })
    .await
    .expect("no event arrived in time")
}

#[tokio::test]
async fn readers_hear_announcements_reactions_and_withdrawals_on_their_user_stream() {
    let instance = support::start().await;
    let boss = instance.sign_up_admin("boss").await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let url = format!("ws://127.0.0.1:{}/api/v1/streaming?access_token={ana}&stream=user", instance.port);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    // The server answers messages in order: its pong means the stream is
    // subscribed.
    socket.send(Message::Ping(b"sync".to_vec().into())).await.unwrap();
    while !matches!(socket.next().await.expect("socket closed").unwrap(), Message::Pong(_)) {}

    // bruno listens with server-sent events; the greeting means subscribed.
    let mut sse = http_client()
        .build()
        .unwrap()
        .get(instance.url("/api/v1/streaming/user"))
        .bearer_auth(&bruno)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.chunk().await.unwrap().as_deref(), Some(&b":)\n\n"[..]));

    let published = instance
        .api(&boss)
        .post("/api/v1/admin/announcements", json!({"text": "All hands at 10:00", "published": true}))
        .await
        .ok();
    let announcement = id(&published);
    let (event, payload) = next_event(&mut socket).await;
    assert_eq!(event, "announcement");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    openapi::assert_matches(&payload, "Announcement");
    assert_eq!((payload["id"].as_str(), payload["read"].as_bool()), (Some(announcement.as_str()), Some(false)));
    let mut received = String::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while !received.contains("event: announcement\ndata: ") {
            received.push_str(std::str::from_utf8(&sse.chunk().await.unwrap().expect("stream ended")).unwrap());
        }
    })
    .await
    .expect("no announcement over server-sent events");
    assert!(received.contains(&format!(r#""id":"{announcement}""#)), "{received}");

    instance
        .api(&bruno)
        .put(&format!("/api/v1/announcements/{announcement}/reactions/{THUMBS_UP}"), json!({}))
        .await
        .ok();
    let (event, payload) = next_event(&mut socket).await;
    assert_eq!(event, "announcement.reaction");
    assert_eq!(
        serde_json::from_str::<Value>(&payload).unwrap(),
        json!({"name": "👍", "count": 1, "announcement_id": announcement})
    );

    instance.api(&boss).delete(&format!("/api/v1/admin/announcements/{announcement}")).await.ok();
    assert_eq!(next_event(&mut socket).await, ("announcement.delete".to_owned(), announcement));
}

#[tokio::test]
async fn a_scheduled_announcement_appears_once_its_time_comes() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let created =
        instance.cli(&["admin", "announcement", "create", "Payroll is early this month", "--schedule", &at]).await;
    assert!(created.status.success(), "{}", created.stderr);
    assert!(created.stdout.contains("scheduled for"), "{}", created.stdout);
    assert!(instance.api(&ana).announcements().await.is_empty(), "not before its time");
    let shown = instance
        .eventually("the scheduled announcement to be published", || async {
            let list = instance.api(&ana).announcements().await;
            (!list.is_empty()).then_some(list)
        })
        .await;
    assert_eq!(shown[0]["content"], "<p>Payroll is early this month</p>");
    let listed = instance.cli(&["admin", "announcement", "list"]).await;
    assert!(listed.stdout.contains("published"), "{}", listed.stdout);

    // Changes made with the CLI are in the audit log like the API's.
    let deleted = instance.cli(&["admin", "announcement", "delete", shown[0]["id"].as_str().unwrap()]).await;
    assert!(deleted.status.success(), "{}", deleted.stderr);
    let log = instance.cli(&["admin", "audit"]).await.stdout;
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    for (line, action) in lines.iter().zip(["destroy", "create"]) {
        assert!(line.contains("command line") && line.contains(action), "{line}");
        assert!(line.contains("announcement Payroll is early this month"), "{line}");
    }
}

#[tokio::test]
async fn a_company_wide_announcement_from_hq_shows_on_the_sites_that_follow_it_naming_hq() {
    let [hq, es, mx] = Federation::start(support::BINARY, [&[], &[], &[]]).await;
    let boss = hq.sign_up_admin("ceo").await;
    let ana = es.sign_up("ana").await;
    let luis = mx.sign_up("luis").await;
    es.follow_site(&hq).await;
    mx.follow_site(&hq).await;
    // A local announcement stays home.
    hq.api(&boss)
        .post("/api/v1/admin/announcements", json!({"text": "HQ parking closed", "published": true}))
        .await
        .ok();
    let created = hq
        .api(&boss)
        .post(
            "/api/v1/admin/announcements",
            json!({"text": "Record year: thank you all", "published": true, "company_wide": true}),
        )
        .await
        .ok();
    assert_eq!(created["company_wide"], true);
    for (site, token) in [(&es, &ana), (&mx, &luis)] {
        let shown = eventually("hq's announcement on the site", || async {
            let list = site.api(token).announcements().await;
            (!list.is_empty()).then_some(list)
        })
        .await;
        assert_eq!(shown.len(), 1, "only the company-wide one travels: {shown:?}");
        assert_eq!(shown[0]["origin_site"], hq.domain);
        let content = shown[0]["content"].as_str().unwrap();
        assert!(content.contains("Record year: thank you all") && content.contains(&hq.domain), "{content}");
    }

    let announcement = id(&created);
    hq.api(&boss)
        .put(
            &format!("/api/v1/admin/announcements/{announcement}"),
            json!({"text": "Record year: thank you, everyone", "company_wide": true}),
        )
        .await
        .ok();
    eventually("the edit to reach es", || async {
        let list = es.api(&ana).announcements().await;
        let content = list.first().and_then(|a| a["content"].as_str()).unwrap_or_default().to_owned();
        content.contains("thank you, everyone").then_some(())
    })
    .await;

    hq.api(&boss).delete(&format!("/api/v1/admin/announcements/{announcement}")).await.ok();
    for (site, token) in [(&es, &ana), (&mx, &luis)] {
        eventually("hq's announcement to disappear", || async {
            site.api(token).announcements().await.is_empty().then_some(())
        })
        .await;
    }
}
