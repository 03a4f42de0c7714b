//! Quote posts as Mastodon 4.5 has them, on one site: quoting, policies,
//! `/quotes`, revoking and the `quote` notification. Quotes between sites
//! (FEP-044f) are in `federation.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{ApiResponse, TestInstance, openapi};

/// Tries to quote the status `quoted` as `token`.
async fn try_quote(instance: &TestInstance, token: &str, quoted: &str) -> ApiResponse {
    instance.api(token).post("/api/v1/statuses", json!({"status": "x", "quoted_status_id": quoted})).await
}

fn id(status: &Value) -> &str {
    status["id"].as_str().unwrap()
}

#[tokio::test]
async fn staff_quote_a_colleague_see_the_quote_list_it_and_the_author_revokes_it() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;

    let original = instance.api(&ana).post_status("The Q3 roadmap is out", json!({})).await;
    assert_eq!(original["quote_approval"], json!({"automatic": ["public"], "manual": [], "current_user": "automatic"}));
    assert_eq!(original["quotes_count"], 0);

    // Mastodon's name and Pleroma's both quote.
    let quote = instance.api(&bruno).post_status("Worth reading", json!({"quoted_status_id": id(&original)})).await;
    openapi::assert_matches(&quote, "Status");
    assert_eq!(quote["quote"]["state"], "accepted", "{quote}");
    assert_eq!(quote["quote"]["quoted_status"]["id"], id(&original));
    assert!(quote["content"].as_str().unwrap().starts_with(r#"<p class="quote-inline">RE: <a href=""#), "{quote}");
    let pleroma = instance.api(&bruno).post_status("Again", json!({"quote_id": id(&original)})).await;
    assert_eq!(pleroma["quote"]["quoted_status"]["id"], id(&original));
    // A quote of a quote names the inner quote only (one level deep).
    let nested = instance.api(&ana).post_status("Thanks", json!({"quoted_status_id": id(&quote)})).await;
    assert_eq!(
        nested["quote"]["quoted_status"]["quote"],
        json!({"state": "accepted", "quoted_status_id": id(&original)})
    );

    let seen = instance.api(&ana).get(&format!("/api/v1/statuses/{}", id(&original))).await.ok();
    assert_eq!(seen["quotes_count"], 2);
    let page = instance.api(&ana).get(&format!("/api/v1/statuses/{}/quotes?limit=1", id(&original))).await;
    assert!(page.link.as_deref().is_some_and(|l| l.contains("max_id=")), "paged: {:?}", page.link);
    let listed = page.ok();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id(&pleroma));
    openapi::assert_matches(&listed[0], "Status");

    let notes = instance.api(&ana).get("/api/v1/notifications?types[]=quote").await.ok();
    let quoted_by: Vec<&str> = notes.as_array().unwrap().iter().map(|n| n["status"]["id"].as_str().unwrap()).collect();
    assert_eq!(quoted_by, vec![id(&pleroma), id(&quote)], "{notes}");
    openapi::assert_matches(&notes[0], "Notification");

    // Only the quoted author may revoke; then the quote shows as revoked.
    let revoke = format!("/api/v1/statuses/{}/quotes/{}/revoke", id(&original), id(&quote));
    instance.api(&bruno).post(&revoke, json!({})).await.error(403);
    let revoked = instance.api(&ana).post(&revoke, json!({})).await.ok();
    assert_eq!(revoked["quote"], json!({"state": "revoked", "quoted_status": null}));
    let seen = instance.api(&bruno).get(&format!("/api/v1/statuses/{}", id(&quote))).await.ok();
    assert_eq!(seen["quote"]["state"], "revoked");
    let listed = instance.api(&ana).ids(&format!("/api/v1/statuses/{}/quotes", id(&original))).await;
    assert_eq!(listed, vec![id(&pleroma)]);
    let missing = format!("/api/v1/statuses/{}/quotes/{}/revoke", id(&original), id(&nested));
    instance.api(&ana).post(&missing, json!({})).await.error(404);
}

#[tokio::test]
async fn the_quoted_authors_policy_and_the_posts_visibility_decide_who_may_quote() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;

    let own_only = instance.api(&ana).post_status("Draft numbers", json!({"quote_approval_policy": "nobody"})).await;
    assert_eq!(own_only["quote_approval"]["automatic"], json!([]));
    let seen = instance.api(&bruno).get(&format!("/api/v1/statuses/{}", id(&own_only))).await.ok();
    assert_eq!(seen["quote_approval"]["current_user"], "denied");
    let refused = try_quote(&instance, &bruno, id(&own_only)).await;
    assert!(refused.error(422).contains("does not allow you to quote"));
    // The author may always quote themselves.
    let own = instance.api(&ana).post_status("Me again", json!({"quoted_status_id": id(&own_only)})).await;
    assert_eq!(own["quote"]["state"], "accepted");

    // Followers only: bruno may once he follows ana.
    let policy = format!("/api/v1/statuses/{}/interaction_policy", id(&own_only));
    let changed = instance.api(&ana).put(&policy, json!({"quote_approval_policy": "followers"})).await.ok();
    assert_eq!(changed["quote_approval"]["automatic"], json!(["followers"]));
    instance.api(&bruno).put(&policy, json!({"quote_approval_policy": "public"})).await.error(404);
    instance.api(&ana).put(&policy, json!({"quote_approval_policy": "everyone"})).await.error(422);
    let refused = try_quote(&instance, &bruno, id(&own_only)).await;
    refused.error(422);
    instance.api(&bruno).follow(&ana_id).await;
    let quote = instance.api(&bruno).post_status("Now I may", json!({"quoted_status_id": id(&own_only)})).await;
    assert_eq!(quote["quote"]["state"], "accepted");

    // Followers-only posts are never quotable by others, whatever is asked.
    let private = instance
        .api(&ana)
        .post_status("Team only", json!({"visibility": "private", "quote_approval_policy": "public"}))
        .await;
    assert_eq!(private["quote_approval"]["automatic"], json!([]));
    let refused = try_quote(&instance, &bruno, id(&private)).await;
    refused.error(422);
    // A status one cannot see cannot be quoted, nor its existence learnt.
    let direct = instance.api(&ana).post_status("just me", json!({"visibility": "direct"})).await;
    let refused = try_quote(&instance, &bruno, id(&direct)).await;
    refused.error(404);
    let refused = try_quote(&instance, &bruno, "nope").await;
    refused.error(404);
    let bad = json!({"status": "x", "quote_approval_policy": "all"});
    instance.api(&ana).post("/api/v1/statuses", bad).await.error(422);
    instance.api(&bruno).get(&format!("/api/v1/statuses/{}/quotes", id(&direct))).await.error(404);
}
