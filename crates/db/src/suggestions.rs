//! Queries behind follow suggestions, and `suggestion_dismissals`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{accounts, follows, suggestion_dismissals};
use crate::{DbConn, DbError};

/// Follows of the accounts `account_id` follows, looked at for
/// suggestions; a bound on the work for accounts that follow thousands.
const FRIENDS_OF_FRIENDS_SCANNED: i64 = 10_000;

/// Accounts followed by those `account_id` follows, one entry per such
/// follow (so the most shared come up most often).
pub fn friends_of_friends(conn: &mut DbConn, account_id: i64) -> Result<Vec<i64>, DbError> {
    let followed: Vec<i64> =
        follows::table.filter(follows::account_id.eq(account_id)).select(follows::target_account_id).load(conn)?;
    Ok(follows::table
        .filter(follows::account_id.eq_any(followed))
        .select(follows::target_account_id)
        .limit(FRIENDS_OF_FRIENDS_SCANNED)
        .load(conn)?)
}

/// Local, discoverable, unsuspended accounts with the most followers.
pub fn most_followed_local(conn: &mut DbConn, limit: i64) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.is_null())
        .filter(accounts::suspended_at.is_null())
        .filter(accounts::discoverable.eq(true))
        .filter(accounts::actor_type.ne(crate::actors::ActorType::Application))
        .order((accounts::followers_count.desc(), accounts::id.asc()))
        .limit(limit)
        .select(accounts::id)
        .load(conn)?)
}

/// Records that `account_id` does not want `target` suggested again.
pub fn dismiss(conn: &mut DbConn, account_id: i64, target: i64, now: NaiveDateTime) -> Result<(), DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(suggestion_dismissals::table)
            .values((
                suggestion_dismissals::id.eq(tertulia_core::Id::generate().0),
                suggestion_dismissals::account_id.eq(account_id),
                suggestion_dismissals::target_account_id.eq(target),
                suggestion_dismissals::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// The accounts `account_id` dismissed from suggestions.
pub fn dismissed(conn: &mut DbConn, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(suggestion_dismissals::table
        .filter(suggestion_dismissals::account_id.eq(account_id))
        .select(suggestion_dismissals::target_account_id)
        .load(conn)?)
}
