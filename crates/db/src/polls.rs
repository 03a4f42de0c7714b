//! Queries on `polls` and `poll_votes`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{notifications, poll_votes, polls};
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = polls)]
pub struct PollRow {
    pub id: i64,
    pub status_id: i64,
    pub account_id: i64,
    /// JSON array of option titles.
    pub options: String,
    /// JSON array of vote counts, one per option.
    pub votes: String,
    pub multiple: bool,
    pub hide_totals: bool,
    pub votes_count: i32,
    pub voters_count: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PollRow {
    /// The option titles.
    pub fn titles(&self) -> Vec<String> {
        // The column only ever holds JSON written by this program.
        serde_json::from_str(&self.options).unwrap_or_default()
    }

    /// The vote count of each option, one per title.
    pub fn counts(&self) -> Vec<i64> {
        let mut counts: Vec<i64> = serde_json::from_str(&self.votes).unwrap_or_default();
        counts.resize(self.titles().len(), 0);
        counts
    }
}

pub fn insert(conn: &mut DbConn, poll: &PollRow) -> Result<(), DbError> {
    diesel::insert_into(polls::table).values(poll).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<PollRow>, DbError> {
    Ok(polls::table.find(id).select(PollRow::as_select()).first(conn).optional()?)
}

/// Poll `id`, locked until the transaction ends, for counting a vote:
/// PostgreSQL reads what was committed, so without the lock two votes at
/// once would each write counts that miss the other. (A SQLite write
/// transaction already runs alone.)
pub fn lock(conn: &mut DbConn, id: i64) -> Result<PollRow, DbError> {
    Ok(match conn {
        DbConn::Postgres(pg) => polls::table.find(id).select(PollRow::as_select()).for_update().first(pg)?,
        DbConn::Sqlite(lite) => polls::table.find(id).select(PollRow::as_select()).first(lite)?,
    })
}

/// The polls of these statuses.
pub fn of_statuses(conn: &mut DbConn, status_ids: &[i64]) -> Result<Vec<PollRow>, DbError> {
    Ok(polls::table.filter(polls::status_id.eq_any(status_ids)).select(PollRow::as_select()).load(conn)?)
}

/// Replaces a poll's options (an edit that changes the poll starts it over).
pub fn delete_of_status(conn: &mut DbConn, status_id: i64) -> Result<(), DbError> {
    diesel::delete(polls::table.filter(polls::status_id.eq(status_id))).execute(conn)?;
    Ok(())
}

/// (poll id, choice) pairs of `account_id`'s votes in these polls.
pub fn votes_of(conn: &mut DbConn, account_id: i64, poll_ids: &[i64]) -> Result<Vec<(i64, i32)>, DbError> {
    Ok(poll_votes::table
        .filter(poll_votes::account_id.eq(account_id))
        .filter(poll_votes::poll_id.eq_any(poll_ids))
        .order(poll_votes::choice.asc())
        .select((poll_votes::poll_id, poll_votes::choice))
        .load(conn)?)
}

pub fn insert_vote(conn: &mut DbConn, poll_id: i64, account_id: i64, choice: i32) -> Result<(), DbError> {
    diesel::insert_into(poll_votes::table)
        .values((
            poll_votes::id.eq(tertulia_core::Id::generate().0),
            poll_votes::poll_id.eq(poll_id),
            poll_votes::account_id.eq(account_id),
            poll_votes::choice.eq(choice),
            poll_votes::created_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores the cached counts after a vote.
pub fn set_counts(
    conn: &mut DbConn,
    poll_id: i64,
    votes: &str,
    votes_count: i32,
    voters_count: i32,
) -> Result<(), DbError> {
    diesel::update(polls::table.find(poll_id))
        .set((
            polls::votes.eq(votes),
            polls::votes_count.eq(votes_count),
            polls::voters_count.eq(voters_count),
            polls::updated_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Everyone who voted in a poll.
pub fn voters(conn: &mut DbConn, poll_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(poll_votes::table
        .filter(poll_votes::poll_id.eq(poll_id))
        .select(poll_votes::account_id)
        .distinct()
        .load(conn)?)
}

/// Polls that ended by `now` and whose author has no `poll` notification
/// for them yet: the ones whose end nobody has been told about.
pub fn ended_unannounced(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<PollRow>, DbError> {
    let announced = notifications::table
        .filter(notifications::kind.eq("poll"))
        .filter(notifications::status_id.eq(polls::status_id.nullable()))
        .filter(notifications::account_id.eq(polls::account_id));
    Ok(polls::table
        .filter(polls::expires_at.le(now))
        .filter(diesel::dsl::not(diesel::dsl::exists(announced)))
        .select(PollRow::as_select())
        .load(conn)?)
}
