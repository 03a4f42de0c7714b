//! Web Push: subscriptions (`/api/v1/push/subscription`), stored and
//! returned as Mastodon does; which notifications are pushed to whom
//! ([`queue`]); and what a push says ([`message`]). Encrypting and sending
//! is the federation crate's, which owns outgoing HTTP.

mod message;
mod queue;

pub use message::{PushMessage, message};
pub use queue::{PUSH_TTL_SECS, queue};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::Db;
use tertulia_db::push::{self, PushSubscriptionRow};

use crate::DomainError;

/// Alert names are the notification types.
use crate::notifications::NotificationKind as Alert;

const POLICIES: &[&str] = &["all", "followed", "follower", "none"];

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: Id,
    pub endpoint: String,
    pub alerts: BTreeMap<String, bool>,
    pub policy: String,
    pub created_at: DateTime<Utc>,
}

/// A new subscription as the client sends it.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub alerts: BTreeMap<String, bool>,
    pub policy: Option<String>,
}

fn from_row(row: PushSubscriptionRow) -> Subscription {
    Subscription {
        id: Id(row.id),
        endpoint: row.endpoint,
        // Written by `alerts_json` below; unreadable means no alerts.
        alerts: serde_json::from_str(&row.alerts).unwrap_or_default(),
        policy: row.policy,
        created_at: row.created_at.and_utc(),
    }
}

/// Every known alert, set as asked and off otherwise; unknown names refused.
fn alerts_json(requested: &BTreeMap<String, bool>) -> Result<String, DomainError> {
    if let Some(unknown) = requested.keys().find(|k| k.parse::<Alert>().is_err()) {
        return Err(DomainError::invalid("data[alerts]", format!("'{unknown}' is not an alert type")));
    }
    let all: BTreeMap<&str, bool> = Alert::ALL
        .iter()
        .map(|alert| (alert.as_str(), requested.get(alert.as_str()).copied().unwrap_or(false)))
        .collect();
    serde_json::to_string(&all).map_err(|e| DomainError::Internal(e.to_string()))
}

fn check_policy(policy: Option<String>) -> Result<String, DomainError> {
    let policy = policy.unwrap_or_else(|| "all".into());
    if !POLICIES.contains(&policy.as_str()) {
        return Err(DomainError::invalid(
            "data[policy]",
            format!("'{policy}' is not one of all, followed, follower, none"),
        ));
    }
    Ok(policy)
}

/// Subscribes the token. The endpoint is kept exactly as sent: push services
/// route by the whole URL, and a client compares it with its own copy.
/// `allow_http` admits plain `http://` endpoints, for tests and development
/// (`federation.allow_private_addresses`).
pub async fn subscribe(
    db: &Db,
    token: Id,
    request: NewSubscription,
    allow_http: bool,
) -> Result<Subscription, DomainError> {
    let endpoint_ok = url::Url::parse(&request.endpoint)
        .is_ok_and(|u| u.host().is_some() && (u.scheme() == "https" || (allow_http && u.scheme() == "http")));
    if !endpoint_ok {
        return Err(DomainError::invalid("subscription[endpoint]", "must be an https:// URL"));
    }
    if request.p256dh.is_empty() || request.auth.is_empty() {
        return Err(DomainError::invalid("subscription[keys]", "p256dh and auth are both required"));
    }
    let now = tertulia_db::now();
    let row = PushSubscriptionRow {
        id: Id::generate().0,
        access_token_id: token.0,
        endpoint: request.endpoint,
        key_p256dh: request.p256dh,
        key_auth: request.auth,
        alerts: alerts_json(&request.alerts)?,
        policy: check_policy(request.policy)?,
        created_at: now,
        updated_at: now,
    };
    let stored = row.clone();
    db.run(move |conn| tertulia_db::transaction(conn, |conn| push::replace(conn, &stored))).await?;
    Ok(from_row(row))
}

pub async fn get(db: &Db, token: Id) -> Result<Subscription, DomainError> {
    db.run(move |conn| push::find(conn, token.0))
        .await?
        .map(from_row)
        .ok_or_else(|| DomainError::NotFound("push subscription".into()))
}

pub async fn update(
    db: &Db,
    token: Id,
    alerts: BTreeMap<String, bool>,
    policy: Option<String>,
) -> Result<Subscription, DomainError> {
    let alerts = alerts_json(&alerts)?;
    let policy = check_policy(policy)?;
    let changed = db.write(move |conn| push::update(conn, token.0, &alerts, &policy, tertulia_db::now())).await?;
    if !changed {
        return Err(DomainError::NotFound("push subscription".into()));
    }
    get(db, token).await
}

/// The public half of the server's VAPID key (RFC 8292), base64url: what
/// clients pass to the browser as `applicationServerKey`. `None` until the
/// server has made its key at first start.
pub async fn server_key(db: &Db) -> Result<Option<String>, DomainError> {
    Ok(db.run(push::vapid_key).await?.map(|row| row.public_key))
}

pub async fn unsubscribe(db: &Db, token: Id) -> Result<(), DomainError> {
    Ok(db.write(move |conn| push::delete(conn, token.0)).await?)
}
