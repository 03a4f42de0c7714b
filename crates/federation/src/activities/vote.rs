//! A vote in a remote poll, as Mastodon sends one: `Create` of a `Note`
//! named after the option, in reply to the `Question`, addressed to its
//! author only.

use serde::Serialize;
use serde_json::Value;

use super::document;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VoteNote<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    attributed_to: &'a str,
    in_reply_to: &'a str,
    to: [&'a str; 1],
}

#[derive(Debug, Serialize)]
struct CreateVote<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    to: [&'a str; 1],
    object: VoteNote<'a>,
}

/// The vote of `voter` for option `choice` (`title`) of poll `poll`.
pub(crate) fn vote(voter: &str, poll: i64, choice: i64, title: &str, question_uri: &str, author_uri: &str) -> Value {
    let id = format!("{voter}#votes/{poll}/{choice}");
    document(&CreateVote {
        id: format!("{id}/activity"),
        kind: "Create",
        actor: voter,
        to: [author_uri],
        object: VoteNote {
            id: &id,
            kind: "Note",
            name: title,
            attributed_to: voter,
            in_reply_to: question_uri,
            to: [author_uri],
        },
    })
}
