//! Reports end to end: a user files one (and bad reports are refused with
//! nothing stored), moderators are notified and work it through the admin
//! API (assign, resolve, reopen, reclassify, filters, non-admins refused);
//! a report about an account of another site travels there as a `Flag`
//! and opens a report on that real site; a `Flag` from a stand-in actor
//! opens one here, until this site's domain block rejects its reports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_federation::signatures::{self, SigningKey};
use tertulia_testrig::{Backend, Federation, StandInSite, TestInstance, eventually, openapi};

/// Domain blocks with `reject_reports` are only enforced outside `open` mode.
const BLOCKLIST: (&str, &str) = ("TERTULIA_FEDERATION_MODE", "blocklist");
const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// A token for an admin named `username` of `site`.
async fn admin_token(site: &TestInstance, username: &str) -> String {
    site.create_user(username, &["--admin"]).await;
    site.token_with_scopes(username, ADMIN_SCOPES).await
}

/// The admin's reports, as listed with `query`.
async fn reports(site: &TestInstance, admin: &str, query: &str) -> Vec<Value> {
    let listed = site.api(admin).get(&format!("/api/v1/admin/reports{query}")).await.ok();
    listed.as_array().unwrap().clone()
}

/// The admin's `admin.report` notifications.
async fn report_notifications(site: &TestInstance, admin: &str) -> Vec<Value> {
    let listed = site.api(admin).get("/api/v1/notifications?types[]=admin.report").await.ok();
    listed.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_report_is_refused_when_wrong_and_otherwise_handled_here_and_on_the_reported_site() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let boss = admin_token(&hq, "boss").await;
    let boss_id = hq.api(&boss).account_id().await;
    let (ana, ana_id) = hq.sign_up_with_id("ana").await;
    let (carla, carla_id) = hq.sign_up_with_id("carla").await;
    let public = hq.api(&carla).post_status("buy cheap watches", json!({})).await;
    let private = hq.api(&carla).post_status("for followers", json!({"visibility": "private"})).await;
    let anas_own = hq.api(&ana).post_status("mine", json!({})).await;
    hq.cli(&["admin", "rule", "add", "No advertising"]).await;
    let rules = hq.get_json("/api/v1/instance/rules").await;
    let rule_id = rules[0]["id"].as_str().unwrap().to_owned();

    // Bad reports: a clear error each, and nothing stored.
    let file = |body: Value| {
        let ana = ana.clone();
        let hq = &hq;
        async move { hq.api(&ana).post("/api/v1/reports", body).await }
    };
    let ids = |status: &Value| json!([status["id"]]);
    let cases = [
        (json!({"comment": "no one"}), 422, "account_id"),
        (json!({"account_id": "123"}), 404, "not found"),
        (json!({"account_id": ana_id}), 422, "yourself"),
        (json!({"account_id": carla_id, "comment": "x".repeat(1001)}), 422, "at most 1000"),
        (json!({"account_id": carla_id, "status_ids": ids(&anas_own)}), 422, "carla's statuses"),
        (json!({"account_id": carla_id, "status_ids": ids(&private)}), 422, "that you can see"),
        (json!({"account_id": carla_id, "status_ids": ["x"]}), 400, "not a status id"),
        (
            json!({"account_id": carla_id, "status_ids": (1..=51).map(|n| n.to_string()).collect::<Vec<_>>()}),
            422,
            "at most 50",
        ),
        (json!({"account_id": carla_id, "category": "rude"}), 422, "not one of spam"),
        (json!({"account_id": carla_id, "rule_ids": ["42"]}), 422, "not one of this site's rules"),
    ];
    for (body, status, message) in cases {
        let error = file(body.clone()).await.error(status);
        assert!(error.contains(message), "{body}: {error}");
    }
    assert!(reports(&hq, &boss, "").await.is_empty(), "a refused report was stored");

    // A good one: the reporter gets Mastodon's Report, the admin a notification.
    let report = file(json!({
        "account_id": carla_id, "status_ids": ids(&public), "comment": "spam again", "category": "spam"
    }))
    .await
    .ok();
    openapi::assert_matches(&report, "Report");
    assert_eq!((report["category"].as_str(), report["forwarded"].as_bool()), (Some("spam"), Some(false)));
    assert_eq!(report["status_ids"], ids(&public));
    let report_id = report["id"].as_str().unwrap().to_owned();
    let notified = report_notifications(&hq, &boss).await;
    assert_eq!(notified.len(), 1, "{notified:?}");
    openapi::assert_matches(&notified[0], "Notification");
    assert_eq!(
        (notified[0]["report"]["id"].as_str(), notified[0]["account"]["id"].as_str()),
        (Some(report_id.as_str()), Some(ana_id.as_str()))
    );
    assert!(report_notifications(&hq, &carla).await.is_empty(), "a user was told of a report");
    let grouped = hq.api(&boss).get("/api/v2/notifications?types[]=admin.report").await.ok();
    openapi::assert_grouped_notifications(&grouped);
    let group = &grouped["notification_groups"][0];
    assert_eq!(group["report"]["id"].as_str(), Some(report_id.as_str()), "{grouped}");

    // The admin's lifecycle.
    let path = |action: &str| format!("/api/v1/admin/reports/{report_id}{action}");
    let admin = hq.api(&boss);
    let shown = admin.get(&path("")).await.ok();
    openapi::assert_matches(&shown, "AdminReport");
    assert_eq!(shown["statuses"][0]["id"], public["id"]);
    assert_eq!(
        (shown["account"]["id"].as_str(), shown["target_account"]["email"].as_str()),
        (Some(ana_id.as_str()), Some("carla@acme.example"))
    );
    let assigned = admin.post(&path("/assign_to_self"), json!({})).await.ok();
    assert_eq!(assigned["assigned_account"]["id"].as_str(), Some(boss_id.as_str()));
    assert_eq!(admin.post(&path("/unassign"), json!({})).await.ok()["assigned_account"], Value::Null);
    let resolved = admin.post(&path("/resolve"), json!({})).await.ok();
    openapi::assert_matches(&resolved, "AdminReport");
    assert_eq!(resolved["action_taken"], true);
    assert_eq!(resolved["action_taken_by_account"]["id"].as_str(), Some(boss_id.as_str()));
    assert!(reports(&hq, &boss, "?resolved=false").await.is_empty());
    assert_eq!(reports(&hq, &boss, "?resolved=true").await.len(), 1);
    let reopened = admin.post(&path("/reopen"), json!({})).await.ok();
    assert_eq!((reopened["action_taken"].as_bool(), &reopened["action_taken_at"]), (Some(false), &Value::Null));
    let ruled = admin.put(&path(""), json!({"rule_ids": [rule_id]})).await.ok();
    assert_eq!(
        (ruled["category"].as_str(), ruled["rules"][0]["text"].as_str()),
        (Some("violation"), Some("No advertising"))
    );
    let spam = admin.put(&path(""), json!({"category": "spam"})).await.ok();
    assert_eq!((spam["category"].as_str(), spam["rules"].as_array().map(Vec::len)), (Some("spam"), Some(0)));
    assert!(admin.put(&path(""), json!({"category": "rude"})).await.error(422).contains("category"));
    assert_eq!(admin.get(&path("")).await.ok()["category"], "spam", "a refused change was stored");
    assert_eq!(reports(&hq, &boss, &format!("?target_account_id={carla_id}&account_id={ana_id}")).await.len(), 1);
    assert!(reports(&hq, &boss, &format!("?target_account_id={ana_id}")).await.is_empty());
    admin.get("/api/v1/admin/reports/424242").await.error(404);

    // Everyone else is refused on every admin endpoint, even with admin scopes.
    let ana_admin_scopes = hq.token_with_scopes("ana", ADMIN_SCOPES).await;
    let not_admin = hq.api(&ana_admin_scopes);
    for response in [
        not_admin.get("/api/v1/admin/reports").await,
        not_admin.get(&path("")).await,
        not_admin.put(&path(""), json!({"category": "other"})).await,
        not_admin.post(&path("/assign_to_self"), json!({})).await,
        not_admin.post(&path("/unassign"), json!({})).await,
        not_admin.post(&path("/resolve"), json!({})).await,
        not_admin.post(&path("/reopen"), json!({})).await,
    ] {
        assert!(response.error(403).contains("administrators"));
    }

    // A report about bruno on es, forwarded: es's admin gets it from hq's site actor.
    let es_boss = admin_token(&es, "esboss").await;
    let bruno = es.sign_up("bruno").await;
    let bruno_on_hq = hq.api(&ana).resolve("bruno", &es).await;
    hq.api(&ana).follow_and_wait(&bruno_on_hq).await;
    let post = es.api(&bruno).post_status("spam from es", json!({})).await;
    let post_on_hq = eventually("bruno's post to reach hq", || async {
        let home = hq.api(&ana).get("/api/v1/timelines/home").await.ok();
        home.as_array().unwrap().iter().find(|s| s["uri"] == post["uri"]).map(|s| s["id"].clone())
    })
    .await;
    let forwarded = file(json!({
        "account_id": bruno_on_hq, "status_ids": [post_on_hq], "comment": "please look", "forward": true
    }))
    .await
    .ok();
    assert_eq!(forwarded["forwarded"], true);
    let received =
        eventually("the Flag to open a report on es", || async { reports(&es, &es_boss, "").await.pop() }).await;
    openapi::assert_matches(&received, "AdminReport");
    assert_eq!(received["target_account"]["username"], "bruno");
    assert_eq!(received["statuses"][0]["id"], post["id"]);
    assert_eq!((received["comment"].as_str(), received["category"].as_str()), (Some("please look"), Some("other")));
    assert_eq!(received["account"]["domain"].as_str(), Some(hq.domain.as_str()), "the reporter is hq's site, not ana");
    assert_eq!(report_notifications(&es, &es_boss).await.len(), 1);
}

/// An actor on a stand-in site, with the key it signs with.
struct StandInActor {
    uri: String,
    key: SigningKey,
}

impl StandInActor {
    async fn publish(site: &StandInSite) -> StandInActor {
        let pair = tokio::task::spawn_blocking(signatures::generate_keypair).await.unwrap().unwrap();
        let uri = site.url("/actor");
        let key_id = format!("{uri}#main-key");
        site.serve(
            "/actor",
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": uri,
                "type": "Application",
                "preferredUsername": "moderation",
                "inbox": format!("{uri}/inbox"),
                "publicKey": {"id": key_id, "owner": uri, "publicKeyPem": pair.public_pem},
            }),
        );
        StandInActor { key: SigningKey::from_pem(key_id, &pair.private_pem).unwrap(), uri }
    }

    /// Sends a `Flag` numbered `n` of `object` to `site`'s shared inbox.
    async fn flag(&self, site: &TestInstance, n: u32, object: Value) {
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#flags/{n}", self.uri),
            "type": "Flag",
            "actor": self.uri,
            "object": object,
            "content": "from afar",
        })
        .to_string();
        let url = url::Url::parse(&site.url("/inbox")).unwrap();
        let signed =
            signatures::sign_request(&self.key, "POST", &url, Some(body.as_bytes()), chrono::Utc::now()).unwrap();
        let response = site
            .client
            .post(url)
            .header("date", signed.date)
            .header("digest", signed.digest.unwrap())
            .header("signature", signed.signature)
            .header("content-type", "application/activity+json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 202, "{}", response.text().await.unwrap());
    }
}

#[tokio::test]
async fn a_flag_from_another_site_opens_a_report_until_its_reports_are_rejected() {
    let hq = Federation::site(support::BINARY, Backend::from_env(), &[BLOCKLIST]).await;
    let boss = admin_token(&hq, "boss").await;
    let carla = hq.sign_up("carla").await;
    let post = hq.api(&carla).post_status("hello", json!({})).await;
    let stand_in = StandInSite::start();
    let actor = StandInActor::publish(&stand_in).await;
    let elsewhere = "https://elsewhere.example/users/someone";

    actor.flag(&hq, 1, json!([hq.url("/users/carla"), post["uri"], elsewhere])).await;
    let report = eventually("the Flag to open a report", || async { reports(&hq, &boss, "").await.pop() }).await;
    openapi::assert_matches(&report, "AdminReport");
    assert_eq!(
        (report["target_account"]["username"].as_str(), report["comment"].as_str()),
        (Some("carla"), Some("from afar"))
    );
    assert_eq!(report["statuses"][0]["id"], post["id"]);
    assert_eq!(report["account"]["domain"].as_str(), Some(stand_in.domain.as_str()));
    assert!(hq.logs().contains(elsewhere), "the foreign object was not logged");
    assert_eq!(report_notifications(&hq, &boss).await.len(), 1);

    let block = json!({"domain": stand_in.domain, "severity": "noop", "reject_reports": true});
    hq.api(&boss).post("/api/v1/admin/domain_blocks", block).await.ok();
    actor.flag(&hq, 2, json!([hq.url("/users/carla")])).await;
    hq.eventually("the rejected Flag to be logged", || async {
        hq.logs().contains("rejects its reports").then_some(())
    })
    .await;
    assert_eq!(reports(&hq, &boss, "").await.len(), 1, "a rejected Flag opened a report");
}
