//! Other sites' adoption counts as this site pulled them
//! (`site_adoption_days`, `site_adoption_pulls`). What is pulled, and
//! from whom, is decided in `tertulia_domain::analytics::company`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::analytics::day_key;
use crate::bulk::insert_chunked;
use crate::schema::{site_adoption_days as days, site_adoption_pulls as pulls};
use crate::{DbConn, DbError, transaction};

/// One site's figures for one day.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = days, treat_none_as_default_value = false)]
pub struct SiteDayRow {
    pub domain: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub active: i64,
    pub engaged: i64,
    pub new_users: i64,
    pub statuses: i64,
    pub interactions: i64,
}

/// The last pull of one site.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PullRow {
    pub domain: String,
    pub attempted_at: NaiveDateTime,
    /// When a pull last worked.
    pub pulled_at: Option<NaiveDateTime>,
    /// The figures over ranges of the last pull that worked (JSON).
    pub summary: Option<String>,
    /// Why the last try failed; `None` when it worked.
    pub error: Option<String>,
}

/// Stores a pull that worked: `rows` replace `domain`'s days they cover,
/// and `summary` its figures over ranges, in one transaction.
pub fn store_pulled(
    conn: &mut DbConn,
    domain: &str,
    rows: &[SiteDayRow],
    summary: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    transaction(conn, |conn| {
        // A site publishes at most a few hundred days: one statement each.
        let covered: Vec<&str> = rows.iter().map(|row| row.day.as_str()).collect();
        diesel::delete(days::table.filter(days::domain.eq(domain)).filter(days::day.eq_any(covered))).execute(conn)?;
        insert_days(conn, rows)?;
        diesel::delete(pulls::table.find(domain)).execute(conn)?;
        diesel::insert_into(pulls::table)
            .values((
                pulls::domain.eq(domain),
                pulls::attempted_at.eq(now),
                pulls::pulled_at.eq(Some(now)),
                pulls::summary.eq(Some(summary)),
                pulls::error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok::<_, DbError>(())
    })
}

fn insert_days(conn: &mut DbConn, rows: &[SiteDayRow]) -> Result<(), DbError> {
    insert_chunked!(conn, days::table, rows)
}

/// Records a failed pull of `domain`; what an earlier pull brought stays.
pub fn store_failure(conn: &mut DbConn, domain: &str, error: &str, now: NaiveDateTime) -> Result<(), DbError> {
    transaction(conn, |conn| {
        let updated = diesel::update(pulls::table.find(domain))
            .set((pulls::attempted_at.eq(now), pulls::error.eq(Some(error))))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(pulls::table)
                .values((
                    pulls::domain.eq(domain),
                    pulls::attempted_at.eq(now),
                    pulls::pulled_at.eq(None::<NaiveDateTime>),
                    pulls::summary.eq(None::<String>),
                    pulls::error.eq(Some(error)),
                ))
                .execute(conn)?;
        }
        Ok::<_, DbError>(())
    })
}

/// The last pull of every site, by domain.
pub fn all_pulls(conn: &mut DbConn) -> Result<Vec<PullRow>, DbError> {
    Ok(pulls::table.order(pulls::domain).load(conn)?)
}

/// Forgets what was pulled from sites other than `kept`.
pub fn forget_except(conn: &mut DbConn, kept: &[String]) -> Result<(), DbError> {
    transaction(conn, |conn| {
        diesel::delete(days::table.filter(days::domain.ne_all(kept))).execute(conn)?;
        diesel::delete(pulls::table.filter(pulls::domain.ne_all(kept))).execute(conn)?;
        Ok::<_, DbError>(())
    })
}

/// `domain`'s days from `from` to `to` (both included).
pub fn days_of(conn: &mut DbConn, domain: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<SiteDayRow>, DbError> {
    Ok(days::table
        .filter(days::domain.eq(domain))
        .filter(days::day.ge(day_key(from)))
        .filter(days::day.le(day_key(to)))
        .order(days::day)
        .load(conn)?)
}
