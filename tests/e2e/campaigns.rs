//! Idea campaigns across three sites: an admin on `hq` opens a campaign on
//! #travel_ideas; Hana on hq and Eva on `es` post ideas with the hashtag
//! (Eva's reaches hq because Hana follows her); Eva and Max on `mx`
//! favourite Hana's idea and Hana favourites Eva's, so the ranking puts
//! Hana's first. A moderator moves Eva's idea to under_review: Eva, on es,
//! gets a mention notification of the reply that says so, and the change
//! is audited. The ideas download as CSV. Bad input is refused with 422
//! and stores nothing; non-staff get 403; after the deadline a post with
//! the hashtag is no idea.

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
            assert_eq!(idea["votes"], idea["status"]["favourites_count"]);
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
