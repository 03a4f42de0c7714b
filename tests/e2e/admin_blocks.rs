//! The admin blocks on sign-up and sign-in, end to end: e-mail domain,
//! canonical e-mail and IP blocks are made, listed in Mastodon's shapes,
//! enforced at sign-up (`POST /api/v1/accounts`) and sign-in, logged, and
//! lifted; bad input is refused and stores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{ApiClient, TEST_PASSWORD, TestInstance, openapi};

const ADMIN_SCOPES: &str = "read write admin:read admin:write";

/// A sign-up through an app, as Mastodon clients make one.
async fn sign_up(app: &ApiClient<'_>, username: &str, email: &str) -> tertulia_testrig::ApiResponse {
    let form = json!({"username": username, "email": email, "password": "a long enough secret", "agreement": true});
    app.post("/api/v1/accounts", form).await
}

/// The local accounts named `username`, as staff see them.
async fn accounts_named(hq: &TestInstance, admin: &str, username: &str) -> Vec<Value> {
    let found = hq.api(admin).get(&format!("/api/v1/admin/accounts?local=true&username={username}")).await.ok();
    found.as_array().unwrap().iter().filter(|a| a["username"] == username).cloned().collect()
}

/// The newest audit log entry's action and what it names.
async fn last_logged(hq: &TestInstance, admin: &str) -> (String, String) {
    let log = hq.api(admin).get("/api/v1/admin/audit_log").await.ok();
    (log[0]["action"].as_str().unwrap().to_owned(), log[0]["human_identifier"].as_str().unwrap().to_owned())
}

fn id_of(block: &Value) -> String {
    block["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_block_is_listed_enforced_logged_and_lifted() {
    let hq = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_INSTANCE_REGISTRATIONS_OPEN", "true")]).await;
    hq.create_user("boss", &["--admin"]).await;
    let boss = hq.token_with_scopes("boss", ADMIN_SCOPES).await;
    let admin = hq.api(&boss);
    let app_token = hq.app_token("read write").await;
    let app = hq.api(&app_token);

    // E-mail domain: the domain and its subdomains are refused.
    let block = admin.post("/api/v1/admin/email_domain_blocks", json!({"domain": "Spam.Example"})).await.ok();
    openapi::assert_matches(&block, "AdminEmailDomainBlock");
    assert_eq!(block["domain"], "spam.example");
    let listed = admin.get("/api/v1/admin/email_domain_blocks").await.ok();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let shown = admin.get(&format!("/api/v1/admin/email_domain_blocks/{}", id_of(&block))).await.ok();
    assert_eq!(shown["domain"], "spam.example");
    assert_eq!(last_logged(&hq, &boss).await, ("create".into(), "spam.example".into()));
    let refused = sign_up(&app, "sam", "sam@mail.spam.example").await.error(422);
    assert!(refused.contains("spam.example"), "{refused}");
    assert!(accounts_named(&hq, &boss, "sam").await.is_empty(), "a refused sign-up stores nothing");
    admin.delete(&format!("/api/v1/admin/email_domain_blocks/{}", id_of(&block))).await.ok();
    assert_eq!(last_logged(&hq, &boss).await, ("destroy".into(), "spam.example".into()));
    sign_up(&app, "sam", "sam@mail.spam.example").await.ok();

    // Canonical e-mail: dots, case and +tags do not get around it.
    let block = admin.post("/api/v1/admin/canonical_email_blocks", json!({"email": "eve.troll@acme.example"})).await;
    let block = block.ok();
    openapi::assert_matches(&block, "AdminCanonicalEmailBlock");
    let matching = admin.post("/api/v1/admin/canonical_email_blocks/test", json!({"email": "EveTroll+x@acme.example"}));
    assert_eq!(matching.await.ok().as_array().unwrap().len(), 1);
    let other = admin.post("/api/v1/admin/canonical_email_blocks/test", json!({"email": "eve@acme.example"})).await;
    assert!(other.ok().as_array().unwrap().is_empty());
    assert_eq!(admin.get("/api/v1/admin/canonical_email_blocks").await.ok().as_array().unwrap().len(), 1);
    let refused = sign_up(&app, "eve", "E.ve.Troll+again@acme.example").await.error(422);
    assert!(refused.contains("not allowed to sign up"), "{refused}");
    assert!(accounts_named(&hq, &boss, "eve").await.is_empty());
    let by_hash = admin
        .post("/api/v1/admin/canonical_email_blocks", json!({"canonical_email_hash": block["canonical_email_hash"]}));
    assert!(by_hash.await.error(422).contains("already blocked"));
    admin.delete(&format!("/api/v1/admin/canonical_email_blocks/{}", id_of(&block))).await.ok();
    sign_up(&app, "eve", "E.ve.Troll+again@acme.example").await.ok();

    // IP: the tests reach the server from 127.0.0.1.
    let approval = json!({"ip": "127.0.0.0/8", "severity": "sign_up_requires_approval", "comment": "trial"});
    let block = admin.post("/api/v1/admin/ip_blocks", approval).await.ok();
    openapi::assert_matches(&block, "AdminIpBlock");
    assert_eq!((block["ip"].as_str(), block["expires_at"].as_null()), (Some("127.0.0.0/8"), Some(())));
    sign_up(&app, "pat", "pat@acme.example").await.ok();
    assert_eq!(accounts_named(&hq, &boss, "pat").await[0]["approved"], false, "pat waits for approval");
    let ip_block = format!("/api/v1/admin/ip_blocks/{}", id_of(&block));
    let changed = admin.put(&ip_block, json!({"severity": "sign_up_block", "expires_in": 3600})).await.ok();
    assert_eq!((changed["severity"].as_str(), changed["comment"].as_str()), (Some("sign_up_block"), Some("trial")));
    assert!(changed["expires_at"].is_string(), "{changed}");
    let refused = sign_up(&app, "ivan", "ivan@acme.example").await.error(403);
    assert!(refused.contains("network address"), "{refused}");
    assert!(accounts_named(&hq, &boss, "ivan").await.is_empty());

    // no_access: sign-in is refused on the token grant and the sign-in page;
    // tokens already issued still work, so staff can lift it.
    admin.put(&ip_block, json!({"severity": "no_access"})).await.ok();
    let sign_in = hq.register_app("read").await;
    let grant = json!({"grant_type": "password", "client_id": sign_in.client_id, "client_secret": sign_in.client_secret,
        "username": "boss", "password": TEST_PASSWORD, "scope": "read"});
    let refused = hq.api("").post("/oauth/token", grant.clone()).await.error(403);
    assert!(refused.contains("sign-in from your network address"), "{refused}");
    let page = format!(
        "response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read&login=boss&password={}",
        sign_in.client_id,
        TEST_PASSWORD.replace(' ', "+")
    );
    let anonymous = hq.api("");
    let page =
        anonymous.send_raw(reqwest::Method::POST, "/oauth/authorize", "application/x-www-form-urlencoded", &page);
    assert_eq!(page.await.status, 403);
    admin.delete(&ip_block).await.ok();
    assert_eq!(last_logged(&hq, &boss).await, ("destroy".into(), "127.0.0.0/8".into()));
    assert_eq!(hq.api("").post("/oauth/token", grant).await.status, 200);
    sign_up(&app, "ivan", "ivan@acme.example").await.ok();
    assert_eq!(accounts_named(&hq, &boss, "ivan").await[0]["approved"], true);

    // An expired block holds nothing back.
    let expired = json!({"ip": "127.0.0.1", "severity": "sign_up_block", "expires_in": 1});
    let block = admin.post("/api/v1/admin/ip_blocks", expired).await.ok();
    tertulia_testrig::eventually("the one-second block to expire", || async {
        (sign_up(&app, "late", "late@acme.example").await.status == 200).then_some(())
    })
    .await;
    admin.delete(&format!("/api/v1/admin/ip_blocks/{}", id_of(&block))).await.ok();
}

#[tokio::test]
async fn bad_blocks_are_refused_and_store_nothing() {
    let hq = support::start().await;
    hq.create_user("boss", &["--admin"]).await;
    let boss = hq.token_with_scopes("boss", ADMIN_SCOPES).await;
    let admin = hq.api(&boss);
    let bad_ips = [
        (json!({"ip": "10.0.0.0/33", "severity": "no_access"}), "ip"),
        (json!({"ip": "not-an-address", "severity": "no_access"}), "ip"),
        (json!({"ip": "10.0.0.0/8", "severity": "block_everyone"}), "severity"),
        (json!({"ip": "10.0.0.0/8"}), "severity"),
        (json!({"ip": "10.0.0.0/8", "severity": "no_access", "expires_in": -5}), "expires_in"),
    ];
    for (body, field) in bad_ips {
        let refused = admin.post("/api/v1/admin/ip_blocks", body.clone()).await.error(422);
        assert!(refused.contains(field), "{body}: {refused}");
    }
    assert!(admin.get("/api/v1/admin/ip_blocks").await.ok().as_array().unwrap().is_empty());
    for domain in ["", "bad domain.example", "spam..example"] {
        let refused = admin.post("/api/v1/admin/email_domain_blocks", json!({"domain": domain})).await.error(422);
        assert!(refused.contains("domain"), "{domain}: {refused}");
    }
    assert!(admin.get("/api/v1/admin/email_domain_blocks").await.ok().as_array().unwrap().is_empty());
    let bad_hash = admin.post("/api/v1/admin/canonical_email_blocks", json!({"canonical_email_hash": "abc"}));
    assert!(bad_hash.await.error(422).contains("64 hexadecimal digits"));
    let bad_email = admin.post("/api/v1/admin/canonical_email_blocks", json!({"email": "nobody"}));
    assert!(bad_email.await.error(422).contains("not an e-mail address"));
    assert!(admin.get("/api/v1/admin/canonical_email_blocks").await.ok().as_array().unwrap().is_empty());
    assert_eq!(admin.get("/api/v1/admin/ip_blocks/123").await.status, 404);
}
