//! Adoption analytics: who uses the network and how, per day, read from
//! daily roll-ups so no request scans statuses or favourites. Every
//! definition is in `docs/analytics.md`; in short:
//!
//! - *active* on a day: a token of the account was used (any
//!   authenticated API call), its user signed in, or it was engaged;
//! - *engaged* on a day: posted, replied, boosted or favourited;
//! - *monthly active*: active on at least one of the last 28 days;
//! - *habitual*: active on [`HABITUAL_DAYS`] or more of the last 28 days.
//!
//! Activity is noted as it happens ([`note_active`]); everything else is
//! counted by the roll-up ([`rollup`]), which the cluster's leader runs.

pub mod adoption;
pub mod company;
pub mod dimensions;
pub mod measures;
pub mod retention;
pub mod rollup;
mod window;

pub use window::Window;

use chrono::NaiveDateTime;
use tertulia_db::DbConn;

use crate::DomainError;
use crate::error::Invalidity;

/// The rolling window of monthly actives and habitual users, in days.
pub const MONTH_DAYS: i64 = 28;
/// Active days (of the last [`MONTH_DAYS`]) that make a user habitual.
pub const HABITUAL_DAYS: i64 = 10;

/// Whether a token last used at `last_used_at` is used for the first time
/// today: only then is its account noted active ([`note_active`]), so a
/// token writes at most once a day for analytics, whatever the traffic.
pub(crate) fn first_use_today(last_used_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    last_used_at.is_none_or(|at| at.date() != now.date())
}

/// Notes `account_id` active on the day of `now`.
pub(crate) fn note_active(conn: &mut DbConn, account_id: i64, now: NaiveDateTime) -> Result<(), DomainError> {
    tertulia_db::analytics::mark_active(conn, account_id, now.date())?;
    Ok(())
}

/// A report key that is not one of `known`.
fn unknown_key(key: &str, known: &[&str]) -> DomainError {
    let reason = format!("'{key}' is not one of {}", known.join(", "));
    DomainError::invalid_as(Invalidity::Inclusion, "keys", reason)
}

#[cfg(test)]
mod tests;
