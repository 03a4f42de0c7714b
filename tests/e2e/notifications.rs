//! Grouped notifications (Mastodon 4.3), unread counts, and what posting
//! and boosting answer (`allowed_mentions`, the boost's `reblogged`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::openapi;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// The `max_id` of a `Link` header's `next` page.
fn next_max_id(link: &str) -> String {
    let next = link.split(',').find(|l| l.contains("rel=\"next\"")).expect("a next link");
    let start = next.find("max_id=").expect("max_id") + "max_id=".len();
    next[start..].chars().take_while(char::is_ascii_digit).collect()
}

#[tokio::test]
async fn groups_are_whole_on_one_page_and_can_be_read_and_dismissed() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let fans: Vec<String> =
        [instance.sign_up("bruno").await, instance.sign_up("carmen").await, instance.sign_up("dario").await].into();
    let status = instance.api(&ana).post_status("Quarterly numbers are in", json!({})).await;
    let favourite = format!("/api/v1/statuses/{}/favourite", id(&status));
    instance.api(&fans[0]).post(&favourite, json!({})).await.ok();
    let mention = instance.api(&fans[1]).post_status("@ana great work", json!({})).await;
    instance.api(&fans[1]).post(&favourite, json!({})).await.ok();
    instance.api(&fans[2]).post(&favourite, json!({})).await.ok();
    let v1 = instance.api(&ana).get("/api/v1/notifications").await.ok();
    let notification_ids: Vec<String> = v1.as_array().unwrap().iter().map(id).collect();
    assert_eq!(notification_ids.len(), 4, "{v1}");

    // One group per page: the three favourites, whole, although two of
    // them are older than the mention.
    let first = instance.api(&ana).get("/api/v2/notifications?limit=1").await;
    let link = first.link.clone().expect("a Link header");
    let first = first.ok();
    openapi::assert_grouped_notifications(&first);
    let group = &first["notification_groups"][0];
    assert_eq!(group["type"], "favourite");
    assert_eq!(group["notifications_count"], 3);
    assert_eq!(group["most_recent_notification_id"], notification_ids[0].as_str());
    assert_eq!((&group["page_max_id"], &group["page_min_id"]), (&v1[0]["id"], &v1[3]["id"]));
    let sample: Vec<&str> =
        group["sample_account_ids"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let fan_ids: Vec<String> = [&v1[0], &v1[1], &v1[3]].iter().map(|n| id(&n["account"])).collect();
    assert_eq!(sample, fan_ids, "newest first");
    assert_eq!(first["accounts"].as_array().unwrap().len(), 3);
    assert_eq!(first["statuses"][0]["id"], status["id"]);
    let favourites_key = group["group_key"].as_str().unwrap().to_owned();

    let max_id = next_max_id(&link);
    let second = instance.api(&ana).get(&format!("/api/v2/notifications?limit=1&max_id={max_id}")).await;
    let link = second.link.clone().expect("a Link header");
    let second = second.ok();
    openapi::assert_grouped_notifications(&second);
    let group = &second["notification_groups"][0];
    assert_eq!((group["type"].as_str(), group["notifications_count"].as_i64()), (Some("mention"), Some(1)));
    assert_eq!(group["status_id"], mention["id"]);
    let mention_key = group["group_key"].as_str().unwrap().to_owned();
    assert_eq!(mention_key, format!("ungrouped-{}", notification_ids[2]));
    let third = instance.api(&ana).get(&format!("/api/v2/notifications?limit=1&max_id={}", next_max_id(&link))).await;
    assert_eq!(third.ok()["notification_groups"], json!([]), "the oldest favourite was shown with its group");

    // Without grouping, each notification is its own group.
    let ungrouped = instance.api(&ana).get("/api/v2/notifications?grouped_types[]=reblog").await.ok();
    assert_eq!(ungrouped["notification_groups"].as_array().unwrap().len(), 4);

    let one = instance.api(&ana).get(&format!("/api/v2/notifications/{favourites_key}")).await.ok();
    openapi::assert_grouped_notifications(&one);
    assert_eq!(one["notification_groups"][0]["notifications_count"], 3);
    let accounts = instance.api(&ana).get(&format!("/api/v2/notifications/{favourites_key}/accounts")).await.ok();
    openapi::assert_matches(&accounts[0], "Account");
    let account_ids: Vec<String> = accounts.as_array().unwrap().iter().map(id).collect();
    assert_eq!(account_ids, fan_ids);
    let single = instance.api(&ana).get(&format!("/api/v2/notifications/{mention_key}")).await.ok();
    assert_eq!(single["notification_groups"][0]["type"], "mention");
    instance.api(&fans[0]).get(&format!("/api/v2/notifications/{favourites_key}")).await.error(404);
    instance.api(&ana).get("/api/v2/notifications/no-such-group").await.error(404);

    // Unread counts: notifications in v1, groups in v2, from the marker.
    let count = |path: &str| {
        let api = instance.api(&ana);
        let path = path.to_owned();
        async move { api.get(&path).await.ok()["count"].as_i64().unwrap() }
    };
    assert_eq!(count("/api/v1/notifications/unread_count").await, 4);
    assert_eq!(count("/api/v1/notifications/unread_count?limit=2").await, 2);
    assert_eq!(count("/api/v1/notifications/unread_count?types[]=mention").await, 1);
    assert_eq!(count("/api/v2/notifications/unread_count").await, 2);
    assert_eq!(count("/api/v2/notifications/unread_count?exclude_types[]=mention").await, 1);
    assert_eq!(count("/api/v2/notifications/unread_count?grouped_types[]=follow").await, 4);
    let marker = json!({"notifications": {"last_read_id": notification_ids[1]}});
    instance.api(&ana).post("/api/v1/markers", marker).await.ok();
    assert_eq!(count("/api/v1/notifications/unread_count").await, 1);
    assert_eq!(count("/api/v2/notifications/unread_count").await, 1);
    // Kinds of newer Mastodon versions match nothing, as there: clients
    // such as Phanpy ask for them, and a 422 would empty their pages.
    assert_eq!(count("/api/v2/notifications/unread_count?types[]=likes").await, 0);
    let unread = instance.api(&ana).get("/api/v1/notifications?types[]=favourite&types[]=quoted_update").await.ok();
    assert_eq!(unread.as_array().unwrap().len(), 3, "{unread}");

    instance.api(&fans[0]).post(&format!("/api/v2/notifications/{favourites_key}/dismiss"), json!({})).await.error(404);
    let dismissed =
        instance.api(&ana).post(&format!("/api/v2/notifications/{favourites_key}/dismiss"), json!({})).await.ok();
    assert_eq!(dismissed, json!({}));
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications").await, [notification_ids[2].as_str()]);
    instance.api(&ana).post(&format!("/api/v2/notifications/{mention_key}/dismiss"), json!({})).await.ok();
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications").await, Vec::<String>::new());
    instance.api(&ana).get(&format!("/api/v2/notifications/{favourites_key}")).await.error(404);
}

#[tokio::test]
async fn a_boost_answers_reblogged_on_the_outer_status_too() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let status = instance.api(&ana).post_status("Worth sharing", json!({})).await;
    let boost = instance.api(&bruno).post(&format!("/api/v1/statuses/{}/reblog", id(&status)), json!({})).await.ok();
    openapi::assert_matches(&boost, "Status");
    assert_eq!(boost["reblog"]["id"], status["id"]);
    assert_eq!((&boost["reblogged"], &boost["reblog"]["reblogged"]), (&json!(true), &json!(true)));
    let seen_by_bruno = instance.api(&bruno).get(&format!("/api/v1/statuses/{}", id(&boost))).await.ok();
    assert_eq!(seen_by_bruno["reblogged"], true);
    let seen_by_ana = instance.api(&ana).get(&format!("/api/v1/statuses/{}", id(&boost))).await.ok();
    assert_eq!(seen_by_ana["reblogged"], false, "ana did not boost it");
}

#[tokio::test]
async fn posts_mentioning_accounts_outside_allowed_mentions_are_refused() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let (_, bruno_id) = instance.sign_up_with_id("bruno").await;
    instance.sign_up("carmen").await;

    let refused = instance
        .api(&ana)
        .post("/api/v1/statuses", json!({"status": "@bruno @carmen lunch?", "allowed_mentions": [bruno_id]}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body["error"].as_str().unwrap().contains("unexpected accounts"), "{}", refused.body);
    let unexpected = refused.body["unexpected_accounts"].as_array().unwrap();
    assert_eq!(unexpected.len(), 1);
    assert_eq!(unexpected[0]["username"], "carmen");
    openapi::assert_matches(&unexpected[0], "Account");
    let posted = instance.api(&ana).ids(&format!("/api/v1/accounts/{ana_id}/statuses")).await;
    assert!(posted.is_empty(), "nothing was posted: {posted:?}");

    let form = instance
        .api(&ana)
        .post_form("/api/v1/statuses", &[("status", "@bruno lunch?"), ("allowed_mentions[]", &bruno_id)])
        .await
        .ok();
    assert_eq!(form["mentions"][0]["id"], bruno_id.as_str());
    let unchecked = instance.api(&ana).post_status("@carmen and without the check", json!({})).await;
    assert_eq!(unchecked["mentions"][0]["username"], "carmen");
}

#[tokio::test]
async fn the_policy_filters_into_requests_or_drops_and_requests_can_be_settled() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let carmen = instance.sign_up("carmen").await;
    let (dario, dario_id) = instance.sign_up_with_id("dario").await;
    instance.api(&ana).follow(&dario_id).await;

    let policy = instance.api(&ana).get("/api/v2/notifications/policy").await.ok();
    openapi::assert_matches(&policy, "NotificationPolicy");
    assert_eq!(policy["for_not_following"], "accept");
    let changed =
        instance.api(&ana).patch("/api/v2/notifications/policy", json!({"for_not_following": "filter"})).await.ok();
    assert_eq!(changed["for_not_following"], "filter");
    let refusal = instance.api(&ana).patch("/api/v2/notifications/policy", json!({"for_new_accounts": "ignore"})).await;
    assert!(refusal.error(422).contains("for_new_accounts"));

    // Bruno and carmen are not followed: held back. Dario is followed.
    let from_bruno = instance.api(&bruno).post_status("@ana hello from sales", json!({})).await;
    instance.api(&carmen).post_status("@ana hello from legal", json!({})).await;
    instance.api(&dario).post_status("@ana hello from a friend", json!({})).await;
    let listed = instance.api(&ana).get("/api/v1/notifications").await.ok();
    let senders: Vec<&str> =
        listed.as_array().unwrap().iter().map(|n| n["account"]["username"].as_str().unwrap()).collect();
    assert_eq!(senders, ["dario"]);
    let everything = instance.api(&ana).ids("/api/v1/notifications?include_filtered=true").await;
    assert_eq!(everything.len(), 3);
    let grouped = instance.api(&ana).get("/api/v2/notifications").await.ok();
    assert_eq!(grouped["notification_groups"].as_array().unwrap().len(), 1);
    let unread = instance.api(&ana).get("/api/v1/notifications/unread_count").await.ok();
    assert_eq!(unread["count"], 1);

    let requests = instance.api(&ana).get("/api/v1/notifications/requests").await.ok();
    let requests = requests.as_array().unwrap().clone();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        openapi::assert_matches(request, "NotificationRequest");
    }
    let brunos = requests.iter().find(|r| r["account"]["username"] == "bruno").unwrap();
    assert_eq!((&brunos["notifications_count"], &brunos["last_status"]["id"]), (&json!("1"), &from_bruno["id"]));
    let carmens = requests.iter().find(|r| r["account"]["username"] == "carmen").unwrap();
    let one = instance.api(&ana).get(&format!("/api/v1/notifications/requests/{}", id(brunos))).await.ok();
    assert_eq!(one["id"], brunos["id"]);
    instance.api(&bruno).get(&format!("/api/v1/notifications/requests/{}", id(brunos))).await.error(404);
    let summary = instance.api(&ana).get("/api/v1/notifications/policy").await.ok();
    openapi::assert_matches(&summary, "V1NotificationPolicy");
    assert_eq!(summary["filter_not_following"], true);
    assert_eq!(summary["summary"], json!({"pending_requests_count": 2, "pending_notifications_count": 2}));

    // Accepting lets bruno's notification in, and bruno from then on.
    instance.api(&ana).post(&format!("/api/v1/notifications/requests/{}/accept", id(brunos)), json!({})).await.ok();
    instance.api(&bruno).post_status("@ana and a follow-up", json!({})).await;
    let senders: Vec<String> = instance
        .api(&ana)
        .get("/api/v1/notifications")
        .await
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["account"]["username"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(senders, ["bruno", "dario", "bruno"]);
    let merged = instance.api(&ana).get("/api/v1/notifications/requests/merged").await.ok();
    assert_eq!(merged, json!({"merged": true}));

    // Dismissing (in bulk) deletes carmen's held notification.
    instance.api(&ana).post_form("/api/v1/notifications/requests/dismiss", &[("id[]", &id(carmens))]).await.ok();
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications/requests").await, Vec::<String>::new());
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications?include_filtered=true").await.len(), 3);

    // Dropping stores nothing at all.
    instance.api(&ana).patch("/api/v1/notifications/policy", json!({"filter_not_following": false})).await.ok();
    let dropped = instance.api(&ana).patch("/api/v2/notifications/policy", json!({"for_not_following": "drop"})).await;
    assert_eq!(dropped.ok()["for_not_following"], "drop");
    instance.api(&carmen).post_status("@ana are you there?", json!({})).await;
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications?include_filtered=true").await.len(), 3);
    assert_eq!(instance.api(&ana).ids("/api/v1/notifications/requests").await, Vec::<String>::new());
}
