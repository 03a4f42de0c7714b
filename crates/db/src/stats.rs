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
