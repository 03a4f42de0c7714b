//! Grouped notifications (Mastodon 4.3's `/api/v2/notifications`): several
//! favourites of one status, or the day's new followers, shown as one
//! group.
//!
//! A group is listed once, at the place of its newest notification, with
//! all its notifications counted, so paging never splits it: a later page
//! leaves out every group that reaches the page above it (it was shown
//! there). Clients that poll for newer groups (`since_id`, `min_id`) get a
//! group again when it grows, and replace it by its key.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::notifications::{self, NotificationRow};
use tertulia_db::page::Page;
use tertulia_db::{Db, DbConn, DbError};

use crate::Context;
use crate::notifications::{NotificationFilter, NotificationView, build, group_key, is_grouped};
use crate::{AccountView, DomainError};

/// Kinds grouped when the client does not say (Mastodon's choice).
pub const GROUPED_BY_DEFAULT: &[&str] = &["favourite", "reblog", "follow"];
/// Accounts shown as a group's sample (Mastodon shows up to 8).
const SAMPLE_ACCOUNTS: usize = 8;
/// Notifications read per step while filling a page of groups, and the
/// most steps: a page stops short rather than scanning without end.
const SCAN_BATCH: i64 = 200;
const SCAN_STEPS: usize = 5;
/// Most accounts listed by [`accounts`].
const MAX_GROUP_ACCOUNTS: i64 = 80;

/// One group, with its newest notification standing for it.
#[derive(Debug, Clone)]
pub struct NotificationGroup {
    pub key: String,
    pub newest: NotificationView,
    pub count: i64,
    /// The oldest notification of the group listed with it.
    pub oldest_id: Id,
    /// The newest distinct accounts behind the group, newest first.
    pub sample: Vec<AccountView>,
}

impl NotificationGroup {
    pub fn latest_at(&self) -> DateTime<Utc> {
        self.newest.created_at
    }

    fn single(key: String, view: NotificationView) -> NotificationGroup {
        NotificationGroup { key, oldest_id: view.id, count: 1, sample: vec![view.account.clone()], newest: view }
    }
}

/// A page of groups, newest first. `grouped` are the kinds grouped (see
/// [`GROUPED_BY_DEFAULT`]).
pub async fn page(
    ctx: &Context,
    reader: Id,
    filter: NotificationFilter,
    grouped: Vec<String>,
    page: Page,
) -> Result<Vec<NotificationGroup>, DomainError> {
    crate::polls::sweep_now(ctx).await?;
    Ok(ctx
        .db
        .run(move |conn| {
            if page.ascending() {
                return ascending_page(conn, reader, &filter, &grouped, page);
            }
            let mut groups = newest_first(conn, reader, &filter, &grouped, page)?;
            complete(conn, reader, &grouped, &mut groups)?;
            Ok(groups)
        })
        .await?)
}

/// Groups whose newest notification is below `max_id` (and above
/// `since_id`), one per key.
fn newest_first(
    conn: &mut DbConn,
    reader: Id,
    filter: &NotificationFilter,
    grouped: &[String],
    page: Page,
) -> Result<Vec<NotificationGroup>, DbError> {
    let mut groups: Vec<NotificationGroup> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor = page.max_id;
    for _ in 0..SCAN_STEPS {
        let step = Page { max_id: cursor, since_id: page.since_id, min_id: None, limit: SCAN_BATCH };
        let rows = filter.page(conn, reader, step)?;
        let exhausted = (rows.len() as i64) < SCAN_BATCH;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        let fresh: Vec<String> = rows
            .iter()
            .filter(|r| is_grouped(r.kind, grouped) && !seen.contains(&r.group_key))
            .map(|r| r.group_key.clone())
            .collect();
        let shown_above: HashSet<String> = match page.max_id {
            Some(max_id) => notifications::keys_reaching(conn, reader.0, &fresh, max_id)?.into_iter().collect(),
            None => HashSet::new(),
        };
        for view in build(conn, reader, rows)? {
            let key = group_key(view.kind, &view.group_key, view.id, grouped);
            if !seen.insert(key.clone()) || shown_above.contains(&key) {
                continue;
            }
            groups.push(NotificationGroup::single(key, view));
            if groups.len() as i64 == page.limit {
                return Ok(groups);
            }
        }
        if exhausted {
            break;
        }
    }
    Ok(groups)
}

/// Counts and samples each real group (not the `ungrouped-` ones) over
/// all its notifications.
fn complete(
    conn: &mut DbConn,
    reader: Id,
    grouped: &[String],
    groups: &mut [NotificationGroup],
) -> Result<(), DbError> {
    let keys: Vec<String> =
        groups.iter().filter(|g| is_grouped(g.newest.kind, grouped)).map(|g| g.key.clone()).collect();
    for (key, count, oldest) in notifications::group_sizes(conn, reader.0, &keys)? {
        let Some(group) = groups.iter_mut().find(|g| g.key == key) else { continue };
        group.count = count;
        group.oldest_id = Id(oldest);
        group.sample = sample(conn, reader, &key)?;
    }
    Ok(())
}

/// The newest distinct accounts of a group that the reader may hear from.
fn sample(conn: &mut DbConn, reader: Id, key: &str) -> Result<Vec<AccountView>, DbError> {
    let rows = notifications::of_group(conn, reader.0, key, (SAMPLE_ACCOUNTS * 4) as i64)?;
    Ok(distinct_accounts(build(conn, reader, rows)?, SAMPLE_ACCOUNTS))
}

fn distinct_accounts(views: Vec<NotificationView>, most: usize) -> Vec<AccountView> {
    let mut accounts: Vec<AccountView> = Vec::new();
    for view in views {
        if accounts.len() < most && !accounts.iter().any(|a| a.id == view.account.id) {
            accounts.push(view.account);
        }
    }
    accounts
}

/// Paging upwards from `min_id` reads the notifications right above it,
/// so groups are formed within that page only.
fn ascending_page(
    conn: &mut DbConn,
    reader: Id,
    filter: &NotificationFilter,
    grouped: &[String],
    page: Page,
) -> Result<Vec<NotificationGroup>, DbError> {
    let rows = filter.page(conn, reader, page)?;
    let mut groups: Vec<(NotificationGroup, Vec<NotificationView>)> = Vec::new();
    for view in build(conn, reader, rows)? {
        let key = group_key(view.kind, &view.group_key, view.id, grouped);
        match groups.iter_mut().find(|(g, _)| g.key == key) {
            Some((_, members)) => members.push(view),
            None => groups.push((NotificationGroup::single(key, view.clone()), vec![view])),
        }
    }
    Ok(groups
        .into_iter()
        .map(|(mut group, members)| {
            group.count = members.len() as i64;
            group.oldest_id = members.last().map_or(group.newest.id, |m| m.id);
            group.sample = distinct_accounts(members, SAMPLE_ACCOUNTS);
            group
        })
        .collect())
}

/// The notifications a group key stands for, newest first: one for an
/// `ungrouped-<id>` key, else those stored under the key.
fn members(conn: &mut DbConn, reader: Id, key: &str, limit: i64) -> Result<Vec<NotificationRow>, DbError> {
    let rows = notifications::of_group(conn, reader.0, key, limit)?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    Ok(match single_id(key) {
        Some(id) => notifications::find(conn, reader.0, id)?.into_iter().collect(),
        None => Vec::new(),
    })
}

/// The notification an `ungrouped-<id>` key names.
fn single_id(key: &str) -> Option<i64> {
    key.strip_prefix("ungrouped-").and_then(|id| id.parse().ok())
}

fn not_found() -> DomainError {
    DomainError::NotFound("notification group".into())
}

/// `GET /api/v2/notifications/:group_key`.
pub async fn get(db: &Db, reader: Id, key: String) -> Result<NotificationGroup, DomainError> {
    db.run(move |conn| {
        let rows = members(conn, reader, &key, i64::MAX)?;
        let views = build(conn, reader, rows)?;
        let Some(newest) = views.first().cloned() else { return Ok::<_, DomainError>(None) };
        let oldest_id = views.last().map_or(newest.id, |v| v.id);
        let count = views.len() as i64;
        let sample = distinct_accounts(views, SAMPLE_ACCOUNTS);
        Ok(Some(NotificationGroup { key, newest, count, oldest_id, sample }))
    })
    .await?
    .ok_or_else(not_found)
}

/// The accounts behind a group, newest first.
pub async fn accounts(db: &Db, reader: Id, key: String) -> Result<Vec<AccountView>, DomainError> {
    let accounts = db
        .run(move |conn| {
            let rows = members(conn, reader, &key, MAX_GROUP_ACCOUNTS * 2)?;
            let views = build(conn, reader, rows)?;
            Ok::<_, DomainError>(distinct_accounts(views, MAX_GROUP_ACCOUNTS as usize))
        })
        .await?;
    if accounts.is_empty() {
        return Err(not_found());
    }
    Ok(accounts)
}

/// Dismisses every notification of a group.
pub async fn dismiss(db: &Db, reader: Id, key: String) -> Result<(), DomainError> {
    let removed = db
        .write(move |conn| {
            let removed = notifications::dismiss_group(conn, reader.0, &key)?;
            match single_id(&key) {
                Some(id) if removed == 0 => notifications::dismiss(conn, reader.0, Some(id)),
                _ => Ok(removed),
            }
        })
        .await?;
    if removed == 0 {
        return Err(not_found());
    }
    Ok(())
}
