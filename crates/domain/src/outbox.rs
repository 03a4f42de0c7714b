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
use tertulia_core::visibility::Visibility;
use tertulia_db::outbox::OutboxKind;
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
        visibility: Visibility,
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
    /// A person this site's directory lists: `Update(Person)` to `site`,
    /// which has just followed this site, or (`None`, a new colleague) to
    /// every site that follows this one.
    ListedInDirectory { account: i64, site: Option<i64> },
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
    /// A company-wide announcement was published or changed: `Create` of
    /// it, from the site actor, to the sites following this one.
    AnnouncementShown { announcement: i64 },
    /// A company-wide announcement was unpublished, deleted or no longer
    /// company-wide: `Delete` of it, to the same sites.
    AnnouncementWithdrawn { announcement: i64 },
    /// The site subscribed to relay `relay`: the site actor's `Follow`.
    RelayFollowed { relay: i64 },
    /// The site left relay `relay` (its row is gone): `Undo(Follow)` to
    /// `inbox`. `followed_actor` is the relay actor a LitePub follow named;
    /// `None` for a Mastodon relay, followed through the public collection.
    RelayUnfollowed { relay: i64, inbox: String, followed_actor: Option<String> },
    /// A report about an account on another site, to be sent there:
    /// `Flag` from the site actor, to that account's site.
    ReportForwarded { report: i64 },
    /// A local account answered (`None`: withdrew its answer to) a remote
    /// event: `Accept`, `TentativeAccept` or `Reject` of it, or `Leave`,
    /// to the organiser. `at` (milliseconds) names the activity.
    EventAnswered { account: i64, status: i64, answer: Option<String>, at: i64 },
    /// The answer totals of a local event changed: `Update` of the `Event`
    /// carrying them, to those who received it. Recorded coalesced
    /// ([`record_coalesced`]): a burst of answers sends one `Update`.
    EventCounted { status: i64 },
}

impl Outgoing {
    fn kind(&self) -> OutboxKind {
        match self {
            Outgoing::StatusCreated { .. } => OutboxKind::StatusCreated,
            Outgoing::StatusUpdated { .. } => OutboxKind::StatusUpdated,
            Outgoing::StatusDeleted { .. } => OutboxKind::StatusDeleted,
            Outgoing::Favourited { .. } => OutboxKind::Favourited,
            Outgoing::Unfavourited { .. } => OutboxKind::Unfavourited,
            Outgoing::FollowRequested { .. } => OutboxKind::FollowRequested,
            Outgoing::Unfollowed { .. } => OutboxKind::Unfollowed,
            Outgoing::FollowAnswered { .. } => OutboxKind::FollowAnswered,
            Outgoing::ProfileUpdated { .. } => OutboxKind::ProfileUpdated,
            Outgoing::ListedInDirectory { .. } => OutboxKind::ListedInDirectory,
            Outgoing::AccountMoved { .. } => OutboxKind::AccountMoved,
            Outgoing::AccountDeleted { .. } => OutboxKind::AccountDeleted,
            Outgoing::PollCounted { .. } => OutboxKind::PollCounted,
            Outgoing::Voted { .. } => OutboxKind::Voted,
            Outgoing::Blocked { .. } => OutboxKind::Blocked,
            Outgoing::Unblocked { .. } => OutboxKind::Unblocked,
            Outgoing::QuoteRequested { .. } => OutboxKind::QuoteRequested,
            Outgoing::QuoteAnswered { .. } => OutboxKind::QuoteAnswered,
            Outgoing::QuoteUpdated { .. } => OutboxKind::QuoteUpdated,
            Outgoing::QuoteRevoked { .. } => OutboxKind::QuoteRevoked,
            Outgoing::AnnouncementShown { .. } => OutboxKind::AnnouncementShown,
            Outgoing::AnnouncementWithdrawn { .. } => OutboxKind::AnnouncementWithdrawn,
            Outgoing::RelayFollowed { .. } => OutboxKind::RelayFollowed,
            Outgoing::RelayUnfollowed { .. } => OutboxKind::RelayUnfollowed,
            Outgoing::ReportForwarded { .. } => OutboxKind::ReportForwarded,
            Outgoing::EventAnswered { .. } => OutboxKind::EventAnswered,
            Outgoing::EventCounted { .. } => OutboxKind::EventCounted,
        }
    }
}

/// Records `outgoing` in the caller's transaction.
pub(crate) fn record(conn: &mut DbConn, outgoing: &Outgoing) -> Result<(), DbError> {
    tertulia_db::outbox::push(conn, outgoing.kind(), outgoing, tertulia_db::now())?;
    Ok(())
}

/// Records `outgoing` unless the same record is already waiting: the
/// worker renders the activity from the data as it is when it sends, so
/// one waiting record carries every change made before then. A record
/// the worker is handling right now does not count (it may have read the
/// data already), so a change made meanwhile gets a record of its own.
pub(crate) fn record_coalesced(conn: &mut DbConn, outgoing: &Outgoing) -> Result<(), DbError> {
    if !tertulia_db::outbox::waiting(conn, outgoing.kind(), outgoing)? {
        record(conn, outgoing)?;
    }
    Ok(())
}

/// Reads back a record written by [`record`].
pub fn parse(payload: &str) -> Result<Outgoing, serde_json::Error> {
    serde_json::from_str(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deleted(visibility: Visibility) -> Outgoing {
        Outgoing::StatusDeleted {
            author: 1,
            uri: "https://hq.example/users/ana/statuses/2".into(),
            visibility,
            boost_of: None,
            mentioned: vec![3],
            in_reply_to_account: None,
            quoted_account: None,
        }
    }

    #[test]
    fn the_kind_column_names_the_record_as_its_payload_does() {
        let samples = [
            Outgoing::StatusCreated { status: 1 },
            deleted(Visibility::Private),
            Outgoing::FollowAnswered { follower: 1, target: 2, follow_uri: "f".into(), accepted: true },
            Outgoing::QuoteRevoked { author: 1, authorization: "a".into(), quoting_author: 2 },
        ];
        for outgoing in samples {
            let payload = serde_json::to_value(&outgoing).unwrap();
            assert_eq!(payload["kind"], outgoing.kind().as_str());
        }
    }

    #[test]
    fn a_deleted_status_keeps_its_visibility_by_name_and_an_unknown_one_is_unreadable() {
        let payload = serde_json::to_string(&deleted(Visibility::Private)).unwrap();
        assert!(payload.contains(r#""visibility":"private""#), "{payload}");
        assert_eq!(parse(&payload).unwrap(), deleted(Visibility::Private));

        let unknown = payload.replace(r#""visibility":"private""#, r#""visibility":"secret""#);
        let error = parse(&unknown).unwrap_err();
        assert!(error.to_string().contains("'secret' is not a visibility"), "{error}");
    }
}
