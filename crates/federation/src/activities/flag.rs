//! `Flag`: a report sent on to the reported account's site, from our site
//! actor, as Mastodon forwards reports (ActivityStreams' `Flag`; Mastodon
//! reads the actor and the statuses from `object`, the comment from
//! `content`).

use serde::Serialize;
use serde_json::Value;

use super::document;

#[derive(Debug, Serialize)]
struct Flag<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    /// The reported actor first, then its statuses.
    object: Vec<&'a str>,
    content: &'a str,
}

/// `Flag` by the site actor `actor` of report `report`: `target` (an actor
/// URI) and its `statuses`, with the reporter's `comment`.
pub(crate) fn flag(actor: &str, report: i64, target: &str, statuses: &[String], comment: &str) -> Value {
    let object = std::iter::once(target).chain(statuses.iter().map(String::as_str)).collect();
    document(&Flag { id: format!("{actor}#reports/{report}"), kind: "Flag", actor, object, content: comment })
}
