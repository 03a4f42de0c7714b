//! Posting, reading and acting on statuses through the client API, with
//! the timelines and notifications they feed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, openapi};

#[tokio::test]
async fn a_post_renders_mentions_tags_and_links_as_mastodon_html() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;

    let status = instance
        .api(&ana)
        .post_status(
            "Hola @bruno, see https://docs.acme.example/onboarding. #Onboarding <b>now</b>\n\nThanks @nobody",
            json!({"spoiler_text": "", "language": "es"}),
        )
        .await;
    openapi::assert_matches(&status, "Status");
    let content = status["content"].as_str().unwrap();
    let expected_mention = format!(
        r#"<span class="h-card" translate="no"><a href="{}/@bruno" class="u-url mention">@<span>bruno</span></a></span>"#,
        instance.base_url
    );
    assert!(content.starts_with("<p>Hola ") && content.contains(&expected_mention), "{content}");
    assert!(content.contains(r#"class="mention hashtag" rel="tag">#<span>Onboarding</span></a>"#), "{content}");
    assert!(content.contains(r#"href="https://docs.acme.example/onboarding""#), "{content}");
    assert!(content.contains("&lt;b&gt;now&lt;/b&gt;"), "markup is escaped: {content}");
    assert!(content.contains("</p><p>Thanks @nobody</p>"), "{content}");
    assert_eq!(status["mentions"][0]["id"], bruno_id.as_str());
    assert_eq!(status["tags"][0]["name"], "onboarding");
    assert_eq!(status["language"], "es");
    assert_eq!(status["visibility"], "public");

    let mentions = instance.api(&bruno).get("/api/v1/notifications?types[]=mention").await.ok();
    assert_eq!(mentions.as_array().unwrap().len(), 1);
    openapi::assert_matches(&mentions[0], "Notification");
    assert_eq!(mentions[0]["status"]["id"], status["id"]);
}

#[tokio::test]
async fn home_timelines_follow_the_social_graph_and_unfollow_removes_posts() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let early = instance.api(&ana).post_status("before the follow", json!({})).await;

    let relationship = instance.api(&bruno).follow(&ana_id).await;
    openapi::assert_matches(&relationship, "Relationship");
    assert_eq!(relationship["following"], true);
    let later = instance.api(&ana).post_status("after the follow", json!({})).await;
    let home = instance.api(&bruno).ids("/api/v1/timelines/home").await;
    assert_eq!(home, [later["id"].as_str().unwrap(), early["id"].as_str().unwrap()], "backfilled and new");
    assert!(instance.api(&carmen).ids("/api/v1/timelines/home").await.is_empty(), "carmen follows no one");

    let follow_notice = instance.api(&ana).get("/api/v1/notifications").await.ok();
    assert_eq!(follow_notice[0]["type"], "follow");

    let relationships = instance.api(&bruno).get(&format!("/api/v1/accounts/relationships?id[]={ana_id}")).await.ok();
    assert_eq!(relationships[0]["following"], true);
    let followers = instance.api(&carmen).get(&format!("/api/v1/accounts/{ana_id}/followers")).await.ok();
    assert_eq!(followers[0]["username"], "bruno");
    let ana_profile = instance.api(&carmen).get(&format!("/api/v1/accounts/{ana_id}")).await.ok();
    assert_eq!(ana_profile["followers_count"], 1);
    assert_eq!(ana_profile["statuses_count"], 2);

    instance.api(&bruno).post(&format!("/api/v1/accounts/{ana_id}/unfollow"), json!({})).await.ok();
    assert!(instance.api(&bruno).ids("/api/v1/timelines/home").await.is_empty());
}

#[tokio::test]
async fn home_timelines_are_trimmed_to_their_length_and_the_posts_stay() {
    let mut instance =
        TestInstance::start_with_env(support::BINARY, &[("TERTULIA_LIMITS_HOME_TIMELINE_LENGTH", "40")]).await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    instance.api(&bruno).follow(&ana_id).await;
    let mut posted = Vec::new();
    for n in 0..45 {
        posted.push(
            instance.api(&ana).post_status(&format!("post {n}"), json!({})).await["id"].as_str().unwrap().to_owned(),
        );
    }
    posted.reverse();
    let first = instance.api(&bruno).ids("/api/v1/timelines/home?limit=40").await;
    let rest = instance.api(&bruno).ids(&format!("/api/v1/timelines/home?limit=40&max_id={}", first[39])).await;
    assert_eq!([first, rest].concat(), posted, "all 45 until the server trims");

    // The server trims at start (in the background, so the first request
    // may come before it is done) and then every ten minutes.
    instance.restart().await;
    instance
        .eventually("the trim after the restart", || async {
            instance.logs().contains("home timelines trimmed").then_some(())
        })
        .await;
    let first = instance.api(&bruno).ids("/api/v1/timelines/home?limit=40").await;
    assert_eq!(first, posted[..40], "the 40 newest stay");
    let rest = instance.api(&bruno).ids(&format!("/api/v1/timelines/home?limit=40&max_id={}", first[39])).await;
    assert!(rest.is_empty(), "older entries are gone from the home timeline: {rest:?}");
    let profile =
        instance.api(&bruno).ids(&format!("/api/v1/accounts/{ana_id}/statuses?limit=40&max_id={}", first[39])).await;
    assert_eq!(profile, posted[40..], "the posts themselves stay on the profile");

    // Fan-out after the trim adds to the kept entries, no duplicates.
    let newest = instance.api(&ana).post_status("after the trim", json!({})).await;
    let first = instance.api(&bruno).ids("/api/v1/timelines/home?limit=40").await;
    assert_eq!(first[0], newest["id"].as_str().unwrap());
    assert_eq!(first[1..], posted[..39]);
}

#[tokio::test]
async fn favourites_boosts_and_bookmarks_update_counts_and_notify() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let post = instance.api(&ana).post_status("worth sharing", json!({})).await;
    let id = post["id"].as_str().unwrap();
    let b = instance.api(&bruno);

    let faved = b.post(&format!("/api/v1/statuses/{id}/favourite"), json!({})).await.ok();
    assert_eq!((faved["favourited"].clone(), faved["favourites_count"].clone()), (json!(true), json!(1)));
    b.post(&format!("/api/v1/statuses/{id}/favourite"), json!({})).await.ok();
    assert_eq!(b.get(&format!("/api/v1/statuses/{id}")).await.ok()["favourites_count"], 1, "idempotent");

    let boost = b.post(&format!("/api/v1/statuses/{id}/reblog"), json!({})).await.ok();
    openapi::assert_matches(&boost, "Status");
    assert_eq!(boost["reblog"]["id"], id);
    assert_eq!(boost["reblog"]["reblogs_count"], 1);
    assert_eq!(boost["reblog"]["reblogged"], true);

    let bookmarked = b.post(&format!("/api/v1/statuses/{id}/bookmark"), json!({})).await.ok();
    assert_eq!(bookmarked["bookmarked"], true);
    assert_eq!(b.ids("/api/v1/bookmarks").await, [id]);
    assert_eq!(b.ids("/api/v1/favourites").await, [id]);

    let kinds: Vec<String> = instance
        .api(&ana)
        .get("/api/v1/notifications")
        .await
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["reblog", "favourite"]);

    let unboosted = b.post(&format!("/api/v1/statuses/{id}/unreblog"), json!({})).await.ok();
    assert_eq!((unboosted["reblogged"].clone(), unboosted["reblogs_count"].clone()), (json!(false), json!(0)));
    let unfaved = b.post(&format!("/api/v1/statuses/{id}/unfavourite"), json!({})).await.ok();
    assert_eq!(unfaved["favourites_count"], 0);
    let left = instance.api(&ana).get("/api/v1/notifications").await.ok();
    assert!(left.as_array().unwrap().is_empty(), "undone actions retract their notifications: {left}");
}

#[tokio::test]
async fn replies_thread_and_deleting_returns_the_source_for_redraft() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let root = instance.api(&ana).post_status("Who knows Kubernetes?", json!({})).await;
    let root_id = root["id"].as_str().unwrap();
    let reply = instance.api(&bruno).post_status("@ana I do", json!({"in_reply_to_id": root_id})).await;
    let reply_id = reply["id"].as_str().unwrap();
    let nested = instance.api(&ana).post_status("@bruno great!", json!({"in_reply_to_id": reply_id})).await;
    assert_eq!(reply["in_reply_to_id"], root_id);
    assert_eq!(reply["in_reply_to_account_id"], root["account"]["id"]);

    let context = instance.api(&bruno).get(&format!("/api/v1/statuses/{root_id}/context")).await.ok();
    let descendants: Vec<&str> =
        context["descendants"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(descendants, [reply_id, nested["id"].as_str().unwrap()]);
    let up =
        instance.api(&bruno).get(&format!("/api/v1/statuses/{}/context", nested["id"].as_str().unwrap())).await.ok();
    assert_eq!(up["ancestors"][0]["id"], root_id);
    assert_eq!(instance.api(&ana).get(&format!("/api/v1/statuses/{root_id}")).await.ok()["replies_count"], 1);

    let refused = instance.api(&bruno).delete(&format!("/api/v1/statuses/{root_id}")).await;
    assert_eq!(refused.status, 403);
    let deleted = instance.api(&ana).delete(&format!("/api/v1/statuses/{root_id}")).await.ok();
    assert_eq!(deleted["text"], "Who knows Kubernetes?");
    assert_eq!(instance.api(&ana).get(&format!("/api/v1/statuses/{root_id}")).await.status, 404);
}

#[tokio::test]
async fn private_direct_and_site_only_posts_stay_with_their_audience() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let follower = instance.sign_up("follower").await;
    let stranger = instance.sign_up("stranger").await;
    let friend = instance.sign_up("friend").await;
    instance.api(&follower).follow(&ana_id).await;

    let private = instance.api(&ana).post_status("followers only #secret", json!({"visibility": "private"})).await;
    let direct = instance.api(&ana).post_status("@friend just you #secret", json!({"visibility": "direct"})).await;
    let site_only = instance.api(&ana).post_status("site only #secret", json!({"visibility": "local"})).await;
    assert_eq!((site_only["visibility"].clone(), site_only["local_only"].clone()), (json!("public"), json!(true)));
    let anonymous = instance.api("");

    let sees = |token: &str, id: &Value| {
        let (instance, token, id) = (&instance, token.to_owned(), id.as_str().unwrap().to_owned());
        async move { instance.api(&token).get(&format!("/api/v1/statuses/{id}")).await.status == 200 }
    };
    for (who, token, private_ok, direct_ok, site_ok) in [
        ("follower", follower.as_str(), true, false, true),
        ("stranger", stranger.as_str(), false, false, true),
        ("friend", friend.as_str(), false, true, true),
        ("anonymous", "", false, false, false),
    ] {
        assert_eq!(sees(token, &private["id"]).await, private_ok, "{who} private");
        assert_eq!(sees(token, &direct["id"]).await, direct_ok, "{who} direct");
        assert_eq!(sees(token, &site_only["id"]).await, site_ok, "{who} site-only");
        let listed = instance.api(token).ids(&format!("/api/v1/accounts/{ana_id}/statuses")).await;
        assert_eq!(listed.contains(&private["id"].as_str().unwrap().to_owned()), private_ok, "{who} profile private");
        assert!(!listed.contains(&direct["id"].as_str().unwrap().to_owned()), "{who} never sees DMs on a profile");
        let tagged = instance.api(token).ids("/api/v1/timelines/tag/secret").await;
        let public = instance.api(token).ids("/api/v1/timelines/public").await;
        for timeline in [&tagged, &public] {
            assert!(!timeline.contains(&private["id"].as_str().unwrap().to_owned()), "{who}: private is never public");
            assert!(!timeline.contains(&direct["id"].as_str().unwrap().to_owned()), "{who}: direct is never public");
            assert_eq!(
                timeline.contains(&site_only["id"].as_str().unwrap().to_owned()),
                site_ok,
                "{who} site-only public"
            );
        }
        let favourite = instance
            .api(token)
            .post(&format!("/api/v1/statuses/{}/favourite", private["id"].as_str().unwrap()), json!({}))
            .await;
        if !private_ok && !token.is_empty() {
            assert_eq!(favourite.status, 404, "{who} cannot act on what they cannot see");
        }
    }
    assert!(
        instance
            .api(&follower)
            .ids("/api/v1/timelines/home")
            .await
            .contains(&private["id"].as_str().unwrap().to_owned())
    );
    assert!(
        instance.api(&friend).ids("/api/v1/timelines/home").await.contains(&direct["id"].as_str().unwrap().to_owned())
    );
    assert!(
        !instance
            .api(&stranger)
            .ids("/api/v1/timelines/home")
            .await
            .contains(&private["id"].as_str().unwrap().to_owned())
    );
    let boost = instance
        .api(&follower)
        .post(&format!("/api/v1/statuses/{}/reblog", private["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(boost.status, 403, "followers-only posts cannot be boosted");
    let reply_to_hidden = instance
        .api(&stranger)
        .post("/api/v1/statuses", json!({"status": "hi", "in_reply_to_id": private["id"]}))
        .await;
    assert_eq!(reply_to_hidden.status, 404);
    let _ = anonymous;
}

#[tokio::test]
async fn pagination_pages_with_link_headers_in_both_directions() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(api.post_status(&format!("post {n}"), json!({})).await["id"].as_str().unwrap().to_owned());
    }
    ids.reverse(); // newest first
    let first = api.get("/api/v1/timelines/home?limit=2").await;
    let link = first.link.clone().expect("Link header");
    let page: Vec<String> =
        first.ok().as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(page, ids[0..2]);
    assert!(link.contains(&format!("max_id={}", ids[1])) && link.contains("rel=\"next\""), "{link}");
    assert!(link.contains(&format!("min_id={}", ids[0])) && link.contains("rel=\"prev\""), "{link}");
    assert!(link.contains("limit=2"), "other parameters are kept: {link}");

    assert_eq!(api.ids(&format!("/api/v1/timelines/home?limit=2&max_id={}", ids[1])).await, ids[2..4]);
    assert_eq!(
        api.ids(&format!("/api/v1/timelines/home?limit=2&min_id={}", ids[4])).await,
        ids[2..4],
        "min_id: the page just above"
    );
    assert_eq!(
        api.ids(&format!("/api/v1/timelines/home?limit=2&since_id={}", ids[4])).await,
        ids[0..2],
        "since_id: the newest"
    );
    assert_eq!(api.ids("/api/v1/timelines/home?limit=500").await.len(), 5, "limit is capped, not refused");
    assert_eq!(api.get("/api/v1/timelines/home?max_id=abc").await.error(400), "max_id: 'abc' is not an id");
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_changes_nothing() {
    let instance = TestInstance::start_with_env(support::BINARY, &[("TERTULIA_LIMITS_MAX_STATUS_CHARS", "50")]).await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    assert_eq!(
        api.post("/api/v1/statuses", json!({"status": "   "})).await.error(422),
        "Validation failed: status: can't be blank"
    );
    assert!(api.post("/api/v1/statuses", json!({"status": "x".repeat(51)})).await.error(422).contains("at most 50"));
    // A long URL counts as 23 characters, as on Mastodon.
    let url_post = format!("see https://example.com/{}", "a".repeat(80));
    api.post("/api/v1/statuses", json!({"status": url_post})).await.ok();
    assert!(
        api.post("/api/v1/statuses", json!({"status": "hi", "visibility": "secret"}))
            .await
            .error(422)
            .contains("not a visibility")
    );
    assert_eq!(api.get("/api/v1/statuses/999999999").await.error(404), "status not found");
    assert_eq!(api.get("/api/v1/statuses/not-a-number").await.status, 404);
    assert_eq!(api.get("/api/v1/accounts/123").await.status, 404);

    let malformed = instance
        .client
        .post(instance.url("/api/v1/statuses"))
        .bearer_auth(&ana)
        .header("Content-Type", "application/json")
        .body("{\"status\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(malformed.json::<Value>().await.unwrap()["error"].as_str().unwrap().starts_with("invalid JSON"));
    let huge = instance
        .client
        .post(instance.url("/api/v1/statuses"))
        .bearer_auth(&ana)
        .header("Content-Type", "application/json")
        .body(format!("{{\"status\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);

    let read_only = instance.token_with_scopes("ana", "read").await;
    assert!(
        instance
            .api(&read_only)
            .post("/api/v1/statuses", json!({"status": "hi"}))
            .await
            .error(403)
            .contains("write:statuses")
    );
    assert_eq!(instance.api("").post("/api/v1/statuses", json!({"status": "hi"})).await.status, 401);
    assert_eq!(instance.api("").get("/api/v1/timelines/home").await.status, 401);
    let statuses = api.get(&format!("/api/v1/accounts/{}/statuses", api.account_id().await)).await.ok();
    assert_eq!(statuses.as_array().unwrap().len(), 1, "only the valid post was stored");
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retried_post_count_once() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let send = || async {
        instance
            .client
            .post(instance.url("/api/v1/statuses"))
            .bearer_auth(&ana)
            .header("Idempotency-Key", "retry-123")
            .form(&[("status", "posted once"), ("visibility", "unlisted")])
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let first = send().await;
    let second = send().await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["visibility"], "unlisted", "form bodies work too");
    assert_eq!(instance.api(&ana).ids("/api/v1/timelines/home").await.len(), 1);
}

#[tokio::test]
async fn locked_accounts_approve_followers_and_suspended_ones_cannot_be_followed() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let (carmen, carmen_id) = instance.sign_up_with_id("carmen").await;
    let updated = instance
        .client
        .patch(instance.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&ana)
        .form(&[
            ("locked", "true"),
            ("display_name", "Ana García"),
            ("note", "Platform team, Madrid"),
            ("fields_attributes[0][name]", "Department"),
            ("fields_attributes[0][value]", "IT & Platform"),
            ("fields_attributes[1][name]", "Site"),
            ("fields_attributes[1][value]", "Madrid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.unwrap();
    openapi::assert_matches(&updated, "CredentialAccount");
    assert_eq!(updated["locked"], true);
    assert_eq!(updated["display_name"], "Ana García");
    assert_eq!(updated["note"], "<p>Platform team, Madrid</p>");
    assert_eq!(updated["fields"][0], json!({"name": "Department", "value": "IT &amp; Platform", "verified_at": null}));
    assert_eq!(updated["source"]["fields"][0]["value"], "IT & Platform", "the source keeps what was typed");
    assert_eq!(updated["fields"][1]["name"], "Site");

    let asked = instance.api(&bruno).follow(&ana_id).await;
    assert_eq!((asked["following"].clone(), asked["requested"].clone()), (json!(false), json!(true)));
    instance.api(&carmen).follow(&ana_id).await;
    let pending = instance.api(&ana).ids("/api/v1/follow_requests").await;
    assert_eq!(pending, [carmen_id.clone(), bruno_id.clone()]);
    let notice = instance.api(&ana).get("/api/v1/notifications?types[]=follow_request").await.ok();
    assert_eq!(notice.as_array().unwrap().len(), 2);

    let accepted =
        instance.api(&ana).post(&format!("/api/v1/follow_requests/{bruno_id}/authorize"), json!({})).await.ok();
    assert_eq!(accepted["followed_by"], true);
    instance.api(&ana).post(&format!("/api/v1/follow_requests/{carmen_id}/reject"), json!({})).await.ok();
    assert!(instance.api(&ana).ids("/api/v1/follow_requests").await.is_empty());
    let bruno_view = instance.api(&bruno).get(&format!("/api/v1/accounts/relationships?id={ana_id}")).await.ok();
    assert_eq!(bruno_view[0]["following"], true);
    let carmen_view = instance.api(&carmen).get(&format!("/api/v1/accounts/relationships?id={ana_id}")).await.ok();
    assert_eq!(
        (carmen_view[0]["following"].clone(), carmen_view[0]["requested"].clone()),
        (json!(false), json!(false))
    );
    let again = instance.api(&ana).post(&format!("/api/v1/follow_requests/{carmen_id}/authorize"), json!({})).await;
    assert_eq!(again.status, 404);

    let too_many: Vec<(String, String)> = (0..5)
        .flat_map(|i| {
            [
                (format!("fields_attributes[{i}][name]"), format!("n{i}")),
                (format!("fields_attributes[{i}][value]"), "v".into()),
            ]
        })
        .collect();
    let refused = instance
        .client
        .patch(instance.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&ana)
        .form(&too_many)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);

    assert!(instance.cli(&["admin", "user", "suspend", "ana"]).await.status.success());
    let status = instance.api(&carmen).post(&format!("/api/v1/accounts/{ana_id}/follow"), json!({})).await.status;
    assert_eq!(status, 404, "suspended accounts cannot be followed");
}

#[tokio::test]
async fn startup_endpoints_answer_like_an_empty_mastodon() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    for path in [
        "/api/v1/custom_emojis",
        "/api/v1/announcements",
        "/api/v2/filters",
        "/api/v1/filters",
        "/api/v1/lists",
        "/api/v1/followed_tags",
        "/api/v1/instance/peers",
        "/api/v1/instance/rules",
        "/api/v2/suggestions",
        "/api/v1/trends/tags",
        "/api/v1/blocks",
        "/api/v1/mutes",
        "/api/v1/conversations",
    ] {
        assert_eq!(api.get(path).await.ok(), json!([]), "{path}");
    }
    assert_eq!(api.get("/api/v1/preferences").await.ok()["posting:default:visibility"], "public");
    assert_eq!(api.get("/api/v1/push/subscription").await.status, 404);
    let description = instance.api("").get("/api/v1/instance/extended_description").await.ok();
    assert!(description["content"].as_str().unwrap().starts_with("<p>"));
}

#[tokio::test]
async fn grouped_notifications_fold_favourites_of_one_status() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let post = instance.api(&ana).post_status("group me", json!({})).await;
    let id = post["id"].as_str().unwrap();
    let mut fans = Vec::new();
    for name in ["bruno", "carmen", "dario"] {
        let token = instance.sign_up(name).await;
        instance.api(&token).post(&format!("/api/v1/statuses/{id}/favourite"), json!({})).await.ok();
        fans.push(instance.api(&token).account_id().await);
    }
    let dario = instance.token_with_scopes("dario", "read write").await;
    instance.api(&dario).post_status("@ana hello", json!({})).await;

    let grouped = instance.api(&ana).get("/api/v2/notifications").await.ok();
    // The schema types most_recent_notification_id as a number. Ours are
    // 64-bit and would lose precision in JavaScript, so they are strings,
    // like every other id: check the rest of the shape with that allowance.
    let mut as_schema = grouped.clone();
    for group in as_schema["notification_groups"].as_array_mut().unwrap() {
        let id: i64 = group["most_recent_notification_id"].as_str().unwrap().parse().unwrap();
        group["most_recent_notification_id"] = json!(id);
    }
    openapi::assert_matches(&as_schema, "GroupedNotificationsResults");
    let groups = grouped["notification_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{grouped}");
    assert_eq!(groups[0]["type"], "mention");
    assert_eq!(groups[1]["type"], "favourite");
    assert_eq!(groups[1]["notifications_count"], 3);
    assert_eq!(groups[1]["status_id"], id);
    let sample: Vec<&str> =
        groups[1]["sample_account_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(sample, [fans[2].as_str(), fans[1].as_str(), fans[0].as_str()]);
    assert_eq!(grouped["accounts"].as_array().unwrap().len(), 3, "each account once");
    assert_eq!(instance.get_json("/api/v2/instance").await["api_versions"]["mastodon"], 2);
}

#[tokio::test]
async fn blocks_and_mutes_hide_accounts_where_mastodon_does() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let (carmen, carmen_id) = instance.sign_up_with_id("carmen").await;
    instance.api(&ana).follow(&bruno_id).await;
    instance.api(&bruno).follow(&ana_id).await;
    instance.api(&ana).follow(&carmen_id).await;

    let by_bruno = instance.api(&bruno).post_status("bruno speaks", json!({})).await;
    let by_carmen = instance.api(&carmen).post_status("carmen speaks", json!({})).await;
    let by_ana = instance.api(&ana).post_status("ana speaks", json!({})).await;

    // Block: follows end both ways, and each stops seeing the other.
    let blocked = instance.api(&ana).post(&format!("/api/v1/accounts/{bruno_id}/block"), json!({})).await.ok();
    assert_eq!(
        (blocked["blocking"].clone(), blocked["following"].clone(), blocked["followed_by"].clone()),
        (json!(true), json!(false), json!(false))
    );
    let seen_by_bruno = instance.api(&bruno).get(&format!("/api/v1/accounts/relationships?id[]={ana_id}")).await.ok();
    assert_eq!(seen_by_bruno[0]["blocked_by"], true);
    assert_eq!(
        instance.api(&bruno).get(&format!("/api/v1/statuses/{}", by_ana["id"].as_str().unwrap())).await.status,
        404
    );
    assert!(
        !instance
            .api(&ana)
            .ids("/api/v1/timelines/public")
            .await
            .contains(&by_bruno["id"].as_str().unwrap().to_owned())
    );
    assert_eq!(instance.api(&bruno).post(&format!("/api/v1/accounts/{ana_id}/follow"), json!({})).await.status, 403);
    instance
        .api(&bruno)
        .post(&format!("/api/v1/statuses/{}/favourite", by_carmen["id"].as_str().unwrap()), json!({}))
        .await
        .ok();
    assert_eq!(instance.api(&ana).ids("/api/v1/blocks").await, [bruno_id.as_str()]);

    // Mute: carmen leaves ana's timelines but stays reachable directly.
    let muted = instance
        .api(&ana)
        .post_form(&format!("/api/v1/accounts/{carmen_id}/mute"), &[("notifications", "false")])
        .await
        .ok();
    assert_eq!((muted["muting"].clone(), muted["muting_notifications"].clone()), (json!(true), json!(false)));
    let home = instance.api(&ana).ids("/api/v1/timelines/home").await;
    assert!(!home.contains(&by_carmen["id"].as_str().unwrap().to_owned()), "muted: gone from home");
    assert!(home.contains(&by_ana["id"].as_str().unwrap().to_owned()));
    assert_eq!(
        instance.api(&ana).get(&format!("/api/v1/statuses/{}", by_carmen["id"].as_str().unwrap())).await.status,
        200
    );
    assert_eq!(instance.api(&ana).ids("/api/v1/mutes").await, [carmen_id.as_str()]);
    let bad_duration =
        instance.api(&ana).post(&format!("/api/v1/accounts/{carmen_id}/mute"), json!({"duration": "soon"})).await;
    assert!(bad_duration.error(400).contains("duration"));

    instance.api(&ana).post(&format!("/api/v1/accounts/{carmen_id}/unmute"), json!({})).await.ok();
    instance.api(&ana).post(&format!("/api/v1/accounts/{bruno_id}/unblock"), json!({})).await.ok();
    assert!(
        instance.api(&ana).ids("/api/v1/timelines/home").await.contains(&by_carmen["id"].as_str().unwrap().to_owned())
    );
    assert_eq!(
        instance.api(&bruno).get(&format!("/api/v1/statuses/{}", by_ana["id"].as_str().unwrap())).await.status,
        200
    );
    assert!(instance.api(&ana).ids("/api/v1/blocks").await.is_empty());
}

#[tokio::test]
async fn a_suspended_accounts_statuses_disappear_until_reinstated() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let post = instance.api(&ana).post_status("soon hidden", json!({})).await;
    let id = post["id"].as_str().unwrap().to_owned();
    assert!(instance.cli(&["admin", "user", "suspend", "ana"]).await.status.success());
    assert_eq!(instance.api(&bruno).get(&format!("/api/v1/statuses/{id}")).await.status, 404);
    assert!(!instance.api(&bruno).ids("/api/v1/timelines/public").await.contains(&id));
    assert!(!instance.api("").ids("/api/v1/timelines/public").await.contains(&id));
    assert!(instance.cli(&["admin", "user", "unsuspend", "ana"]).await.status.success());
    assert!(instance.api(&bruno).ids("/api/v1/timelines/public").await.contains(&id));
}

#[tokio::test]
async fn push_subscriptions_are_stored_per_token() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    assert_eq!(api.get("/api/v1/push/subscription").await.status, 404, "none yet, as Mastodon answers");
    let created = api
        .post_form(
            "/api/v1/push/subscription",
            &[
                ("subscription[endpoint]", "https://push.example/send/abc"),
                ("subscription[keys][p256dh]", "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcx"),
                ("subscription[keys][auth]", "8eDyX_uCN0XRhSbY5hs7Hg"),
                ("data[alerts][mention]", "true"),
                ("data[alerts][favourite]", "false"),
                ("data[policy]", "followed"),
            ],
        )
        .await
        .ok();
    openapi::assert_matches(&created, "WebPushSubscription");
    assert_eq!(created["alerts"]["mention"], true);
    assert_eq!(created["alerts"]["follow"], false);
    assert_eq!(created["policy"], "followed");
    let updated = instance
        .client
        .put(instance.url("/api/v1/push/subscription"))
        .bearer_auth(&ana)
        .json(&json!({"data": {"alerts": {"follow": true}, "policy": "all"}}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        (updated["alerts"]["follow"].clone(), updated["alerts"]["mention"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(api.get("/api/v1/push/subscription").await.ok()["id"], created["id"]);
    let other_token = instance.token_with_scopes("ana", "read write push").await;
    assert_eq!(instance.api(&other_token).get("/api/v1/push/subscription").await.status, 404, "one per token");

    let bad =
        api.post_form("/api/v1/push/subscription", &[("subscription[endpoint]", "http://insecure.example/x")]).await;
    assert!(bad.error(422).contains("https"));
    let unknown = api
        .post_form(
            "/api/v1/push/subscription",
            &[
                ("subscription[endpoint]", "https://push.example/x"),
                ("subscription[keys][p256dh]", "k"),
                ("subscription[keys][auth]", "a"),
                ("data[alerts][gossip]", "true"),
            ],
        )
        .await;
    assert!(unknown.error(422).contains("gossip"));
    assert_eq!(api.get("/api/v1/push/subscription").await.ok()["endpoint"], "https://push.example/send/abc", "kept");
    api.delete("/api/v1/push/subscription").await.ok();
    assert_eq!(api.get("/api/v1/push/subscription").await.status, 404);
    let read_only = instance.token_with_scopes("ana", "read").await;
    assert_eq!(instance.api(&read_only).get("/api/v1/push/subscription").await.status, 403);
}

#[tokio::test]
async fn familiar_followers_are_the_people_you_follow_who_follow_them() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let dario = instance.sign_up("dario").await;
    let [bruno_id, carmen_id, dario_id] = [
        instance.api(&bruno).account_id().await,
        instance.api(&carmen).account_id().await,
        instance.api(&dario).account_id().await,
    ];
    instance.api(&ana).follow(&bruno_id).await;
    instance.api(&bruno).follow(&dario_id).await;
    instance.api(&carmen).follow(&dario_id).await; // ana does not follow carmen
    let familiar = instance
        .api(&ana)
        .get(&format!("/api/v1/accounts/familiar_followers?id[]={dario_id}&id[]={carmen_id}"))
        .await
        .ok();
    openapi::assert_matches(&familiar[0], "FamiliarFollowers");
    assert_eq!(familiar[0]["id"], dario_id.as_str());
    let known: Vec<&str> =
        familiar[0]["accounts"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(known, ["bruno"]);
    assert_eq!(familiar[1]["accounts"], json!([]));
}

#[tokio::test]
async fn tag_timelines_combine_any_all_and_none() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);
    let rust = api.post_status("#rust only", json!({})).await["id"].as_str().unwrap().to_owned();
    let both = api.post_status("#rust and #madrid", json!({})).await["id"].as_str().unwrap().to_owned();
    let madrid = api.post_status("#madrid only", json!({})).await["id"].as_str().unwrap().to_owned();
    let go = api.post_status("#golang", json!({})).await["id"].as_str().unwrap().to_owned();
    assert_eq!(api.ids("/api/v1/timelines/tag/rust").await, [both.as_str(), rust.as_str()]);
    assert_eq!(api.ids("/api/v1/timelines/tag/rust?any[]=golang").await, [go.as_str(), both.as_str(), rust.as_str()]);
    assert_eq!(api.ids("/api/v1/timelines/tag/rust?all[]=madrid").await, [both.as_str()]);
    assert_eq!(api.ids("/api/v1/timelines/tag/madrid?none[]=rust").await, [madrid.as_str()]);
    assert!(api.ids("/api/v1/timelines/tag/rust?all[]=neverused").await.is_empty());
    assert_eq!(api.ids("/api/v1/timelines/tag/RUST?none[]=neverused").await.len(), 2, "case-insensitive");
}

#[tokio::test]
async fn following_with_notify_announces_new_posts_but_not_replies_to_others() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let rang =
        instance.api(&bruno).post(&format!("/api/v1/accounts/{ana_id}/follow"), json!({"notify": true})).await.ok();
    assert_eq!(rang["notifying"], true);
    instance.api(&carmen).follow(&ana_id).await;
    let post = instance.api(&ana).post_status("big news", json!({})).await;
    let other = instance.api(&carmen).post_status("a thread", json!({})).await;
    instance.api(&ana).post_status("a reply to carmen", json!({"in_reply_to_id": other["id"]})).await;
    instance.api(&ana).post_status("followers only", json!({"visibility": "private"})).await;

    let bell = instance.api(&bruno).get("/api/v1/notifications?types[]=status").await.ok();
    let ids: Vec<&str> = bell.as_array().unwrap().iter().map(|n| n["status"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "the post and the followers-only post, not the reply: {bell}");
    assert!(ids.contains(&post["id"].as_str().unwrap()));
    assert!(
        instance.api(&carmen).get("/api/v1/notifications?types[]=status").await.ok().as_array().unwrap().is_empty()
    );
}

#[tokio::test]
async fn a_boost_of_a_post_already_in_home_is_not_shown_again_nor_merged_on_refollow() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let (ana_id, carmen_id) = (instance.api(&ana).account_id().await, instance.api(&carmen).account_id().await);
    instance.api(&bruno).follow(&ana_id).await;
    instance.api(&bruno).follow(&carmen_id).await;
    let post = instance.api(&ana).post_status("worth sharing", json!({})).await;
    let post_id = post["id"].as_str().unwrap();
    instance.api(&carmen).post(&format!("/api/v1/statuses/{post_id}/reblog"), json!({})).await.ok();
    assert_eq!(instance.api(&bruno).ids("/api/v1/timelines/home").await, [post_id], "the boost is not shown again");

    instance.api(&bruno).post(&format!("/api/v1/accounts/{carmen_id}/unfollow"), json!({})).await.ok();
    instance.api(&bruno).follow(&carmen_id).await;
    assert_eq!(instance.api(&bruno).ids("/api/v1/timelines/home").await, [post_id], "nor merged on re-follow");
}
