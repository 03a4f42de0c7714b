//! `Create` of a local post, or `Update` of it after an edit.

use serde::Serialize;
use serde_json::Value;

use super::document;
use super::note::Note;

/// An activity carrying a whole note, addressed as the note is.
#[derive(Debug, Serialize)]
pub(super) struct NoteActivity<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    to: &'a [String],
    cc: &'a [String],
    object: &'a Note,
}

impl<'a> NoteActivity<'a> {
    pub(super) fn new(id: String, kind: &'static str, note: &'a Note, published: Option<&'a str>) -> Self {
        NoteActivity { id, kind, actor: &note.attributed_to, published, to: &note.to, cc: &note.cc, object: note }
    }
}

/// `Create` of `note`, or with `update` (and an edit time on the note)
/// the `Update` that carries its edit, named after the edit's time.
pub(crate) fn create_or_update(note: &Note, update: bool) -> Value {
    document(&note_activity(note, update))
}

/// `Create` of `note` inside another document (an item of the outbox, the
/// object of a group's `Announce`), which carries the `@context`.
pub(crate) fn create_item(note: &Note) -> Value {
    // A struct with string keys always serializes: `Null` is never produced.
    serde_json::to_value(note_activity(note, false)).unwrap_or_default()
}

fn note_activity(note: &Note, update: bool) -> NoteActivity<'_> {
    let (kind, id) = match (update, note.edited_at) {
        (true, Some(at)) => ("Update", format!("{}#updates/{at}", note.id)),
        _ => ("Create", format!("{}/activity", note.id)),
    };
    NoteActivity::new(id, kind, note, Some(&note.published))
}
