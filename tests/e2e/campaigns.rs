//! Idea campaigns across three sites: an admin on `hq` opens a campaign on
//! #travel_ideas; Hana on hq and Eva on `es` post ideas with the hashtag
//! (Eva's reaches hq because Hana follows her); Eva and Max on `mx`
//! favourite Hana's idea and Hana favourites Eva's, so the ranking puts
//! Hana's first. A moderator moves Eva's idea to under_review: Eva, on es,
//! gets a mention notification of the reply that says so, and the change
//! is audited. The ideas download as CSV. Bad input is refused with 422
//! and stores nothing; non-staff get 403; after the deadline a post with
//! the hashtag is no idea. A second, one-site test runs a group's campaign
//! through its life: opened by the group's moderator, a poll idea, edits,
//! the close (later votes and ideas do not count), the web page, reopening.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, World, eventually, openapi};

const ADMIN_SCOPES: &str = "read write admin:read admin:write";

/// The campaign's ideas as (author username, votes, state), in ranking order.
async fn ranking(site: &TestInstance, token: &str, campaign: &str, query: &str) -> Vec<(String, i64, String)> {
    let shown = site.api(token).get(&format!("/api/v1/tertulia/campaigns/{campaign}{query}")).await.ok();
    shown["ideas"]
        .as_array()
        .unwrap_or_else(|| panic!("no ideas in {shown}"))
        .iter()
        .map(|idea| {
            openapi::assert_matches(&idea["status"], "Status");
            let author = idea["status"]["account"]["username"].as_str().unwrap().to_owned();
            (author, idea["votes"].as_i64().unwrap(), idea["state"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn idea(author: &str, votes: i64, state: &str) -> (String, i64, String) {
    (author.to_owned(), votes, state.to_owned())
}

/// The id on `site` of the status `uri`, once it is in `token`'s home timeline.
async fn arrived(site: &TestInstance, token: &str, uri: &str) -> String {
    eventually(&format!("{uri} reaches {}", site.domain), || async {
        let home = site.api(token).get("/api/v1/timelines/home").await.ok();
        home.as_array()?.iter().find(|s| s["uri"] == uri).map(|s| s["id"].as_str().unwrap().to_owned())
    })
    .await
}

#[tokio::test]
async fn an_idea_campaign_collects_votes_from_two_sites_and_tells_the_author_of_a_state_change() {
    let world = World::plan()
        .site("hq", &["hana"])
        .site("es", &["eva"])
        .site("mx", &["max"])
        .follows("hana", "eva")
        .follows("eva", "hana")
        .follows("max", "hana")
        .start(support::BINARY)
        .await;
    let (hq, es, mx) = (world.site("hq"), world.site("es"), world.site("mx"));
    let hana = &world.user("hana").token;
    hq.create_user("boss", &["--admin"]).await;
    hq.create_user("moira", &["--moderator"]).await;
    let boss = hq.token_with_scopes("boss", ADMIN_SCOPES).await;
    let moira = hq.token_with_scopes("moira", ADMIN_SCOPES).await;
    let hana_admin = hq.token_with_scopes("hana", ADMIN_SCOPES).await;

    // Bad input: 422 naming the field, and nothing stored. Non-staff: 403.
    let in_a_day = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let bad = [
        (json!({"tag": " # ", "question": "Q?", "deadline": in_a_day}), "tag"),
        (json!({"tag": "two words", "question": "Q?", "deadline": in_a_day}), "tag"),
        (json!({"tag": "travel_ideas", "question": "", "deadline": in_a_day}), "question"),
        (json!({"tag": "travel_ideas", "question": "Q?", "deadline": "next friday"}), "deadline"),
        (json!({"tag": "travel_ideas", "question": "Q?", "deadline": "2020-01-01"}), "deadline"),
    ];
    for (body, field) in bad {
        let error = hq.api(&boss).post("/api/v1/tertulia/campaigns", body).await.error(422);
        assert!(error.contains(field), "{error}");
    }
    let good = json!({"tag": "#Travel_Ideas", "question": "How do we travel less?", "deadline": in_a_day});
    hq.api(&hana_admin).post("/api/v1/tertulia/campaigns", good.clone()).await.error(403);
    assert_eq!(hq.api(hana).get("/api/v1/tertulia/campaigns").await.ok(), json!([]));

    let campaign = hq.api(&boss).post("/api/v1/tertulia/campaigns", good).await.ok();
    assert_eq!((&campaign["tag"], &campaign["state"]), (&json!("travel_ideas"), &json!("open")));
    let id = campaign["id"].as_str().unwrap().to_owned();

    // Ideas from hq and es; a followers-only post is not an idea.
    let hana_idea = world.api("hana").post_status("#travel_ideas trains instead of short flights", json!({})).await;
    world.api("hana").post_status("#travel_ideas just for my followers", json!({"visibility": "private"})).await;
    let eva_idea = world
        .api("eva")
        .post_status("#Travel_Ideas video calls for the weekly sync", json!({"visibility": "unlisted"}))
        .await;
    let eva_idea_on_hq = arrived(hq, hana, eva_idea["uri"].as_str().unwrap()).await;

    // Votes: Eva (es) and Max (mx) favourite Hana's idea, Hana Eva's.
    let hana_uri = hana_idea["uri"].as_str().unwrap();
    for (site, user) in [(es, "eva"), (mx, "max")] {
        let token = &world.user(user).token;
        let local = arrived(site, token, hana_uri).await;
        site.api(token).post(&format!("/api/v1/statuses/{local}/favourite"), json!({})).await.ok();
    }
    hq.api(hana).post(&format!("/api/v1/statuses/{eva_idea_on_hq}/favourite"), json!({})).await.ok();
    eventually("both remote votes counted on hq", || async {
        let ranked = ranking(hq, hana, &id, "").await;
        (ranked == [idea("hana", 2, "new"), idea("eva", 1, "new")]).then_some(())
    })
    .await;
    assert_eq!(ranking(hq, hana, &id, "?offset=1&limit=1").await, [idea("eva", 1, "new")]);

    // A moderator moves Eva's idea on; Eva, on es, is told.
    let state_path = format!("/api/v1/tertulia/campaigns/{id}/ideas/{eva_idea_on_hq}/state");
    hq.api(hana).post(&state_path, json!({"state": "under_review"})).await.error(403);
    let error = hq.api(&moira).post(&state_path, json!({"state": "done"})).await.error(422);
    assert!(error.contains("cannot become done"), "{error}");
    hq.api(&moira).post(&state_path, json!({"state": "maybe"})).await.error(422);
    let moved = hq.api(&moira).post(&state_path, json!({"state": "under_review"})).await.ok();
    assert_eq!(moved["state"], "under_review");
    let eva = &world.user("eva").token;
    let told = eventually("Eva is told on es", || async {
        let notifications = es.api(eva).get("/api/v1/notifications?types[]=mention").await.ok();
        notifications
            .as_array()?
            .iter()
            .find(|n| n["status"]["content"].as_str().is_some_and(|c| c.contains("under review")))
            .cloned()
    })
    .await;
    openapi::assert_matches(&told, "Notification");
    assert_eq!(told["account"]["acct"], format!("moira@{}", hq.domain));
    assert_eq!(told["status"]["in_reply_to_id"].as_str(), eva_idea["id"].as_str());
    assert_eq!(ranking(hq, hana, &id, "").await, [idea("hana", 2, "new"), idea("eva", 1, "under_review")]);
    let audit = hq.cli(&["admin", "audit"]).await;
    assert!(audit.stdout.contains("update_idea_state") && audit.stdout.contains("create_campaign"), "{}", audit.stdout);

    // The export.
    let csv = hq.get(&format!("/api/v1/tertulia/campaigns/{id}/ideas.csv")).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let expected = format!(
        "url,author,votes,state\r\n{},hana@{},2,new\r\n{},eva@{},1,under_review\r\n",
        hana_idea["url"].as_str().unwrap(),
        hq.domain,
        eva_idea["url"].as_str().unwrap(),
        es.domain
    );
    assert_eq!(text, expected);

    // After its deadline a campaign takes no more ideas. The deadline
    // leaves the command line ten seconds to open it on a loaded machine.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(10)).to_rfc3339();
    let opened = hq.cli(&["admin", "campaign", "create", "late", "--question", "Anything?", "--deadline", &soon]).await;
    assert!(opened.status.success(), "{}", opened.stderr);
    let listed = hq.api(hana).get("/api/v1/tertulia/campaigns").await.ok();
    let late: Value = listed.as_array().unwrap().iter().find(|c| c["tag"] == "late").unwrap().clone();
    let late_id = late["id"].as_str().unwrap().to_owned();
    eventually("the late campaign closes", || async {
        let shown = hq.api(hana).get(&format!("/api/v1/tertulia/campaigns/{late_id}")).await.ok();
        (shown["state"] == "closed").then_some(())
    })
    .await;
    world.api("hana").post_status("#late one more idea", json!({})).await;
    assert_eq!(ranking(hq, hana, &late_id, "").await, []);
}

/// A group's campaign on one site: Gina, a moderator of the group
/// `kitchen`, opens one; ideas are the public posts to the group with the
/// hashtag; a poll idea ranks by its "yes" (first option) votes plus its
/// favourites. She edits it and closes it: a favourite after the close is
/// not counted and a post after it is no idea. Bad requests are refused
/// clearly and change nothing. The web page ranks the public ideas only.
#[tokio::test]
async fn a_group_moderator_runs_a_campaign_that_stops_counting_when_closed() {
    let world = World::plan().site("hq", &["gina", "olga", "pia", "raul"]).start(support::BINARY).await;
    let hq = world.site("hq");
    let created = hq.cli(&["admin", "group", "create", "kitchen", "--moderator", "gina"]).await;
    assert!(created.status.success(), "{}", created.stderr);
    let token = |name: &str| world.user(name).token.clone();
    let (gina, olga, pia, raul) = (token("gina"), token("olga"), token("pia"), token("raul"));
    let kitchen = hq.api(&gina).get("/api/v1/accounts/lookup?acct=kitchen").await.ok()["id"].clone();
    let in_a_day = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let body =
        json!({"tag": "lunch_ideas", "question": "What should lunch be?", "deadline": in_a_day, "group_id": kitchen});

    // Only the group's moderators (and admins) open its campaigns; a
    // moderator of a group is no admin of the whole site.
    let denied = hq.api(&pia).post("/api/v1/tertulia/campaigns", body.clone()).await.error(403);
    assert!(denied.contains("moderators of @kitchen"), "{denied}");
    let site_wide = json!({"tag": "lunch_ideas", "question": "Q?", "deadline": in_a_day});
    let denied = hq.api(&gina).post("/api/v1/tertulia/campaigns", site_wide).await.error(403);
    assert!(denied.contains("group_id"), "{denied}");
    let mut no_group = body.clone();
    no_group["group_id"] = json!("12345");
    hq.api(&gina).post("/api/v1/tertulia/campaigns", no_group).await.error(404);
    assert_eq!(hq.api(&gina).get("/api/v1/tertulia/campaigns").await.ok(), json!([]));
    let campaign = hq.api(&gina).post("/api/v1/tertulia/campaigns", body).await.ok();
    assert_eq!((&campaign["group_id"], &campaign["state"]), (&kitchen, &json!("open")));
    let id = campaign["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tertulia/campaigns/{id}");

    // Ideas: posts to the group. A post not to the group is none; an
    // unlisted idea counts but is not on the public page.
    let api = world.api("olga");
    let salad = api.post_status("@kitchen #lunch_ideas a salad bar", json!({})).await;
    let poll = json!({"poll": {"options": ["yes", "no"], "expires_in": 86400}});
    let tacos = api.post_status("@kitchen #lunch_ideas taco tuesday?", poll).await;
    api.post_status("#lunch_ideas not sent to the group", json!({})).await;
    api.post_status("@kitchen #lunch_ideas quiet soup <corner>", json!({"visibility": "unlisted"})).await;

    // Votes: Pia and Raul answer "yes", Gina "no"; Pia favourites the salad.
    let poll_id = tacos["poll"]["id"].as_str().unwrap();
    for (voter, choice) in [(&pia, 0), (&raul, 0), (&gina, 1)] {
        hq.api(voter).post(&format!("/api/v1/polls/{poll_id}/votes"), json!({"choices": [choice]})).await.ok();
    }
    let favourite = |status: &Value| format!("/api/v1/statuses/{}/favourite", status["id"].as_str().unwrap());
    hq.api(&pia).post(&favourite(&salad), json!({})).await.ok();
    let expected = [idea("olga", 2, "new"), idea("olga", 1, "new"), idea("olga", 0, "new")];
    assert_eq!(ranking(hq, &olga, &id, "").await, expected);
    let ranked = hq.api(&olga).get(&path).await.ok();
    assert_eq!(ranked["ideas"][0]["status"]["id"], tacos["id"], "{ranked}");
    assert_eq!(ranked["ideas"][1]["status"]["id"], salad["id"], "{ranked}");

    // Edits: only by its organisers, with a deadline still to come.
    hq.api(&pia).put(&path, json!({"question": "Mine now?"})).await.error(403);
    let error = hq.api(&gina).put(&path, json!({"deadline": "2020-01-01"})).await.error(422);
    assert!(error.contains("deadline"), "{error}");
    let edited = hq
        .api(&gina)
        .put(&path, json!({"question": "What should Friday lunch be?", "description": "Vote by Friday."}))
        .await
        .ok();
    assert_eq!(
        (&edited["question"], &edited["description"]),
        (&json!("What should Friday lunch be?"), &json!("Vote by Friday."))
    );
    assert_eq!(edited["deadline"], campaign["deadline"]);

    // Closing: once. Afterwards nothing counts and it cannot be edited.
    hq.api(&pia).post(&format!("{path}/close"), json!({})).await.error(403);
    let closed = hq.api(&gina).post(&format!("{path}/close"), json!({})).await.ok();
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string(), "{closed}");
    let error = hq.api(&gina).post(&format!("{path}/close"), json!({})).await.error(409);
    assert!(error.contains("already ended"), "{error}");
    let error = hq.api(&gina).put(&path, json!({"question": "Too late?"})).await.error(409);
    assert!(error.contains("reopen"), "{error}");
    hq.api(&raul).post(&favourite(&salad), json!({})).await.ok();
    api.post_status("@kitchen #lunch_ideas one idea too late", json!({})).await;
    assert_eq!(ranking(hq, &olga, &id, "").await, expected);
    let after = hq.api(&olga).get(&path).await.ok();
    assert_eq!(after["question"], "What should Friday lunch be?");
    let salad_now = &after["ideas"][1];
    assert_eq!((salad_now["votes"].as_i64(), salad_now["status"]["favourites_count"].as_i64()), (Some(1), Some(2)));
    let csv = hq.get(&format!("{path}/ideas.csv")).await.text().await.unwrap();
    assert!(csv.contains(&format!("{},olga@{},1,new", salad["url"].as_str().unwrap(), hq.domain)), "{csv}");

    // The web page: the public ideas, most votes first; the unlisted one absent.
    let response = hq.get("/campaigns/lunch_ideas").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    let page = response.text().await.unwrap();
    let (first, second) = (page.find("taco tuesday").unwrap(), page.find("a salad bar").unwrap());
    assert!(first < second, "{page}");
    assert!(page.contains("2 votes") && page.contains("1 vote<") && page.contains("Closed"), "{page}");
    assert!(!page.contains("quiet soup"), "{page}");
    let index = hq.get("/campaigns").await.text().await.unwrap();
    assert!(index.contains(r#"href="/campaigns/lunch_ideas""#), "{index}");
    assert_eq!(hq.get("/campaigns/no_such_tag").await.status(), 404);
    // A private group's campaign is for the site's staff, not the public pages.
    let created = hq.cli(&["admin", "group", "create", "board", "--moderator", "gina", "--private"]).await;
    assert!(created.status.success(), "{}", created.stderr);
    let board = hq.api(&gina).get("/api/v1/accounts/lookup?acct=board").await.ok()["id"].clone();
    let secret =
        json!({"tag": "board_ideas", "question": "Which site closes?", "deadline": in_a_day, "group_id": board});
    let secret = hq.api(&gina).post("/api/v1/tertulia/campaigns", secret).await.ok();
    let listed = hq.api(&olga).get("/api/v1/tertulia/campaigns").await.ok();
    assert!(listed.to_string().contains("board_ideas"), "staff list: {listed}");
    let anonymous = hq.get_json("/api/v1/tertulia/campaigns").await;
    assert!(!anonymous.to_string().contains("board_ideas"), "list without a token: {anonymous}");
    let secret_path = format!("/api/v1/tertulia/campaigns/{}", secret["id"].as_str().unwrap());
    assert_eq!(hq.get(&secret_path).await.status(), 404);
    let index = hq.get("/campaigns").await.text().await.unwrap();
    assert!(!index.contains("board_ideas") && !index.contains("Which site closes?"), "{index}");
    assert_eq!(hq.get("/campaigns/board_ideas").await.status(), 404);

    // Reopening: once; the favourite given while closed now counts.
    let reopened = hq.api(&gina).post(&format!("{path}/reopen"), json!({})).await.ok();
    assert_eq!((&reopened["state"], &reopened["closed_at"]), (&json!("open"), &Value::Null));
    hq.api(&gina).post(&format!("{path}/reopen"), json!({})).await.error(409);
    let reopened = hq.api(&olga).get(&path).await.ok();
    assert_eq!(reopened["ideas"][1]["votes"], 2, "{reopened}");

    // The group's moderator moves its ideas on, though no moderator of the
    // site; a member who is no moderator of the group cannot.
    let state_path = format!("{path}/ideas/{}/state", salad["id"].as_str().unwrap());
    let refused = hq.api(&pia).post(&state_path, json!({"state": "under_review"})).await.error(403);
    assert!(refused.contains("moderators of @kitchen"), "{refused}");
    let moved = hq.api(&gina).post(&state_path, json!({"state": "under_review"})).await.ok();
    assert_eq!(moved["state"], "under_review", "{moved}");
}
