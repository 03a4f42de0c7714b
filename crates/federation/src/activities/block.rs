//! `Block` of an actor by a local account. Mastodon reads it to hide
//! the blocker from the blocked; others may ignore it.

use serde_json::Value;

use super::{LinkActivity, document};

/// `Block` of `target` by `actor`, named after the pair so that its
/// `Undo` can name it again without storing it.
pub(crate) fn block(actor: &str, target_id: i64, target: &str) -> Value {
    document(&LinkActivity { id: format!("{actor}#blocks/{target_id}"), kind: "Block", actor, object: target })
}
