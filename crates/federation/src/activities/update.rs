//! `Update` of a local post that is not an edit, and of a local actor
//! after a profile change.

use serde::Serialize;
use serde_json::Value;
use tertulia_core::config::SiteIdentity;
use tertulia_db::actors::ActorRow;
use tertulia_domain::AccountView;

use super::actor::Person;
use super::create::NoteActivity;
use super::document;
use super::note::Note;
use crate::protocol::PUBLIC;
use crate::urls::Urls;

/// `Update` of a post that is not an edit (no `updated`, so receivers do
/// not show it as edited): a poll's new counts (`what` = `votes`), a
/// quote's authorization or a new quote policy (`quote`).
pub(crate) fn unedited_update(note: &Note, what: &str) -> Value {
    let id = format!("{}#updates/{what}-{}", note.id, tertulia_core::Id::generate().0);
    document(&NoteActivity::new(id, "Update", note, None))
}

#[derive(Debug, Serialize)]
struct UpdatePerson<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    to: [&'a str; 1],
    cc: [String; 1],
    object: Person<'a>,
}

/// `Update` of a local actor after its latest change, for its followers
/// and everyone.
pub(crate) fn update_person(
    urls: &Urls,
    account: &AccountView,
    actor: &ActorRow,
    site: Option<&SiteIdentity>,
) -> Value {
    document(&UpdatePerson {
        id: format!("{}#updates/{}", actor.uri, actor.updated_at.and_utc().timestamp_millis()),
        kind: "Update",
        actor: &actor.uri,
        to: [PUBLIC],
        cc: [urls.followers(&account.username)],
        object: Person::of(urls, account, actor, site),
    })
}
