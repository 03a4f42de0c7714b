//! Where users sign in from, kept for staff (Mastodon's `Admin::Account`
//! `ips`). Addresses are personal data: each user keeps only their newest
//! [`KEPT_PER_USER`], and none is kept past [`RETENTION_DAYS`]
//! (docs/moderation.md).

use std::net::IpAddr;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use tertulia_db::sign_in_addresses::{self, SignInAddressRow};
use tertulia_db::{DbConn, DbError};

/// Addresses kept per user.
pub const KEPT_PER_USER: i64 = 20;
/// Days an address is kept after its last use.
pub const RETENTION_DAYS: i64 = 365;

/// An address a user signed in from, and when last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAddress {
    pub ip: String,
    pub used_at: DateTime<Utc>,
}

/// Records that `user_id` signed in (or signed up) at `now` from `client`
/// (when the server knows it), dropping what the retention rule no longer
/// allows:
/// the user's oldest addresses past the bound, and anyone's addresses past
/// the retention period, so a user who never signs in again is forgotten
/// all the same.
pub(crate) fn remember(
    conn: &mut DbConn,
    user_id: i64,
    client: Option<IpAddr>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let Some(ip) = client else { return Ok(()) };
    sign_in_addresses::record(conn, &SignInAddressRow { user_id, ip: ip.to_string(), used_at: now })?;
    sign_in_addresses::keep_newest(conn, user_id, KEPT_PER_USER)?;
    sign_in_addresses::forget_before(conn, now - Duration::days(RETENTION_DAYS))
}

/// The addresses of each of these users, newest first.
pub(crate) fn of_users(conn: &mut DbConn, user_ids: &[i64]) -> Result<Vec<(i64, SignInAddress)>, DbError> {
    Ok(sign_in_addresses::of_users(conn, user_ids)?
        .into_iter()
        .map(|row| (row.user_id, SignInAddress { ip: row.ip, used_at: row.used_at.and_utc() }))
        .collect())
}
