//! Local statuses as other sites read them: the outbox, the featured
//! collection, one post fetched by its URI, and what the outbox worker
//! sends. Each batch is loaded in a fixed number of queries, and carries
//! the URIs a note links to, so rendering one queries nothing.

use std::collections::HashMap;

use tertulia_core::visibility::Visibility;
use tertulia_db::calendar::{self, Attendance, EventRow};
use tertulia_db::page::Page;
use tertulia_db::quotes::QuoteState;
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, pins};

use super::StatusView;
use crate::visibility::{self, Viewer, Visible};

/// Visibilities other sites list in collections: what anyone may read.
const LISTED: [Visibility; 2] = [Visibility::Public, Visibility::Unlisted];

/// A local status (not a boost) as sent to other sites: its view for no
/// viewer in particular, and what it links to that the view names by
/// local id only.
#[derive(Debug, Clone)]
pub struct SharedStatus {
    pub view: StatusView,
    /// The URI of the post replied to.
    pub in_reply_to_uri: Option<String>,
    /// The local thread id.
    pub conversation: Option<i64>,
    /// The quoted post's URI, with the authorization once accepted.
    pub quote: Option<(String, Option<String>)>,
    /// The event, when the status announces one, with its answer totals.
    pub event: Option<(EventRow, Attendance)>,
}

/// `rows` as other sites are sent them, in order, without a visibility
/// check (the caller decided they may be shown). Rows whose author cannot
/// be loaded are dropped.
pub fn of_rows(conn: &mut DbConn, rows: Vec<StatusRow>) -> Result<Vec<SharedStatus>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let parent_ids: Vec<i64> = rows.iter().filter_map(|row| row.in_reply_to_id).collect();
    let parents: HashMap<i64, String> =
        statuses::find_many(conn, &parent_ids)?.into_iter().map(|parent| (parent.id, parent.uri)).collect();
    let quotes: HashMap<i64, (String, Option<String>)> = tertulia_db::quotes::of_statuses(conn, &ids)?
        .into_iter()
        .map(|quote| {
            let authorization = quote.authorization_uri.filter(|_| quote.state == QuoteState::Accepted);
            (quote.status_id, (quote.quoted_uri, authorization))
        })
        .collect();
    let totals = calendar::totals(conn, &ids)?;
    let mut events: HashMap<i64, (EventRow, Attendance)> = calendar::of_statuses(conn, &ids)?
        .into_iter()
        .map(|event| (event.status_id, (event.clone(), totals.get(&event.status_id).copied().unwrap_or_default())))
        .collect();
    let links: HashMap<i64, (Option<i64>, Option<i64>)> =
        rows.iter().map(|row| (row.id, (row.in_reply_to_id, row.conversation_id))).collect();
    let views = super::build_views(conn, None, Visible { rows, ..Default::default() })?;
    Ok(views
        .into_iter()
        .map(|view| {
            let (parent, conversation) = links.get(&view.id.0).copied().unwrap_or_default();
            SharedStatus {
                in_reply_to_uri: parent.and_then(|parent| parents.get(&parent).cloned()),
                conversation,
                quote: quotes.get(&view.id.0).cloned(),
                event: events.remove(&view.id.0),
                view,
            }
        })
        .collect())
}

/// The local status `id`, if any, as another site may read it: `None`
/// unless it is an original post the `signer` may see.
pub fn one(conn: &mut DbConn, signer: Viewer, id: i64) -> Result<Option<SharedStatus>, DbError> {
    let Some(row) = visibility::find_visible_to_other_sites(conn, signer, id)? else {
        return Ok(None);
    };
    if !row.local || row.reblog_of_id.is_some() {
        return Ok(None);
    }
    Ok(of_rows(conn, vec![row])?.pop())
}

/// A page of `account`'s outbox: its latest public and unlisted posts
/// (boosts left out) that the `signer` may see.
pub fn outbox_page(conn: &mut DbConn, signer: Viewer, account: i64, page: Page) -> Result<Vec<SharedStatus>, DbError> {
    let rows = statuses::by_account(conn, account, &LISTED, Default::default(), page)?;
    let mut rows = visibility::visible_statuses(conn, signer, rows)?;
    rows.retain(|row| row.reblog_of_id.is_none());
    of_rows(conn, rows)
}

/// `account`'s pinned public and unlisted posts that the `signer` may
/// see, newest pin first.
pub fn featured(conn: &mut DbConn, signer: Viewer, account: i64) -> Result<Vec<SharedStatus>, DbError> {
    let pinned_ids = pins::of_account(conn, account)?;
    let mut pinned = statuses::find_many(conn, &pinned_ids)?;
    pinned.sort_by_key(|row| pinned_ids.iter().position(|id| *id == row.id));
    let mut pinned = visibility::visible_statuses(conn, signer, pinned)?;
    pinned.retain(|row| LISTED.contains(&row.visibility));
    of_rows(conn, pinned)
}

/// The URI and author of the status `id` (local or remote): what a like,
/// a boost or a vote names it by.
pub fn uri_and_author(conn: &mut DbConn, id: i64) -> Result<Option<(String, i64)>, DbError> {
    Ok(statuses::find(conn, id)?.map(|status| (status.uri, status.account_id)))
}
