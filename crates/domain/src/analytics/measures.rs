//! Mastodon's admin measures (docs.joinmastodon.org/methods/admin/measures):
//! a total and daily figures for each key, read from the roll-ups.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tertulia_db::analytics::{self as db, day_key};
use tertulia_db::{Db, DbConn, DbError};

use super::rollup::metric;
use super::{Window, unknown_key};
use crate::DomainError;

/// The measures Mastodon defines, in its order.
pub const KEYS: &[&str] = &[
    "active_users",
    "new_users",
    "interactions",
    "opened_reports",
    "resolved_reports",
    "tag_accounts",
    "tag_uses",
    "tag_servers",
    "instance_accounts",
    "instance_media_attachments",
    "instance_reports",
    "instance_statuses",
    "instance_follows",
    "instance_followers",
    "tertulia_kudos_given",
    "tertulia_kudos_received",
];

/// One requested measure: its key and, for the `tag_*` and `instance_*`
/// keys, the tag id or the domain it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub key: String,
    pub subject: Option<String>,
}

/// One measure's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub key: String,
    /// `bytes` for media; `None` for counts.
    pub unit: Option<&'static str>,
    pub total: i64,
    pub previous_total: i64,
    /// One value per day of the window, oldest first.
    pub data: Vec<(NaiveDate, i64)>,
}

/// How a measure turns daily rows into figures.
enum Reading {
    /// Distinct local accounts active: from `analytics_account_days`.
    ActiveAccounts,
    /// Values summed (per day and over the window).
    Sum(&'static str),
    /// Distinct details (accounts, domains): per day, and over the window.
    Distinct(&'static str),
    /// Values summed over every subject, or over the one asked for.
    SumAny(&'static str),
}

fn reading_of(key: &str) -> Option<Reading> {
    Some(match key {
        "active_users" => Reading::ActiveAccounts,
        "new_users" => Reading::Sum(metric::NEW_USERS),
        "interactions" => Reading::Sum(metric::INTERACTIONS),
        "tag_uses" => Reading::Sum(metric::TAG_USES),
        "tag_accounts" => Reading::Distinct(metric::TAG_ACCOUNTS),
        "tag_servers" => Reading::Distinct(metric::TAG_SERVERS),
        "instance_accounts" => Reading::Sum(metric::INSTANCE_ACCOUNTS),
        "instance_media_attachments" => Reading::Sum(metric::INSTANCE_MEDIA),
        "instance_statuses" => Reading::Sum(metric::INSTANCE_STATUSES),
        "instance_follows" => Reading::Sum(metric::INSTANCE_FOLLOWS),
        "instance_followers" => Reading::Sum(metric::INSTANCE_FOLLOWERS),
        "opened_reports" => Reading::Sum(metric::OPENED_REPORTS),
        "resolved_reports" => Reading::Sum(metric::RESOLVED_REPORTS),
        "instance_reports" => Reading::Sum(metric::INSTANCE_REPORTS),
        // Extensions; `<key>[domain]` narrows them to the other side's site.
        "tertulia_kudos_given" => Reading::SumAny(metric::KUDOS_GIVEN),
        "tertulia_kudos_received" => Reading::SumAny(metric::KUDOS_RECEIVED),
        _ => return None,
    })
}

/// Checks every requested key (and that the `tag_*` and `instance_*` keys
/// name what they are about) before reading anything.
fn check(requests: &[Request]) -> Result<(), DomainError> {
    if requests.is_empty() {
        return Err(DomainError::blank("keys"));
    }
    for request in requests {
        if reading_of(&request.key).is_none() {
            return Err(unknown_key(&request.key, KEYS));
        }
        let needs = if request.key.starts_with("tag_") {
            Some("id")
        } else if request.key.starts_with("instance_") {
            Some("domain")
        } else {
            None
        };
        if let Some(param) = needs
            && request.subject.as_deref().is_none_or(str::is_empty)
        {
            return Err(DomainError::invalid(
                "keys",
                format!("the measure {} needs {}[{param}]", request.key, request.key),
            ));
        }
    }
    Ok(())
}

/// The requested measures over `window`.
pub async fn measures(db: &Db, requests: Vec<Request>, window: Window) -> Result<Vec<Measure>, DomainError> {
    check(&requests)?;
    Ok(db
        .read(move |conn| {
            // Every key is known once checked.
            requests
                .iter()
                .filter_map(|request| Some((request, reading_of(&request.key)?)))
                .map(|(request, reading)| {
                    let subject = request.subject.as_deref();
                    let (total, data) = figures(conn, &reading, subject, window)?;
                    let (previous_total, _) = figures(conn, &reading, subject, window.previous())?;
                    let unit = (request.key == "instance_media_attachments").then_some("bytes");
                    Ok(Measure { key: request.key.clone(), unit, total, previous_total, data })
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?)
}

/// The total and the daily values of one measure.
fn figures(
    conn: &mut DbConn,
    reading: &Reading,
    subject: Option<&str>,
    window: Window,
) -> Result<(i64, Vec<(NaiveDate, i64)>), DbError> {
    let mut per_day: BTreeMap<String, i64> = BTreeMap::new();
    let total = match reading {
        Reading::ActiveAccounts => {
            per_day.extend(db::active_per_day(conn, window.from, window.to, false)?);
            db::active_accounts(conn, window.from, window.to)?
        }
        Reading::Sum(metric) | Reading::SumAny(metric) => {
            let subject = match reading {
                Reading::SumAny(_) => subject.filter(|s| !s.is_empty()),
                _ => Some(subject.unwrap_or_default()),
            };
            let rows = db::counts_between(conn, metric, subject, window.from, window.to)?;
            for (day, _, _, value) in &rows {
                *per_day.entry(day.clone()).or_default() += value;
            }
            per_day.values().sum()
        }
        Reading::Distinct(metric) => {
            let rows = db::counts_between(conn, metric, Some(subject.unwrap_or_default()), window.from, window.to)?;
            for (day, _, _, _) in &rows {
                *per_day.entry(day.clone()).or_default() += 1;
            }
            rows.iter().map(|(_, _, detail, _)| detail).collect::<BTreeSet<_>>().len() as i64
        }
    };
    let data = window.days().map(|day| (day, per_day.get(&day_key(day)).copied().unwrap_or(0))).collect();
    Ok((total, data))
}
