//! Queries on `instances`: the health of each remote site we deliver to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::instances;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances)]
pub struct InstanceRow {
    pub id: i64,
    pub domain: String,
    pub software: Option<String>,
    pub software_version: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub first_seen_at: NaiveDateTime,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    pub unreachable_since: Option<NaiveDateTime>,
    pub failure_count: i32,
}

pub fn find(conn: &mut DbConn, domain: &str) -> Result<Option<InstanceRow>, DbError> {
    Ok(instances::table.filter(instances::domain.eq(domain)).select(InstanceRow::as_select()).first(conn).optional()?)
}

/// Sites with failures since their last success, the longest failing first.
pub fn failing(conn: &mut DbConn) -> Result<Vec<InstanceRow>, DbError> {
    Ok(instances::table
        .filter(instances::failure_count.gt(0))
        .order(instances::failure_count.desc())
        .select(InstanceRow::as_select())
        .load(conn)?)
}

/// A site's failure streak, after recording one more failure.
#[derive(Debug, Clone, PartialEq)]
pub struct HostHealth {
    pub failure_count: i32,
    pub unreachable_since: Option<NaiveDateTime>,
}

fn ensure(conn: &mut DbConn, domain: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let known = diesel::select(diesel::dsl::exists(instances::table.filter(instances::domain.eq(domain))))
        .get_result::<bool>(conn)?;
    if !known {
        crate::insert_unless_duplicate(conn, |conn| {
            diesel::insert_into(instances::table)
                .values((
                    instances::id.eq(tertulia_core::Id::generate().0),
                    instances::domain.eq(domain),
                    instances::first_seen_at.eq(now),
                ))
                .execute(conn)
        })?;
    }
    Ok(())
}

/// Records that `domain` answered; returns whether it was unreachable.
pub fn record_success(conn: &mut DbConn, domain: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    ensure(conn, domain, now)?;
    let was_unreachable = instances::table
        .filter(instances::domain.eq(domain))
        .select(instances::unreachable_since)
        .first::<Option<NaiveDateTime>>(conn)?
        .is_some();
    diesel::update(instances::table.filter(instances::domain.eq(domain)))
        .set((
            instances::last_success_at.eq(now),
            instances::unreachable_since.eq(None::<NaiveDateTime>),
            instances::failure_count.eq(0),
        ))
        .execute(conn)?;
    Ok(was_unreachable)
}

/// Records a failed attempt; the site counts as unreachable from the
/// `unreachable_after`-th failure in a row.
pub fn record_failure(
    conn: &mut DbConn,
    domain: &str,
    now: NaiveDateTime,
    unreachable_after: i32,
) -> Result<HostHealth, DbError> {
    ensure(conn, domain, now)?;
    let target = instances::table.filter(instances::domain.eq(domain));
    diesel::update(target)
        .set((instances::failure_count.eq(instances::failure_count + 1), instances::last_failure_at.eq(now)))
        .execute(conn)?;
    diesel::update(
        target.filter(instances::unreachable_since.is_null()).filter(instances::failure_count.ge(unreachable_after)),
    )
    .set(instances::unreachable_since.eq(now))
    .execute(conn)?;
    let (failure_count, unreachable_since) =
        target.select((instances::failure_count, instances::unreachable_since)).first(conn)?;
    Ok(HostHealth { failure_count, unreachable_since })
}
