//! The federation policy managed live: an `allowlist` site refuses an
//! outsider on every path until an admin admits it through the admin API
//! (at once, on the running server) or the CLI (another process); a
//! suspension drops queued deliveries and the domain's stored accounts; a
//! silence limits its accounts and `reject_media` keeps none of its media.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::json;
use tertulia_testrig::{Federation, eventually, openapi};

const ALLOWLIST: (&str, &str) = ("TERTULIA_FEDERATION_MODE", "allowlist");
const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

#[tokio::test]
async fn the_allowlist_refuses_an_outsider_until_an_admin_admits_it() {
    let [hq, outsider] = Federation::start(support::BINARY, [&[ALLOWLIST], &[]]).await;
    let admin = hq.sign_up_admin("boss").await;
    let ana = hq.sign_up("ana").await;
    let olga = outsider.sign_up("olga").await;

    // Outgoing lookups from hq, and signed fetches of hq by the outsider.
    assert!(hq.api(&ana).resolved("olga", &outsider).await.is_empty(), "hq looked up an outsider");
    assert!(outsider.api(&olga).resolved("ana", &hq).await.is_empty(), "hq served a signed fetch to an outsider");
    assert!(hq.logs().contains("not on this site's federation allowlist"), "the refusal names the allowlist");

    let allow = hq.api(&admin).post("/api/v1/admin/domain_allows", json!({"domain": outsider.domain})).await.ok();
    openapi::assert_matches(&allow, "AdminDomainAllow");
    assert_eq!(allow["domain"], outsider.domain.as_str());
    // At once: the server that answered has already reloaded its policy.
    assert_eq!(hq.api(&ana).resolved("olga", &outsider).await.len(), 1, "the admitted site is reachable");
    let listed = hq.api(&admin).get("/api/v1/admin/domain_allows").await.ok();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    // Peers: the sites hq knows accounts of and federates with.
    assert_eq!(hq.api(&ana).get("/api/v1/instance/peers").await.ok(), json!([outsider.domain]));

    // The CLI is another process: the running server notices within a second.
    let out = hq.cli(&["admin", "federation", "block", &outsider.domain, "--severity", "suspend"]).await;
    assert!(out.status.success(), "{}{}", out.stdout, out.stderr);
    // The running server's own list of blocks comes from its policy in memory.
    eventually("the suspension to reach the running server", || async {
        let blocks = hq.api(&ana).get("/api/v1/instance/domain_blocks").await.ok();
        (blocks[0]["domain"] == outsider.domain.as_str()).then_some(())
    })
    .await;
    assert!(hq.api(&ana).resolved("olga", &outsider).await.is_empty(), "a suspended site was looked up");
    assert_eq!(hq.api(&ana).get("/api/v1/instance/peers").await.ok(), json!([]), "a suspended site is no peer");
    let listed = hq.cli(&["admin", "federation", "list"]).await.stdout;
    assert!(listed.contains(&format!("blocked  {} suspend", outsider.domain)), "{listed}");

    // The API's change and the CLI's are both in the audit log.
    let log = hq.api(&admin).get("/api/v1/admin/audit_log").await.ok();
    let entries: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap(), e["target_type"].as_str().unwrap()))
        .collect();
    assert_eq!(entries, [("command line", "create", "domain_block"), ("boss", "create", "domain_allow")]);
    assert_eq!(log[0]["human_identifier"], outsider.domain.as_str());
    assert!(log[0]["account_id"].is_null(), "{log}");
}

#[tokio::test]
async fn admin_endpoints_need_an_admin_and_valid_input() {
    let hq = support::start().await;
    let admin = hq.sign_up_admin("boss").await;
    hq.create_user("ana", &[]).await;
    let ana = hq.token_with_scopes("ana", ADMIN_SCOPES).await;

    let refused = hq.api(&ana).get("/api/v1/admin/domain_blocks").await.error(403);
    assert!(refused.contains("administrators"), "{refused}");
    let user_token = hq.sign_up("bruno").await;
    hq.api(&user_token).get("/api/v1/admin/domain_allows").await.error(403);

    let bad_domain = hq.api(&admin).post("/api/v1/admin/domain_blocks", json!({"domain": "https://x.example/"})).await;
    assert!(bad_domain.error(422).contains("bare host name"));
    let bad_severity =
        hq.api(&admin).post("/api/v1/admin/domain_blocks", json!({"domain": "x.example", "severity": "bogus"})).await;
    assert!(bad_severity.error(422).contains("severity"));

    let block = hq
        .api(&admin)
        .post(
            "/api/v1/admin/domain_blocks",
            json!({"domain": "spam.example", "severity": "silence", "obfuscate": true, "public_comment": "spam"}),
        )
        .await
        .ok();
    openapi::assert_matches(&block, "AdminDomainBlock");
    let again = hq.api(&admin).post("/api/v1/admin/domain_blocks", json!({"domain": "spam.example"})).await;
    assert!(again.error(422).contains("already blocked"));
    let id = block["id"].as_str().unwrap();
    let changed =
        hq.api(&admin).put(&format!("/api/v1/admin/domain_blocks/{id}"), json!({"severity": "suspend"})).await.ok();
    assert_eq!((changed["severity"].as_str(), changed["public_comment"].as_str()), (Some("suspend"), Some("spam")));

    // Shown to signed-in users by default, obfuscated as the block says.
    assert_eq!(hq.get("/api/v1/instance/domain_blocks").await.status(), 401);
    let public = hq.api(&user_token).get("/api/v1/instance/domain_blocks").await.ok();
    openapi::assert_matches(&public[0], "DomainBlock");
    assert_eq!(public[0]["domain"], "s*a*.example");
    assert_eq!(public[0]["comment"], "spam");

    hq.api(&admin).delete(&format!("/api/v1/admin/domain_blocks/{id}")).await.ok();
    hq.api(&admin).get(&format!("/api/v1/admin/domain_blocks/{id}")).await.error(404);
}

#[tokio::test]
async fn a_suspension_drops_queued_deliveries_and_stored_accounts() {
    let [hq, mut es] = Federation::start(support::BINARY, [&[], &[]]).await;
    let admin = hq.sign_up_admin("boss").await;
    let (ana, ana_id) = hq.sign_up_with_id("ana").await;
    let bruno = es.sign_up("bruno").await;
    let bruno_on_hq = hq.api(&ana).resolve("bruno", &es).await;
    let ana_on_es = es.api(&bruno).resolve("ana", &hq).await;
    es.api(&bruno).follow_and_wait(&ana_on_es).await;
    hq.api(&ana).get(&format!("/api/v1/accounts/{bruno_on_hq}")).await.ok();

    // es is down: ana's post waits in hq's delivery queue.
    es.stop_with("SIGTERM", Duration::from_secs(10)).await;
    hq.api(&ana).post_status("while es is down", json!({})).await;
    eventually("a delivery to wait for es", || async {
        let status = hq.cli(&["admin", "federation", "status"]).await.stdout;
        (!status.contains("Deliveries waiting: 0")).then_some(())
    })
    .await;

    let block = json!({"domain": es.domain, "severity": "suspend"});
    hq.api(&admin).post("/api/v1/admin/domain_blocks", block).await.ok();
    let status = hq.cli(&["admin", "federation", "status"]).await.stdout;
    assert!(status.contains("Deliveries waiting: 0"), "{status}");
    hq.api(&ana).get(&format!("/api/v1/accounts/{bruno_on_hq}")).await.error(404);
    let followers = hq.api(&ana).get(&format!("/api/v1/accounts/{ana_id}/followers")).await.ok();
    assert_eq!(followers, json!([]), "es's follower is gone with its site");
}

#[tokio::test]
async fn a_silenced_site_reaches_only_followers_and_a_rejected_sites_media_is_not_kept() {
    let blocklist = [("TERTULIA_FEDERATION_MODE", "blocklist")];
    let [hq, es] = Federation::start(support::BINARY, [&blocklist, &[]]).await;
    let admin = hq.sign_up_admin("boss").await;
    let ana = hq.sign_up("ana").await;
    let bruno = es.sign_up("bruno").await;
    let bruno_on_hq = hq.api(&ana).resolve("bruno", &es).await;
    hq.api(&ana).follow_and_wait(&bruno_on_hq).await;
    let block = json!({"domain": es.domain, "severity": "silence", "reject_media": true});
    let block = hq.api(&admin).post("/api/v1/admin/domain_blocks", block).await.ok();

    // Ana follows bruno, so only the silence can hold his mention back.
    let mention = |text: &'static str| {
        let (api, domain) = (es.api(&bruno), hq.domain.clone());
        async move {
            let chart = api.upload_png().await;
            api.post_status(&format!("@ana@{domain} {text}"), json!({"media_ids": [chart["id"]]})).await;
        }
    };
    let arrived = |text: &'static str| {
        let api = hq.api(&ana);
        async move {
            let home = api.get("/api/v1/timelines/home").await.ok();
            home.as_array().unwrap().iter().find(|s| s["content"].as_str().unwrap().contains(text)).cloned()
        }
    };
    let mentions_shown = || async {
        let shown = hq.api(&ana).get("/api/v1/notifications?types[]=mention").await.ok();
        shown.as_array().unwrap().len()
    };
    mention("gráfico de ventas").await;
    let silenced = hq.eventually("the silenced site's post", || arrived("gráfico de ventas")).await;
    assert_eq!(silenced["media_attachments"], json!([]), "reject_media keeps no attachment");
    assert_eq!(mentions_shown().await, 0, "a limited account's mention waits among the filtered ones");
    let filtered = hq.api(&ana).ids("/api/v1/notifications?types[]=mention&include_filtered=true").await;
    assert_eq!(filtered.len(), 1);

    // Lifting the block lifts the limit it set, for accounts already here.
    hq.api(&admin).delete(&format!("/api/v1/admin/domain_blocks/{}", block["id"].as_str().unwrap())).await.ok();
    mention("gráfico de costes").await;
    let welcome = hq.eventually("the post after the block is lifted", || arrived("gráfico de costes")).await;
    assert_eq!(welcome["media_attachments"].as_array().unwrap().len(), 1);
    assert_eq!(mentions_shown().await, 1);
}
