//! Queries on `kudos` (recognitions) and the `accounts.kudos_count` they
//! add up to. Which posts are recognitions is decided in
//! `tertulia_domain::kudos`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::analytics::DaySpan;
use crate::page::{Page, newest_first};
use crate::paginate;
use crate::schema::{accounts, follows, kudos, mentions, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = kudos)]
pub struct NewKudos<'a> {
    pub status_id: i64,
    pub receiver_id: i64,
    pub giver_id: i64,
    pub badge: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, rows: &[NewKudos<'_>]) -> Result<(), DbError> {
    // One statement per row: batch inserts do not build for both backends.
    for row in rows {
        diesel::insert_into(kudos::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Deletes the recognitions of a status; returns who had received them.
pub fn delete_of_status(conn: &mut DbConn, status_id: i64) -> Result<Vec<i64>, DbError> {
    let receivers = kudos::table.filter(kudos::status_id.eq(status_id)).select(kudos::receiver_id).load::<i64>(conn)?;
    if !receivers.is_empty() {
        diesel::delete(kudos::table.filter(kudos::status_id.eq(status_id))).execute(conn)?;
    }
    Ok(receivers)
}

/// Deletes the recognitions an account gave; returns who had received them.
pub fn delete_given_by(conn: &mut DbConn, giver_id: i64) -> Result<Vec<i64>, DbError> {
    let mut receivers =
        kudos::table.filter(kudos::giver_id.eq(giver_id)).select(kudos::receiver_id).load::<i64>(conn)?;
    diesel::delete(kudos::table.filter(kudos::giver_id.eq(giver_id))).execute(conn)?;
    receivers.sort_unstable();
    receivers.dedup();
    Ok(receivers)
}

/// Sets each account's `kudos_count` to the recognitions it has now.
pub fn recount(conn: &mut DbConn, account_ids: &[i64]) -> Result<(), DbError> {
    for &account_id in account_ids {
        let count: i64 = kudos::table.filter(kudos::receiver_id.eq(account_id)).count().get_result(conn)?;
        diesel::update(accounts::table.find(account_id))
            .set(accounts::kudos_count.eq(i32::try_from(count).unwrap_or(i32::MAX)))
            .execute(conn)?;
    }
    Ok(())
}

/// Which recognitions a reader may see. The rule is the domain's; the
/// query applies it, so that a page holds `limit` posts the reader may
/// see rather than fewer once the others are left out.
#[derive(Debug, Clone, Copy)]
pub struct Readable<'a> {
    /// Visibilities the reader may see from anyone.
    pub visibilities: &'a [Visibility],
    /// A signed-in reader, who also sees their own posts, the
    /// followers-only posts of those they follow, and posts that mention
    /// them.
    pub reader: Option<i64>,
}

/// One page of the posts that recognised `receiver_id` that are
/// `readable`, newest first, each with its badge. Paged by status id.
pub fn page_of(
    conn: &mut DbConn,
    receiver_id: i64,
    readable: Readable<'_>,
    page: Page,
) -> Result<Vec<(StatusRow, Option<String>)>, DbError> {
    let mut query = kudos::table
        .inner_join(statuses::table)
        .filter(kudos::receiver_id.eq(receiver_id))
        .filter(statuses::deleted_at.is_null())
        .select((StatusRow::as_select(), kudos::badge))
        .into_boxed();
    let for_anyone = statuses::visibility.eq_any(readable.visibilities);
    query = match readable.reader {
        None => query.filter(for_anyone),
        Some(reader) => {
            let followed = follows::table.filter(follows::account_id.eq(reader)).select(follows::target_account_id);
            let mentioning = mentions::table.filter(mentions::account_id.eq(reader)).select(mentions::status_id);
            query.filter(
                for_anyone
                    .or(statuses::account_id.eq(reader))
                    .or(statuses::visibility.eq(Visibility::Private).and(statuses::account_id.eq_any(followed)))
                    .or(statuses::id.eq_any(mentioning)),
            )
        }
    };
    let rows = paginate!(query, kudos::status_id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// A recognition given on a day (its post arrived or was written then),
/// with what the roll-up counts it by.
#[derive(Debug, Clone)]
pub struct KudosOfDay {
    /// `None`: an account of this site.
    pub giver_domain: Option<String>,
    /// JSON array of the giver's profile fields.
    pub giver_fields: String,
    pub receiver_domain: Option<String>,
    pub receiver_fields: String,
}

/// The recognitions of the day's posts.
pub fn of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<KudosOfDay>, DbError> {
    let pairs: Vec<(i64, i64)> = kudos::table
        .filter(kudos::status_id.ge(span.first_id))
        .filter(kudos::status_id.lt(span.end_id))
        .select((kudos::giver_id, kudos::receiver_id))
        .load(conn)?;
    let mut ids: Vec<i64> = pairs.iter().flat_map(|(giver, receiver)| [*giver, *receiver]).collect();
    ids.sort_unstable();
    ids.dedup();
    let people: std::collections::HashMap<i64, (Option<String>, String)> = accounts::table
        .filter(accounts::id.eq_any(&ids))
        .select((accounts::id, accounts::domain, accounts::fields))
        .load::<(i64, Option<String>, String)>(conn)?
        .into_iter()
        .map(|(id, domain, fields)| (id, (domain, fields)))
        .collect();
    Ok(pairs
        .into_iter()
        .filter_map(|(giver, receiver)| {
            let (giver_domain, giver_fields) = people.get(&giver)?.clone();
            let (receiver_domain, receiver_fields) = people.get(&receiver)?.clone();
            Some(KudosOfDay { giver_domain, giver_fields, receiver_domain, receiver_fields })
        })
        .collect())
}
