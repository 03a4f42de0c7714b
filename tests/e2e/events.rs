//! Events across sites: an event posted on hq, answered from es and mx,
//! counted on hq and the totals reported back to es, in valid iCalendar
//! feeds naming the organiser; a followers-only event kept out of the
//! public feeds; bad input refused with nothing stored; the event moved
//! on hq (`PUT`) and moved on es too, while a plain edit of its status
//! keeps the event as it was; a group's calendar and its feed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, World, eventually, openapi};

const EVENTS: &str = "/api/v1/tertulia/events";

#[tokio::test]
async fn an_event_on_hq_is_answered_from_es_and_mx_counted_on_hq_and_published_as_icalendar() {
    let world = World::plan()
        .site("hq", &["ana"])
        .site("es", &["bruno"])
        .site("mx", &["carmen"])
        .follows("bruno", "ana")
        .follows("carmen", "ana")
        .start(support::BINARY)
        .await;
    let (hq, es, mx) = (world.site("hq"), world.site("es"), world.site("mx"));
    let start = (Utc::now() + Duration::days(3)).date_naive().and_hms_opt(8, 30, 0).unwrap().and_utc();
    let at = |time: DateTime<Utc>| time.to_rfc3339();

    let review = json!({
        "name": "Quarterly review; Q4, all sites",
        "start_time": at(start),
        "end_time": at(start + Duration::hours(2)),
        "timezone": "Europe/Madrid",
        "location": "HQ, room 4",
        "url": "https://intranet.example/q4",
        "description": "Bring your numbers.",
    });
    let event = world.api("ana").post(EVENTS, review.clone()).await.ok();
    assert_eq!(event["name"], "Quarterly review; Q4, all sites");
    assert_eq!(event["attendance"], json!({"going": 0, "maybe": 0, "not_going": 0}));
    assert_eq!(event["own_answer"], Value::Null);
    openapi::assert_matches(&event["status"], "Status");
    // What a stock client shows: the status, with the time in the
    // organiser's zone, the place and the link.
    let content = event["status"]["content"].as_str().unwrap();
    let madrid_time = start.with_timezone(&chrono_tz::Europe::Madrid).format("%H:%M").to_string();
    for shown in [madrid_time.as_str(), "(Europe/Madrid)", "Where: HQ, room 4", "https://intranet.example/q4"] {
        assert!(content.contains(shown), "{shown} missing from {content}");
    }
    let uri = event["status"]["uri"].as_str().unwrap().to_owned();

    // Bad input: a clear 422 naming the field, and nothing stored.
    let refusals = [
        (json!({"end_time": at(start - Duration::hours(1))}), "end_time: must be after start_time"),
        (json!({"name": "  "}), "name: can't be blank"),
        (json!({"timezone": "Madrid"}), "timezone: 'Madrid' is not an IANA time zone name"),
        (json!({"start_time": "next Tuesday"}), "start_time: 'next Tuesday' is not a date and time"),
    ];
    for (change, expected) in refusals {
        let mut bad = review.clone();
        bad.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        let message = world.api("ana").post(EVENTS, bad).await.error(422);
        assert!(message.contains(expected), "{message}");
    }
    let ana = world.api("ana").get("/api/v1/accounts/verify_credentials").await.ok();
    assert_eq!(ana["statuses_count"], 1, "a refused event left a status behind");

    let private = json!({"visibility": "private", "name": "Team dinner", "location": "Casa Lucio"});
    let mut team_dinner = review.clone();
    team_dinner.as_object_mut().unwrap().extend(private.as_object().unwrap().clone());
    let dinner = world.api("ana").post(EVENTS, team_dinner).await.ok();
    let dinner_uri = dinner["status"]["uri"].as_str().unwrap().to_owned();

    // es and mx list the event company-wide and answer it there.
    let (bruno, carmen) = (&world.user("bruno").token, &world.user("carmen").token);
    for (site, token, answer) in [(es, bruno, "going"), (mx, carmen, "maybe")] {
        let listed = eventually("the event listed on the colleague's site", || listed(site, token, &uri)).await;
        assert_eq!(listed["name"], "Quarterly review; Q4, all sites");
        assert_eq!(listed["location"], "HQ, room 4");
        assert_eq!(listed["start_time"], event["start_time"]);
        let path = format!("{EVENTS}/{}/attendance", listed["id"].as_str().unwrap());
        site.api(token).post(&path, json!({"answer": "perhaps"})).await.error(422);
        let answered = site.api(token).post(&path, json!({"answer": answer})).await.ok();
        assert_eq!(answered["own_answer"], answer);
    }
    let id = event["id"].as_str().unwrap();
    let counted = eventually("both answers counted on hq", || async {
        let seen = world.api("ana").get(&format!("{EVENTS}/{id}")).await.ok();
        (seen["attendance"] == json!({"going": 1, "maybe": 1, "not_going": 0})).then_some(seen)
    })
    .await;
    assert_eq!(counted["own_answer"], Value::Null);
    // hq reports the totals to the sites that have the event: es shows
    // mx's answer too, which only hq received.
    let totals = eventually("hq's totals on es", || async {
        let seen = listed(es, bruno, &uri).await?;
        (seen["attendance"] == json!({"going": 1, "maybe": 1, "not_going": 0})).then_some(seen)
    })
    .await;
    assert_eq!(totals["own_answer"], "going");

    // Listings: the followers-only event only for those who may see it.
    let anonymous = hq.api("").get(&format!("{EVENTS}?local=true")).await.ok();
    assert_eq!(uris(&anonymous), vec![uri.clone()]);
    let own = world.api("ana").get(&format!("{EVENTS}?local=true")).await.ok();
    assert_eq!(uris(&own).len(), 2);
    let paged = world.api("ana").get(&format!("{EVENTS}?local=true&limit=1&offset=1")).await.ok();
    assert_eq!(uris(&paged).len(), 1);
    // One site's events, by its domain, listed on another site.
    eventually("both of hq's events on es (bruno follows ana)", || async {
        let of_hq = es.api(bruno).get(&format!("{EVENTS}?site={}", hq.domain)).await.ok();
        (uris(&of_hq) == [uri.clone(), dinner_uri.clone()]).then_some(())
    })
    .await;
    let of_mx = es.api(bruno).get(&format!("{EVENTS}?site={}", mx.domain)).await.ok();
    assert_eq!(uris(&of_mx), Vec::<String>::new());
    es.api(bruno).get(&format!("{EVENTS}?site={}&local=true", hq.domain)).await.error(422);

    // Feeds: valid iCalendar; the followers-only event in none of them.
    let site_feed = calendar(hq, "/events.ics").await;
    assert_eq!(event_uids(&site_feed), vec![uri.clone()]);
    assert!(site_feed.contains("SUMMARY:Quarterly review\\; Q4\\, all sites\r\n"), "{site_feed}");
    assert!(site_feed.contains("LOCATION:HQ\\, room 4\r\n"), "{site_feed}");
    assert!(site_feed.contains(&format!("DTSTART:{}\r\n", start.format("%Y%m%dT%H%M%SZ"))), "{site_feed}");
    // The organiser by name and profile page, never an e-mail address.
    let account = &event["status"]["account"];
    let name = account["display_name"].as_str().filter(|name| !name.is_empty()).or(account["username"].as_str());
    let organiser = format!("ORGANIZER;CN=\"{}\":{}\r\n", name.unwrap(), account["url"].as_str().unwrap());
    assert!(site_feed.replace("\r\n ", "").contains(&organiser), "{organiser} missing from {site_feed}");
    assert!(!site_feed.contains("mailto:"), "{site_feed}");
    assert!(!site_feed.contains(&dinner_uri));
    assert_eq!(event_uids(&calendar(hq, "/@ana/events.ics").await), vec![uri.clone()]);
    // A person's feed holds the other sites' events they attend.
    assert_eq!(event_uids(&calendar(es, "/@bruno/events.ics").await), vec![uri.clone()]);
    assert_eq!(hq.get("/@nobody/events.ics").await.status(), 404);

    // Moved a day later, to another room: hq re-renders the status and es
    // gets the new times and place, in its listing and its feeds.
    let path = format!("{EVENTS}/{id}");
    let later = start + Duration::days(1);
    let mut moved = review.clone();
    let change = json!({"start_time": at(later), "end_time": at(later + Duration::hours(2)), "location": "HQ, room 5"});
    moved.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
    let mut bad = moved.clone();
    bad["end_time"] = json!(at(later - Duration::hours(1)));
    let message = world.api("ana").put(&path, bad).await.error(422);
    assert!(message.contains("end_time: must be after start_time"), "{message}");
    let mut private = moved.clone();
    private["visibility"] = json!("private");
    world.api("ana").put(&path, private).await.error(422);
    assert_eq!(world.api("ana").get(&path).await.ok()["start_time"], event["start_time"], "a refused change applied");
    let changed = world.api("ana").put(&path, moved).await.ok();
    assert_eq!(changed["location"], "HQ, room 5");
    assert!(changed["status"]["content"].as_str().unwrap().contains("Where: HQ, room 5"));
    assert!(changed["status"]["edited_at"].is_string());
    let on_es = eventually("the moved event on es", || async {
        let seen = listed(es, bruno, &uri).await?;
        (seen["location"] == "HQ, room 5").then_some(seen)
    })
    .await;
    assert_eq!(on_es["start_time"], changed["start_time"]);
    assert_eq!(on_es["attendance"], json!({"going": 1, "maybe": 1, "not_going": 0}), "answers kept");
    let feed = calendar(es, "/@bruno/events.ics").await;
    assert!(feed.contains(&format!("DTSTART:{}\r\n", later.format("%Y%m%dT%H%M%SZ"))), "{feed}");
    assert!(feed.contains("LOCATION:HQ\\, room 5\r\n"), "{feed}");

    // A plain edit of the status changes its text, not the event.
    let status_path = format!("/api/v1/statuses/{}", changed["status"]["id"].as_str().unwrap());
    world.api("ana").put(&status_path, json!({"status": "Q4 review moved: see the event"})).await.ok();
    let kept = world.api("ana").get(&path).await.ok();
    assert_eq!((&kept["start_time"], &kept["location"]), (&changed["start_time"], &changed["location"]));

    // A group's calendar: the events posted to the group (mentioning it),
    // which the group shares by boosting them; listed and in a feed.
    let create = ["admin", "group", "create", "safety", "--display-name", "Safety at work", "--moderator", "ana"];
    let created = hq.cli(&create).await;
    assert!(created.status.success(), "{}", created.stderr);
    let ana_token = &world.user("ana").token;
    let group = hq.api(ana_token).get("/api/v1/accounts/lookup?acct=safety").await.ok();
    let group_id = group["id"].as_str().unwrap();
    hq.api(ana_token).follow_and_wait(group_id).await;
    let mut drill = review.clone();
    let change = json!({"name": "Fire drill", "location": "Car park", "description": "Everyone out by 11. @safety"});
    drill.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
    let drill = world.api("ana").post(EVENTS, drill).await.ok();
    let drill_uri = drill["status"]["uri"].as_str().unwrap().to_owned();
    let group_events = format!("/api/v1/tertulia/groups/{group_id}/events");
    let shared = eventually("the drill in the group's calendar", || async {
        let listed = hq.api("").get(&group_events).await.ok();
        (!uris(&listed).is_empty()).then_some(listed)
    })
    .await;
    assert_eq!(uris(&shared), vec![drill_uri.clone()], "only the event posted to the group");
    assert_eq!(event_uids(&calendar(hq, "/@safety/events.ics").await), vec![drill_uri]);
    let ana_id = account["id"].as_str().unwrap();
    let not_group = hq.api("").get(&format!("/api/v1/tertulia/groups/{ana_id}/events")).await.error(404);
    assert!(not_group.contains("group"), "{not_group}");
}

/// The event with status `uri` in `token`'s company-wide listing on `site`.
async fn listed(site: &TestInstance, token: &str, uri: &str) -> Option<Value> {
    let events = site.api(token).get(EVENTS).await.ok();
    events.as_array().unwrap().iter().find(|event| event["status"]["uri"] == uri).cloned()
}

fn uris(events: &Value) -> Vec<String> {
    events.as_array().unwrap().iter().map(|event| event["status"]["uri"].as_str().unwrap().to_owned()).collect()
}

/// The iCalendar document at `path`, checked against RFC 5545.
async fn calendar(site: &TestInstance, path: &str) -> String {
    let response = site.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let document = response.text().await.unwrap();
    check_icalendar(&document);
    document
}

/// A strict check of the parts of RFC 5545 the feeds use: CRLF line ends,
/// lines of at most 75 octets (3.1), well-formed content lines, balanced
/// components, and in each event one UID, DTSTAMP, DTSTART and DTEND in
/// UTC (3.3.5), the end after the start (3.8.2.2).
fn check_icalendar(document: &str) {
    assert!(document.ends_with("\r\n"), "the document must end with CRLF");
    let physical: Vec<&str> = document.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for line in &physical {
        assert!(!line.contains('\n') && !line.contains('\r'), "a bare line break in {line:?}");
        assert!(line.len() <= 75, "a line of {} octets: {line:?}", line.len());
    }
    let unfolded = document.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
    let mut open: Vec<&str> = Vec::new();
    let mut event: Vec<(&str, &str)> = Vec::new();
    for line in lines {
        let (name, value) = content_line(line);
        match name {
            "BEGIN" => open.push(value),
            "END" => {
                assert_eq!(open.pop(), Some(value), "END:{value} closes nothing");
                if value == "VEVENT" {
                    check_event(&event);
                    event.clear();
                }
            }
            _ if open.last() == Some(&"VEVENT") => event.push((name, value)),
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    assert!(document.contains("\r\nVERSION:2.0\r\n") && document.contains("\r\nPRODID:"), "VERSION and PRODID");
}

/// A content line's name and value (3.1: `name *(";" param) ":" value`),
/// its parameters checked: `NAME=` then a quoted-string holding no
/// DQUOTE or a paramtext holding none of `";:,`.
fn content_line(line: &str) -> (&str, &str) {
    let mut quoted = false;
    let colon = line
        .char_indices()
        .find(|&(_, c)| {
            quoted ^= c == '"';
            c == ':' && !quoted
        })
        .unwrap_or_else(|| panic!("not a content line: {line:?}"))
        .0;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default();
    assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'), "bad name {name:?}");
    for parameter in parts {
        let (key, text) = parameter.split_once('=').unwrap_or_else(|| panic!("bad parameter in {line:?}"));
        assert!(!key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '-'), "bad parameter {key:?}");
        let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
        let safe = match inner {
            Some(inner) => !inner.contains('"'),
            None => !text.contains(['"', ';', ':', ',']),
        };
        assert!(safe && !text.chars().any(char::is_control), "bad parameter value in {line:?}");
    }
    (name, value)
}

fn check_event(properties: &[(&str, &str)]) {
    let one = |name: &str| {
        let found: Vec<&str> = properties.iter().filter(|(n, _)| *n == name).map(|(_, v)| *v).collect();
        assert_eq!(found.len(), 1, "{name} must appear once in {properties:?}");
        found[0]
    };
    one("UID");
    let utc = |name: &str| {
        let value = one(name);
        chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
            .unwrap_or_else(|_| panic!("{name}:{value} is not a UTC date-time"))
    };
    utc("DTSTAMP");
    assert!(utc("DTEND") > utc("DTSTART"), "the event must end after it starts");
    // ORGANIZER (3.8.4.3) is a CAL-ADDRESS: here the organiser's profile.
    assert!(one("ORGANIZER").starts_with("https://") || one("ORGANIZER").starts_with("http://"), "{properties:?}");
}

fn event_uids(document: &str) -> Vec<String> {
    let unfolded = document.replace("\r\n ", "");
    unfolded.split("\r\n").filter_map(|line| line.strip_prefix("UID:")).map(str::to_owned).collect()
}
