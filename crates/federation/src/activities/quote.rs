//! Quote consent after FEP-044f (https://w3id.org/fep/044f): our
//! `QuoteRequest`, our `Accept`/`Reject` of another site's, the
//! `QuoteAuthorization` we issue, and its `Delete` when revoked.

use serde::Serialize;
use serde_json::Value;

use super::delete::{Delete, Deleted};
use super::note::Note;
use super::{Answer, answer_kind, document};
use crate::protocol::PUBLIC;

/// What our `QuoteRequest` ids end with, after the quoting post's id.
pub(crate) const QUOTE_REQUEST_SUFFIX: &str = "#quote-request";

#[derive(Debug, Serialize)]
struct QuoteRequest<'a, I> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    to: [&'a str; 1],
    /// The quoted post.
    object: &'a str,
    /// The quoting post: embedded when we ask, a link when we answer.
    instrument: I,
}

/// `QuoteRequest` by the author of `note` for the quote of `quoted_uri`,
/// for the quoted author.
pub(crate) fn quote_request(note: &Note, quoted_uri: &str, quoted_author: &str) -> Value {
    document(&QuoteRequest {
        id: format!("{}{QUOTE_REQUEST_SUFFIX}", note.id),
        kind: "QuoteRequest",
        actor: &note.attributed_to,
        to: [quoted_author],
        object: quoted_uri,
        instrument: note,
    })
}

/// The request being answered, as `Accept`/`Reject` embed it.
#[derive(Debug, Serialize)]
struct RequestRef<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    object: &'a str,
    instrument: &'a str,
}

/// `Accept` (with the authorization as `result`) or `Reject` by `actor`
/// of `requester`'s `QuoteRequest` `request_uri`.
pub(crate) fn quote_answer(
    actor: &str,
    requester: &str,
    request_uri: &str,
    quoting_uri: &str,
    quoted_uri: &str,
    authorization: Option<&str>,
) -> Value {
    let kind = answer_kind(authorization.is_some());
    document(&Answer {
        id: format!("{actor}#quote-{}/{}", kind.to_lowercase(), tertulia_core::Id::generate().0),
        kind,
        actor,
        to: Some([requester]),
        object: RequestRef {
            id: request_uri,
            kind: "QuoteRequest",
            actor: requester,
            object: quoted_uri,
            instrument: quoting_uri,
        },
        result: authorization,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QuoteAuthorization<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    attributed_to: &'a str,
    interacting_object: &'a str,
    interaction_target: &'a str,
}

/// The authorization `uri`, by the quoted `author`, of `quoting` quoting
/// `quoted`.
pub(crate) fn quote_authorization(uri: &str, author: &str, quoting: &str, quoted: &str) -> Value {
    document(&QuoteAuthorization {
        id: uri,
        kind: "QuoteAuthorization",
        attributed_to: author,
        interacting_object: quoting,
        interaction_target: quoted,
    })
}

/// `Delete` of an authorization we issued: the quote is revoked.
pub(crate) fn quote_revocation(actor: &str, authorization: &str, quoting_author: &str) -> Value {
    document(&Delete {
        id: format!("{authorization}#delete"),
        kind: "Delete",
        actor,
        to: vec![quoting_author.to_owned()],
        cc: Some(vec![PUBLIC.to_owned()]),
        object: Deleted { id: authorization, kind: "QuoteAuthorization", atom_uri: None },
    })
}
