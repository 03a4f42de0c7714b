//! Adoption analytics end to end: people sign in, read, post, reply, boost,
//! favourite and tag through the API; `tertulia admin analytics roll-up`
//! counts the day; the admin reports (`/api/v1/admin/measures`,
//! `/dimensions`, `/retention`, `/adoption`) give exactly the expected
//! figures, in JSON (checked against Mastodon's schemas) and in CSV; a
//! non-admin is refused and bad requests get clear errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, openapi};

const ADMIN_SCOPES: &str = "read write admin:read admin:write";

async fn set_fields(instance: &TestInstance, token: &str, fields: &[(&str, &str)]) {
    let fields: Vec<Value> = fields.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
    instance.api(token).patch("/api/v1/accounts/update_credentials", json!({"fields_attributes": fields})).await.ok();
}

/// Today's value of each measure, keyed by measure, after the schema check.
fn today_of(measures: &Value) -> Vec<(String, String, String)> {
    measures
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            openapi::assert_matches(m, "AdminMeasure");
            let data = m["data"].as_array().unwrap();
            assert_eq!(data.len(), 1, "one day asked, one point: {m}");
            (
                m["key"].as_str().unwrap().to_owned(),
                m["total"].as_str().unwrap().to_owned(),
                data[0]["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A dimension's items as (key, value).
fn items(dimensions: &Value, key: &str) -> Vec<(String, String)> {
    let dimension = dimensions.as_array().unwrap().iter().find(|d| d["key"] == key).unwrap();
    openapi::assert_matches(dimension, "AdminDimension");
    dimension["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["key"].as_str().unwrap().to_owned(), item["value"].as_str().unwrap().to_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn seeded_activity_gives_exact_measures_dimensions_retention_and_adoption() {
    let instance = support::start().await;
    instance.create_user("boss", &["--admin"]).await;
    let boss = instance.token_with_scopes("boss", ADMIN_SCOPES).await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let dani = instance.sign_up("dani").await;
    // Carla has an account but never signs in: not active.
    instance.create_user("carla", &[]).await;
    set_fields(&instance, &ana, &[("Department", "Sales"), ("Office", "Madrid")]).await;
    set_fields(&instance, &bruno, &[("department", " Sales "), ("Office", "Lisbon")]).await;
    set_fields(&instance, &dani, &[("Department", "Finance")]).await;

    // Ana posts twice, Bruno replies, boosts and favourites; Dani only reads.
    let launch = instance.api(&ana).post_status("Launch day #launch", json!({"language": "en"})).await;
    let launch_id = launch["id"].as_str().unwrap();
    instance.api(&ana).post_status("Segunda nota #Launch", json!({"language": "es"})).await;
    let reply = instance
        .api(&bruno)
        .post_status("Well done #launch", json!({"language": "en", "in_reply_to_id": launch_id}))
        .await;
    instance.api(&bruno).post(&format!("/api/v1/statuses/{launch_id}/favourite"), json!({})).await.ok();
    instance.api(&bruno).post(&format!("/api/v1/statuses/{launch_id}/reblog"), json!({})).await.ok();
    instance.api(&dani).get("/api/v1/timelines/home").await.ok();
    // Dani reports Bruno twice; the admin resolves one of the reports.
    let report = json!({"account_id": reply["account"]["id"], "status_ids": [reply["id"]]});
    instance.api(&dani).post("/api/v1/reports", report.clone()).await.ok();
    let resolved = instance.api(&dani).post("/api/v1/reports", report).await.ok();
    let resolve = format!("/api/v1/admin/reports/{}/resolve", resolved["id"].as_str().unwrap());
    instance.api(&boss).post(&resolve, json!({})).await.ok();
    let tag = instance.api(&ana).get("/api/v1/tags/launch").await.ok();
    let tag_id = tag["id"].as_str().unwrap_or_else(|| panic!("tag without id: {tag}")).to_owned();

    let rolled = instance.cli(&["admin", "analytics", "roll-up"]).await;
    assert!(rolled.status.success(), "roll-up failed: {}", rolled.stderr);
    assert!(rolled.stdout.starts_with("Counted 1 day(s)"), "{}", rolled.stdout);

    let today = chrono::Utc::now().date_naive().to_string();
    let admin = instance.api(&boss);
    let keys = [
        "active_users",
        "new_users",
        "interactions",
        "opened_reports",
        "resolved_reports",
        "tag_accounts",
        "tag_uses",
        "tag_servers",
        "instance_statuses",
    ];
    let measures = admin
        .post(
            "/api/v1/admin/measures",
            json!({"keys": keys, "start_at": today, "end_at": format!("{today}T12:00:00Z"),
                   "tag_accounts": {"id": tag_id}, "tag_uses": {"id": tag_id}, "tag_servers": {"id": tag_id},
                   "instance_statuses": {"domain": "elsewhere.example"}}),
        )
        .await
        .ok();
    let expected = [
        // boss, ana, bruno and dani used a token today; carla did not.
        ("active_users", "4"),
        ("new_users", "5"),
        // Bruno's reply, boost and favourite of Ana's status.
        ("interactions", "3"),
        ("opened_reports", "2"),
        ("resolved_reports", "1"),
        ("tag_accounts", "2"),
        ("tag_uses", "3"),
        ("tag_servers", "1"),
        ("instance_statuses", "0"),
    ];
    let found = today_of(&measures);
    let wanted: Vec<_> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string(), v.to_string())).collect();
    assert_eq!(found, wanted);

    // The same measures as CSV: one line per key and day, same values.
    let csv = admin
        .post(
            "/api/v1/admin/measures?format=csv",
            json!({"keys": ["active_users", "interactions"], "start_at": today, "end_at": today}),
        )
        .await
        .ok();
    let midnight = format!("{today}T00:00:00.000Z");
    assert_eq!(
        csv.as_str().unwrap(),
        format!("key,date,value\r\nactive_users,{midnight},4\r\ninteractions,{midnight},3\r\n")
    );

    let dimensions = admin
        .post(
            "/api/v1/admin/dimensions",
            json!({"keys": ["languages", "sites", "departments", "offices", "tag_servers", "software_versions"],
                   "start_at": today, "end_at": today, "tag_servers": {"id": tag_id}}),
        )
        .await
        .ok();
    assert_eq!(items(&dimensions, "languages"), pairs(&[("en", "2"), ("es", "1")]));
    assert_eq!(items(&dimensions, "sites"), pairs(&[(&instance.domain, "3")]));
    assert_eq!(items(&dimensions, "departments"), pairs(&[("Sales", "2"), ("(not set)", "1"), ("Finance", "1")]));
    assert_eq!(items(&dimensions, "offices"), pairs(&[("(not set)", "2"), ("Lisbon", "1"), ("Madrid", "1")]));
    assert_eq!(items(&dimensions, "tag_servers"), pairs(&[(&instance.domain, "3")]));
    assert_eq!(items(&dimensions, "software_versions")[0].0, "tertulia");

    let cohorts = admin
        .post("/api/v1/admin/retention", json!({"start_at": today, "end_at": today, "frequency": "day"}))
        .await
        .ok();
    let cohort = &cohorts[0];
    openapi::assert_matches(cohort, "AdminCohort");
    assert_eq!((cohort["data"][0]["value"].as_str(), cohort["data"][0]["rate"].as_f64()), (Some("4"), Some(0.8)));

    // Adoption per department, in JSON and the same table in CSV.
    let adoption = admin.get("/api/v1/admin/adoption?range=30&by=department").await.ok();
    let groups: Vec<Vec<String>> = adoption["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let figures = ["members", "active", "engaged", "monthly_active", "habitual"].map(|k| g[k].to_string());
            std::iter::once(g["group"].as_str().unwrap().to_owned()).chain(figures).collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = [
        // boss (active) and carla (never signed in) have no department.
        ["(not set)", "2", "1", "0", "1", "0"],
        ["Sales", "2", "2", "2", "2", "0"],
        ["Finance", "1", "1", "0", "1", "0"],
    ]
    .iter()
    .map(|row| row.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(groups, expected, "{adoption}");
    let csv = admin.get("/api/v1/admin/adoption?range=30&by=department&format=csv").await.ok();
    let lines: Vec<Vec<String>> =
        csv.as_str().unwrap().lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(lines, expected, "CSV matches JSON");
    let by_tag = admin.get("/api/v1/admin/adoption?range=7&by=tag").await.ok();
    assert_eq!(
        by_tag["groups"],
        json!([{"group": "#launch", "members": 2, "active": 2, "engaged": 2,
                                          "monthly_active": 2, "habitual": 0}])
    );

    // Refusals: a non-admin, and requests that cannot be answered.
    let message = instance.api(&ana).post("/api/v1/admin/measures", json!({"keys": ["active_users"]})).await.error(403);
    assert!(message.contains("admin:read"), "{message}");
    let message = instance.api(&ana).get("/api/v1/admin/adoption").await.error(403);
    assert!(message.contains("admin:read"), "{message}");
    let bad = |body: Value| admin.post("/api/v1/admin/measures", body);
    let message = bad(json!({"keys": ["active_users"], "start_at": today, "end_at": "2020-01-01"})).await.error(422);
    assert!(message.contains("2020-01-01 is before start_at"), "{message}");
    let message = bad(json!({"keys": ["active_users"], "start_at": "last week", "end_at": today})).await.error(422);
    assert!(message.contains("'last week' is not a date"), "{message}");
    let message = bad(json!({"keys": ["sessions"], "start_at": today, "end_at": today})).await.error(422);
    assert!(message.contains("'sessions' is not one of active_users"), "{message}");
    let message = bad(json!({"keys": ["tag_uses"], "start_at": today, "end_at": today})).await.error(422);
    assert!(message.contains("needs tag_uses[id]"), "{message}");
    let message = admin.get("/api/v1/admin/adoption?range=45").await.error(422);
    assert!(message.contains("'45' is not one of 7, 30, 90, 180"), "{message}");
    let message = admin.get("/api/v1/admin/adoption?by=floor").await.error(422);
    assert!(message.contains("'floor' is not one of site, department, office, tag"), "{message}");
    let message = admin.get("/api/v1/admin/adoption?format=xlsx").await.error(400);
    assert!(message.contains("use json or csv"), "{message}");
}
