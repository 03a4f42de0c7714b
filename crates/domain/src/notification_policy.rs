//! Notification filtering (Mastodon 4.3/4.4): each user's policy says, for
//! senders they do not follow, who do not follow them, new accounts,
//! unsolicited private mentions and limited accounts, whether to `accept`
//! a notification, `filter` it (stored, kept out of the lists, gathered on
//! a request per sender) or `drop` it (not stored).
//!
//! Tertulia's defaults accept everything but limited (silenced) accounts:
//! on a company's site, staff should hear from colleagues they do not
//! follow. (Mastodon also filters unsolicited private mentions.)

use chrono::{DateTime, Duration, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
pub use tertulia_db::notification_policies::Decision;
use tertulia_db::notification_policies::{self, PolicyRow, RequestRow};
use tertulia_db::notifications::NotificationKind;
use tertulia_db::page::Page;
use tertulia_db::{Db, DbConn, DbError, accounts, notifications, social, statuses};

use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::{AccountView, DomainError};

/// Kinds a policy applies to; the others (polls, edits, admin) always pass.
const FILTERABLE: &[NotificationKind] = &[
    NotificationKind::Mention,
    NotificationKind::Status,
    NotificationKind::Reblog,
    NotificationKind::Follow,
    NotificationKind::FollowRequest,
    NotificationKind::Favourite,
];
/// An account younger than this is new (Mastodon's 30 days).
const NEW_ACCOUNT_DAYS: i64 = 30;

/// A policy and what it holds back now.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub for_not_following: Decision,
    pub for_not_followers: Decision,
    pub for_new_accounts: Decision,
    pub for_private_mentions: Decision,
    pub for_limited_accounts: Decision,
    pub pending_requests: i64,
    pub pending_notifications: i64,
}

/// Fields to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct PolicyChanges {
    pub for_not_following: Option<String>,
    pub for_not_followers: Option<String>,
    pub for_new_accounts: Option<String>,
    pub for_private_mentions: Option<String>,
    pub for_limited_accounts: Option<String>,
}

fn defaults(account_id: i64) -> PolicyRow {
    PolicyRow {
        account_id,
        for_not_following: Decision::Accept,
        for_not_followers: Decision::Accept,
        for_new_accounts: Decision::Accept,
        for_private_mentions: Decision::Accept,
        for_limited_accounts: Decision::Filter,
        updated_at: tertulia_db::now(),
    }
}

fn policy_of(conn: &mut DbConn, account_id: i64) -> Result<PolicyRow, DbError> {
    Ok(notification_policies::find_policy(conn, account_id)?.unwrap_or_else(|| defaults(account_id)))
}

fn view(conn: &mut DbConn, row: PolicyRow) -> Result<PolicyView, DbError> {
    let (pending_requests, pending_notifications) = notification_policies::pending_totals(conn, row.account_id)?;
    Ok(PolicyView {
        for_not_following: row.for_not_following,
        for_not_followers: row.for_not_followers,
        for_new_accounts: row.for_new_accounts,
        for_private_mentions: row.for_private_mentions,
        for_limited_accounts: row.for_limited_accounts,
        pending_requests,
        pending_notifications,
    })
}

pub async fn get(db: &Db, account: Id) -> Result<PolicyView, DomainError> {
    Ok(db.run(move |conn| policy_of(conn, account.0).and_then(|row| view(conn, row))).await?)
}

pub async fn update(db: &Db, account: Id, changes: PolicyChanges) -> Result<PolicyView, DomainError> {
    let parse = |field: &'static str, value: Option<String>| {
        value
            .map(|name| name.parse::<Decision>().map_err(|unknown| DomainError::not_one_of(field, unknown)))
            .transpose()
    };
    let for_not_following = parse("for_not_following", changes.for_not_following)?;
    let for_not_followers = parse("for_not_followers", changes.for_not_followers)?;
    let for_new_accounts = parse("for_new_accounts", changes.for_new_accounts)?;
    let for_private_mentions = parse("for_private_mentions", changes.for_private_mentions)?;
    let for_limited_accounts = parse("for_limited_accounts", changes.for_limited_accounts)?;
    Ok(db
        .write(move |conn| {
            let mut row = policy_of(conn, account.0)?;
            row.for_not_following = for_not_following.unwrap_or(row.for_not_following);
            row.for_not_followers = for_not_followers.unwrap_or(row.for_not_followers);
            row.for_new_accounts = for_new_accounts.unwrap_or(row.for_new_accounts);
            row.for_private_mentions = for_private_mentions.unwrap_or(row.for_private_mentions);
            row.for_limited_accounts = for_limited_accounts.unwrap_or(row.for_limited_accounts);
            row.updated_at = tertulia_db::now();
            notification_policies::save_policy(conn, &row)?;
            view(conn, row)
        })
        .await?)
}

/// The strictest decision among the policy's conditions that hold for a
/// notification from `from` to `recipient`.
pub(crate) fn decide(
    conn: &mut DbConn,
    recipient: i64,
    from: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
) -> Result<Decision, DbError> {
    if !FILTERABLE.contains(&kind) {
        return Ok(Decision::Accept);
    }
    let policy = policy_of(conn, recipient)?;
    let rules = [
        policy.for_not_following,
        policy.for_not_followers,
        policy.for_new_accounts,
        policy.for_private_mentions,
        policy.for_limited_accounts,
    ];
    if rules.iter().all(|r| *r == Decision::Accept) {
        return Ok(Decision::Accept);
    }
    if notification_policies::find_between(conn, recipient, from)?.is_some_and(|r| r.accepted) {
        return Ok(Decision::Accept);
    }
    let Some(sender) = accounts::find(conn, from)? else { return Ok(Decision::Accept) };
    let follows_sender = social::find_follow(conn, recipient, from)?.is_some();
    let followed_by_sender = social::find_follow(conn, from, recipient)?.is_some();
    let new_account = sender.created_at > tertulia_db::now() - Duration::days(NEW_ACCOUNT_DAYS);
    let private_mention = match (kind, status_id) {
        (NotificationKind::Mention, Some(id)) => {
            statuses::find(conn, id)?
                .is_some_and(|s| s.visibility == Visibility::Direct && s.in_reply_to_account_id != Some(recipient))
                && !follows_sender
        }
        _ => false,
    };
    let conditions = [
        (!follows_sender, policy.for_not_following),
        (!followed_by_sender, policy.for_not_followers),
        (new_account, policy.for_new_accounts),
        (private_mention, policy.for_private_mentions),
        (notification_policies::is_limited(conn, from)?, policy.for_limited_accounts),
    ];
    Ok(conditions.iter().filter(|(holds, _)| *holds).map(|(_, rule)| *rule).max().unwrap_or(Decision::Accept))
}

/// Counts a filtered notification on the sender's request, opening it.
pub(crate) fn record_filtered(
    conn: &mut DbConn,
    recipient: i64,
    from: i64,
    status_id: Option<i64>,
) -> Result<(), DbError> {
    let now = tertulia_db::now();
    match notification_policies::find_between(conn, recipient, from)? {
        Some(request) => notification_policies::add_one(conn, request.id, status_id, now),
        None => notification_policies::insert(
            conn,
            &RequestRow {
                id: Id::generate().0,
                account_id: recipient,
                from_account_id: from,
                last_status_id: status_id,
                notifications_count: 1,
                accepted: false,
                created_at: now,
                updated_at: now,
            },
        ),
    }
}

/// A pending request: the sender and what they sent.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub id: Id,
    pub account: AccountView,
    pub last_status: Option<StatusView>,
    pub notifications_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn build(conn: &mut DbConn, reader: i64, rows: Vec<RequestRow>) -> Result<Vec<RequestView>, DbError> {
    let account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    let accounts = accounts::find_many(conn, &account_ids)?;
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_status_id).collect();
    let statuses = present::by_ids(conn, Some(reader), &status_ids, Reading::Notifications)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let account = accounts.iter().find(|a| a.id == row.from_account_id)?.clone();
            Some(RequestView {
                id: Id(row.id),
                account: AccountView::from(account),
                last_status: row.last_status_id.and_then(|id| statuses.iter().find(|s| s.id == Id(id)).cloned()),
                notifications_count: row.notifications_count,
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            })
        })
        .collect())
}

pub async fn requests(db: &Db, reader: Id, page: Page) -> Result<Vec<RequestView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let rows = notification_policies::pending(conn, reader.0, page)?;
            build(conn, reader.0, rows)
        })
        .await?)
}

pub async fn request(db: &Db, reader: Id, id: Id) -> Result<RequestView, DomainError> {
    db.run(move |conn| {
        let rows = notification_policies::pending_among(conn, reader.0, &[id.0])?;
        Ok::<_, DomainError>(build(conn, reader.0, rows)?.pop())
    })
    .await?
    .ok_or_else(|| DomainError::NotFound("notification request".into()))
}

/// Accepts (`accept`) or dismisses requests: accepting lets the held
/// notifications into the lists and the sender through from then on;
/// dismissing deletes them. Returns how many requests there were.
pub async fn settle(db: &Db, reader: Id, ids: Vec<Id>, accept: bool) -> Result<usize, DomainError> {
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    db.write(move |conn| {
        let rows = notification_policies::pending_among(conn, reader.0, &ids)?;
        let now = tertulia_db::now();
        for row in &rows {
            if accept {
                notifications::unfilter_from(conn, reader.0, row.from_account_id)?;
                notification_policies::accept(conn, row.id, now)?;
            } else {
                notifications::delete_filtered_from(conn, reader.0, row.from_account_id)?;
                notification_policies::delete(conn, row.id)?;
            }
        }
        Ok(rows.len())
    })
    .await
}
