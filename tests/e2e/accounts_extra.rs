//! What people keep about other accounts and show on their profiles:
//! featured tags, notes, endorsements, followers they remove, sites they
//! block, suggestions, and the lookups of many accounts or statuses at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::openapi;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|v| v[field].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn featured_tags_show_on_profiles_with_the_authors_own_counts() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let api = instance.api(&ana);
    let profile = format!("/api/v1/accounts/{ana_id}/featured_tags");

    // Every profile page asks for these, signed in or not.
    assert_eq!(instance.api("").get(&profile).await.ok(), json!([]));

    api.post_status("Shipping #Rust today", json!({})).await;
    api.post_status("More #rust, quietly", json!({"visibility": "unlisted"})).await;
    api.post_status("#rust for followers", json!({"visibility": "private"})).await;
    api.post_status("A #golang note", json!({})).await;
    instance.api(&bruno).post_status("bruno's #rust does not count for ana", json!({})).await;

    let featured = api.post("/api/v1/featured_tags", json!({"name": "#Rust"})).await.ok();
    openapi::assert_matches(&featured, "FeaturedTag");
    assert_eq!(featured["name"].as_str().unwrap().to_lowercase(), "rust");
    assert_eq!(featured["statuses_count"], "2", "public and unlisted posts by ana only: {featured}");
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    assert_eq!(featured["last_status_at"], today.as_str());
    assert!(featured["url"].as_str().unwrap().ends_with("/@ana/tagged/rust"), "{featured}");

    let suggested = api.get("/api/v1/featured_tags/suggestions").await.ok();
    openapi::assert_matches(&suggested[0], "Tag");
    assert_eq!(names(&suggested, "name"), ["golang"], "featured tags are not suggested again");

    let seen_by_bruno = instance.api(&bruno).get(&profile).await.ok();
    assert_eq!(seen_by_bruno.as_array().unwrap().len(), 1);
    assert_eq!(seen_by_bruno[0]["id"], featured["id"]);

    // Mastodon 4.4's way, from a tag's page.
    let tag = api.post("/api/v1/tags/golang/feature", json!({})).await.ok();
    openapi::assert_matches(&tag, "Tag");
    assert_eq!(tag["featuring"], true);
    assert_eq!(api.get("/api/v1/tags/golang").await.ok()["featuring"], true);
    assert_eq!(instance.api(&bruno).get("/api/v1/tags/golang").await.ok()["featuring"], false);
    assert_eq!(api.get("/api/v1/featured_tags").await.ok().as_array().unwrap().len(), 2);
    assert_eq!(api.post("/api/v1/tags/golang/unfeature", json!({})).await.ok()["featuring"], false);
    assert_eq!(api.get("/api/v1/featured_tags").await.ok().as_array().unwrap().len(), 1);

    // Bad names, someone else's featured tag, and the limit.
    assert!(api.post("/api/v1/featured_tags", json!({"name": ""})).await.error(422).contains("name"));
    assert!(api.post("/api/v1/featured_tags", json!({"name": "two words"})).await.error(422).contains("name"));
    let path = format!("/api/v1/featured_tags/{}", id(&featured));
    assert_eq!(instance.api(&bruno).delete(&path).await.status, 404);
    for n in 0..9 {
        api.post_form("/api/v1/featured_tags", &[("name", &format!("topic{n}"))]).await.ok();
    }
    assert!(api.post("/api/v1/featured_tags", json!({"name": "eleventh"})).await.error(422).contains("at most"));

    assert_eq!(api.delete(&path).await.ok(), json!({}));
    assert_eq!(api.delete(&path).await.status, 404);
    assert!(!names(&api.get(&profile).await.ok(), "id").contains(&id(&featured)));

    let reader = instance.token_with_scopes("ana", "read").await;
    assert_eq!(instance.api(&reader).post("/api/v1/featured_tags", json!({"name": "x"})).await.status, 403);
    assert_eq!(instance.api("").get("/api/v1/featured_tags").await.status, 401);
}

#[tokio::test]
async fn notes_and_endorsements_are_kept_and_shown_in_relationships() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (_, bruno_id) = instance.sign_up_with_id("bruno").await;
    let (carmen, carmen_id) = instance.sign_up_with_id("carmen").await;
    let api = instance.api(&ana);

    let noted = api
        .post(&format!("/api/v1/accounts/{bruno_id}/note"), json!({"comment": "Met at the Lisbon offsite"}))
        .await
        .ok();
    openapi::assert_matches(&noted, "Relationship");
    assert_eq!(noted["note"], "Met at the Lisbon offsite");
    let relationships = api.get(&format!("/api/v1/accounts/relationships?id[]={bruno_id}&id[]={carmen_id}")).await.ok();
    assert_eq!(
        (relationships[0]["note"].as_str(), relationships[1]["note"].as_str()),
        (Some("Met at the Lisbon offsite"), Some(""))
    );
    let bruno_view = instance.api(&carmen).get(&format!("/api/v1/accounts/relationships?id[]={bruno_id}")).await.ok();
    assert_eq!(bruno_view[0]["note"], "", "notes are private to their writer");
    let long = "x".repeat(2_001);
    assert!(
        api.post(&format!("/api/v1/accounts/{bruno_id}/note"), json!({"comment": long}))
            .await
            .error(422)
            .contains("comment")
    );
    let cleared = api.post_form(&format!("/api/v1/accounts/{bruno_id}/note"), &[("comment", "")]).await.ok();
    assert_eq!(cleared["note"], "");

    // Only followed accounts can be endorsed, as on Mastodon.
    assert!(api.post(&format!("/api/v1/accounts/{bruno_id}/pin"), json!({})).await.error(422).contains("follow"));
    api.follow(&bruno_id).await;
    api.follow(&carmen_id).await;
    let pinned = api.post(&format!("/api/v1/accounts/{bruno_id}/pin"), json!({})).await.ok();
    openapi::assert_matches(&pinned, "Relationship");
    assert_eq!(pinned["endorsed"], true);
    assert_eq!(api.post(&format!("/api/v1/accounts/{carmen_id}/endorse"), json!({})).await.ok()["endorsed"], true);

    let first = api.get("/api/v1/endorsements?limit=1").await;
    assert_eq!(first.status, 200);
    openapi::assert_matches(&first.body[0], "Account");
    assert_eq!(first.body[0]["id"], carmen_id.as_str(), "newest endorsement first");
    let link = first.link.clone().expect("Link header");
    assert!(link.contains("max_id="), "{link}");
    let public = instance.api("").get(&format!("/api/v1/accounts/{ana_id}/endorsements")).await.ok();
    assert_eq!(names(&public, "id"), [carmen_id.clone(), bruno_id.clone()]);

    assert_eq!(api.post(&format!("/api/v1/accounts/{bruno_id}/unpin"), json!({})).await.ok()["endorsed"], false);
    assert_eq!(api.post(&format!("/api/v1/accounts/{carmen_id}/unendorse"), json!({})).await.ok()["endorsed"], false);
    assert_eq!(api.get("/api/v1/endorsements").await.ok(), json!([]));
    assert_eq!(instance.api("").get("/api/v1/endorsements").await.status, 401);
}

#[tokio::test]
async fn many_accounts_and_many_statuses_by_id_respect_visibility() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let carmen = instance.sign_up("carmen").await;

    let accounts =
        instance.api("").get(&format!("/api/v1/accounts?id[]={bruno_id}&id[]={ana_id}&id[]=12345")).await.ok();
    openapi::assert_matches(&accounts[0], "Account");
    assert_eq!(names(&accounts, "id"), [bruno_id.clone(), ana_id.clone()], "in the order asked, unknown left out");

    let bruno_api = instance.api(&bruno);
    let public = id(&bruno_api.post_status("For everyone", json!({})).await);
    let private = id(&bruno_api.post_status("Followers only", json!({"visibility": "private"})).await);
    let direct = id(&bruno_api.post_status("@carmen just us", json!({"visibility": "direct"})).await);
    let path = format!("/api/v1/statuses?id[]={direct}&id[]={private}&id[]={public}");
    let seen = |token: String| {
        let instance = &instance;
        let path = path.clone();
        async move { names(&instance.api(&token).get(&path).await.ok(), "id") }
    };
    assert_eq!(seen(bruno.clone()).await, [direct.clone(), private.clone(), public.clone()]);
    assert_eq!(seen(carmen.clone()).await, [direct.clone(), public.clone()]);
    assert_eq!(seen(ana.clone()).await, [public.as_str()]);
    assert_eq!(seen(String::new()).await, [public.as_str()]);
    let statuses = instance.api(&ana).get(&path).await.ok();
    openapi::assert_matches(&statuses[0], "Status");
}

#[tokio::test]
async fn removing_a_follower_ends_their_follow() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;
    let post = id(&instance.api(&ana).post_status("Team update", json!({})).await);
    assert!(instance.api(&bruno).ids("/api/v1/timelines/home").await.contains(&post));

    let removed =
        instance.api(&ana).post(&format!("/api/v1/accounts/{bruno_id}/remove_from_followers"), json!({})).await.ok();
    openapi::assert_matches(&removed, "Relationship");
    assert_eq!(removed["followed_by"], false);
    let from_bruno = instance.api(&bruno).get(&format!("/api/v1/accounts/relationships?id[]={ana_id}")).await.ok();
    assert_eq!(from_bruno[0]["following"], false);
    assert!(
        instance
            .api(&ana)
            .get(&format!("/api/v1/accounts/{ana_id}/followers"))
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(!instance.api(&bruno).ids("/api/v1/timelines/home").await.contains(&post));
    assert_eq!(instance.api(&ana).post("/api/v1/accounts/12345/remove_from_followers", json!({})).await.status, 404);
}

#[tokio::test]
async fn domain_blocks_are_listed_paged_and_checked() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);

    assert_eq!(api.post("/api/v1/domain_blocks", json!({"domain": "Spam.Example"})).await.ok(), json!({}));
    api.post_form("/api/v1/domain_blocks", &[("domain", "https://noise.example/about")]).await.ok();
    api.post_form("/api/v1/domain_blocks", &[("domain", "noise.example")]).await.ok();
    let first = api.get("/api/v1/domain_blocks?limit=1").await;
    assert_eq!(first.body, json!(["noise.example"]));
    let link = first.link.clone().expect("Link header");
    let next = link.split(", ").find(|l| l.contains("rel=\"next\"")).unwrap();
    let next = next.trim_start_matches('<').split('>').next().unwrap();
    let next_path = &next[instance.base_url.len()..];
    assert_eq!(api.get(next_path).await.ok(), json!(["spam.example"]));

    assert!(api.post("/api/v1/domain_blocks", json!({"domain": ""})).await.error(422).contains("domain"));
    assert!(api.post("/api/v1/domain_blocks", json!({"domain": "not a host"})).await.error(422).contains("domain"));
    assert!(api.post("/api/v1/domain_blocks", json!({"domain": instance.domain})).await.error(422).contains("own"));

    // Clients send the domain in the body or in the query string.
    api.delete("/api/v1/domain_blocks?domain=spam.example").await.ok();
    assert_eq!(api.get("/api/v1/domain_blocks").await.ok(), json!(["noise.example"]));
    assert_eq!(instance.api("").get("/api/v1/domain_blocks").await.status, 401);
    let reader = instance.token_with_scopes("ana", "read:blocks").await;
    assert_eq!(instance.api(&reader).post("/api/v1/domain_blocks", json!({"domain": "x.example"})).await.status, 403);
}

#[tokio::test]
async fn suggestions_come_from_follows_and_popularity_and_leave_out_the_unwanted() {
    let instance = support::start().await;
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for name in ["ana", "bruno", "carmen", "dora", "eva"] {
        let token = instance.sign_up(name).await;
        ids.push(instance.api(&token).account_id().await);
        tokens.push(token);
    }
    let [ana, bruno, _carmen, dora, eva] = [0, 1, 2, 3, 4].map(|i| tokens[i].clone());
    let [_, bruno_id, carmen_id, dora_id, eva_id] = [0, 1, 2, 3, 4].map(|i| ids[i].clone());
    instance.api(&ana).follow(&bruno_id).await;
    instance.api(&bruno).follow(&carmen_id).await;
    instance.api(&bruno).follow(&dora_id).await;
    instance.api(&dora).follow(&carmen_id).await;
    instance.api(&eva).follow(&carmen_id).await;
    // gil does not want to be found.
    let (gil, gil_id) = instance.sign_up_with_id("gil").await;
    instance.api(&gil).patch("/api/v1/accounts/update_credentials", json!({"discoverable": false})).await.ok();
    instance.api(&bruno).follow(&gil_id).await;

    let v1 = instance.api(&ana).get("/api/v1/suggestions").await.ok();
    openapi::assert_matches(&v1[0], "Account");
    let suggested = names(&v1, "id");
    assert!(suggested.contains(&carmen_id) && suggested.contains(&dora_id), "{suggested:?}");
    assert!(!suggested.contains(&bruno_id), "already followed: {suggested:?}");
    assert!(!suggested.contains(&ids[0]), "never oneself");
    assert!(!suggested.contains(&gil_id), "not discoverable: {suggested:?}");
    let v2 = instance.api(&ana).get("/api/v2/suggestions").await.ok();
    openapi::assert_matches(&v2[0], "Suggestion");
    let carmen_entry = v2.as_array().unwrap().iter().find(|s| s["account"]["id"] == carmen_id.as_str()).unwrap();
    assert_eq!(carmen_entry["sources"], json!(["friends_of_friends"]));

    // Someone new follows no one: the most followed come first.
    let fresh = instance.sign_up("fresh").await;
    let popular = names(&instance.api(&fresh).get("/api/v1/suggestions?limit=1").await.ok(), "id");
    assert_eq!(popular, [carmen_id.as_str()]);

    instance.api(&ana).delete(&format!("/api/v1/suggestions/{carmen_id}")).await.ok();
    instance.api(&ana).post(&format!("/api/v1/accounts/{dora_id}/mute"), json!({})).await.ok();
    instance.api(&ana).post(&format!("/api/v1/accounts/{eva_id}/block"), json!({})).await.ok();
    let after = names(&instance.api(&ana).get("/api/v1/suggestions").await.ok(), "id");
    for gone in [&carmen_id, &dora_id, &eva_id] {
        assert!(!after.contains(gone), "dismissed, muted or blocked account suggested: {after:?}");
    }
    assert_eq!(instance.api("").get("/api/v2/suggestions").await.status, 401);
}

#[tokio::test]
async fn email_confirmation_is_refused_as_mastodon_does_for_confirmed_addresses() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let error = instance.api(&ana).post("/api/v1/emails/confirmations", json!({})).await.error(403);
    assert!(error.contains("confirmation"), "{error}");
    assert_eq!(instance.api("").post("/api/v1/emails/confirmations", json!({})).await.status, 401);
}
