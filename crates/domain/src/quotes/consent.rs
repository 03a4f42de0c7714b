//! The federated half of quotes (FEP-044f): quotes other sites' posts
//! make, `QuoteRequest`s for our statuses, the quoted site's answer to
//! ours, and revocations. Federation checks signatures and fetches
//! authorizations; what they mean is decided here.

use tertulia_core::Id;
use tertulia_db::quotes::{self, QuoteRow, QuoteState};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{Db, DbConn, DbError, social};

use super::{QuotePolicy, allowed, notify_quoted, our_authorization};
use crate::Context;
use crate::DomainError;
use crate::outbox::{self, Outgoing};
use crate::visibility;

/// The quote carried by a remote post.
#[derive(Debug, Clone)]
pub struct QuoteSeen {
    pub quoted_uri: String,
    /// The quoted status, if stored here.
    pub quoted: Option<Id>,
    /// Its `quoteAuthorization`, once federation has fetched it from the
    /// quoted author's site and found that it names this quote and that
    /// post. Never set for quotes of our own statuses: for those, our own
    /// record of consent is the truth.
    pub authorization: Option<String>,
}

/// Stores or updates the quote made by the remote status `quoting`. A
/// quote of another site's post is accepted once its authorization checks
/// out; a quote of ours stays as we decided (pending until the author's
/// `QuoteRequest` arrives); a self-quote needs no consent.
pub async fn quote_seen(db: &Db, quoting: Id, seen: QuoteSeen) -> Result<(), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(status) = statuses::find(conn, quoting.0)? else {
                return Ok(());
            };
            let quoted = match seen.quoted {
                Some(id) => statuses::find(conn, id.0)?,
                None => None,
            };
            let ours = quoted.as_ref().is_some_and(|q| q.local);
            let own = quoted.as_ref().is_some_and(|q| q.account_id == status.account_id);
            let authorization = seen.authorization.filter(|_| !ours);
            match quotes::find(conn, status.id)? {
                Some(row) => {
                    if let (None, Some(quoted)) = (row.quoted_status_id, &quoted) {
                        quotes::set_quoted(conn, row.status_id, quoted.id, quoted.account_id)?;
                    }
                    if row.state == QuoteState::Pending
                        && let Some(authorization) = authorization.as_deref()
                    {
                        quotes::set_state(conn, row.status_id, QuoteState::Accepted, Some(authorization))?;
                    }
                }
                None => {
                    let state = if own || authorization.is_some() { QuoteState::Accepted } else { QuoteState::Pending };
                    quotes::insert(
                        conn,
                        &QuoteRow {
                            status_id: status.id,
                            quoted_status_id: quoted.as_ref().map(|q| q.id),
                            quoted_uri: seen.quoted_uri,
                            quoted_account_id: quoted.as_ref().map(|q| q.account_id),
                            state,
                            authorization_uri: authorization,
                            created_at: status.created_at,
                        },
                    )?;
                }
            }
            Ok(())
        })
    })
    .await
}

/// Stores who may quote a remote status, as its `interactionPolicy` says.
pub async fn remote_policy(db: &Db, status: Id, policy: QuotePolicy) -> Result<(), DomainError> {
    Ok(db.run(move |conn| quotes::set_policy(conn, status.0, policy.as_str())).await?)
}

/// A remote account asks to quote our status `quoted` with its status
/// `quoting` (FEP-044f `QuoteRequest`, whose id is `request_uri`). The
/// quoted author's policy decides at once (there is no manual review);
/// the answer is sent either way. Returns whether it was accepted; a
/// request about a status that is not ours, or that the requester cannot
/// see, is not answered.
pub async fn quote_requested(
    ctx: &Context,
    base_url: String,
    requester: Id,
    quoting: Id,
    quoted: Id,
    request_uri: String,
) -> Result<bool, DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(quoting) = statuses::find(conn, quoting.0)?.filter(|s| s.account_id == requester.0) else {
                return Err(DomainError::Forbidden("a quote request must be made by the quote's author".into()));
            };
            let Some(quoted) = visibility::find_visible(conn, Some(requester.0), quoted.0)?.filter(|q| q.local) else {
                return Ok((false, Vec::new()));
            };
            let accepted = may_quote(conn, requester.0, &quoted)?;
            let existing = quotes::find(conn, quoting.id)?;
            if existing.is_none() {
                insert_pending(conn, &quoting, &quoted)?;
            }
            let mut pending = Vec::new();
            let authorization = accepted.then(|| our_authorization(&base_url, quoting.id));
            if accepted {
                quotes::set_state(conn, quoting.id, QuoteState::Accepted, authorization.as_deref())?;
                if existing.is_none_or(|q| q.state != QuoteState::Accepted) {
                    pending.extend(notify_quoted(conn, quoted.account_id, &quoting)?);
                }
            } else {
                quotes::set_state(conn, quoting.id, QuoteState::Rejected, None)?;
            }
            outbox::record(
                conn,
                &Outgoing::QuoteAnswered {
                    quoted_author: quoted.account_id,
                    requester: requester.0,
                    request_uri,
                    quoting_uri: quoting.uri.clone(),
                    quoted_uri: quoted.uri.clone(),
                    authorization,
                },
            )?;
            Ok((accepted, pending))
        })
    })
    .await
}

/// Whether `quoter` may quote `quoted` under its policy.
fn may_quote(conn: &mut DbConn, quoter: i64, quoted: &StatusRow) -> Result<bool, DbError> {
    let stored = quotes::policies_of(conn, &[quoted.id])?.pop().map(|(_, p)| p);
    let policy = QuotePolicy::of(quoted, stored.as_deref());
    let follows = !social::following_among(conn, quoter, &[quoted.account_id])?.is_empty();
    Ok(allowed(Some(quoter), quoted, policy, follows))
}

fn insert_pending(conn: &mut DbConn, quoting: &StatusRow, quoted: &StatusRow) -> Result<(), DbError> {
    quotes::insert(
        conn,
        &QuoteRow {
            status_id: quoting.id,
            quoted_status_id: Some(quoted.id),
            quoted_uri: quoted.uri.clone(),
            quoted_account_id: Some(quoted.account_id),
            state: QuoteState::Pending,
            authorization_uri: None,
            created_at: quoting.created_at,
        },
    )
}

/// The quoted author `answerer` accepted (with an `authorization`) or
/// rejected the quote our status `quoting` asked for. An accepted quote is
/// sent again (`Update`) with its authorization, so that everyone who
/// received it can check it.
pub async fn quote_answered(
    ctx: &Context,
    answerer: Id,
    quoting: Id,
    authorization: Option<String>,
) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(quote) = quotes::find(conn, quoting.0)?.filter(|q| q.quoted_account_id == Some(answerer.0)) else {
                return Ok(((), Vec::new()));
            };
            if quote.state != QuoteState::Pending {
                return Ok(((), Vec::new()));
            }
            match authorization {
                Some(authorization) => {
                    quotes::set_state(conn, quote.status_id, QuoteState::Accepted, Some(&authorization))?;
                    outbox::record(conn, &Outgoing::QuoteUpdated { status: quote.status_id })?;
                }
                None => quotes::set_state(conn, quote.status_id, QuoteState::Rejected, None)?,
            }
            Ok(((), Vec::new()))
        })
    })
    .await
}

/// The quoted author `revoker` deleted the authorization `uri`: the quote
/// it proved is revoked. Returns false if `uri` proves no quote of theirs.
pub async fn quote_revoked(db: &Db, revoker: Id, uri: String) -> Result<bool, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(quote) =
                quotes::find_by_authorization(conn, &uri)?.filter(|q| q.quoted_account_id == Some(revoker.0))
            else {
                return Ok(false);
            };
            quotes::set_state(conn, quote.status_id, QuoteState::Revoked, None)?;
            Ok(true)
        })
    })
    .await
}
