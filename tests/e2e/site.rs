//! Site identity (`[site]`) and the company timeline (`site=` on the public
//! timeline): what staff see of which site a colleague belongs to, here and
//! on another site.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use tertulia_testrig::{Federation, TestInstance, eventually, openapi};

const HQ: &[(&str, &str)] = &[
    ("TERTULIA_SITE_NAME", "ACME HQ"),
    ("TERTULIA_SITE_COUNTRY", "US"),
    ("TERTULIA_SITE_REGION", "New York"),
    ("TERTULIA_SITE_TIME_ZONE", "America/New_York"),
    ("TERTULIA_SITE_DEFAULT_LANGUAGE", "en"),
];

const SPAIN: &[(&str, &str)] = &[
    ("TERTULIA_INSTANCE_LANGUAGES", "es, en"),
    ("TERTULIA_SITE_NAME", "ACME Spain"),
    ("TERTULIA_SITE_COUNTRY", "ES"),
    ("TERTULIA_SITE_REGION", "Madrid"),
    ("TERTULIA_SITE_TIME_ZONE", "Europe/Madrid"),
    ("TERTULIA_SITE_DEFAULT_LANGUAGE", "es"),
];

fn spain() -> Value {
    json!({
        "name": "ACME Spain",
        "country": "ES",
        "region": "Madrid",
        "time_zone": "Europe/Madrid",
        "default_language": "es",
    })
}

fn site_field(value: &str) -> Value {
    json!({ "name": "Site", "value": value, "verified_at": null })
}

#[tokio::test]
async fn the_instance_nodeinfo_and_every_local_account_show_the_site() {
    let es = TestInstance::start_with_env(support::BINARY, SPAIN).await;
    let v2 = es.get_json("/api/v2/instance").await;
    openapi::assert_matches(&v2, "Instance");
    assert_eq!(v2["tertulia"]["site"], spain());
    let nodeinfo = es.get_json("/nodeinfo/2.1").await;
    assert_eq!(nodeinfo["metadata"]["site"], spain());

    let ana = es.sign_up("ana").await;
    let me = es.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    openapi::assert_matches(&me, "Account");
    assert_eq!(me["tertulia"]["site"], spain());
    assert_eq!(me["fields"], json!([site_field("ACME Spain · Madrid")]));
    assert_eq!(me["source"]["fields"], json!([]), "clients edit from source.fields, which never holds it");

    // A client that edits from `fields` sends the Site field back, beside
    // as many fields of her own as allowed (4): it is dropped, not counted.
    let mut fields: Vec<Value> =
        ["Department", "Desk", "Skills", "Languages"].iter().map(|name| json!({"name": name, "value": "x"})).collect();
    fields.push(json!({"name": "Site", "value": "ACME Spain · Madrid"}));
    let updated =
        es.api(&ana).patch("/api/v1/accounts/update_credentials", json!({"fields_attributes": fields})).await.ok();
    let names: Vec<&str> =
        updated["source"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Department", "Desk", "Skills", "Languages"]);
    assert_eq!(updated["fields"].as_array().unwrap().last(), Some(&site_field("ACME Spain · Madrid")));
    assert_eq!(updated["fields"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn an_instance_without_a_site_shows_none() {
    let plain = support::start().await;
    let token = plain.sign_up("ana").await;
    let me = plain.api(&token).get("/api/v1/accounts/verify_credentials").await.ok();
    assert!(me.get("tertulia").is_none(), "{me}");
    assert_eq!(me["fields"], json!([]));
    assert!(plain.get_json("/api/v2/instance").await.get("tertulia").is_none());
    assert!(plain.get_json("/nodeinfo/2.1").await["metadata"].get("site").is_none());
}

/// The statuses' texts in a timeline answer, in order.
fn texts(page: &Value) -> Vec<String> {
    let statuses = page.as_array().unwrap_or_else(|| panic!("not a list: {page}"));
    statuses.iter().map(|s| s["content"].as_str().unwrap().replace("<p>", "").replace("</p>", "")).collect()
}

#[tokio::test]
async fn a_colleague_from_another_site_shows_their_site_and_the_company_timeline_filters_by_site() {
    let [hq, es] = Federation::start(support::BINARY, [HQ, SPAIN]).await;
    let bob = hq.sign_up("bob").await;
    let ana = es.sign_up("ana").await;

    // ana's account, fetched from es by hq, carries es's identity.
    let ana_at_hq = hq.api(&bob).resolve("ana", &es).await;
    let account = hq.api(&bob).get(&format!("/api/v1/accounts/{ana_at_hq}")).await.ok();
    openapi::assert_matches(&account, "Account");
    assert_eq!(account["tertulia"]["site"], spain());
    assert_eq!(account["fields"], json!([site_field("ACME Spain · Madrid")]));
    let me = hq.api(&bob).get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!(me["tertulia"]["site"]["name"], "ACME HQ");

    hq.api(&bob).follow_and_wait(&ana_at_hq).await;
    hq.api(&bob).post_status("hq news", json!({})).await;
    let chart = hq.api(&bob).upload_png().await;
    hq.api(&bob).post_status("hq chart", json!({"media_ids": [chart["id"]]})).await;
    let public = |query: String| {
        let (hq, bob) = (&hq, &bob);
        async move { hq.api(bob).get(&format!("/api/v1/timelines/public?{query}")).await }
    };
    let es_site = format!("site={}", es.domain);
    let arrived = |count: usize| {
        let (public, es_site) = (&public, &es_site);
        async move { (texts(&public(es_site.clone()).await.ok()).len() == count).then_some(()) }
    };
    // One at a time, so they arrive in the order written.
    es.api(&ana).post_status("es news", json!({})).await;
    eventually("ana's first post on hq", || arrived(1)).await;
    let chart = es.api(&ana).upload_png().await;
    es.api(&ana).post_status("es chart", json!({"media_ids": [chart["id"]]})).await;
    eventually("ana's second post on hq", || arrived(2)).await;

    let hq_site = format!("site={}", hq.domain);
    let cases = [
        (es_site.clone(), vec!["es chart", "es news"]),
        (format!("{es_site}&remote=true"), vec!["es chart", "es news"]),
        (format!("{es_site}&local=true"), vec![]),
        (format!("{es_site}&only_media=true"), vec!["es chart"]),
        (hq_site.clone(), vec!["hq chart", "hq news"]),
        (format!("{hq_site}&local=true"), vec!["hq chart", "hq news"]),
        (format!("{hq_site}&remote=true"), vec![]),
        (format!("{hq_site}&only_media=1"), vec!["hq chart"]),
        ("site=mx.acme.example".into(), vec![]),
        ("local=true".into(), vec!["hq chart", "hq news"]),
        ("remote=true".into(), vec!["es chart", "es news"]),
    ];
    for (query, expected) in cases {
        assert_eq!(texts(&public(query.clone()).await.ok()), expected, "?{query}");
    }
    // Anonymous readers get the same company timeline.
    let anonymous = hq.api("").get(&format!("/api/v1/timelines/public?{es_site}")).await.ok();
    assert_eq!(texts(&anonymous), ["es chart", "es news"]);

    // The next page keeps the site.
    let first = public(format!("{es_site}&limit=1")).await;
    let link = first.link.clone().unwrap();
    assert!(link.contains(&format!("site={}", es.domain.replace(':', "%3A"))), "{link}");
    assert_eq!(texts(&first.ok()), ["es chart"]);

    let error = public("site=https://es.acme.example/".into()).await.error(422);
    assert!(error.contains("site"), "{error}");
}
