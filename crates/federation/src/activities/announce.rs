//! `Announce` of a post: a local boost.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;

use super::document;
use crate::protocol::{PUBLIC, timestamp};
use crate::urls::Urls;

/// A local boost, as an `Announce` needs it.
pub struct Boost<'a> {
    pub booster: &'a str,
    pub uri: &'a str,
    pub published: NaiveDateTime,
}

#[derive(Debug, Serialize)]
struct Announce<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: String,
    published: String,
    to: [&'a str; 1],
    cc: [String; 2],
    object: &'a str,
}

/// `Announce` of `original_uri` (by `original_author`) by a local booster:
/// public, copied to the original's author and the booster's followers.
pub(crate) fn announce(urls: &Urls, boost: &Boost<'_>, original_uri: &str, original_author: &str) -> Value {
    document(&Announce {
        id: boost.uri,
        kind: "Announce",
        actor: urls.actor(boost.booster),
        published: timestamp(boost.published),
        to: [PUBLIC],
        cc: [original_author.to_owned(), urls.followers(boost.booster)],
        object: original_uri,
    })
}
