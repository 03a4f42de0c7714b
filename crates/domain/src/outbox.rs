//! What other sites must hear of. A service that changes something other
//! sites show (a post, a like, a follow, a profile) records an [`Outgoing`]
//! in its own transaction: either both the change and the intent to
//! federate it commit, or neither does, so a crash never leaves a post
//! that was never sent. The federation worker later reads the record,
//! renders the activity and queues one delivery per inbox.
//!
//! Records carry ids, plus whatever a deletion would otherwise lose.
//! Who receives what is decided by [`crate::audience`] when the worker
//! reads the record, so the remote followers are those at the time it
//! sends; the worker picks their inboxes and applies the domain allowlist.

use serde::{Deserialize, Serialize};
use tertulia_db::{DbConn, DbError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outgoing {
    /// A local status (or boost) was posted: `Create` (or `Announce`).
    StatusCreated { status: i64 },
    /// A local status was edited: `Update`.
    StatusUpdated { status: i64 },
    /// A local status or boost was deleted: `Delete` (or `Undo(Announce)`).
    /// The row is gone by the time this is read, so the record keeps what
    /// the activity and its audience need.
    StatusDeleted {
        author: i64,
        uri: String,
        visibility: String,
        /// For a boost: the boosted status's URI and author.
        boost_of: Option<(String, i64)>,
        /// Accounts the status mentioned.
        mentioned: Vec<i64>,
        /// The account the status replied to. (Records written before
        /// this field lack it, and the two below: they read as `None`.)
        #[serde(default)]
        in_reply_to_account: Option<i64>,
        /// The author of the status it quoted.
        #[serde(default)]
        quoted_account: Option<i64>,
    },
    /// A local account favourited a status: `Like`.
    Favourited { account: i64, status: i64 },
    /// `Undo(Like)`.
    Unfavourited { account: i64, status: i64 },
    /// A local account asked to follow a remote one: `Follow`. `request`
    /// is the follow request's id, which names the activity.
    FollowRequested { follower: i64, target: i64, request: i64 },
    /// `Undo(Follow)`.
    Unfollowed { follower: i64, target: i64, request: i64 },
    /// A local account accepted or rejected a remote follower: `Accept` or
    /// `Reject` of the follow activity `follow_uri`.
    FollowAnswered { follower: i64, target: i64, follow_uri: String, accepted: bool },
    /// A local profile changed: `Update(Person)`.
    ProfileUpdated { account: i64 },
    /// A local account moved to `target` on another site: `Move`.
    AccountMoved { account: i64, target: i64 },
    /// A local account was deleted: `Delete` of the actor, signed with the
    /// key its tombstone keeps. `inboxes` were its remote followers' and
    /// followees', listed before the follows went.
    AccountDeleted { account: i64, inboxes: Vec<String> },
    /// A local poll's counts changed: `Update(Question)`, so other sites
    /// show the new counts.
    PollCounted { status: i64 },
    /// A local account voted `choice` (an option index) in a remote poll:
    /// `Create(Note)` named after the option, in reply to the `Question`.
    Voted { account: i64, poll: i64, choice: i64 },
    /// A local account blocked a remote one: `Block`.
    Blocked { account: i64, target: i64 },
    /// `Undo(Block)`.
    Unblocked { account: i64, target: i64 },
    /// A local status quotes a remote one: `QuoteRequest` to the quoted
    /// author (FEP-044f).
    QuoteRequested { status: i64 },
    /// A local author answered a remote `QuoteRequest`: `Accept` with the
    /// `QuoteAuthorization` as `result`, or `Reject`.
    QuoteAnswered {
        quoted_author: i64,
        requester: i64,
        request_uri: String,
        quoting_uri: String,
        quoted_uri: String,
        authorization: Option<String>,
    },
    /// A local status's quote or quote policy changed (not an edit):
    /// `Update` with the status as it is now.
    QuoteUpdated { status: i64 },
    /// A local author revoked a quote of their status: `Delete` of the
    /// `QuoteAuthorization`.
    QuoteRevoked { author: i64, authorization: String, quoting_author: i64 },
}

impl Outgoing {
    fn kind(&self) -> &'static str {
        match self {
            Outgoing::StatusCreated { .. } => "status_created",
            Outgoing::StatusUpdated { .. } => "status_updated",
            Outgoing::StatusDeleted { .. } => "status_deleted",
            Outgoing::Favourited { .. } => "favourited",
            Outgoing::Unfavourited { .. } => "unfavourited",
            Outgoing::FollowRequested { .. } => "follow_requested",
            Outgoing::Unfollowed { .. } => "unfollowed",
            Outgoing::FollowAnswered { .. } => "follow_answered",
            Outgoing::ProfileUpdated { .. } => "profile_updated",
            Outgoing::AccountMoved { .. } => "account_moved",
            Outgoing::AccountDeleted { .. } => "account_deleted",
            Outgoing::PollCounted { .. } => "poll_counted",
            Outgoing::Voted { .. } => "voted",
            Outgoing::Blocked { .. } => "blocked",
            Outgoing::Unblocked { .. } => "unblocked",
            Outgoing::QuoteRequested { .. } => "quote_requested",
            Outgoing::QuoteAnswered { .. } => "quote_answered",
            Outgoing::QuoteUpdated { .. } => "quote_updated",
            Outgoing::QuoteRevoked { .. } => "quote_revoked",
        }
    }
}

/// Records `outgoing` in the caller's transaction.
pub(crate) fn record(conn: &mut DbConn, outgoing: &Outgoing) -> Result<(), DbError> {
    tertulia_db::outbox::push(conn, outgoing.kind(), outgoing, tertulia_db::now())?;
    Ok(())
}

/// Reads back a record written by [`record`].
pub fn parse(payload: &str) -> Result<Outgoing, serde_json::Error> {
    serde_json::from_str(payload)
}
