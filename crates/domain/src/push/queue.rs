//! Which subscriptions a new notification is pushed to. Runs inside the
//! transaction that stores the notification, so the push is queued if and
//! only if the notification exists: nothing is lost to a crash in between.

use std::collections::BTreeMap;

use tertulia_db::notifications::NotificationKind;
use tertulia_db::push::PushSubscriptionRow;
use tertulia_db::{DbConn, DbError, push, push_deliveries, social};

/// How long a push is worth delivering (sent as `TTL`, RFC 8030 section
/// 5.2); a push still unsent after it is dropped. Two days, as Mastodon.
pub const PUSH_TTL_SECS: i64 = 48 * 3600;

/// Queues a push of notification `id` (of `kind`, from `from`) to each
/// subscription of `recipient` whose alerts include `kind` and whose policy
/// admits `from`.
pub fn queue(conn: &mut DbConn, recipient: i64, from: i64, kind: NotificationKind, id: i64) -> Result<(), DbError> {
    let now = tertulia_db::now();
    let mut chosen = Vec::new();
    for (subscription, _locale) in push::for_account(conn, recipient, now)? {
        if alert_on(&subscription, kind) && policy_admits(conn, &subscription.policy, recipient, from)? {
            chosen.push(subscription.id);
        }
    }
    if chosen.is_empty() {
        return Ok(());
    }
    push_deliveries::enqueue(conn, &chosen, id, now, now + chrono::Duration::seconds(PUSH_TTL_SECS))
}

fn alert_on(subscription: &PushSubscriptionRow, kind: NotificationKind) -> bool {
    // Written by `push::alerts_json`; unreadable means no alerts.
    let alerts: BTreeMap<String, bool> = serde_json::from_str(&subscription.alerts).unwrap_or_default();
    alerts.get(kind.as_str()).copied().unwrap_or(false)
}

/// `policy` as Mastodon defines it: `followed` means people the recipient
/// follows, `follower` people who follow the recipient.
fn policy_admits(conn: &mut DbConn, policy: &str, recipient: i64, from: i64) -> Result<bool, DbError> {
    Ok(match policy {
        "all" => true,
        "followed" => social::find_follow(conn, recipient, from)?.is_some(),
        "follower" => social::find_follow(conn, from, recipient)?.is_some(),
        _ => false,
    })
}
