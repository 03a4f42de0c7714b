//! `Undo` of an activity we sent earlier (a boost, like, follow, block).

use serde::Serialize;
use serde_json::Value;

use super::document;
use crate::protocol;

#[derive(Debug, Serialize)]
struct Undo<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    to: Value,
    cc: Value,
    /// The undone activity, embedded so the receiver need not have kept it.
    object: Value,
}

/// `Undo` by `actor` of `activity` (a document as rendered here), sent to
/// whom the activity was.
pub(crate) fn undo(actor: &str, mut activity: Value) -> Value {
    let id = format!("{}#undo", protocol::id_of(Some(&activity)).unwrap_or(actor));
    let addressed = |key: &str| activity.get(key).cloned().unwrap_or_else(|| Value::Array(Vec::new()));
    let (to, cc) = (addressed("to"), addressed("cc"));
    if let Value::Object(map) = &mut activity {
        map.remove("@context");
    }
    document(&Undo { id, kind: "Undo", actor, to, cc, object: activity })
}
