//! `Follow` of a remote actor, and `Accept`/`Reject` of a remote follow.

use serde::Serialize;
use serde_json::Value;

use super::{Answer, LinkActivity, answer_kind, document};

/// `Follow` with id `id` of `target` by `actor`.
pub(crate) fn follow(id: String, actor: &str, target: &str) -> Value {
    document(&LinkActivity { id, kind: "Follow", actor, object: target })
}

/// The follow being answered, embedded whole.
#[derive(Debug, Serialize)]
struct FollowRef<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    object: &'a str,
}

/// `Accept` or `Reject` by `target` of the follow `follow_uri` of
/// `follower`.
pub(crate) fn answer_follow(accepted: bool, target: &str, follower: &str, follow_uri: &str) -> Value {
    let kind = answer_kind(accepted);
    document(&Answer {
        id: format!("{target}#{}/{}", kind.to_lowercase(), tertulia_core::Id::generate().0),
        kind,
        actor: target,
        to: None,
        object: FollowRef { id: follow_uri, kind: "Follow", actor: follower, object: target },
        result: None,
    })
}
