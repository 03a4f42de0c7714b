//! Events of other sites, and answers from other sites to ours.

use chrono::NaiveDateTime;
use tertulia_core::Id;
use tertulia_db::calendar::{self, Answer, Attendance, EventRow};
use tertulia_db::{Db, DbConn, DbError, statuses};

use crate::DomainError;
use crate::outbox::{self, Outgoing};
use crate::visibility;

/// An event as its site describes it (an ActivityStreams `Event`).
#[derive(Debug, Clone)]
pub struct RemoteEvent {
    pub name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub timezone: Option<String>,
    pub location: Option<String>,
    /// The answer totals its site reported, if it did.
    pub totals: Option<Attendance>,
}

impl RemoteEvent {
    /// Stores the event of the remote status `status_id`: when it arrives,
    /// and again when its organiser changes it (an `Update`). The same
    /// reading serves both, so an edited event is taken as a new one is.
    pub(crate) fn store(&self, conn: &mut DbConn, status_id: i64) -> Result<(), DbError> {
        let row = EventRow {
            status_id,
            name: self.name.clone(),
            starts_at: self.starts_at,
            // An event without an end (allowed by ActivityStreams) is
            // kept as lasting no time, so listings can still order it.
            ends_at: self.ends_at.max(self.starts_at),
            timezone: self.timezone.clone(),
            location: self.location.clone(),
            // The post's own `url` is its page; no separate link is read.
            url: None,
            created_at: tertulia_db::now(),
        };
        if calendar::of_statuses(conn, &[status_id])?.is_empty() {
            calendar::insert(conn, &row)?;
        } else {
            calendar::update(conn, &row)?;
        }
        match self.totals {
            Some(totals) => calendar::set_reported(conn, status_id, totals),
            None => Ok(()),
        }
    }
}

/// `account`, of another site, answered (`None`: withdrew its answer to)
/// the event whose status has the URI `uri`. Returns whether `uri` names
/// an event of this site; only one the account may see takes its answer
/// (a followers-only event takes answers from followers).
pub async fn answer_received(db: &Db, account: Id, uri: String, answer: Option<Answer>) -> Result<bool, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(status) = statuses::find_by_uri(conn, &uri)?.filter(|status| status.local) else {
                return Ok(false);
            };
            if calendar::of_statuses(conn, &[status.id])?.is_empty() {
                return Ok(false);
            }
            if visibility::find_visible_to_other_sites(conn, Some(account.0), status.id)?.is_none() {
                return Err(DomainError::NotFound("event".into()));
            }
            calendar::set_answer(conn, status.id, account.0, answer, tertulia_db::now())?;
            outbox::record_coalesced(conn, &Outgoing::EventCounted { status: status.id })?;
            Ok(true)
        })
    })
    .await
}

/// The site of `author` reported new answer totals for its event `uri`
/// (an `Update` of the `Event`). Totals for an event not known here, or
/// not `author`'s, are ignored.
pub async fn totals_received(db: &Db, author: Id, uri: String, totals: Attendance) -> Result<(), DomainError> {
    Ok(db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let Some(status) = statuses::find_by_uri(conn, &uri)?.filter(|s| !s.local && s.account_id == author.0)
                else {
                    return Ok(());
                };
                if calendar::of_statuses(conn, &[status.id])?.is_empty() {
                    return Ok(());
                }
                calendar::set_reported(conn, status.id, totals)
            })
        })
        .await?)
}
