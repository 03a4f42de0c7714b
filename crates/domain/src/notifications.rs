//! A user's notifications: listing, reading one, dismissing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tertulia_core::Id;
pub use tertulia_db::notifications::NotificationKind;
use tertulia_db::notifications::{self, NotificationRow};
use tertulia_db::page::Page;
use tertulia_db::{Db, DbConn, DbError, blocks, moderation, reports};

use crate::Context;
use crate::moderation::WarningView;
use crate::present::{self, Reading};
use crate::reports::{ReportView, report_views};
use crate::statuses::StatusView;
use crate::{AccountView, DomainError};

#[derive(Debug, Clone)]
pub struct NotificationView {
    pub id: Id,
    pub kind: NotificationKind,
    pub group_key: String,
    pub created_at: DateTime<Utc>,
    pub account: AccountView,
    pub status: Option<StatusView>,
    /// What an `admin.report` notification is about.
    pub report: Option<ReportView>,
    /// What a `moderation_warning` notification is about.
    pub moderation_warning: Option<WarningView>,
}

/// Which notifications to list.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    /// Only these kinds (empty: all). Kinds this server does not know
    /// match nothing, as on Mastodon: clients ask for newer kinds.
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    /// Also those held back by the notification policy.
    pub include_filtered: bool,
}

impl NotificationFilter {
    /// One page of `reader`'s notifications that this filter lets through.
    pub(crate) fn page(&self, conn: &mut DbConn, reader: Id, page: Page) -> Result<Vec<NotificationRow>, DbError> {
        notifications::page(conn, reader.0, self.kinds().as_deref(), &self.excluded(), self.include_filtered, page)
    }

    /// The kinds to keep, for the query (`None`: all).
    pub(crate) fn kinds(&self) -> Option<Vec<NotificationKind>> {
        (!self.types.is_empty()).then(|| known_kinds(&self.types))
    }

    /// The kinds to leave out, for the query.
    pub(crate) fn excluded(&self) -> Vec<NotificationKind> {
        known_kinds(&self.exclude_types)
    }
}

fn known_kinds(names: &[String]) -> Vec<NotificationKind> {
    names.iter().filter_map(|name| name.parse().ok()).collect()
}

/// Whether notifications of `kind` are grouped, `grouped` being the
/// `grouped_types` a client asked for.
pub(crate) fn is_grouped(kind: NotificationKind, grouped: &[String]) -> bool {
    grouped.iter().any(|name| name == kind.as_str())
}

/// Lists notifications, after announcing polls that have ended (see
/// [`crate::polls`]).
pub async fn list(
    ctx: &Context,
    reader: Id,
    filter: NotificationFilter,
    page: Page,
) -> Result<Vec<NotificationView>, DomainError> {
    crate::polls::sweep_now(ctx).await?;
    Ok(ctx.db.read(move |conn| page_of(conn, reader, &filter, page)).await?)
}

/// A page of the reader's notifications, on a connection already held.
pub fn page_of(
    conn: &mut DbConn,
    reader: Id,
    filter: &NotificationFilter,
    page: Page,
) -> Result<Vec<NotificationView>, DbError> {
    let rows = filter.page(conn, reader, page)?;
    build(conn, reader, rows)
}

pub async fn get(db: &Db, reader: Id, id: Id) -> Result<NotificationView, DomainError> {
    db.run(move |conn| {
        let rows = notifications::find(conn, reader.0, id.0)?.into_iter().collect();
        Ok::<_, DomainError>(build(conn, reader, rows)?.pop())
    })
    .await?
    .ok_or_else(|| DomainError::NotFound("notification".into()))
}

/// Dismisses one notification (`Some(id)`) or clears them all.
pub async fn dismiss(db: &Db, reader: Id, id: Option<Id>) -> Result<(), DomainError> {
    let removed = db.write(move |conn| notifications::dismiss(conn, reader.0, id.map(|i| i.0))).await?;
    if id.is_some() && removed == 0 {
        return Err(DomainError::NotFound("notification".into()));
    }
    Ok(())
}

/// Most unread notifications read to count groups: past this the count
/// is capped anyway.
const UNREAD_SCAN: i64 = 10_000;

/// Notifications newer than the read marker `after`, counted up to `cap`.
/// With `grouped` (the v2 count), groups are counted instead: the
/// notifications of one group of those kinds count once.
pub async fn unread_count(
    db: &Db,
    reader: Id,
    after: Option<Id>,
    filter: NotificationFilter,
    grouped: Option<Vec<String>>,
    cap: i64,
) -> Result<i64, DomainError> {
    let scan = if grouped.is_some() { UNREAD_SCAN } else { cap };
    let after = after.map_or(0, |a| a.0);
    let rows = db
        .run(move |conn| {
            notifications::unread(conn, reader.0, after, filter.kinds().as_deref(), &filter.excluded(), scan)
        })
        .await?;
    let count = match grouped {
        None => rows.len(),
        Some(grouped) => {
            rows.iter().map(|(id, kind, key)| group_key(*kind, key, Id(*id), &grouped)).collect::<HashSet<_>>().len()
        }
    };
    Ok((count as i64).min(cap))
}

/// The key a notification is grouped under in the v2 API: its stored key
/// for the kinds being grouped, else one of its own (Mastodon's
/// `ungrouped-<id>`).
pub fn group_key(kind: NotificationKind, stored_key: &str, id: Id, grouped: &[String]) -> String {
    if is_grouped(kind, grouped) { stored_key.to_owned() } else { format!("ungrouped-{}", id.0) }
}

/// Views for rows, dropping those whose account is gone or whose status
/// the reader may no longer see.
pub(crate) fn build(
    conn: &mut DbConn,
    reader: Id,
    rows: Vec<NotificationRow>,
) -> Result<Vec<NotificationView>, DbError> {
    let account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    // Nothing from accounts the reader blocks, is blocked by, or muted
    // with notifications hidden, nor from sites the reader blocks.
    let (mut accounts, mut silenced) = (HashMap::new(), HashSet::new());
    for sender in blocks::seen_by(conn, Some(reader.0), &account_ids, tertulia_db::now())? {
        if sender.blocked || sender.silenced == Some(true) {
            silenced.insert(sender.account.id);
        }
        accounts.insert(sender.account.id, AccountView::from(sender.account));
    }
    let rows: Vec<NotificationRow> = rows.into_iter().filter(|r| !silenced.contains(&r.from_account_id)).collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.status_id).collect();
    let statuses: HashMap<Id, StatusView> = present::by_ids(conn, Some(reader.0), &status_ids, Reading::Notifications)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let report_ids: Vec<i64> = rows.iter().filter_map(|r| r.report_id).collect();
    // Only moderators get report notifications: other pages ask nothing more.
    let reports: HashMap<i64, ReportView> = if report_ids.is_empty() {
        HashMap::new()
    } else {
        let report_rows = reports::find_many(conn, &report_ids)?;
        report_views(conn, report_rows)?.into_iter().map(|r| (r.id.0, r)).collect()
    };
    let warning_ids: Vec<i64> = rows.iter().filter_map(|r| r.account_warning_id).collect();
    let mut warnings: HashMap<i64, _> = if warning_ids.is_empty() {
        HashMap::new()
    } else {
        moderation::warnings_by_ids(conn, &warning_ids)?.into_iter().map(|w| (w.id, w)).collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let account = accounts.get(&row.from_account_id)?.clone();
            // A warning notification comes from the warned account itself.
            let moderation_warning = match row.account_warning_id {
                Some(id) => Some(WarningView::new(warnings.remove(&id)?, account.clone())),
                None => None,
            };
            let status = match row.status_id {
                Some(id) => Some(statuses.get(&Id(id))?.clone()),
                None => None,
            };
            let report = match row.report_id {
                Some(id) => Some(reports.get(&id)?.clone()),
                None => None,
            };
            Some(NotificationView {
                id: Id(row.id),
                kind: row.kind,
                group_key: row.group_key,
                created_at: row.created_at.and_utc(),
                account,
                status,
                report,
                moderation_warning,
            })
        })
        .collect())
}
