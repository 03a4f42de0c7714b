//! Quote posts as Mastodon 4.5 has them, federated with FEP-044f
//! ("Consent-respecting quote posts"): a status may quote one other
//! status, if the quoted author's policy allows the quoter; the quoted
//! author's consent is recorded with the quote (`state`) and may be
//! revoked later. The rules of who may quote what live here; who may see
//! the quoted status is, as everywhere, [`crate::visibility`]'s call.

mod consent;

pub use consent::{QuoteSeen, quote_answered, quote_requested, quote_revoked, quote_seen, remote_policy};

use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::notifications::NotificationKind;
use tertulia_db::quotes::{self, QuoteRow, QuoteState};
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError, notifications, social};

use crate::Context;
use crate::DomainError;
use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::present::{self, Reading};
use crate::statuses::{self, StatusView};
use crate::visibility::{self, Viewer};

/// Who may quote a status (`quote_approval_policy`). Approval is always
/// automatic: as on Mastodon, nobody reviews quotes by hand, but any quote
/// can be revoked afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotePolicy {
    Public,
    /// The author's followers (and the author).
    Followers,
    /// The author alone.
    Nobody,
}

impl QuotePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotePolicy::Public => "public",
            QuotePolicy::Followers => "followers",
            QuotePolicy::Nobody => "nobody",
        }
    }

    /// A policy as clients send it; empty means the default.
    pub fn parse(raw: Option<&str>) -> Result<Option<QuotePolicy>, DomainError> {
        match raw.filter(|r| !r.is_empty()) {
            None => Ok(None),
            Some("public") => Ok(Some(QuotePolicy::Public)),
            Some("followers") => Ok(Some(QuotePolicy::Followers)),
            Some("nobody") => Ok(Some(QuotePolicy::Nobody)),
            Some(other) => Err(DomainError::invalid(
                "quote_approval_policy",
                format!("'{other}' is not one of public, followers, nobody"),
            )),
        }
    }

    /// The policy a status gets: what was asked (public by default), except
    /// that followers-only and direct statuses can never be quoted by
    /// others, whatever was asked (as on Mastodon).
    pub fn for_visibility(asked: Option<QuotePolicy>, visibility: Visibility) -> QuotePolicy {
        if quotable_visibility(visibility) { asked.unwrap_or(QuotePolicy::Public) } else { QuotePolicy::Nobody }
    }

    /// The policy of `status` given its stored one: local statuses without
    /// one predate quotes and follow the default; remote ones that declared
    /// nothing give no consent (FEP-044f).
    pub fn of(status: &StatusRow, stored: Option<&str>) -> QuotePolicy {
        let visibility = status.visibility;
        let stored = stored.and_then(|s| QuotePolicy::parse(Some(s)).ok().flatten());
        match stored {
            Some(policy) => QuotePolicy::for_visibility(Some(policy), visibility),
            None if status.local => QuotePolicy::for_visibility(None, visibility),
            None => QuotePolicy::Nobody,
        }
    }
}

/// Only statuses anyone may read can be quoted: a quote would otherwise
/// show a restricted post to the quoter's audience.
fn quotable_visibility(visibility: Visibility) -> bool {
    matches!(visibility, Visibility::Public | Visibility::Unlisted)
}

/// Whether `quoter` may quote `quoted` under `policy`; `follows` says
/// whether the quoter follows its author. Blocks are not checked here: a
/// blocked quoter cannot see the status in the first place.
pub(crate) fn allowed(quoter: Viewer, quoted: &StatusRow, policy: QuotePolicy, follows: bool) -> bool {
    let Some(quoter) = quoter else {
        return false;
    };
    if !quotable_visibility(quoted.visibility) || quoted.reblog_of_id.is_some() {
        return false;
    }
    quoter == quoted.account_id
        || match policy {
            QuotePolicy::Public => true,
            QuotePolicy::Followers => follows,
            QuotePolicy::Nobody => false,
        }
}

/// A quote as one viewer sees it (Mastodon's `Quote`, or `ShallowQuote`
/// inside a quoted status: quotes are shown one level deep).
#[derive(Debug, Clone)]
pub struct QuoteView {
    /// `pending`, `accepted`, `rejected`, `revoked`, `deleted` or
    /// `unauthorized` (accepted, but the viewer may not see the status).
    pub state: &'static str,
    pub quoted_id: Option<Id>,
    /// The quoted status, when accepted and visible; `None` in a
    /// shallow quote.
    pub quoted: Option<Box<StatusView>>,
    pub shallow: bool,
}

/// The state a viewer is shown, given whether they may see the quoted
/// status.
pub(crate) fn state_for(row: &QuoteRow, quoted_visible: bool) -> &'static str {
    match row.state {
        QuoteState::Accepted if row.quoted_status_id.is_none() => "deleted",
        QuoteState::Accepted if quoted_visible => "accepted",
        QuoteState::Accepted => "unauthorized",
        QuoteState::Pending => "pending",
        QuoteState::Rejected => "rejected",
        QuoteState::Revoked => "revoked",
    }
}

/// How a status's quote policy applies to the viewer (Mastodon's
/// `QuoteApproval`).
#[derive(Debug, Clone)]
pub struct QuoteApproval {
    pub policy: QuotePolicy,
    /// The viewer may quote and the quote is accepted without review.
    pub viewer_allowed: bool,
}

/// The quote of a new status: the quoted status, checked against
/// visibility and the quoted author's policy.
pub(crate) fn quotable(conn: &mut DbConn, quoter: i64, quoted: Id) -> Result<StatusRow, DomainError> {
    let Some(row) = visibility::find_visible(conn, Some(quoter), quoted.0)? else {
        return Err(DomainError::NotFound("the status you quote".into()));
    };
    let stored = quotes::policies_of(conn, &[row.id])?.pop().map(|(_, p)| p);
    let policy = QuotePolicy::of(&row, stored.as_deref());
    let follows = !social::following_among(conn, quoter, &[row.account_id])?.is_empty();
    if !allowed(Some(quoter), &row, policy, follows) {
        return Err(DomainError::invalid(
            "quoted_status_id",
            "the author of that status does not allow you to quote it",
        ));
    }
    Ok(row)
}

/// The post the status `quoting` quotes, as other sites name it: its URI
/// and its author's account (`None` if unknown), whom consent is asked of.
pub fn quoted_by(conn: &mut DbConn, quoting: i64) -> Result<Option<(String, Option<i64>)>, DbError> {
    Ok(quotes::find(conn, quoting)?.map(|quote| (quote.quoted_uri, quote.quoted_account_id)))
}

/// A consent this site gave to a quote of a local post, while it stands.
pub struct StandingConsent {
    pub quoting_uri: String,
    pub quoted_uri: String,
    pub quoted_author: i64,
}

/// The consent named `authorization` that this site gave to the quote
/// `quoting`, if it still stands (revoked ones are gone: other sites check
/// that way) and the quoted post is local.
pub fn standing_consent(
    conn: &mut DbConn,
    quoting: i64,
    authorization: &str,
) -> Result<Option<StandingConsent>, DbError> {
    let Some(quote) = quotes::find(conn, quoting)?
        .filter(|q| q.state == QuoteState::Accepted && q.authorization_uri.as_deref() == Some(authorization))
    else {
        return Ok(None);
    };
    let (Some(quoted), Some(quoting)) = (quote.quoted_status_id, tertulia_db::statuses::find(conn, quoting)?) else {
        return Ok(None);
    };
    let Some(quoted) = tertulia_db::statuses::find(conn, quoted)?.filter(|q| q.local) else {
        return Ok(None);
    };
    Ok(Some(StandingConsent { quoting_uri: quoting.uri, quoted_uri: quoted.uri, quoted_author: quoted.account_id }))
}

/// The authorization this site issues for a quote of one of its statuses.
pub(crate) fn our_authorization(base_url: &str, quoting: i64) -> String {
    format!("{base_url}/quote_authorizations/{quoting}")
}

/// Records the quote of a new local status `quoting`: accepted at once when
/// the quoted status is ours (its policy was checked), pending otherwise
/// until the quoted author's site answers the `QuoteRequest`.
pub(crate) fn record(
    conn: &mut DbConn,
    base_url: &str,
    quoting: &StatusRow,
    quoted: &StatusRow,
) -> Result<Vec<Event>, DbError> {
    let federates = quoting.visibility.federates();
    let (state, authorization) = if quoted.local {
        (QuoteState::Accepted, Some(our_authorization(base_url, quoting.id)))
    } else {
        (QuoteState::Pending, None)
    };
    quotes::insert(
        conn,
        &QuoteRow {
            status_id: quoting.id,
            quoted_status_id: Some(quoted.id),
            quoted_uri: quoted.uri.clone(),
            quoted_account_id: Some(quoted.account_id),
            state,
            authorization_uri: authorization,
            created_at: quoting.created_at,
        },
    )?;
    if !quoted.local && federates {
        outbox::record(conn, &Outgoing::QuoteRequested { status: quoting.id })?;
    }
    let mut pending = Vec::new();
    if quoted.local {
        pending.extend(notify_quoted(conn, quoted.account_id, quoting)?);
    }
    Ok(pending)
}

/// Tells the quoted author someone quoted them (`quote`; the status is the
/// quote).
pub(crate) fn notify_quoted(
    conn: &mut DbConn,
    quoted_author: i64,
    quoting: &StatusRow,
) -> Result<Option<Event>, DbError> {
    let id = quoting.id;
    statuses::notify(
        conn,
        quoted_author,
        quoting.account_id,
        NotificationKind::Quote,
        Some(id),
        format!("ungrouped-{id}"),
    )
}

/// The statuses quoting `id` whose quote was accepted and which `viewer`
/// may see, newest first.
pub async fn quotes_of(
    db: &Db,
    viewer: Viewer,
    id: Id,
    page: tertulia_db::page::Page,
) -> Result<Vec<StatusView>, DomainError> {
    db.run(move |conn| {
        let Some(quoted) = visibility::find_visible(conn, viewer, id.0)? else {
            return Ok::<_, DomainError>(None);
        };
        let ids = quotes::quoting(conn, quoted.id, QuoteState::Accepted, page)?;
        Ok(Some(present::by_ids(conn, viewer, &ids, Reading::Asked)?))
    })
    .await?
    .ok_or_else(|| DomainError::NotFound("status".into()))
}

/// The author of `quoted` withdraws their consent to the quote `quoting`.
/// Returns the quoting status as the author now sees it.
pub async fn revoke(ctx: &Context, owner: Id, quoted: Id, quoting: Id) -> Result<StatusView, DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(quoted) = visibility::find_visible(conn, Some(owner.0), quoted.0)? else {
                return Err(DomainError::NotFound("status".into()));
            };
            if quoted.account_id != owner.0 {
                return Err(DomainError::Forbidden("you can only revoke quotes of your own statuses".into()));
            }
            let Some(quote) = quotes::find(conn, quoting.0)?.filter(|q| q.quoted_status_id == Some(quoted.id)) else {
                return Err(DomainError::NotFound("quote".into()));
            };
            if matches!(quote.state, QuoteState::Accepted | QuoteState::Pending) {
                quotes::set_state(conn, quote.status_id, QuoteState::Revoked, None)?;
                if let Some(quoting_row) = tertulia_db::statuses::find(conn, quote.status_id)? {
                    notifications::retract(conn, quoting_row.account_id, NotificationKind::Quote, quoting_row.id)?;
                    if let Some(authorization) = quote.authorization_uri.clone() {
                        outbox::record(
                            conn,
                            &Outgoing::QuoteRevoked {
                                author: owner.0,
                                authorization,
                                quoting_author: quoting_row.account_id,
                            },
                        )?;
                    }
                }
            }
            let view = statuses::load_one(conn, owner.0, quote.status_id)?;
            let view = view.ok_or_else(|| DomainError::NotFound("status".into()))?;
            Ok((view, Vec::new()))
        })
    })
    .await
}

/// Changes who may quote the owner's status (`PUT
/// /api/v1/statuses/:id/interaction_policy`). Past quotes stay.
pub async fn set_policy(
    ctx: &Context,
    owner: Id,
    id: Id,
    asked: Option<QuotePolicy>,
) -> Result<StatusView, DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(row) = visibility::find_visible(conn, Some(owner.0), id.0)?.filter(|r| r.account_id == owner.0)
            else {
                return Err(DomainError::NotFound("status".into()));
            };
            let visibility = row.visibility;
            let policy = QuotePolicy::for_visibility(asked, visibility);
            quotes::set_policy(conn, row.id, policy.as_str())?;
            if visibility.federates() {
                outbox::record(conn, &Outgoing::QuoteUpdated { status: row.id })?;
            }
            let view = statuses::load_one(conn, owner.0, row.id)?;
            let view = view.ok_or_else(|| DomainError::NotFound("status".into()))?;
            Ok((view, Vec::new()))
        })
    })
    .await
}

/// `content` with Mastodon's fallback for software that shows no quotes:
/// a `RE:` link to the quoted status first, unless the text links to it
/// already. Clients that show the quote hide it (class `quote-inline`).
pub(crate) fn with_fallback_link(content: &str, text: &str, quoted: &StatusRow) -> String {
    let link = quoted.url.clone().unwrap_or_else(|| quoted.uri.clone());
    if text.contains(&link) || text.contains(&quoted.uri) {
        return content.to_owned();
    }
    let link = tertulia_core::text::escape_html(&link);
    format!("<p class=\"quote-inline\">RE: <a href=\"{link}\">{link}</a></p>{content}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(visibility: &str, local: bool) -> StatusRow {
        StatusRow {
            local,
            ..StatusRow::new_local(1, String::new(), 10, visibility.parse().unwrap(), chrono::Utc::now().naive_utc())
        }
    }

    #[test]
    fn who_may_quote_by_policy_and_visibility() {
        let (author, follower, stranger) = (Some(10), Some(20), Some(30));
        let public = status("public", true);
        // (policy, author, follower, stranger)
        let matrix = [
            (QuotePolicy::Public, true, true, true),
            (QuotePolicy::Followers, true, true, false),
            (QuotePolicy::Nobody, true, false, false),
        ];
        for (policy, by_author, by_follower, by_stranger) in matrix {
            assert_eq!(allowed(author, &public, policy, false), by_author, "{policy:?} author");
            assert_eq!(allowed(follower, &public, policy, true), by_follower, "{policy:?} follower");
            assert_eq!(allowed(stranger, &public, policy, false), by_stranger, "{policy:?} stranger");
            assert!(!allowed(None, &public, policy, false), "{policy:?} anonymous");
        }
        for visibility in ["private", "direct", "local"] {
            let restricted = status(visibility, true);
            assert!(!allowed(author, &restricted, QuotePolicy::Public, true), "{visibility}");
            assert_eq!(QuotePolicy::of(&restricted, Some("public")), QuotePolicy::Nobody, "{visibility}");
        }
        assert_eq!(QuotePolicy::of(&public, None), QuotePolicy::Public, "local statuses default to public");
        assert_eq!(QuotePolicy::of(&status("public", false), None), QuotePolicy::Nobody, "remote ones to nobody");
    }

    #[test]
    fn the_state_shown_depends_on_the_quoted_status() {
        let row = |state: &str, quoted: Option<i64>| QuoteRow {
            status_id: 1,
            quoted_status_id: quoted,
            quoted_uri: String::new(),
            quoted_account_id: None,
            state: state.parse().unwrap(),
            authorization_uri: None,
            created_at: chrono::Utc::now().naive_utc(),
        };
        assert_eq!(state_for(&row("accepted", Some(2)), true), "accepted");
        assert_eq!(state_for(&row("accepted", Some(2)), false), "unauthorized");
        assert_eq!(state_for(&row("accepted", None), false), "deleted");
        assert_eq!(state_for(&row("pending", Some(2)), true), "pending");
        assert_eq!(state_for(&row("revoked", Some(2)), true), "revoked");
        assert_eq!(state_for(&row("rejected", None), false), "rejected");
    }
}
