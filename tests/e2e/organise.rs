//! Organising and finding things: read markers, lists, filters, followed
//! tags, search and trends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::openapi;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn markers_are_saved_bumped_and_drive_the_unread_count() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let api = instance.api(&ana);

    assert_eq!(api.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").await.ok(), json!({}));
    let status = api.post_status("read up to here", json!({})).await;
    let saved = api.post_form("/api/v1/markers", &[("home[last_read_id]", status["id"].as_str().unwrap())]).await.ok();
    openapi::assert_matches(&saved["home"], "Marker");
    assert_eq!(saved["home"]["last_read_id"], status["id"]);
    assert_eq!(saved["home"]["version"], 1);
    let again = api.post("/api/v1/markers", json!({"home": {"last_read_id": status["id"]}})).await.ok();
    assert_eq!(again["home"]["version"], 2, "each save bumps the version");

    let only_home = api.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").await.ok();
    assert_eq!(only_home.as_object().unwrap().keys().collect::<Vec<_>>(), ["home"], "only existing markers");
    assert!(api.post("/api/v1/markers", json!({"lists": {"last_read_id": "1"}})).await.error(422).contains("lists"));

    instance.api(&bruno).follow(&ana_id).await;
    instance.api(&carmen).follow(&ana_id).await;
    assert_eq!(api.get("/api/v1/notifications/unread_count").await.ok()["count"], 2);
    let newest = api.ids("/api/v1/notifications").await;
    api.post("/api/v1/markers", json!({"notifications": {"last_read_id": newest[1]}})).await.ok();
    assert_eq!(api.get("/api/v1/notifications/unread_count").await.ok()["count"], 1);
    assert_eq!(api.get("/api/v1/notifications/unread_count?limit=1").await.ok()["count"], 1);
    assert_eq!(instance.api("").get("/api/v1/markers").await.status, 401);
}

#[tokio::test]
async fn lists_hold_followed_accounts_and_show_their_visible_statuses() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    let (carmen, carmen_id) = instance.sign_up_with_id("carmen").await;
    let api = instance.api(&ana);

    let list = api.post("/api/v1/lists", json!({"title": "Site leads", "replies_policy": "none"})).await.ok();
    openapi::assert_matches(&list, "List");
    assert_eq!((list["title"].as_str(), list["replies_policy"].as_str()), (Some("Site leads"), Some("none")));
    let list_path = format!("/api/v1/lists/{}", id(&list));
    assert!(api.post("/api/v1/lists", json!({"title": " "})).await.error(422).contains("title"));
    assert!(api.put(&list_path, json!({"replies_policy": "everyone"})).await.error(422).contains("replies_policy"));
    let renamed = api.put(&list_path, json!({"title": "Leads", "exclusive": true})).await.ok();
    assert_eq!((renamed["title"].as_str(), renamed["exclusive"].as_bool()), (Some("Leads"), Some(true)));

    let members = format!("{list_path}/accounts");
    let refusal = api.post_form(&members, &[("account_ids[]", &bruno_id)]).await.error(422);
    assert!(refusal.contains("follow"), "{refusal}");
    instance.api(&ana).follow(&bruno_id).await;
    instance.api(&ana).follow(&carmen_id).await;
    api.post_form(&members, &[("account_ids[]", &bruno_id), ("account_ids[]", &carmen_id)]).await.ok();
    let listed = api.get(&members).await.ok();
    openapi::assert_matches(&listed[0], "Account");
    assert_eq!(listed.as_array().unwrap().len(), 2);
    api.delete(&format!("{members}?account_ids[]={carmen_id}")).await.ok();
    assert_eq!(api.ids(&members).await, [bruno_id.as_str()]);
    let lists_of_bruno = api.get(&format!("/api/v1/accounts/{bruno_id}/lists")).await.ok();
    assert_eq!(lists_of_bruno[0]["id"], list["id"]);
    assert!(api.get(&format!("/api/v1/accounts/{carmen_id}/lists")).await.ok().as_array().unwrap().is_empty());

    let mut posted = Vec::new();
    for n in 0..3 {
        posted.push(id(&instance.api(&bruno).post_status(&format!("update {n}"), json!({})).await));
    }
    instance.api(&carmen).post_status("carmen is not in the list", json!({})).await;
    let timeline = format!("/api/v1/timelines/list/{}", id(&list));
    let first = api.get(&format!("{timeline}?limit=2")).await;
    assert_eq!(first.status, 200);
    let link = first.link.clone().expect("Link header");
    let first_ids: Vec<&str> = first.body.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(first_ids, [posted[2].as_str(), posted[1].as_str()]);
    openapi::assert_matches(&first.body[0], "Status");
    assert!(link.contains(&format!("max_id={}", posted[1])), "{link}");
    assert_eq!(api.ids(&format!("{timeline}?limit=2&max_id={}", posted[1])).await, [posted[0].clone()]);

    // Visibility still rules: a direct message to someone else stays out,
    // and once ana stops following bruno he leaves the list, so his
    // followers-only posts never reach it.
    let direct = instance.api(&bruno).post_status("@carmen just us", json!({"visibility": "direct"})).await;
    assert!(!api.ids(&timeline).await.contains(&id(&direct)), "a direct message to carmen reached ana's list");
    instance.api(&ana).post(&format!("/api/v1/accounts/{bruno_id}/unfollow"), json!({})).await.ok();
    let private = instance.api(&bruno).post_status("followers only", json!({"visibility": "private"})).await;
    assert!(!api.ids(&timeline).await.contains(&id(&private)), "a private status reached a non-follower's list");
    assert!(api.ids(&members).await.is_empty(), "unfollowing removes the account from the owner's lists");

    // Someone else's list does not exist for them.
    let other = instance.api(&carmen);
    assert_eq!(other.get(&list_path).await.status, 404);
    assert_eq!(other.get(&timeline).await.status, 404);
    assert_eq!(other.put(&list_path, json!({"title": "mine now"})).await.status, 404);
    assert_eq!(other.delete(&list_path).await.status, 404);
    assert!(other.get("/api/v1/lists").await.ok().as_array().unwrap().is_empty());

    // Scopes: reading lists does not allow changing them.
    let reader = instance.token_with_scopes("ana", "read:lists").await;
    assert_eq!(instance.api(&reader).get(&list_path).await.status, 200);
    assert_eq!(instance.api(&reader).delete(&list_path).await.status, 403);
    assert_eq!(instance.api("").get("/api/v1/lists").await.status, 401);

    api.delete(&list_path).await.ok();
    assert_eq!(api.get(&list_path).await.status, 404);
    assert_eq!(api.get("/api/v1/lists/not-an-id").await.status, 404);
}

#[tokio::test]
async fn filters_warn_or_hide_matching_statuses_in_their_contexts() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let (bruno, bruno_id) = instance.sign_up_with_id("bruno").await;
    instance.api(&ana).follow(&bruno_id).await;
    let api = instance.api(&ana);

    let refusal = api
        .post("/api/v2/filters", json!({"title": "x", "context": ["home", "everywhere"], "filter_action": "warn"}))
        .await
        .error(422);
    assert!(refusal.contains("everywhere"), "{refusal}");

    let warn = api
        .post(
            "/api/v2/filters",
            json!({
                "title": "Launch spoilers",
                "context": ["home", "public"],
                "filter_action": "warn",
                "expires_in": 3600,
                "keywords_attributes": [{"keyword": "Launch", "whole_word": true}, {"keyword": "embargo", "whole_word": false}],
            }),
        )
        .await
        .ok();
    openapi::assert_matches(&warn, "Filter");
    assert!(warn["expires_at"].is_string());
    assert_eq!(warn["keywords"].as_array().unwrap().len(), 2);
    let warn_path = format!("/api/v2/filters/{}", id(&warn));
    let hide = api
        .post_form(
            "/api/v2/filters",
            &[
                ("title", "Noise"),
                ("context[]", "home"),
                ("filter_action", "hide"),
                ("keywords_attributes[0][keyword]", "lunch menu"),
            ],
        )
        .await
        .ok();
    assert_eq!(hide["filter_action"], "hide");

    let launch = instance.api(&bruno).post_status("The LAUNCH is on Friday", json!({})).await;
    let relaunch = instance.api(&bruno).post_status("Relaunching the wiki", json!({})).await;
    let lunch = instance.api(&bruno).post_status("Today's lunch menu: soup", json!({})).await;
    let embargoed = instance.api(&bruno).post_status("Details", json!({"spoiler_text": "Embargoed news"})).await;

    let home = api.get("/api/v1/timelines/home").await.ok();
    let by_id = |status_id: &Value| home.as_array().unwrap().iter().find(|s| s["id"] == *status_id).cloned();
    assert!(by_id(&lunch["id"]).is_none(), "hidden by the hide filter");
    let warned = by_id(&launch["id"]).expect("warned statuses stay");
    openapi::assert_matches(&warned, "Status");
    openapi::assert_matches(&warned["filtered"][0], "FilterResult");
    assert_eq!(warned["filtered"][0]["filter"]["title"], "Launch spoilers");
    assert_eq!(warned["filtered"][0]["keyword_matches"], json!(["Launch"]));
    assert!(by_id(&relaunch["id"]).unwrap()["filtered"].as_array().unwrap().is_empty(), "whole word only");
    assert_eq!(by_id(&embargoed["id"]).unwrap()["filtered"][0]["keyword_matches"], json!(["embargo"]));
    // Bruno has no filters; the public timeline is filtered for ana too.
    let bruno_home = instance.api(&bruno).get("/api/v1/timelines/home").await.ok();
    assert!(bruno_home.as_array().unwrap().iter().all(|s| s["filtered"] == json!([])));
    let public = api.get("/api/v1/timelines/public").await.ok();
    assert!(public.as_array().unwrap().iter().any(|s| s["id"] == lunch["id"]), "hide applies to home only");

    // Keywords on their own.
    let keyword = api.post_form(&format!("{warn_path}/keywords"), &[("keyword", "wiki")]).await.ok();
    openapi::assert_matches(&keyword, "FilterKeyword");
    let keyword_path = format!("/api/v2/filters/keywords/{}", id(&keyword));
    assert_eq!(api.get(&keyword_path).await.ok()["keyword"], "wiki");
    assert_eq!(api.put(&keyword_path, json!({"keyword": "wikis", "whole_word": true})).await.ok()["keyword"], "wikis");
    assert_eq!(api.get(&format!("{warn_path}/keywords")).await.ok().as_array().unwrap().len(), 3);
    api.delete(&keyword_path).await.ok();
    assert_eq!(api.get(&keyword_path).await.status, 404);

    // keywords_attributes can change and remove keywords.
    let embargo_id = warn["keywords"][1]["id"].clone();
    let updated = api
        .put(&warn_path, json!({"title": "Launch", "keywords_attributes": [{"id": embargo_id, "_destroy": true}]}))
        .await
        .ok();
    assert_eq!(updated["title"], "Launch");
    assert_eq!(updated["keywords"].as_array().unwrap().len(), 1);
    assert_eq!(api.put(&warn_path, json!({"context": ["nowhere"]})).await.status, 422);

    // Filtering one status.
    let filtered_status =
        api.post_form(&format!("{warn_path}/statuses"), &[("status_id", relaunch["id"].as_str().unwrap())]).await.ok();
    openapi::assert_matches(&filtered_status, "FilterStatus");
    let home = api.get("/api/v1/timelines/home").await.ok();
    let relaunched = home.as_array().unwrap().iter().find(|s| s["id"] == relaunch["id"]).unwrap();
    assert_eq!(relaunched["filtered"][0]["status_matches"], json!([relaunch["id"]]));
    let status_path = format!("/api/v2/filters/statuses/{}", id(&filtered_status));
    assert_eq!(api.get(&status_path).await.ok()["status_id"], relaunch["id"]);
    assert_eq!(api.get(&format!("{warn_path}/statuses")).await.ok().as_array().unwrap().len(), 1);
    api.delete(&status_path).await.ok();
    assert_eq!(api.get(&status_path).await.status, 404);

    // The v1 view: one filter per keyword.
    let v1 = api.get("/api/v1/filters").await.ok();
    assert_eq!(v1.as_array().unwrap().len(), 2);
    openapi::assert_matches(&v1[0], "V1Filter");
    assert!(v1.as_array().unwrap().iter().any(|f| f["phrase"] == "lunch menu" && f["irreversible"] == true));

    // Another user's filters do not exist for them.
    let other = instance.api(&bruno);
    assert_eq!(other.get(&warn_path).await.status, 404);
    assert_eq!(other.put(&warn_path, json!({"title": "mine"})).await.status, 404);
    assert!(other.get("/api/v2/filters").await.ok().as_array().unwrap().is_empty());

    let reader = instance.token_with_scopes("ana", "read:statuses").await;
    assert_eq!(instance.api(&reader).get("/api/v2/filters").await.status, 403);

    api.delete(&warn_path).await.ok();
    assert_eq!(api.get("/api/v2/filters").await.ok().as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn followed_tags_reach_home_and_tags_report_their_history() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let api = instance.api(&bruno);

    assert_eq!(api.get("/api/v1/tags/rollout").await.status, 404);
    let followed = api.post("/api/v1/tags/Rollout/follow", json!({})).await.ok();
    openapi::assert_matches(&followed, "Tag");
    assert_eq!((followed["name"].as_str(), followed["following"].as_bool()), (Some("rollout"), Some(true)));
    assert_eq!(api.post("/api/v1/tags/not%20a%20tag/follow", json!({})).await.status, 422);

    let public = instance.api(&ana).post_status("Phase two of the #rollout starts today", json!({})).await;
    let private = instance.api(&carmen).post_status("Private #rollout notes", json!({"visibility": "private"})).await;
    instance.api(&carmen).post_status("Another #Rollout note", json!({})).await;
    let home = api.ids("/api/v1/timelines/home").await;
    assert!(home.contains(&id(&public)), "a followed tag brings statuses home");
    assert!(!home.contains(&id(&private)), "private statuses are not fanned out to tag followers");
    assert_eq!(home.len(), 2);

    let tag = instance.api(&ana).get("/api/v1/tags/rollout").await.ok();
    openapi::assert_matches(&tag, "Tag");
    assert_eq!(tag["following"], false);
    assert_eq!(tag["history"].as_array().unwrap().len(), 7);
    assert_eq!((tag["history"][0]["uses"].as_str(), tag["history"][0]["accounts"].as_str()), (Some("2"), Some("2")));
    assert_eq!(tag["history"][1]["uses"], "0");
    let anonymous = instance.api("").get("/api/v1/tags/rollout").await.ok();
    assert!(anonymous.get("following").is_none());

    let list = api.get("/api/v1/followed_tags").await.ok();
    assert_eq!(list[0]["name"], "rollout");
    let unfollowed = api.post("/api/v1/tags/rollout/unfollow", json!({})).await.ok();
    assert_eq!(unfollowed["following"], false);
    assert!(api.get("/api/v1/followed_tags").await.ok().as_array().unwrap().is_empty());
}

#[tokio::test]
async fn search_finds_accounts_tags_and_only_visible_statuses() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let anabel = instance.sign_up("anabel").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&bruno).follow(&ana_id).await;
    instance.api(&anabel).post_status("Budget review on #Finance2027", json!({})).await;
    let secret = instance.api(&ana).post_status("Budget is 100% approved", json!({"visibility": "private"})).await;

    let found = instance.api(&carmen).get("/api/v2/search?q=AN&type=accounts").await.ok();
    openapi::assert_matches(&found, "Search");
    let names: Vec<&str> =
        found["accounts"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["ana", "anabel"]);
    let exact = instance.api(&carmen).get(&format!("/api/v2/search?q=@ana@{}", instance.domain)).await.ok();
    assert_eq!(exact["accounts"][0]["id"], ana_id.as_str());
    let tags = instance.api(&carmen).get("/api/v2/search?q=%23fin&type=hashtags").await.ok();
    assert_eq!(tags["hashtags"][0]["name"], "finance2027");
    openapi::assert_matches(&tags["hashtags"][0], "Tag");

    let statuses = |token: &str, q: &str| {
        let api = instance.api(token);
        let path = format!("/api/v2/search?type=statuses&q={q}");
        async move { api.get(&path).await.ok()["statuses"].as_array().unwrap().clone() }
    };
    assert_eq!(statuses(&bruno, "budget").await.len(), 2, "bruno follows ana");
    let for_carmen = statuses(&carmen, "budget").await;
    assert_eq!(for_carmen.len(), 1);
    assert!(for_carmen.iter().all(|s| s["id"] != secret["id"]), "a private status leaked into search");
    assert_eq!(statuses(&bruno, "100%25").await.len(), 1, "% matches literally");
    assert!(statuses(&bruno, "1_0").await.is_empty(), "_ matches literally");

    let anonymous = instance.api("").get("/api/v2/search?q=budget").await.ok();
    assert!(anonymous["statuses"].as_array().unwrap().is_empty(), "status search needs a signed-in user");
    let anonymous = instance.api("").get("/api/v2/search?q=anab").await.ok();
    assert_eq!(anonymous["accounts"][0]["username"], "anabel");
    assert_eq!(instance.api(&carmen).get("/api/v2/search?q=x&type=people").await.status, 422);

    let accounts = instance.api(&bruno).get("/api/v1/accounts/search?q=ana&following=true").await.ok();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["username"], "ana");
}

#[tokio::test]
async fn trends_count_public_activity_only() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    instance.api(&bruno).follow(&ana_id).await;

    instance.api(&ana).post_status("#alpha one", json!({})).await;
    instance.api(&ana).post_status("#alpha two and #beta", json!({})).await;
    instance.api(&bruno).post_status("#alpha too", json!({})).await;
    instance.api(&carmen).post_status("#beta here", json!({})).await;
    instance.api(&carmen).post_status("#gamma", json!({"visibility": "private"})).await;
    instance.api(&bruno).post_status("#gamma", json!({"visibility": "private"})).await;
    instance.api(&ana).post_status("#gamma", json!({"visibility": "private"})).await;

    let trending = instance.api("").get("/api/v1/trends/tags").await.ok();
    let names: Vec<&str> = trending.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "beta"], "ranked by distinct accounts; private uses do not count");
    openapi::assert_matches(&trending[0], "Tag");
    assert_eq!(trending[0]["history"][0]["accounts"], "2");
    assert_eq!(instance.api("").get("/api/v1/trends/tags?limit=1&offset=1").await.ok()[0]["name"], "beta");

    let popular = instance.api(&ana).post_status("Popular", json!({})).await;
    let liked = instance.api(&ana).post_status("Liked", json!({})).await;
    let private = instance.api(&ana).post_status("Secret", json!({"visibility": "private"})).await;
    for status in [&popular, &liked] {
        instance.api(&bruno).post(&format!("/api/v1/statuses/{}/favourite", id(status)), json!({})).await.ok();
    }
    instance.api(&carmen).post(&format!("/api/v1/statuses/{}/reblog", id(&popular)), json!({})).await.ok();
    instance.api(&bruno).post(&format!("/api/v1/statuses/{}/favourite", id(&private)), json!({})).await.ok();

    for token in ["", carmen.as_str(), bruno.as_str()] {
        let trending = instance.api(token).ids("/api/v1/trends/statuses").await;
        assert_eq!(trending, [id(&popular), id(&liked)], "most engagement first; private never trends");
    }
    assert_eq!(instance.api("").ids("/api/v1/trends/statuses?offset=1").await, [id(&liked)]);
}
