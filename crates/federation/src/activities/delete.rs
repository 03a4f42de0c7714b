//! `Delete` of a local post (with a `Tombstone`) or of a local actor.

use serde::Serialize;
use serde_json::Value;

use super::document;
use crate::protocol::PUBLIC;

#[derive(Debug, Serialize)]
pub(super) struct Delete<'a, O> {
    pub(super) id: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) actor: &'a str,
    pub(super) to: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cc: Option<Vec<String>>,
    pub(super) object: O,
}

/// What was deleted: its id and former type (`Tombstone` for posts,
/// Mastodon's `atomUri` kept for older readers).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Deleted<'a> {
    pub(super) id: &'a str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) atom_uri: Option<&'a str>,
}

/// `Delete` by `actor` of its post `uri`, addressed as the post was.
pub(crate) fn delete(actor: &str, uri: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    document(&Delete {
        id: format!("{uri}#delete"),
        kind: "Delete",
        actor,
        to,
        cc: Some(cc),
        object: Deleted { id: uri, kind: "Tombstone", atom_uri: Some(uri) },
    })
}

/// `Delete` of a local actor whose account was deleted.
pub(crate) fn delete_actor(actor: &str) -> Value {
    document(&Delete {
        id: format!("{actor}#delete"),
        kind: "Delete",
        actor,
        to: vec![PUBLIC.to_owned()],
        cc: None,
        object: actor,
    })
}
