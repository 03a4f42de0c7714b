//! Edits, pins, who reacted, polls, direct-message conversations and
//! muted threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, openapi};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Moves a poll's end into the past, as if its time had run out (the
/// shortest poll lasts five minutes).
fn end_poll(instance: &TestInstance, poll_id: &str) {
    use diesel::prelude::*;
    use tertulia_db::schema::polls;
    let config = tertulia_core::config::DatabaseConfig { url: instance.db.url.clone(), ..Default::default() };
    let db = tertulia_db::Db::connect(&config).unwrap();
    let poll_id: i64 = poll_id.parse().unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    db.run_blocking(|conn| {
        diesel::update(polls::table.find(poll_id)).set(polls::expires_at.eq(past)).execute(conn)?;
        Ok::<_, tertulia_db::DbError>(())
    })
    .unwrap();
}

#[tokio::test]
async fn edits_keep_every_version_and_tell_boosters() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let status = instance.api(&ana).post_status("First draft #draft", json!({})).await;
    let path = format!("/api/v1/statuses/{}", id(&status));
    instance.api(&bruno).post(&format!("{path}/reblog"), json!({})).await.ok();

    let unedited = instance.api(&bruno).get(&format!("{path}/history")).await.ok();
    assert_eq!(unedited.as_array().unwrap().len(), 1, "an unedited status has its one version");

    let refusal = instance.api(&bruno).put(&path, json!({"status": "mine now"})).await.error(403);
    assert!(refusal.contains("your own"), "{refusal}");

    let edited = instance
        .api(&ana)
        .put(&path, json!({"status": "Second take @bruno #final", "spoiler_text": "plans", "language": "es"}))
        .await
        .ok();
    openapi::assert_matches(&edited, "Status");
    assert!(edited["edited_at"].is_string());
    assert!(edited["content"].as_str().unwrap().contains("Second take"));
    assert_eq!(edited["tags"][0]["name"], "final");
    assert_eq!(edited["tags"].as_array().unwrap().len(), 1, "the old tag is gone");
    assert_eq!(edited["mentions"][0]["username"], "bruno");
    assert_eq!((edited["spoiler_text"].as_str(), edited["sensitive"].as_bool()), (Some("plans"), Some(true)));
    assert_eq!(edited["language"], "es");
    instance.api(&ana).put(&path, json!({"status": "Third take"})).await.ok();

    let history = instance.api(&bruno).get(&format!("{path}/history")).await.ok();
    let contents: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["content"].as_str().unwrap()).collect();
    assert_eq!(contents.len(), 3, "{history}");
    assert!(
        contents[0].contains("First draft") && contents[1].contains("Second take") && contents[2].contains("Third")
    );
    assert_eq!(history[0]["created_at"], status["created_at"], "history starts with the status as posted");
    for version in history.as_array().unwrap() {
        openapi::assert_matches(version, "StatusEdit");
    }
    assert_eq!(history[1]["spoiler_text"], "plans");

    let source = instance.api(&ana).get(&format!("{path}/source")).await.ok();
    openapi::assert_matches(&source, "StatusSource");
    assert_eq!(source, json!({"id": id(&status), "text": "Third take", "spoiler_text": "plans"}));

    let updates = instance.api(&bruno).get("/api/v1/notifications?types[]=update").await.ok();
    assert_eq!(updates.as_array().unwrap().len(), 2, "one per edit: {updates}");
    assert_eq!(updates[0]["status"]["id"], id(&status));

    // A refused edit changes nothing.
    let too_long = "x".repeat(501);
    let message = instance.api(&ana).put(&path, json!({"status": too_long})).await.error(422);
    assert!(message.contains("too long"), "{message}");
    let message = instance.api(&ana).put(&path, json!({"status": "with media", "media_ids": ["1"]})).await.error(422);
    assert!(message.contains("media_ids"), "{message}");
    assert_eq!(instance.api(&ana).get(&format!("{path}/history")).await.ok().as_array().unwrap().len(), 3);
    assert_eq!(instance.api(&ana).get(&format!("{path}/source")).await.ok()["text"], "Third take");
    instance.api(&ana).put("/api/v1/statuses/123", json!({"status": "x"})).await.error(404);
}

#[tokio::test]
async fn history_source_polls_and_reactions_of_hidden_statuses_are_not_found() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&bruno).follow(&ana_id).await;
    let private = instance
        .api(&ana)
        .post_status(
            "Followers only",
            json!({"visibility": "private", "poll": {"options": ["a", "b"], "expires_in": 600}}),
        )
        .await;
    let path = format!("/api/v1/statuses/{}", id(&private));
    let poll_path = format!("/api/v1/polls/{}", private["poll"]["id"].as_str().unwrap());
    instance.api(&bruno).post(&format!("{path}/favourite"), json!({})).await.ok();
    for suffix in ["history", "source", "favourited_by", "reblogged_by"] {
        instance.api(&bruno).get(&format!("{path}/{suffix}")).await.ok();
        instance.api(&carmen).get(&format!("{path}/{suffix}")).await.error(404);
        instance.api("").get(&format!("{path}/{suffix}")).await.error(404);
    }
    instance.api(&bruno).get(&poll_path).await.ok();
    instance.api(&carmen).get(&poll_path).await.error(404);
    instance.api(&carmen).post(&format!("{poll_path}/votes"), json!({"choices": [0]})).await.error(404);
    instance.api(&carmen).post(&format!("{path}/mute"), json!({})).await.error(404);
    instance.api(&carmen).post(&format!("{path}/pin"), json!({})).await.error(404);
}

#[tokio::test]
async fn pins_are_own_not_direct_and_at_most_five() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        let visibility = if n == 0 { "private" } else { "public" };
        ids.push(id(&instance.api(&ana).post_status(&format!("post {n}"), json!({"visibility": visibility})).await));
    }
    for status in &ids[..5] {
        let pinned = instance.api(&ana).post(&format!("/api/v1/statuses/{status}/pin"), json!({})).await.ok();
        assert_eq!(pinned["pinned"], true);
    }
    let message = instance.api(&ana).post(&format!("/api/v1/statuses/{}/pin", ids[5]), json!({})).await.error(422);
    assert!(message.contains("at most 5"), "{message}");
    let instance_info = instance.api("").get("/api/v2/instance").await.ok();
    assert_eq!(instance_info["configuration"]["accounts"]["max_pinned_statuses"], 5);

    let direct = id(&instance.api(&ana).post_status("secret", json!({"visibility": "direct"})).await);
    let message = instance.api(&ana).post(&format!("/api/v1/statuses/{direct}/pin"), json!({})).await.error(422);
    assert!(message.contains("direct"), "{message}");
    let message = instance.api(&bruno).post(&format!("/api/v1/statuses/{}/pin", ids[1]), json!({})).await.error(422);
    assert!(message.contains("your own"), "{message}");

    let pinned_path = format!("/api/v1/accounts/{ana_id}/statuses?pinned=true");
    let own = instance.api(&ana).get(&pinned_path).await.ok();
    let own_ids: Vec<&str> = own.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = ids[..5].iter().rev().map(String::as_str).collect();
    assert_eq!(own_ids, expected, "most recently pinned first, refused pins left out");
    assert!(own.as_array().unwrap().iter().all(|s| s["pinned"] == true));
    // Bruno does not follow ana: her private pin is not his to see, and
    // `pinned` is only rendered for one's own statuses.
    let seen = instance.api(&bruno).get(&pinned_path).await.ok();
    assert_eq!(seen.as_array().unwrap().len(), 4);
    assert!(seen.as_array().unwrap().iter().all(|s| s["pinned"] == false));
    let later = instance.api(&ana).get(&format!("{pinned_path}&max_id={}", ids[1])).await.ok();
    assert_eq!(later, json!([]), "every pin is on the first page");

    let unpinned = instance.api(&ana).post(&format!("/api/v1/statuses/{}/unpin", ids[2]), json!({})).await.ok();
    assert_eq!(unpinned["pinned"], false);
    instance.api(&ana).post(&format!("/api/v1/statuses/{}/pin", ids[5]), json!({})).await.ok();
    assert_eq!(instance.api(&ana).ids(&pinned_path).await.len(), 5);
    let plain = instance.api(&ana).get(&format!("/api/v1/accounts/{ana_id}/statuses")).await.ok();
    assert_eq!(plain.as_array().unwrap().len(), 7, "pinned=false lists everything");
}

#[tokio::test]
async fn favourited_by_and_reblogged_by_page_the_accounts() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let status = instance.api(&ana).post_status("Lunch at noon", json!({})).await;
    let path = format!("/api/v1/statuses/{}", id(&status));
    for token in [&bruno, &carmen] {
        instance.api(token).post(&format!("{path}/favourite"), json!({})).await.ok();
    }
    instance.api(&carmen).post(&format!("{path}/reblog"), json!({})).await.ok();

    let first = instance.api("").get(&format!("{path}/favourited_by?limit=1")).await;
    let link = first.link.clone().expect("Link header");
    let body = first.ok();
    openapi::assert_matches(&body[0], "Account");
    assert_eq!(body[0]["username"], "carmen", "newest favourite first");
    let next = link.split(';').next().unwrap().trim_matches(|c| c == '<' || c == '>').to_owned();
    let next_path = next.strip_prefix(&instance.base_url).unwrap();
    let second = instance.api("").get(next_path).await.ok();
    assert_eq!(second[0]["username"], "bruno");
    assert_eq!(second.as_array().unwrap().len(), 1);

    let boosters = instance.api(&ana).get(&format!("{path}/reblogged_by")).await.ok();
    let names: Vec<&str> = boosters.as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["carmen"]);
    instance.api("").get("/api/v1/statuses/123/favourited_by").await.error(404);
}

#[tokio::test]
async fn polls_take_votes_by_the_rules_and_announce_their_end() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;

    let status = instance
        .api(&ana)
        .post_status(
            "Where shall we meet?",
            json!({"poll": {"options": ["Café", "Office", "Park"], "expires_in": 600}}),
        )
        .await;
    openapi::assert_matches(&status, "Status");
    let poll = &status["poll"];
    openapi::assert_matches(poll, "Poll");
    assert_eq!(
        (poll["voted"].as_bool(), poll["expired"].as_bool(), poll["multiple"].as_bool()),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(poll["options"][1], json!({"title": "Office", "votes_count": 0}));
    let poll_path = format!("/api/v1/polls/{}", poll["id"].as_str().unwrap());
    let votes_path = format!("{poll_path}/votes");

    let voted = instance.api(&bruno).post(&votes_path, json!({"choices": [1]})).await.ok();
    openapi::assert_matches(&voted, "Poll");
    assert_eq!((voted["voted"].as_bool(), voted["votes_count"].as_i64()), (Some(true), Some(1)));
    assert_eq!(voted["own_votes"], json!([1]));
    assert_eq!(voted["options"][1]["votes_count"], 1);

    for (token, choices, expected) in [
        (&bruno, json!([0]), "already voted"),
        (&carmen, json!([7]), "no option 7"),
        (&carmen, json!([0, 1]), "only one choice"),
        (&ana, json!([0]), "your own poll"),
    ] {
        let message = instance.api(token).post(&votes_path, json!({"choices": choices})).await.error(422);
        assert!(message.contains(expected), "{message}");
    }
    let unchanged = instance.api("").get(&poll_path).await.ok();
    assert_eq!((unchanged["votes_count"].as_i64(), unchanged["voters_count"].as_i64()), (Some(1), Some(1)));
    assert!(unchanged.get("voted").is_none(), "nobody signed in: nothing to say about own votes");

    // A form-encoded poll, several choices, totals hidden until the end.
    let hidden = instance
        .api(&ana)
        .post_form(
            "/api/v1/statuses",
            &[
                ("status", "Snacks?"),
                ("poll[options][]", "Fruit"),
                ("poll[options][]", "Cake"),
                ("poll[expires_in]", "300"),
                ("poll[multiple]", "true"),
                ("poll[hide_totals]", "true"),
            ],
        )
        .await
        .ok();
    let hidden_votes = format!("/api/v1/polls/{}/votes", hidden["poll"]["id"].as_str().unwrap());
    let voted = instance.api(&carmen).post_form(&hidden_votes, &[("choices[]", "0"), ("choices[]", "1")]).await.ok();
    assert_eq!((voted["votes_count"].as_i64(), voted["voters_count"].as_i64()), (Some(2), Some(1)));
    assert_eq!(voted["options"][0]["votes_count"], Value::Null, "totals hidden while open");

    end_poll(&instance, poll["id"].as_str().unwrap());
    let message = instance.api(&carmen).post(&votes_path, json!({"choices": [0]})).await.error(422);
    assert!(message.contains("ended"), "{message}");
    let ended = instance.api(&bruno).get(&poll_path).await.ok();
    assert_eq!(ended["expired"], true);
    for token in [&ana, &bruno] {
        let notices = instance.api(token).get("/api/v1/notifications?types[]=poll").await.ok();
        assert_eq!(notices.as_array().unwrap().len(), 1, "once, however often it is read: {notices}");
        openapi::assert_matches(&notices[0], "Notification");
        assert_eq!(notices[0]["status"]["id"], id(&status));
    }
    let carmen_notices = instance.api(&carmen).get("/api/v1/notifications?types[]=poll").await.ok();
    assert_eq!(carmen_notices, json!([]), "carmen did not vote in that poll");

    // Refused posts leave nothing behind.
    let listed = format!("/api/v1/accounts/{ana_id}/statuses");
    let before = instance.api(&ana).get(&format!("/api/v1/accounts/{ana_id}")).await.ok()["statuses_count"].clone();
    let listed_before = instance.api(&ana).ids(&listed).await;
    for (poll, expected) in [
        (json!({"options": ["a", "b", "c", "d", "e"], "expires_in": 600}), "2 to 4 options"),
        (json!({"options": ["a", "x".repeat(51)], "expires_in": 600}), "at most 50 characters"),
        (json!({"options": ["a", "b"], "expires_in": 10}), "expires_in"),
        (json!({"options": ["a", "b"], "expires_in": 2_629_747}), "expires_in"),
    ] {
        let message =
            instance.api(&ana).post("/api/v1/statuses", json!({"status": "poll", "poll": poll})).await.error(422);
        assert!(message.contains(expected), "{message}");
    }
    let message = instance
        .api(&ana)
        .post(
            "/api/v1/statuses",
            json!({"status": "both", "media_ids": ["1"], "poll": {"options": ["a", "b"], "expires_in": 600}}),
        )
        .await
        .error(422);
    assert!(message.contains("both a poll and media"), "{message}");
    // The status row is written before the attachments are checked.
    let message =
        instance.api(&ana).post("/api/v1/statuses", json!({"status": "x", "media_ids": ["1"]})).await.error(422);
    assert!(message.contains("media_ids"), "{message}");
    let after = instance.api(&ana).get(&format!("/api/v1/accounts/{ana_id}")).await.ok()["statuses_count"].clone();
    assert_eq!(before, after);
    assert_eq!(instance.api(&ana).ids(&listed).await, listed_before);
    instance.api(&bruno).get("/api/v1/polls/123").await.error(404);
}

#[tokio::test]
async fn direct_messages_make_conversations_for_their_participants_only() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;

    let first = instance.api(&ana).post_status("@bruno are you free?", json!({"visibility": "direct"})).await;
    let bruno_list = instance.api(&bruno).get("/api/v1/conversations").await.ok();
    assert_eq!(bruno_list.as_array().unwrap().len(), 1);
    openapi::assert_matches(&bruno_list[0], "Conversation");
    assert_eq!(bruno_list[0]["unread"], true);
    assert_eq!(bruno_list[0]["accounts"][0]["username"], "ana");
    assert_eq!(bruno_list[0]["last_status"]["id"], id(&first));
    let ana_list = instance.api(&ana).get("/api/v1/conversations").await.ok();
    assert_eq!(
        (ana_list[0]["unread"].as_bool(), ana_list[0]["accounts"][0]["username"].as_str()),
        (Some(false), Some("bruno"))
    );
    assert_eq!(instance.api(&carmen).get("/api/v1/conversations").await.ok(), json!([]));
    instance.api(&ana).post_status("A public post", json!({})).await;

    // A reply stays in the thread and is unread for the other side.
    let reply = instance
        .api(&bruno)
        .post_status("@ana yes, at three", json!({"visibility": "direct", "in_reply_to_id": id(&first)}))
        .await;
    let ana_list = instance.api(&ana).get("/api/v1/conversations").await.ok();
    assert_eq!(ana_list.as_array().unwrap().len(), 1, "{ana_list}");
    assert_eq!(
        (ana_list[0]["unread"].as_bool(), ana_list[0]["last_status"]["id"].as_str()),
        (Some(true), Some(id(&reply).as_str()))
    );
    let ana_conversation = id(&ana_list[0]);

    instance.api(&carmen).post(&format!("/api/v1/conversations/{ana_conversation}/read"), json!({})).await.error(404);
    instance.api(&carmen).delete(&format!("/api/v1/conversations/{ana_conversation}")).await.error(404);
    let read = instance.api(&ana).post(&format!("/api/v1/conversations/{ana_conversation}/read"), json!({})).await.ok();
    assert_eq!(read["unread"], false);

    // Newest thread first, paged by last status.
    let other = instance.api(&ana).post_status("@carmen lunch?", json!({"visibility": "direct"})).await;
    let page = instance.api(&ana).get("/api/v1/conversations?limit=1").await;
    assert!(page.link.is_some());
    let page = page.ok();
    assert_eq!(page[0]["last_status"]["id"], id(&other));
    let older = instance.api(&ana).get(&format!("/api/v1/conversations?max_id={}", id(&other))).await.ok();
    assert_eq!(older[0]["id"], ana_conversation.as_str());
    assert_eq!(instance.api(&carmen).get("/api/v1/conversations").await.ok().as_array().unwrap().len(), 1);

    let bruno_conversation = id(&instance.api(&bruno).get("/api/v1/conversations").await.ok()[0]);
    instance.api(&bruno).delete(&format!("/api/v1/conversations/{bruno_conversation}")).await.ok();
    assert_eq!(instance.api(&bruno).get("/api/v1/conversations").await.ok(), json!([]));
    assert_eq!(instance.api(&ana).get("/api/v1/conversations").await.ok().as_array().unwrap().len(), 2);
    instance.api("").get("/api/v1/conversations").await.error(401);
}

#[tokio::test]
async fn a_muted_thread_stops_notifying() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let status = instance.api(&ana).post_status("Who brings the cake?", json!({})).await;
    let path = format!("/api/v1/statuses/{}", id(&status));
    let reply = json!({"in_reply_to_id": id(&status)});
    instance.api(&bruno).post_status("@ana I do", reply.clone()).await;
    let count = |body: Value| body.as_array().unwrap().len();
    assert_eq!(count(instance.api(&ana).get("/api/v1/notifications").await.ok()), 1);

    let muted = instance.api(&ana).post(&format!("{path}/mute"), json!({})).await.ok();
    assert_eq!(muted["muted"], true);
    assert_eq!(instance.api(&ana).get(&path).await.ok()["muted"], true);
    assert_eq!(instance.api(&bruno).get(&path).await.ok()["muted"], false, "muting is per person");
    instance.api(&carmen).post_status("@ana me too", reply.clone()).await;
    instance.api(&carmen).post(&format!("{path}/favourite"), json!({})).await.ok();
    assert_eq!(count(instance.api(&ana).get("/api/v1/notifications").await.ok()), 1, "nothing new from the thread");

    let unmuted = instance.api(&ana).post(&format!("{path}/unmute"), json!({})).await.ok();
    assert_eq!(unmuted["muted"], false);
    instance.api(&bruno).post(&format!("{path}/favourite"), json!({})).await.ok();
    assert_eq!(count(instance.api(&ana).get("/api/v1/notifications").await.ok()), 2);
}

#[tokio::test]
async fn votes_cast_at_the_same_moment_all_count() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let poll = json!({"options": ["Martes", "Jueves"], "expires_in": 3600});
    let status = instance.api(&ana).post_status("¿Qué día, la comida?", json!({"poll": poll})).await;
    let votes_path = format!("/api/v1/polls/{}/votes", status["poll"]["id"].as_str().unwrap());
    let mut voters = Vec::new();
    for n in 0..12 {
        voters.push(instance.sign_up(&format!("voter{n}")).await);
    }
    // Every vote in flight at once: on PostgreSQL each one's counts must
    // include the others', not overwrite them.
    let votes = voters.iter().enumerate().map(|(n, token)| {
        let (api, path) = (instance.api(token), votes_path.clone());
        async move { api.post(&path, json!({"choices": [n % 2]})).await.ok() }
    });
    futures_util::future::join_all(votes).await;
    let counted = instance.api(&ana).get(&format!("/api/v1/statuses/{}", id(&status))).await.ok();
    assert_eq!(counted["poll"]["votes_count"], 12, "{}", counted["poll"]);
    assert_eq!(counted["poll"]["voters_count"], 12);
    let per_option: Vec<i64> =
        counted["poll"]["options"].as_array().unwrap().iter().map(|o| o["votes_count"].as_i64().unwrap()).collect();
    assert_eq!(per_option, [6, 6]);
}
