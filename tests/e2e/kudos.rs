//! Recognition across sites: Ana on `es` thanks Luis on `mx` with
//! `#kudos #teamwork @luis@mx`. The post reaches mx because it mentions
//! Luis; mx records the recognition on arrival, shows it as Luis's
//! read-only "Kudos" profile field and in his kudos listing
//! (`/api/v1/tertulia/accounts/:id/kudos`), and counts it in its roll-up
//! (measures and dimensions by site and department). Deleting the posts
//! takes it all back; self-kudos, a badge that is not configured, a forged
//! "Kudos" field, an edit that drops the hashtag (on mx too, where the
//! edit arrives as an `Update` and is applied as a local edit is: tags,
//! mentions, notifications) and a deleted giver are handled too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, World, eventually, openapi};

const BADGES: (&str, &str) = ("TERTULIA_COMMUNITIES_KUDOS_BADGES", "teamwork,mentoring");
const ADMIN_SCOPES: &str = "read write admin:read admin:write";

/// The value of the account's "Kudos" field, if it shows one.
async fn kudos_field(site: &TestInstance, token: &str, account: &str) -> Option<String> {
    let account = site.api(token).get(&format!("/api/v1/accounts/{account}")).await.ok();
    openapi::assert_matches(&account, "Account");
    let fields = account["fields"].as_array().unwrap();
    fields.iter().find(|f| f["name"] == "Kudos").map(|f| f["value"].as_str().unwrap().to_owned())
}

/// The account's recognitions as (post URI, badge), newest first.
async fn listing(site: &TestInstance, token: &str, account: &str) -> Vec<(String, Value)> {
    let listed = site.api(token).get(&format!("/api/v1/tertulia/accounts/{account}/kudos")).await.ok();
    listed
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {listed}"))
        .iter()
        .map(|recognition| {
            openapi::assert_matches(&recognition["status"], "Status");
            assert_eq!(recognition["id"], recognition["status"]["id"]);
            (recognition["status"]["uri"].as_str().unwrap().to_owned(), recognition["badge"].clone())
        })
        .collect()
}

/// Today's total of each measure, after rolling the day up again.
async fn kudos_measures(site: &TestInstance, admin: &str, other_site: &str) -> Vec<(String, String)> {
    let rolled = site.cli(&["admin", "analytics", "roll-up"]).await;
    assert!(rolled.status.success(), "roll-up failed: {}", rolled.stderr);
    let today = chrono::Utc::now().date_naive().to_string();
    let keys = ["tertulia_kudos_received", "tertulia_kudos_given"];
    let all = json!({"keys": keys, "start_at": today, "end_at": today});
    let from_other = json!({"keys": ["tertulia_kudos_received"], "start_at": today, "end_at": today,
                            "tertulia_kudos_received": {"domain": other_site}});
    let mut totals = Vec::new();
    for request in [all, from_other] {
        for measure in site.api(admin).post("/api/v1/admin/measures", request).await.ok().as_array().unwrap() {
            openapi::assert_matches(measure, "AdminMeasure");
            totals.push((measure["key"].as_str().unwrap().to_owned(), measure["total"].as_str().unwrap().to_owned()));
        }
    }
    totals
}

/// How many mention notifications `token` has about the post `uri`.
async fn mention_notices(site: &TestInstance, token: &str, uri: &str) -> usize {
    let notifications = site.api(token).get("/api/v1/notifications?types[]=mention").await.ok();
    notifications.as_array().unwrap().iter().filter(|n| n["status"]["uri"] == uri).count()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn kudos_from_es_reach_the_colleague_on_mx_and_count_in_its_analytics() {
    let world = World::plan()
        .site_with("es", &["ana", "bea"], &[BADGES])
        .site_with("mx", &["luis", "marta"], &[BADGES])
        .start(support::BINARY)
        .await;
    let (es, mx) = (world.site("es"), world.site("mx"));
    let (ana, bea, luis) = (&world.user("ana").token, &world.user("bea").token, &world.user("luis").token);
    let luis_id = world.id_on("luis", "mx");
    mx.api(luis)
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"fields_attributes": [{"name": "Department", "value": "Operations"}]}),
        )
        .await
        .ok();
    world.api("ana").resolve("luis", mx).await;
    let luis_handle = format!("@luis@{}", mx.domain);

    let teamwork = world
        .api("ana")
        .post_status(&format!("#kudos #teamwork {luis_handle} thanks for the weekend migration"), json!({}))
        .await;
    // A badge that is not configured is just a hashtag: the kudos count, without badge.
    let heroics = world
        .api("ana")
        .post_status(&format!("#Kudos #heroics {luis_handle} for staying late"), json!({"visibility": "unlisted"}))
        .await;
    // Self-kudos count for nobody, on either site.
    world.api("ana").post_status("#kudos @ana for my own great work", json!({})).await;
    world.api("luis").post_status("#kudos @luis me again", json!({})).await;

    let uris = [heroics["uri"].as_str().unwrap().to_owned(), teamwork["uri"].as_str().unwrap().to_owned()];
    eventually("both kudos recorded on mx", || async {
        (kudos_field(mx, luis, luis_id).await.as_deref() == Some("2")).then_some(())
    })
    .await;
    // Newest first by arrival on mx, which need not be the order of posting.
    let mut listed = listing(mx, luis, luis_id).await;
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected = vec![(uris[0].clone(), Value::Null), (uris[1].clone(), json!("teamwork"))];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(listed, expected);
    assert_eq!(kudos_field(es, ana, &world.api("ana").account_id().await).await, None, "self-kudos on es");

    // The field is computed: a client sending it back cannot change it.
    mx.api(luis)
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"fields_attributes": [{"name": "Department", "value": "Operations"}, {"name": "Kudos", "value": "99"}]}),
        )
        .await
        .ok();
    assert_eq!(kudos_field(mx, luis, luis_id).await.as_deref(), Some("2"));

    // mx's analytics: received from es, in Luis's department; none given.
    mx.create_user("boss", &["--admin"]).await;
    let boss = mx.token_with_scopes("boss", ADMIN_SCOPES).await;
    let measured = kudos_measures(mx, &boss, &es.domain).await;
    let expected = [("tertulia_kudos_received", "2"), ("tertulia_kudos_given", "0"), ("tertulia_kudos_received", "2")];
    assert_eq!(measured, pairs(&expected));
    let today = chrono::Utc::now().date_naive().to_string();
    let dimensions = mx
        .api(&boss)
        .post(
            "/api/v1/admin/dimensions",
            json!({"keys": ["tertulia_kudos_received_departments", "tertulia_kudos_received_sites"],
                   "start_at": today, "end_at": today}),
        )
        .await
        .ok();
    let items = |key: &str| -> Vec<(String, String)> {
        let dimension = dimensions.as_array().unwrap().iter().find(|d| d["key"] == key).unwrap();
        openapi::assert_matches(dimension, "AdminDimension");
        let data = dimension["data"].as_array().unwrap();
        data.iter().map(|i| (i["key"].as_str().unwrap().to_owned(), i["value"].as_str().unwrap().to_owned())).collect()
    };
    assert_eq!(items("tertulia_kudos_received_departments"), pairs(&[("Operations", "2")]));
    assert_eq!(items("tertulia_kudos_received_sites"), pairs(&[(&es.domain, "2")]));

    // A remote edit applies as a local one: dropping #kudos takes that
    // recognition back on mx, a new hashtag puts the post in its tag
    // timeline there, and only a newly mentioned person is notified.
    world.api("ana").resolve("marta", mx).await;
    let edited = format!("#teamwork #migration {luis_handle} @marta@{} thanks for the weekend migration", mx.domain);
    let teamwork_path = format!("/api/v1/statuses/{}", teamwork["id"].as_str().unwrap());
    world.api("ana").put(&teamwork_path, json!({"status": edited})).await.ok();
    eventually("the edit dropped a recognition on mx", || async {
        (kudos_field(mx, luis, luis_id).await.as_deref() == Some("1")).then_some(())
    })
    .await;
    assert_eq!(listing(mx, luis, luis_id).await, vec![(uris[0].clone(), Value::Null)]);
    let tagged = mx.api(luis).get("/api/v1/timelines/tag/migration").await.ok();
    let tagged: Vec<&Value> = tagged.as_array().unwrap().iter().map(|status| &status["uri"]).collect();
    assert_eq!(tagged, vec![&uris[1]]);
    let marta = &world.user("marta").token;
    assert_eq!(mention_notices(mx, marta, &uris[1]).await, 1, "marta, newly mentioned, is notified");
    assert_eq!(mention_notices(mx, luis, &uris[1]).await, 1, "luis, mentioned before, is not notified again");

    // Deleting the posts takes the recognitions back everywhere.
    for post in [&teamwork, &heroics] {
        world.api("ana").delete(&format!("/api/v1/statuses/{}", post["id"].as_str().unwrap())).await.ok();
    }
    eventually("both kudos gone from mx", || async { (kudos_field(mx, luis, luis_id).await.is_none()).then_some(()) })
        .await;
    assert_eq!(listing(mx, luis, luis_id).await, vec![]);
    let expected = [("tertulia_kudos_received", "0"), ("tertulia_kudos_given", "0"), ("tertulia_kudos_received", "0")];
    assert_eq!(kudos_measures(mx, &boss, &es.domain).await, pairs(&expected));

    // On one site: an edit that drops the hashtag drops the recognition.
    let bea_id = world.api("bea").account_id().await;
    let thanks = world.api("ana").post_status("#kudos @bea thanks for the onboarding", json!({})).await;
    assert_eq!(kudos_field(es, bea, &bea_id).await.as_deref(), Some("1"));
    assert_eq!(listing(es, ana, &bea_id).await.len(), 1, "anyone may read the listing");
    let path = format!("/api/v1/statuses/{}", thanks["id"].as_str().unwrap());
    world.api("ana").put(&path, json!({"status": "@bea thanks for the onboarding"})).await.ok();
    assert_eq!(kudos_field(es, bea, &bea_id).await, None);
    assert_eq!(listing(es, bea, &bea_id).await, vec![]);

    // A giver's account deleted takes their recognitions with it.
    world.api("ana").post_status("#kudos #mentoring @bea thanks again", json!({})).await;
    assert_eq!(kudos_field(es, bea, &bea_id).await.as_deref(), Some("1"));
    let deleted = es.cli(&["admin", "user", "delete", "ana", "--yes"]).await;
    assert!(deleted.status.success(), "{}", deleted.stderr);
    assert_eq!(kudos_field(es, bea, &bea_id).await, None);
}
