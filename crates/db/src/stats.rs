//! Counts shown in the instance entity and nodeinfo.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{accounts, instances, statuses, users};
use crate::{DbConn, DbError};

/// Usage figures of this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceStats {
    /// Local users whose account is not suspended.
    pub users: i64,
    /// Of those, users who signed in since the given cut-offs.
    pub active_month: i64,
    pub active_half_year: i64,
    /// Statuses written here and not deleted.
    pub local_statuses: i64,
    /// Other instances we know of.
    pub known_domains: i64,
}

pub fn instance_stats(
    conn: &mut DbConn,
    month_ago: NaiveDateTime,
    half_year_ago: NaiveDateTime,
) -> Result<InstanceStats, DbError> {
    let active_users =
        || users::table.inner_join(accounts::table).filter(accounts::suspended_at.is_null()).into_boxed();
    let users = active_users().count().get_result(conn)?;
    let active_month = active_users().filter(users::last_sign_in_at.ge(month_ago)).count().get_result(conn)?;
    let active_half_year = active_users().filter(users::last_sign_in_at.ge(half_year_ago)).count().get_result(conn)?;
    let local_statuses = statuses::table
        .filter(statuses::local.eq(true))
        .filter(statuses::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let known_domains = instances::table.count().get_result(conn)?;
    Ok(InstanceStats { users, active_month, active_half_year, local_statuses, known_domains })
}

/// What happened here in one period, for `GET /api/v1/instance/activity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// Statuses (not boosts) written here, deleted ones included.
    pub statuses: i64,
    /// Distinct users who signed in or used a token.
    pub logins: i64,
    /// Users created.
    pub registrations: i64,
}

/// Activity from `from` (included) to `to`. Statuses are found by id
/// range: ids grow with their creation time (`Id::lower_bound_at`).
pub fn activity_between(
    conn: &mut DbConn,
    (from, to): (NaiveDateTime, NaiveDateTime),
    (first_id, end_id): (i64, i64),
) -> Result<Activity, DbError> {
    use crate::schema::oauth_access_tokens as tokens;
    let statuses = statuses::table
        .filter(statuses::local.eq(true))
        .filter(statuses::id.ge(first_id))
        .filter(statuses::id.lt(end_id))
        .filter(statuses::reblog_of_id.is_null())
        .count()
        .get_result(conn)?;
    let registrations =
        users::table.filter(users::created_at.ge(from)).filter(users::created_at.lt(to)).count().get_result(conn)?;
    let mut active: Vec<i64> = tokens::table
        .filter(tokens::user_id.is_not_null())
        .filter(
            tokens::created_at
                .ge(from)
                .and(tokens::created_at.lt(to))
                .or(tokens::last_used_at.ge(from).and(tokens::last_used_at.lt(to))),
        )
        .select(tokens::user_id.assume_not_null())
        .load(conn)?;
    active.extend(
        users::table
            .filter(users::last_sign_in_at.ge(from))
            .filter(users::last_sign_in_at.lt(to))
            .select(users::id)
            .load::<i64>(conn)?,
    );
    active.sort_unstable();
    active.dedup();
    Ok(Activity { statuses, logins: active.len() as i64, registrations })
}
