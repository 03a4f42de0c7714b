//! Outgoing ActivityPub documents as typed structs, one file per activity
//! (ActivityStreams 2.0 vocabulary, https://www.w3.org/TR/activitystreams-vocabulary/,
//! in the shapes Mastodon reads: https://docs.joinmastodon.org/spec/activitypub/).
//!
//! These are pure: each takes what it says and nothing is loaded here.
//! [`crate::render`] loads what a document needs; the outbox and the
//! routes send or serve the result. Properties written as `null` today
//! are `Option`s without `skip_serializing_if`; those left out when empty
//! skip.

mod actor;
mod announce;
mod attendance;
mod block;
mod create;
mod delete;
mod flag;
mod follow;
mod like;
mod move_account;
mod note;
mod quote;
mod undo;
mod update;
mod vote;

pub(crate) use actor::{instance_actor, person};
pub(crate) use announce::{Boost, announce, announce_members_only, withdrawn_announce};
pub(crate) use attendance::{answer_of, event_answer};
pub(crate) use block::block;
pub(crate) use create::{create_item, create_or_update};
pub(crate) use delete::{delete, delete_actor};
pub(crate) use flag::flag;
pub(crate) use follow::{answer_follow, follow};
pub(crate) use like::like;
pub(crate) use move_account::move_account;
pub(crate) use note::{Note, to_note};
pub(crate) use quote::{QUOTE_REQUEST_SUFFIX, quote_answer, quote_authorization, quote_request, quote_revocation};
pub(crate) use undo::undo;
pub(crate) use update::{unedited_update, update_person};
pub(crate) use vote::vote;

use serde::Serialize;
use serde_json::Value;

use crate::protocol;

/// `body` as a document of its own, with our `@context`.
pub(crate) fn document(body: &impl Serialize) -> Value {
    // Every document here is a struct with string keys, which serde_json
    // always serializes: the `Null` default is never produced.
    protocol::with_context(serde_json::to_value(body).unwrap_or_default())
}

/// An activity whose object is a link: `Like`, `Follow`, `Block`.
#[derive(Debug, Serialize)]
struct LinkActivity<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    object: &'a str,
}

/// `Accept` or `Reject` of an activity another site sent us, embedding
/// it (as Mastodon does) so the receiver need not look it up.
#[derive(Debug, Serialize)]
struct Answer<'a, O> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<[&'a str; 1]>,
    object: O,
    /// What accepting made, if anything (FEP-044f's authorization).
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a str>,
}

/// The kind of an answer: `Accept` or `Reject`.
fn answer_kind(accepted: bool) -> &'static str {
    if accepted { "Accept" } else { "Reject" }
}

#[cfg(test)]
mod tests;
