//! `Like` of a post by a local account (Mastodon's favourite).

use serde_json::Value;

use super::{LinkActivity, document};

/// `Like` with id `id` of the post `object` by `actor`.
pub(crate) fn like(id: String, actor: &str, object: &str) -> Value {
    document(&LinkActivity { id, kind: "Like", actor, object })
}
