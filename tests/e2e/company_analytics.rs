//! HQ's company-wide adoption table end to end: three sites (hq follows es
//! and mx as sites; es and mx federate only with hq, by allowlist) and an
//! outsider. People post, reply and favourite on es and mx; each site
//! rolls up its day; `tertulia admin analytics pull-sites` on hq pulls
//! their published counts; `GET /api/v1/admin/adoption/sites` (and its CSV,
//! and `admin analytics sites`) shows per site exactly what each site's own
//! reports say. The published document holds counts only (its keys are
//! asserted) and small departments are left out; an unsigned request, the
//! outsider and a site that federates without following are refused; a site that is down shows an error row while
//! the others still count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod federation_support;
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use tertulia_federation::signatures::SigningKey;
use tertulia_testrig::{Federation, TestInstance};

const ALLOWLIST: (&str, &str) = ("TERTULIA_FEDERATION_MODE", "allowlist");
/// Departments of two people are published, of one are not.
const MIN_GROUP: (&str, &str) = ("TERTULIA_ANALYTICS_MIN_GROUP_SIZE", "2");

/// The key `site`'s own actor signs with, read from its database: the
/// test then asks as that site's server would.
async fn site_key(site: &TestInstance) -> SigningKey {
    let db = federation_support::database_of(site);
    let uri = site.url("/actor");
    let lookup = uri.clone();
    let actor = db.run(move |conn| tertulia_db::actors::find_by_uri(conn, &lookup)).await.unwrap().unwrap();
    SigningKey::from_pem(format!("{uri}#main-key"), actor.private_key_pem.as_deref().expect("key made")).unwrap()
}

/// What `site`'s own reports say over the last 30 days, in the shape of a
/// row of the company-wide table.
async fn own_figures(site: &TestInstance, admin: &str) -> Value {
    let api = site.api(admin);
    let everyone = api.get("/api/v1/admin/adoption?range=30").await.ok()["groups"][0].clone();
    let today = chrono::Utc::now().date_naive();
    let window = json!({"start_at": (today - chrono::Duration::days(29)).to_string(), "end_at": today.to_string()});
    let mut measures = window.clone();
    measures["keys"] = json!(["new_users", "interactions"]);
    let measures = api.post("/api/v1/admin/measures", measures).await.ok();
    let total = |index: usize| measures[index]["total"].as_str().unwrap().parse::<i64>().unwrap();
    let mut sites = window;
    sites["keys"] = json!(["sites"]);
    let sites = api.post("/api/v1/admin/dimensions", sites).await.ok();
    let own = sites[0]["data"].as_array().unwrap().iter().find(|item| item["key"] == site.domain.as_str());
    let statuses = own.map_or(0, |item| item["value"].as_str().unwrap().parse::<i64>().unwrap());
    json!({
        "members": everyone["members"], "active": everyone["active"], "engaged": everyone["engaged"],
        "new_users": total(0), "statuses": statuses, "interactions": total(1),
        "monthly_active": everyone["monthly_active"], "habitual": everyone["habitual"],
    })
}

fn row<'a>(table: &'a Value, site: &TestInstance) -> &'a Value {
    let sites = table["sites"].as_array().unwrap();
    sites
        .iter()
        .find(|row| row["domain"] == site.domain.as_str())
        .unwrap_or_else(|| panic!("no {}: {table}", site.domain))
}

fn keys(object: &Value) -> BTreeSet<&str> {
    object.as_object().unwrap_or_else(|| panic!("not an object: {object}")).keys().map(String::as_str).collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

#[tokio::test]
async fn hq_pulls_the_sites_counts_into_one_company_table_and_nobody_else_can_read_them() {
    let [hq, es, mut mx, outsider] =
        Federation::start(support::BINARY, [&[], &[ALLOWLIST, MIN_GROUP], &[ALLOWLIST, MIN_GROUP], &[]]).await;
    let hq_admin = hq.sign_up_admin("hq_admin").await;
    let es_admin = es.sign_up_admin("es_admin").await;
    let mx_admin = mx.sign_up_admin("mx_admin").await;
    for (site, admin) in [(&es, &es_admin), (&mx, &mx_admin)] {
        site.api(admin).post("/api/v1/admin/domain_allows", json!({"domain": hq.domain})).await.ok();
    }
    hq.follow_site(&es).await;
    hq.follow_site(&mx).await;

    // es: two in Sales, one in Finance; Alba posts twice, Bruno replies
    // and favourites. mx: Diego posts once.
    let alba = es.sign_up_colleague("alba_es", &[("Department", "Sales")], true).await;
    let bruno = es.sign_up_colleague("bruno_es", &[("Department", "Sales")], true).await;
    es.sign_up_colleague("carla_es", &[("Department", "Finance")], true).await;
    let first = es.api(&alba).post_status("Hola equipo", json!({})).await;
    es.api(&alba).post_status("Segunda nota", json!({})).await;
    let first_id = first["id"].as_str().unwrap();
    es.api(&bruno).post_status("Bien hecho", json!({"in_reply_to_id": first_id})).await;
    es.api(&bruno).post(&format!("/api/v1/statuses/{first_id}/favourite"), json!({})).await.ok();
    let diego = mx.sign_up_colleague("diego_mx", &[("Department", "Ventas")], true).await;
    mx.api(&diego).post_status("Saludos desde México", json!({})).await;
    for site in [&hq, &es, &mx] {
        let rolled = site.cli(&["admin", "analytics", "roll-up"]).await;
        assert!(rolled.status.success(), "roll-up on {}: {}", site.domain, rolled.stderr);
    }

    // What es publishes: counts only, and only departments of two or more.
    let published = federation_support::get_signed(&es, &site_key(&hq).await, &es.url("/actor/adoption")).await;
    assert_eq!(published.status(), 200);
    let document: Value = published.json().await.unwrap();
    let top = ["domain", "name", "as_of", "min_group_size", "members", "monthly_active", "habitual", "ranges", "days"];
    assert_eq!(keys(&document), set(&top), "{document}");
    let day_keys = set(&["date", "active", "engaged", "new_users", "statuses", "interactions"]);
    assert!(document["days"].as_array().unwrap().iter().all(|day| keys(day) == day_keys), "{document}");
    let range_keys = set(&["days", "active", "engaged", "departments", "offices"]);
    let group_keys = set(&["name", "members", "active", "engaged"]);
    for range in document["ranges"].as_array().unwrap() {
        assert_eq!(keys(range), range_keys, "{range}");
        let departments = range["departments"].as_array().unwrap();
        assert!(departments.iter().chain(range["offices"].as_array().unwrap()).all(|g| keys(g) == group_keys));
        let names: Vec<&str> = departments.iter().map(|g| g["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Sales"], "Finance (one person) is left out: {range}");
    }
    let text = document.to_string();
    for person in ["alba_es", "bruno_es", "carla_es", "es_admin", first["account"]["id"].as_str().unwrap()] {
        assert!(!text.contains(person), "{person} appears in the published document: {text}");
    }

    // Nobody else reads it: unsigned, or signed by a site es does not federate with.
    let unsigned = es.client.get(es.url("/actor/adoption")).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let outsider_asks =
        federation_support::get_signed(&es, &site_key(&outsider).await, &es.url("/actor/adoption")).await;
    assert_eq!(outsider_asks.status(), 403);
    let refusal: Value = outsider_asks.json().await.unwrap();
    assert!(refusal["error"].as_str().unwrap().contains("allowlist"), "{refusal}");
    // Federating is not enough: mx passes es's allowlist but does not follow es.
    es.api(&es_admin).post("/api/v1/admin/domain_allows", json!({"domain": mx.domain})).await.ok();
    let mx_asks = federation_support::get_signed(&es, &site_key(&mx).await, &es.url("/actor/adoption")).await;
    assert_eq!(mx_asks.status(), 403);
    let refusal: Value = mx_asks.json().await.unwrap();
    let command = format!("tertulia admin federation follow-site {}", es.domain);
    assert!(refusal["error"].as_str().unwrap().contains(&command), "{refusal}");

    // HQ pulls and shows each site as its own reports do.
    let pulled = hq.cli(&["admin", "analytics", "pull-sites"]).await;
    assert!(pulled.status.success(), "pull-sites: {} {}", pulled.stdout, pulled.stderr);
    assert!(pulled.stdout.contains(&format!("{}: pulled", es.domain)), "{}", pulled.stdout);
    let table = hq.api(&hq_admin).get("/api/v1/admin/adoption/sites?range=30").await.ok();
    assert_eq!(table["sites"][0]["domain"], hq.domain.as_str(), "this site first: {table}");
    assert_eq!(table["sites"].as_array().unwrap().len(), 3, "{table}");
    let es_figures = own_figures(&es, &es_admin).await;
    let mx_figures = own_figures(&mx, &mx_admin).await;
    assert_eq!(row(&table, &es)["figures"], es_figures, "{table}");
    assert_eq!(row(&table, &mx)["figures"], mx_figures, "{table}");
    assert_eq!(row(&table, &hq)["figures"], own_figures(&hq, &hq_admin).await, "{table}");
    // The figures themselves: es has four people, three posts, two
    // interactions (a reply and a favourite); mx two people and one post.
    assert_eq!((es_figures["members"].as_i64(), es_figures["statuses"].as_i64()), (Some(4), Some(3)));
    assert_eq!((es_figures["interactions"].as_i64(), es_figures["engaged"].as_i64()), (Some(2), Some(2)));
    assert_eq!((mx_figures["members"].as_i64(), mx_figures["statuses"].as_i64()), (Some(2), Some(1)));
    for site in [&es, &mx] {
        assert_eq!(row(&table, site)["error"], Value::Null);
        assert!(row(&table, site)["pulled_at"].is_string(), "{table}");
    }
    let sum =
        |key: &str| table["sites"].as_array().unwrap().iter().map(|s| s["figures"][key].as_i64().unwrap()).sum::<i64>();
    assert_eq!(table["totals"]["members"].as_i64(), Some(sum("members")));
    assert_eq!(table["totals"]["statuses"].as_i64(), Some(4));

    // mx goes down: its row says so and keeps the last figures; es still counts.
    mx.stop_with("TERM", Duration::from_secs(10)).await;
    let pulled = hq.cli(&["admin", "analytics", "pull-sites"]).await;
    assert!(!pulled.status.success(), "a failed site fails the command");
    assert!(pulled.stdout.contains(&format!("{}: unreachable", mx.domain)), "{}", pulled.stdout);
    assert!(pulled.stderr.contains("1 of 2 site(s) could not be pulled"), "{}", pulled.stderr);
    let table = hq.api(&hq_admin).get("/api/v1/admin/adoption/sites?range=30").await.ok();
    let error = row(&table, &mx)["error"].as_str().unwrap_or_else(|| panic!("no error for mx: {table}"));
    assert!(error.starts_with("unreachable: "), "{error}");
    assert_eq!(row(&table, &mx)["figures"], mx_figures, "the last figures stay");
    assert_eq!(row(&table, &es)["error"], Value::Null);
    assert_eq!(row(&table, &es)["figures"], es_figures);

    // The same table as CSV, and in the shell.
    let csv = hq.api(&hq_admin).get("/api/v1/admin/adoption/sites?range=30&format=csv").await.ok();
    let csv = csv.as_str().unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "site,domain,as_of,pulled_at,error,members,active,engaged,new_users,statuses,interactions,monthly_active,habitual"
    );
    assert_eq!(lines.len(), 5, "three sites and the totals: {csv}");
    let mx_line = lines.iter().find(|l| l.contains(&mx.domain)).unwrap();
    assert!(mx_line.contains("unreachable"), "{mx_line}");
    assert!(lines[4].starts_with("all sites,,,,,"), "{csv}");
    let shown = hq.cli(&["admin", "analytics", "sites", "--range", "30"]).await;
    assert!(shown.status.success(), "{}", shown.stderr);
    assert!(
        shown.stdout.contains(&format!("({})", es.domain)) && shown.stdout.contains("FAILED: unreachable"),
        "{}",
        shown.stdout
    );

    // Only staff may see it, and only for the offered ranges.
    let hq_user = hq.sign_up("hq_user").await;
    let message = hq.api(&hq_user).get("/api/v1/admin/adoption/sites").await.error(403);
    assert!(message.contains("admin:read"), "{message}");
    let message = hq.api(&hq_admin).get("/api/v1/admin/adoption/sites?range=45").await.error(422);
    assert!(message.contains("'45' is not one of 7, 30, 90, 180"), "{message}");
}
