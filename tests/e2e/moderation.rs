//! Moderation end to end: staff roles and their permissions, the admin
//! accounts API and the effect of each action (a suspension reaches
//! another site as a `Delete`), the audit log through the API and the CLI,
//! and clear refusals of bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use serde_json::json;
use tertulia_testrig::{ApiResponse, Federation, TestInstance, openapi};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// A token with admin scopes for a new user of `site`, created with the
/// CLI flags `flags` (`--admin`, `--moderator` or none).
async fn member(site: &TestInstance, username: &str, flags: &[&str]) -> String {
    site.create_user(username, flags).await;
    site.token_with_scopes(username, ADMIN_SCOPES).await
}

/// Status `id` as the holder of `token` sees it.
async fn status_as(site: &TestInstance, token: &str, id: &str) -> ApiResponse {
    site.api(token).get(&format!("/api/v1/statuses/{id}")).await
}

/// A moderation action on account `id`.
async fn act(site: &TestInstance, token: &str, id: &str, body: Value) -> ApiResponse {
    site.api(token).post(&format!("/api/v1/admin/accounts/{id}/action"), body).await
}

#[tokio::test]
async fn each_action_takes_effect_is_logged_and_can_be_undone() {
    let [hq, es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let boss = member(&hq, "boss", &["--admin"]).await;
    let moderator = member(&hq, "mod", &["--moderator"]).await;
    let (ana, ana_id) = hq.sign_up_with_id("ana").await;
    let (carla, carla_id) = hq.sign_up_with_id("carla").await;
    let (dora, dora_id) = hq.sign_up_with_id("dora").await;
    let bruno = es.sign_up("bruno").await;
    let ana_on_es = es.api(&bruno).resolve("ana", &hq).await;
    es.api(&bruno).follow_and_wait(&ana_on_es).await;
    let ana_post = hq.api(&ana).post_status("hello from ana", json!({})).await["id"].as_str().unwrap().to_owned();
    let media = hq.api(&carla).upload_png().await["id"].as_str().unwrap().to_owned();
    let carla_post = hq.api(&carla).post_status("a chart", json!({"media_ids": [media]})).await;
    let carla_post = carla_post["id"].as_str().unwrap().to_owned();

    // The lists, with Mastodon's filters, in Mastodon's shape.
    let found = hq.api(&moderator).get("/api/v1/admin/accounts?local=true&username=an").await.ok();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    openapi::assert_matches(&found[0], "AdminAccount");
    assert_eq!(
        (found[0]["id"].as_str(), found[0]["email"].as_str()),
        (Some(ana_id.as_str()), Some("ana@acme.example"))
    );
    let staff = hq.api(&moderator).ids("/api/v2/admin/accounts?origin=local&permissions=staff").await;
    assert_eq!(staff.len(), 2, "boss and mod are the staff: {staff:?}");
    // Both filters hold at once: no user is staff, a moderator is.
    let none = hq.api(&moderator).ids("/api/v2/admin/accounts?permissions=staff&role_ids[]=user").await;
    assert_eq!(none, Vec::<String>::new(), "no account is both staff and a plain user");
    let moderators = hq.api(&moderator).ids("/api/v2/admin/accounts?permissions=staff&role_ids[]=moderator").await;
    assert_eq!(moderators.len(), 1, "{moderators:?}");
    let remote = hq.api(&moderator).get(&format!("/api/v1/admin/accounts?remote=true&by_domain={}", es.domain)).await;
    let remote = remote.ok();
    let remote = remote.as_array().unwrap();
    assert!(remote.iter().all(|a| a["domain"] == es.domain.as_str()), "{remote:?}");
    assert!(remote.iter().any(|a| a["username"] == "bruno"), "bruno follows ana, so hq knows him: {remote:?}");
    let shown = hq.api(&moderator).get(&format!("/api/v1/admin/accounts/{ana_id}")).await.ok();
    assert_eq!(shown["role"]["name"], "user");

    // Sign-in addresses, as the trusted proxy (loopback) names them.
    let app = hq.register_app("read").await;
    for address in ["198.51.100.7", "203.0.113.9"] {
        let signed_in = hq
            .client
            .post(hq.url("/oauth/token"))
            .header("X-Forwarded-For", address)
            .form(&[
                ("grant_type", "password"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("username", "dora"),
                ("password", tertulia_testrig::TEST_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 200);
    }
    let dora_seen = hq.api(&moderator).get(&format!("/api/v1/admin/accounts/{dora_id}")).await.ok();
    openapi::assert_matches(&dora_seen, "AdminAccount");
    assert_eq!(dora_seen["ip"], "203.0.113.9", "the newest sign-in's address");
    let ips: Vec<&str> = dora_seen["ips"].as_array().unwrap().iter().map(|ip| ip["ip"].as_str().unwrap()).collect();
    assert!(ips.starts_with(&["203.0.113.9", "198.51.100.7"]), "{ips:?}");
    let from = hq.api(&moderator).ids("/api/v1/admin/accounts?ip=198.51.100.7").await;
    assert_eq!(from, vec![dora_id.clone()]);

    // Silence: only followers see carla's posts; undone, everyone does.
    act(&hq, &moderator, &carla_id, json!({"type": "silence", "text": "Please keep it on topic"})).await.ok();
    status_as(&hq, &dora, &carla_post).await.error(404);
    status_as(&hq, &carla, &carla_post).await.ok();
    let silenced = hq.api(&moderator).ids("/api/v1/admin/accounts?silenced=true").await;
    assert_eq!(silenced, vec![carla_id.clone()]);
    hq.api(&moderator).post(&format!("/api/v1/admin/accounts/{carla_id}/unsilence"), json!({})).await.ok();
    status_as(&hq, &dora, &carla_post).await.ok();

    // Sensitive: her media show behind a warning until it is lifted.
    assert_eq!(status_as(&hq, &dora, &carla_post).await.ok()["sensitive"], false);
    act(&hq, &moderator, &carla_id, json!({"type": "sensitive", "send_email_notification": true})).await.ok();
    assert_eq!(status_as(&hq, &dora, &carla_post).await.ok()["sensitive"], true);
    let lifted = hq.api(&moderator).post(&format!("/api/v1/admin/accounts/{carla_id}/unsensitive"), json!({})).await;
    assert_eq!(lifted.ok()["sensitized"], false);
    assert_eq!(status_as(&hq, &dora, &carla_post).await.ok()["sensitive"], false);

    // Disable: her token stops and she cannot sign in; her posts stay.
    act(&hq, &moderator, &carla_id, json!({"type": "disable"})).await.ok();
    let refused = hq.api(&carla).get("/api/v1/accounts/verify_credentials").await.error(403);
    assert!(refused.contains("disabled"), "{refused}");
    let app = hq.register_app("read").await;
    let password = json!({"grant_type": "password", "client_id": app.client_id, "client_secret": app.client_secret,
        "username": "carla", "password": tertulia_testrig::TEST_PASSWORD, "scope": "read"});
    let sign_in = hq.api("").post("/oauth/token", password.clone()).await;
    assert!(sign_in.status >= 400 && sign_in.body.to_string().contains("disabled"), "{sign_in:?}");
    status_as(&hq, &dora, &carla_post).await.ok();
    hq.api(&moderator).post(&format!("/api/v1/admin/accounts/{carla_id}/enable"), json!({})).await.ok();
    hq.api(&carla).get("/api/v1/accounts/verify_credentials").await.ok();

    // Carla is told of the silence (it has a text) and of the sensitive
    // mark (asked for), not of the disable (neither), in v1 and v2.
    let warned = hq.api(&carla).get("/api/v1/notifications?types[]=moderation_warning").await.ok();
    let warned = warned.as_array().unwrap();
    assert_eq!(warned.len(), 2, "{warned:?}");
    openapi::assert_matches(&warned[0], "Notification");
    let (newest, oldest) = (&warned[0]["moderation_warning"], &warned[1]["moderation_warning"]);
    assert_eq!((newest["action"].as_str(), newest["text"].as_str()), (Some("sensitive"), Some("")));
    assert_eq!(
        (oldest["action"].as_str(), oldest["text"].as_str()),
        (Some("silence"), Some("Please keep it on topic"))
    );
    assert_eq!((oldest["target_account"]["id"].as_str(), oldest["appeal"].is_null()), (Some(carla_id.as_str()), true));
    let grouped = hq.api(&carla).get("/api/v2/notifications?types[]=moderation_warning").await.ok();
    openapi::assert_grouped_notifications(&grouped);
    assert_eq!(grouped["notification_groups"][1]["moderation_warning"]["text"], "Please keep it on topic");

    // Suspend: at once her token stops and her content goes from every
    // API here; es receives the actor's Delete and drops her too.
    act(&hq, &moderator, &ana_id, json!({"type": "suspend", "text": "Spam links"})).await.ok();
    hq.api(&ana).get("/api/v1/accounts/verify_credentials").await.error(403);
    status_as(&hq, &dora, &ana_post).await.error(404);
    hq.api(&dora).get(&format!("/api/v1/accounts/{ana_id}")).await.error(404);
    let public = hq.api(&dora).ids("/api/v1/timelines/public").await;
    assert!(!public.contains(&ana_post), "a suspended account's post is in the public timeline");
    let search = hq.api(&dora).get("/api/v2/search?q=ana&type=accounts").await.ok();
    assert_eq!(search["accounts"], json!([]), "search found a suspended account");
    assert_eq!(hq.get(&format!("/users/ana/statuses/{ana_post}")).await.status(), 404);
    es.eventually("ana's Delete to reach es", || async {
        (es.api(&bruno).get(&format!("/api/v1/accounts/{ana_on_es}")).await.status == 404).then_some(())
    })
    .await;

    // The warning is kept with the account, and everything is in the log.
    let log = hq.api(&moderator).get("/api/v1/admin/audit_log").await.ok();
    let newest = &log[0];
    assert_eq!((newest["actor"].as_str(), newest["action"].as_str()), (Some("mod"), Some("suspend")));
    assert_eq!(
        (newest["target_id"].as_str(), newest["human_identifier"].as_str()),
        (Some(ana_id.as_str()), Some("@ana"))
    );
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["suspend", "enable", "disable", "unsensitive", "sensitive", "unsilence", "silence"]);
    let printed = hq.cli(&["admin", "audit", "--limit", "2"]).await;
    assert!(printed.status.success(), "{}", printed.stderr);
    let lines: Vec<&str> = printed.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", printed.stdout);
    assert!(lines[0].contains("mod") && lines[0].contains("suspend") && lines[0].contains("@ana"), "{}", lines[0]);
    assert!(lines[1].contains("enable") && lines[1].contains("@carla"), "{}", lines[1]);

    // Lifting the suspension brings her back.
    hq.api(&moderator).post(&format!("/api/v1/admin/accounts/{ana_id}/unsuspend"), json!({})).await.ok();
    hq.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    status_as(&hq, &dora, &ana_post).await.ok();

    // Deleting needs a suspension first, and the delete_user_data
    // permission, which moderators lack.
    let delete_ana = format!("/api/v1/admin/accounts/{ana_id}");
    assert!(hq.api(&boss).delete(&delete_ana).await.error(403).contains("suspend the account first"));
    act(&hq, &moderator, &ana_id, json!({"type": "suspend"})).await.ok();
    let by_moderator = hq.api(&moderator).delete(&delete_ana).await.error(403);
    assert!(by_moderator.contains("delete_user_data"), "{by_moderator}");
    hq.api(&boss).delete(&delete_ana).await.ok();
    hq.api(&boss).get(&format!("/api/v1/admin/accounts/{ana_id}")).await.error(404);

    // Bad input: a clear error, and nothing changes.
    let bogus = act(&hq, &moderator, &carla_id, json!({"type": "ban"})).await.error(422);
    assert!(bogus.contains("none, sensitive, disable, silence, suspend"), "{bogus}");
    assert!(
        act(&hq, &moderator, &carla_id, json!({"type": "silence", "report_id": "x"}))
            .await
            .error(422)
            .contains("report_id")
    );
    act(&hq, &moderator, "12345", json!({"type": "silence"})).await.error(404);
    let own =
        hq.api(&moderator).get("/api/v1/accounts/verify_credentials").await.ok()["id"].as_str().unwrap().to_owned();
    assert!(act(&hq, &moderator, &own, json!({"type": "suspend"})).await.error(403).contains("own account"));
    let status = hq.api(&moderator).get("/api/v2/admin/accounts?status=banned").await.error(422);
    assert!(status.contains("active, pending"), "{status}");
    assert!(hq.api(&moderator).get("/api/v1/admin/accounts?ip=10.0.0").await.error(422).contains("IPv4"));
    let carla_now = hq.api(&moderator).get(&format!("/api/v1/admin/accounts/{carla_id}")).await.ok();
    assert_eq!((carla_now["silenced"].as_bool(), carla_now["suspended"].as_bool()), (Some(false), Some(false)));
}

/// Every admin endpoint, with the permission a moderator lacks (`true`)
/// or has (`false`). The reports engineer's endpoints join this table.
const ENDPOINTS: &[(&str, &str, bool)] = &[
    ("GET", "/api/v1/admin/accounts", false),
    ("GET", "/api/v2/admin/accounts", false),
    ("GET", "/api/v1/admin/accounts/1", false),
    ("DELETE", "/api/v1/admin/accounts/1", true),
    ("POST", "/api/v1/admin/accounts/1/action", false),
    ("POST", "/api/v1/admin/accounts/1/approve", false),
    ("POST", "/api/v1/admin/accounts/1/reject", false),
    ("POST", "/api/v1/admin/accounts/1/enable", false),
    ("POST", "/api/v1/admin/accounts/1/unsilence", false),
    ("POST", "/api/v1/admin/accounts/1/unsuspend", false),
    ("POST", "/api/v1/admin/accounts/1/unsensitive", false),
    ("GET", "/api/v1/admin/audit_log", false),
    ("GET", "/api/v1/admin/domain_allows", true),
    ("POST", "/api/v1/admin/domain_allows", true),
    ("GET", "/api/v1/admin/domain_allows/1", true),
    ("DELETE", "/api/v1/admin/domain_allows/1", true),
    ("GET", "/api/v1/admin/email_domain_blocks", true),
    ("POST", "/api/v1/admin/email_domain_blocks", true),
    ("GET", "/api/v1/admin/email_domain_blocks/1", true),
    ("DELETE", "/api/v1/admin/email_domain_blocks/1", true),
    ("GET", "/api/v1/admin/canonical_email_blocks", true),
    ("POST", "/api/v1/admin/canonical_email_blocks", true),
    ("GET", "/api/v1/admin/canonical_email_blocks/1", true),
    ("DELETE", "/api/v1/admin/canonical_email_blocks/1", true),
    ("POST", "/api/v1/admin/canonical_email_blocks/test", true),
    ("GET", "/api/v1/admin/ip_blocks", true),
    ("POST", "/api/v1/admin/ip_blocks", true),
    ("GET", "/api/v1/admin/ip_blocks/1", true),
    ("PUT", "/api/v1/admin/ip_blocks/1", true),
    ("DELETE", "/api/v1/admin/ip_blocks/1", true),
    ("GET", "/api/v1/admin/domain_blocks", true),
    ("POST", "/api/v1/admin/domain_blocks", true),
    ("GET", "/api/v1/admin/domain_blocks/1", true),
    ("PUT", "/api/v1/admin/domain_blocks/1", true),
    ("DELETE", "/api/v1/admin/domain_blocks/1", true),
    ("GET", "/api/v1/admin/announcements", true),
    ("POST", "/api/v1/admin/announcements", true),
    ("GET", "/api/v1/admin/announcements/1", true),
    ("PUT", "/api/v1/admin/announcements/1", true),
    ("DELETE", "/api/v1/admin/announcements/1", true),
    ("POST", "/api/v1/admin/announcements/1/publish", true),
    ("POST", "/api/v1/admin/announcements/1/unpublish", true),
    ("GET", "/api/v1/admin/reports", false),
    ("GET", "/api/v1/admin/reports/1", false),
    ("PUT", "/api/v1/admin/reports/1", false),
    ("POST", "/api/v1/admin/reports/1/assign_to_self", false),
    ("POST", "/api/v1/admin/reports/1/unassign", false),
    ("POST", "/api/v1/admin/reports/1/resolve", false),
    ("POST", "/api/v1/admin/reports/1/reopen", false),
    ("POST", "/api/v1/admin/measures", false),
    ("POST", "/api/v1/admin/dimensions", false),
    ("POST", "/api/v1/admin/retention", false),
    ("GET", "/api/v1/admin/adoption", false),
    ("GET", "/api/v1/admin/trends/tags", false),
    ("POST", "/api/v1/admin/trends/tags/1/approve", false),
    ("POST", "/api/v1/admin/trends/tags/1/reject", false),
    ("GET", "/api/v1/admin/trends/links", false),
    ("GET", "/api/v1/admin/trends/statuses", false),
    ("POST", "/api/v1/admin/trends/statuses/1/approve", false),
    ("POST", "/api/v1/admin/trends/statuses/1/reject", false),
];

#[tokio::test]
async fn every_admin_endpoint_refuses_users_and_moderators_without_the_permission() {
    let hq = support::start().await;
    let user = member(&hq, "ana", &[]).await;
    let moderator = member(&hq, "mod", &["--moderator"]).await;
    for &(method, path, moderators_lack_it) in ENDPOINTS {
        let call = |token: &str| {
            let client = hq.api(token);
            let method: reqwest::Method = method.parse().unwrap();
            async move { client.send_raw(method, path, "application/json", "{}").await }
        };
        let refused = call(&user).await.error(403);
        assert!(refused.contains("permission"), "{method} {path}: {refused}");
        let answer = call(&moderator).await;
        assert_eq!(answer.status == 403, moderators_lack_it, "{method} {path} for a moderator: {answer:?}");
    }

    // Staff act only on lower ranks: the moderator cannot silence an admin.
    let boss = member(&hq, "boss", &["--admin"]).await;
    let boss_id = hq.api(&boss).account_id().await;
    let silence = json!({"type": "silence", "text": "calm down"});
    let refused =
        hq.api(&moderator).post(&format!("/api/v1/admin/accounts/{boss_id}/action"), silence).await.error(403);
    assert!(refused.contains("@boss is admin"), "{refused}");
    let shown = hq.api(&boss).get(&format!("/api/v1/admin/accounts/{boss_id}")).await.ok();
    assert_eq!(shown["silenced"], false, "the refused action changed nothing");

    // The CLI grants a role; the new admin passes where the moderator did not.
    let promoted = hq.cli(&["admin", "user", "role", "mod", "admin"]).await;
    assert!(promoted.status.success() && promoted.stdout.contains("mod is now admin"), "{}", promoted.stderr);
    hq.api(&moderator).get("/api/v1/admin/domain_blocks").await.ok();
    let me = hq.api(&moderator).get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!(me["role"]["name"], "admin");
    let wrong = hq.cli(&["admin", "user", "role", "mod", "boss"]).await;
    assert!(!wrong.status.success() && wrong.stderr.contains("user, moderator, admin, owner"), "{}", wrong.stderr);
    let log = hq.cli(&["admin", "audit"]).await.stdout;
    assert!(log.contains("command line") && log.contains("change_role") && log.contains("@mod"), "{log}");
}

/// The names of the hashtags trending publicly.
async fn public_trends(site: &TestInstance) -> Vec<String> {
    let trending = site.api("").get("/api/v1/trends/tags").await.ok();
    trending.as_array().unwrap().iter().map(|tag| tag["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn with_review_required_only_approved_tags_and_statuses_trend_and_a_rejection_removes_one() {
    let hq = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_TRENDS_REQUIRE_REVIEW", "true")]).await;
    let moderator = member(&hq, "mod", &["--moderator"]).await;
    let ana = hq.sign_up("ana").await;
    hq.api(&ana).post_status("Release day #launch", json!({})).await;
    hq.api(&ana).post_status("Cheap watches #bargains", json!({})).await;
    assert!(public_trends(&hq).await.is_empty(), "nothing is reviewed yet");

    // Moderators see every tag in use, waiting for review.
    let waiting = hq.api(&moderator).get("/api/v1/admin/trends/tags").await.ok();
    assert_eq!(waiting.as_array().unwrap().len(), 2, "{waiting}");
    openapi::assert_matches(&waiting[0], "AdminTag");
    assert!(waiting.as_array().unwrap().iter().all(|tag| tag["requires_review"] == true && tag["trendable"] == false));
    let id_of = |name: &str| {
        waiting.as_array().unwrap().iter().find(|tag| tag["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (launch, bargains) = (id_of("launch"), id_of("bargains"));

    let approved =
        hq.api(&moderator).post(&format!("/api/v1/admin/trends/tags/{launch}/approve"), json!({})).await.ok();
    assert_eq!((approved["name"].as_str(), approved["trendable"].as_bool()), (Some("launch"), Some(true)));
    assert_eq!(approved["requires_review"], false);
    hq.api(&moderator).post(&format!("/api/v1/admin/trends/tags/{bargains}/approve"), json!({})).await.ok();
    assert_eq!(public_trends(&hq).await, ["bargains", "launch"]);

    // A rejection takes the tag out of the public trends, not the admin list.
    let rejected =
        hq.api(&moderator).post(&format!("/api/v1/admin/trends/tags/{bargains}/reject"), json!({})).await.ok();
    openapi::assert_matches(&rejected, "AdminTag");
    assert_eq!((rejected["trendable"].as_bool(), rejected["requires_review"].as_bool()), (Some(false), Some(false)));
    assert_eq!(public_trends(&hq).await, ["launch"]);
    assert_eq!(hq.api(&moderator).get("/api/v1/admin/trends/tags").await.ok().as_array().unwrap().len(), 2);
    assert_eq!(hq.api(&moderator).get("/api/v1/admin/trends/links").await.ok(), json!([]));

    // A tag that does not exist: a clear error, and the trends are unchanged.
    let missing = hq.api(&moderator).post("/api/v1/admin/trends/tags/4242/reject", json!({})).await.error(404);
    assert!(missing.contains("tag"), "{missing}");
    assert_eq!(public_trends(&hq).await, ["launch"]);

    // Each decision is in the audit log, newest first.
    let log = hq.api(&moderator).get("/api/v1/admin/audit_log").await.ok();
    let decisions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["action"].as_str().unwrap(), entry["human_identifier"].as_str().unwrap()))
        .collect();
    assert_eq!(decisions, [("reject", "#bargains"), ("approve", "#bargains"), ("approve", "#launch")]);
    assert_eq!(log[0]["actor"], "mod");

    // A favourited status waits for review too, then trends once approved.
    let posted = hq.api(&ana).post_status("Our new office opens on Monday", json!({})).await;
    let popular = posted["id"].as_str().unwrap().to_owned();
    hq.api(&moderator).post(&format!("/api/v1/statuses/{popular}/favourite"), json!({})).await.ok();
    let public_statuses = || async { hq.api("").get("/api/v1/trends/statuses").await.ok() };
    assert_eq!(public_statuses().await, json!([]), "the status is not reviewed yet");
    let waiting = hq.api(&moderator).get("/api/v1/admin/trends/statuses").await.ok();
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    openapi::assert_matches(&waiting[0], "Status");
    assert_eq!(waiting[0]["id"], popular.as_str());

    let approved =
        hq.api(&moderator).post(&format!("/api/v1/admin/trends/statuses/{popular}/approve"), json!({})).await.ok();
    openapi::assert_matches(&approved, "Status");
    assert_eq!(approved["id"], popular.as_str());
    assert_eq!(public_statuses().await[0]["id"], popular.as_str());

    // A rejection takes it out of the public trends, not the admin list.
    hq.api(&moderator).post(&format!("/api/v1/admin/trends/statuses/{popular}/reject"), json!({})).await.ok();
    assert_eq!(public_statuses().await, json!([]));
    assert_eq!(hq.api(&moderator).get("/api/v1/admin/trends/statuses").await.ok()[0]["id"], popular.as_str());
    let missing = hq.api(&moderator).post("/api/v1/admin/trends/statuses/4242/approve", json!({})).await.error(404);
    assert!(missing.contains("status"), "{missing}");
    assert_eq!(public_statuses().await, json!([]), "the failed approval changed nothing");

    let log = hq.api(&moderator).get("/api/v1/admin/audit_log").await.ok();
    let latest = |n: usize| (log[n]["action"].as_str().unwrap(), log[n]["target_type"].as_str().unwrap());
    assert_eq!([latest(0), latest(1)], [("reject", "status"), ("approve", "status")]);
    assert_eq!(log[0]["human_identifier"], approved["url"]);
}
