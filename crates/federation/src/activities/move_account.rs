//! `Move` of a local account to its new actor on another site, as
//! Mastodon sends it (https://docs.joinmastodon.org/spec/activitypub/#Move).

use serde::Serialize;
use serde_json::Value;

use super::document;
use crate::urls::Urls;

#[derive(Debug, Serialize)]
struct Move<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    object: &'a str,
    target: &'a str,
    to: [String; 1],
}

/// `Move` of `actor` (local user `username`) to `target`, for its followers.
pub(crate) fn move_account(urls: &Urls, username: &str, actor: &str, target: &str) -> Value {
    document(&Move {
        id: format!("{actor}#moves/{}", tertulia_core::Id::generate().0),
        kind: "Move",
        actor,
        object: actor,
        target,
        to: [urls.followers(username)],
    })
}
