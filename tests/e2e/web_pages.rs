//! The public web pages, read as a browser without an account reads them:
//! `/groups`, `/groups/:name`, `/events` (with an event known from another
//! site) and `/@name/kudos`, each with the layout's security headers,
//! hostile names escaped, pages that go on, private content absent, and a
//! page of its own for names that do not exist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use tertulia_testrig::{TestInstance, World, eventually};

const BADGES: (&str, &str) = ("TERTULIA_COMMUNITIES_KUDOS_BADGES", "teamwork,mentoring");
const EVENTS: &str = "/api/v1/tertulia/events";
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const HOSTILE: &str = r#"<script>alert("x")</script>"#;

/// A page as an anonymous browser gets it: status and body, after checking
/// the headers every page carries.
async fn page(site: &TestInstance, path: &str) -> (StatusCode, String) {
    let response = reqwest::get(site.url(path)).await.unwrap();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("content-security-policy").as_deref(), Some(CSP), "{path}");
    assert_eq!(header("content-type").as_deref(), Some("text/html; charset=utf-8"), "{path}");
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script"), "{path} lets markup through: {body}");
    (status, body)
}

/// The page at `path`, which must be there.
async fn shown(site: &TestInstance, path: &str) -> String {
    let (status, body) = page(site, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The `href` of the link marked `rel`, unescaped as a browser reads it.
fn link(body: &str, rel: &str) -> Option<String> {
    let (before, _) = body.split_once(&format!(r#"rel="{rel}""#))?;
    let (_, href) = before.rsplit_once(r#"href=""#)?;
    Some(href.split('"').next()?.replace("&amp;", "&"))
}

#[tokio::test]
async fn anyone_reads_the_groups_events_and_kudos_pages_and_nothing_private() {
    let world = World::plan()
        .site_with("hq", &["gina", "carl"], &[BADGES])
        .site("es", &["ana"])
        .follows("gina", "ana")
        .start(support::BINARY)
        .await;
    let (hq, es) = (world.site("hq"), world.site("es"));
    let (gina, carl) = (&world.user("gina").token, &world.user("carl").token);
    hq.api(gina).patch("/api/v1/accounts/update_credentials", json!({"display_name": HOSTILE})).await.ok();

    // Groups: an open one with a hostile name, and a private one.
    let create = ["admin", "group", "create", "safety", "--moderator", "gina", "--display-name", HOSTILE];
    let created = hq.cli(&[&create[..], &["--rules", "Be kind & no <b>sales</b>."]].concat()).await;
    assert!(created.status.success(), "{}", created.stderr);
    let private = ["admin", "group", "create", "board", "--private", "--moderator", "gina", "--display-name", "Board"];
    assert!(hq.cli(&private).await.status.success());
    let safety = hq.api(carl).get("/api/v1/accounts/lookup?acct=safety").await.ok();
    hq.api(carl).follow_and_wait(safety["id"].as_str().unwrap()).await;
    world.api("carl").post_status("@safety The fire drill is at 11.", json!({})).await;
    world.api("carl").post_status("@safety Salaries are in the shared folder.", json!({"visibility": "private"})).await;

    let groups = shown(hq, "/groups").await;
    assert!(groups.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "{groups}");
    assert!(groups.contains(r#"href="/groups/safety""#) && groups.contains(r#"href="/groups/board""#), "{groups}");
    assert!(groups.contains(r#"<td class="number">1</td>"#), "safety's one member: {groups}");
    let safety_page = eventually("carl's post shared on the group's page", || async {
        let body = shown(hq, "/groups/safety").await;
        body.contains("The fire drill is at 11.").then_some(body)
    })
    .await;
    assert!(safety_page.contains("Be kind &amp; no &lt;b&gt;sales&lt;/b&gt;."), "rules as text: {safety_page}");
    assert!(safety_page.contains("@gina"), "the moderator: {safety_page}");
    assert!(!safety_page.contains("Salaries"), "a followers-only post on a public page: {safety_page}");

    // Events: this site's public one in the organiser's zone and UTC, and
    // one from es; followers-only and unlisted ones stay off the page.
    let start = (Utc::now() + Duration::days(2)).date_naive().and_hms_opt(8, 30, 0).unwrap().and_utc();
    let event = |name: &str, visibility: &str| {
        json!({"name": name, "start_time": start.to_rfc3339(), "end_time": (start + Duration::hours(1)).to_rfc3339(),
               "timezone": "Europe/Madrid", "location": "Room <4>", "visibility": visibility})
    };
    world.api("gina").post(EVENTS, event("Fire drill <now>", "public")).await.ok();
    world.api("gina").post(EVENTS, event("Salary review", "private")).await.ok();
    world.api("gina").post(EVENTS, event("Quiet planning", "unlisted")).await.ok();
    world.api("ana").post(EVENTS, event("Madrid meetup", "public")).await.ok();
    let events = eventually("es's event listed on hq", || async {
        let body = shown(hq, "/events").await;
        body.contains("Madrid meetup").then_some(body)
    })
    .await;
    assert!(events.contains("Fire drill &lt;now&gt;") && events.contains("Room &lt;4&gt;"), "{events}");
    let utc = start.format("%Y-%m-%d %H:%M UTC").to_string();
    let madrid = start.with_timezone(&chrono_tz::Europe::Madrid).format("%Y-%m-%d %H:%M").to_string();
    assert!(events.contains(&utc) && events.contains(&format!("{madrid} to ")), "{events}");
    assert!(events.contains("(Europe/Madrid)"), "{events}");
    assert!(events.contains(r#"href="/events.ics""#) && events.contains(r#"href="/@gina/events.ics""#), "{events}");
    assert!(!events.contains(r#"href="/@ana/events.ics""#), "no feed link for es's organiser: {events}");
    assert!(events.contains("0 going, 0 maybe, 0 not going"), "{events}");
    assert!(!events.contains("Salary review") && !events.contains("Quiet planning"), "{events}");
    let first = shown(hq, "/events?limit=1").await;
    let later = link(&first, "next").expect("a link to later events");
    assert_eq!(later, "/events?offset=1");
    assert!(shown(hq, &later).await.contains(r#"rel="prev""#));

    // Kudos: two public ones a page at a time, followers-only ones absent.
    // The newest is followers-only: the first page still holds a public
    // one (the query leaves the hidden ones out, not the page afterwards).
    world.api("gina").post_status("#kudos @carl for the pay rise", json!({"visibility": "private"})).await;
    world.api("gina").post_status("#kudos #teamwork @carl for the <drill>", json!({})).await;
    world.api("gina").post_status("#kudos @carl for the evacuation plan", json!({})).await;
    world.api("gina").post_status("#kudos @carl for my night shift", json!({"visibility": "private"})).await;
    let kudos = eventually("carl's newest public kudos on his first page", || async {
        let body = shown(hq, "/@carl/kudos?limit=1").await;
        body.contains("for the evacuation plan").then_some(body)
    })
    .await;
    assert!(!kudos.contains("night shift"), "a followers-only kudos on a public page: {kudos}");
    assert!(kudos.contains("&lt;script&gt;"), "the giver's name, escaped: {kudos}");
    let older = shown(hq, &link(&kudos, "next").expect("a link to older kudos")).await;
    assert!(older.contains("for the &lt;drill&gt;") && older.contains("teamwork"), "{older}");
    let all = shown(hq, "/@carl/kudos").await;
    assert!(!all.contains("pay rise"), "a followers-only kudos on a public page: {all}");

    // Unknown names, a person who is no group and another site's person
    // get the not-found page, with the same headers.
    let ana_on_hq = format!("/@ana@{}/kudos", es.domain);
    for path in ["/groups/nobody", "/groups/carl", "/@nobody/kudos", ana_on_hq.as_str(), "/groups/%3Cscript%3E"] {
        let (status, body) = page(hq, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body.contains("Page not found"), "{path}: {body}");
    }
    let (status, body) = page(hq, "/@carl/kudos?max_id=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("max_id: &#39;soon&#39; is not an id") || body.contains("max_id: 'soon' is not an id"),
        "{body}"
    );
}
