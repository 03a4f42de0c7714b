//! `Announce` of a post: a local boost, or a private group sharing a
//! member's members-only post.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use tertulia_db::actors::ActorRow;

use super::note::Note;
use super::{create_item, document};
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
    to: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cc: Vec<String>,
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
        to: vec![PUBLIC.to_owned()],
        cc: vec![original_author.to_owned(), urls.followers(boost.booster)],
        object: original_uri,
    })
}

/// The `Announce` an `Undo` withdraws, addressed as it was sent. Receivers
/// match it by its id, so for a members-only share
/// ([`announce_members_only`]) it names the post without carrying it, and
/// stays addressed to the group's members alone.
pub(crate) fn withdrawn_announce(
    urls: &Urls,
    boost: &Boost<'_>,
    original_uri: &str,
    original_author: &str,
    members_only: bool,
) -> Value {
    if !members_only {
        return announce(urls, boost, original_uri, original_author);
    }
    document(&Announce {
        id: boost.uri,
        kind: "Announce",
        actor: urls.actor(boost.booster),
        published: timestamp(boost.published),
        to: vec![urls.followers(boost.booster)],
        cc: Vec::new(),
        object: original_uri,
    })
}

#[derive(Debug, Serialize)]
struct WrappedAnnounce<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: String,
    published: String,
    to: [String; 1],
    object: Value,
}

/// A private group's `Announce` of a member's members-only post, in the
/// shape FEP-1b12 gives (the group announces the member's activity: here
/// the `Create` wrapped whole, as Lemmy sends it), with the note inline:
/// the group's members cannot fetch a followers-only post from its
/// author's site. Addressed to the group's members (its followers
/// collection) only, never to the public. `note` is the post as rendered
/// here; its author and addressing are set to the author's own (`author`
/// may be on another site) plus the group's members.
pub(crate) fn announce_members_only(urls: &Urls, boost: &Boost<'_>, mut note: Note, author: &ActorRow) -> Value {
    let members = urls.followers(boost.booster);
    note.attributed_to = author.uri.clone();
    note.to = author.followers_url.iter().cloned().chain([members.clone()]).collect();
    document(&WrappedAnnounce {
        id: boost.uri,
        kind: "Announce",
        actor: urls.actor(boost.booster),
        published: timestamp(boost.published),
        to: [members],
        object: create_item(&note),
    })
}
