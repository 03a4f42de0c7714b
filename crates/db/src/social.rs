//! Queries on follows, favourites and bookmarks: who relates to whom and
//! what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::AccountRow;
use crate::cacheable::id_in;
use crate::page::{Page, newest_first};
use crate::schema::{accounts, bookmarks, favourites, follows};
use crate::{DbConn, DbError, paginate};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = follows)]
pub struct FollowRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub show_reblogs: bool,
    pub notify: bool,
    pub languages: Option<String>,
    pub uri: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find_follow(conn: &mut DbConn, follower: i64, target: i64) -> Result<Option<FollowRow>, DbError> {
    Ok(follows::table
        .filter(follows::account_id.eq(follower))
        .filter(follows::target_account_id.eq(target))
        .select(FollowRow::as_select())
        .first(conn)
        .optional()?)
}

/// Creates the follow, or updates its options if it exists. Returns
/// whether it is new.
pub fn upsert_follow(conn: &mut DbConn, follow: &FollowRow) -> Result<bool, DbError> {
    if find_follow(conn, follow.account_id, follow.target_account_id)?.is_some() {
        diesel::update(
            follows::table
                .filter(follows::account_id.eq(follow.account_id))
                .filter(follows::target_account_id.eq(follow.target_account_id)),
        )
        .set((follows::show_reblogs.eq(follow.show_reblogs), follows::notify.eq(follow.notify)))
        .execute(conn)?;
        return Ok(false);
    }
    diesel::insert_into(follows::table).values(follow).execute(conn)?;
    adjust_follow_counts(conn, follow.account_id, follow.target_account_id, 1)?;
    Ok(true)
}

/// Removes the follow; returns whether there was one.
pub fn delete_follow(conn: &mut DbConn, follower: i64, target: i64) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        follows::table.filter(follows::account_id.eq(follower)).filter(follows::target_account_id.eq(target)),
    )
    .execute(conn)?;
    if deleted > 0 {
        adjust_follow_counts(conn, follower, target, -1)?;
    }
    Ok(deleted > 0)
}

fn adjust_follow_counts(conn: &mut DbConn, follower: i64, target: i64, delta: i32) -> Result<(), DbError> {
    diesel::update(accounts::table.find(follower))
        .set(accounts::following_count.eq(accounts::following_count + delta))
        .execute(conn)?;
    diesel::update(accounts::table.find(target))
        .set(accounts::followers_count.eq(accounts::followers_count + delta))
        .execute(conn)?;
    Ok(())
}

/// Ids of the accounts following `target` (for fan-out).
pub fn follower_ids(conn: &mut DbConn, target: i64) -> Result<Vec<(i64, bool)>, DbError> {
    Ok(follows::table
        .filter(follows::target_account_id.eq(target))
        .select((follows::account_id, follows::show_reblogs))
        .load(conn)?)
}

/// A follower of this site, with what they asked of the follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct LocalFollower {
    pub account_id: i64,
    /// Wants the followed account's boosts in their home timeline.
    pub show_reblogs: bool,
    /// Rang the bell: wants a notification of each new post.
    pub notify: bool,
}

/// The followers of `target` who have an account on this site: the only
/// ones with a home timeline here.
pub fn local_followers(conn: &mut DbConn, target: i64) -> Result<Vec<LocalFollower>, DbError> {
    Ok(follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
        .filter(follows::target_account_id.eq(target))
        .filter(accounts::domain.is_null())
        .select((follows::account_id, follows::show_reblogs, follows::notify))
        .load(conn)?)
}

/// Which of `targets` `follower` follows.
pub fn following_among(conn: &mut DbConn, follower: i64, targets: &[i64]) -> Result<Vec<FollowRow>, DbError> {
    Ok(follows::table
        .filter(follows::account_id.eq(follower))
        .filter(id_in(follows::target_account_id, targets))
        .select(FollowRow::as_select())
        .load(conn)?)
}

/// Which of `accounts` follow `target`.
pub fn followers_among(conn: &mut DbConn, target: i64, accounts: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(follows::table
        .filter(follows::target_account_id.eq(target))
        .filter(follows::account_id.eq_any(accounts))
        .select(follows::account_id)
        .load(conn)?)
}

/// Followers (`incoming`) or followed accounts of `account_id`, paged by
/// the follow's id; returns (follow id, account).
pub fn follow_list(
    conn: &mut DbConn,
    account_id: i64,
    incoming: bool,
    page: Page,
) -> Result<Vec<(i64, AccountRow)>, DbError> {
    let rows = if incoming {
        let query = follows::table
            .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
            .filter(follows::target_account_id.eq(account_id))
            .select((follows::id, AccountRow::as_select()))
            .into_boxed();
        paginate!(query, follows::id, page).load(conn)?
    } else {
        let query = follows::table
            .inner_join(accounts::table.on(accounts::id.eq(follows::target_account_id)))
            .filter(follows::account_id.eq(account_id))
            .select((follows::id, AccountRow::as_select()))
            .into_boxed();
        paginate!(query, follows::id, page).load(conn)?
    };
    Ok(newest_first(&page, rows))
}

/// Adds a favourite; returns false if it existed already. `uri` is the
/// id of the `Like` activity when the favourite came from another site.
pub fn insert_favourite(
    conn: &mut DbConn,
    account_id: i64,
    status_id: i64,
    uri: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let exists = diesel::select(diesel::dsl::exists(
        favourites::table.filter(favourites::account_id.eq(account_id)).filter(favourites::status_id.eq(status_id)),
    ))
    .get_result::<bool>(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(favourites::table)
        .values((
            favourites::id.eq(tertulia_core::Id::generate().0),
            favourites::account_id.eq(account_id),
            favourites::status_id.eq(status_id),
            favourites::uri.eq(uri),
            favourites::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn delete_favourite(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        favourites::table.filter(favourites::account_id.eq(account_id)).filter(favourites::status_id.eq(status_id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// One page of the accounts that favourited `status_id`, as (favourite
/// id, account id), newest first.
pub fn favouriters(conn: &mut DbConn, status_id: i64, page: Page) -> Result<Vec<(i64, i64)>, DbError> {
    let query = favourites::table
        .filter(favourites::status_id.eq(status_id))
        .select((favourites::id, favourites::account_id))
        .into_boxed();
    let rows = paginate!(query, favourites::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

pub fn insert_bookmark(conn: &mut DbConn, account_id: i64, status_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    let exists = diesel::select(diesel::dsl::exists(
        bookmarks::table.filter(bookmarks::account_id.eq(account_id)).filter(bookmarks::status_id.eq(status_id)),
    ))
    .get_result::<bool>(conn)?;
    if !exists {
        diesel::insert_into(bookmarks::table)
            .values((
                bookmarks::id.eq(tertulia_core::Id::generate().0),
                bookmarks::account_id.eq(account_id),
                bookmarks::status_id.eq(status_id),
                bookmarks::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete_bookmark(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<(), DbError> {
    diesel::delete(
        bookmarks::table.filter(bookmarks::account_id.eq(account_id)).filter(bookmarks::status_id.eq(status_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// A pending request to follow a locked account.
pub fn insert_follow_request(conn: &mut DbConn, follow: &FollowRow) -> Result<bool, DbError> {
    use crate::schema::follow_requests;
    let exists = diesel::select(diesel::dsl::exists(
        follow_requests::table
            .filter(follow_requests::account_id.eq(follow.account_id))
            .filter(follow_requests::target_account_id.eq(follow.target_account_id)),
    ))
    .get_result::<bool>(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(follow_requests::table)
        .values((
            follow_requests::id.eq(follow.id),
            follow_requests::account_id.eq(follow.account_id),
            follow_requests::target_account_id.eq(follow.target_account_id),
            follow_requests::show_reblogs.eq(follow.show_reblogs),
            follow_requests::notify.eq(follow.notify),
            follow_requests::uri.eq(&follow.uri),
            follow_requests::created_at.eq(follow.created_at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Removes a follow request, returning it if there was one. (Requests
/// are read as `FollowRow`s: both tables have the same columns, in the same
/// order.)
pub fn take_follow_request(conn: &mut DbConn, follower: i64, target: i64) -> Result<Option<FollowRow>, DbError> {
    use crate::schema::follow_requests;
    let found = follow_requests::table
        .filter(follow_requests::account_id.eq(follower))
        .filter(follow_requests::target_account_id.eq(target))
        .select(follow_requests::all_columns)
        .first::<FollowRow>(conn)
        .optional()?;
    if let Some(request) = &found {
        diesel::delete(follow_requests::table.find(request.id)).execute(conn)?;
    }
    Ok(found)
}

/// The follow request with this id, if it is still pending.
pub fn follow_request_by_id(conn: &mut DbConn, id: i64) -> Result<Option<FollowRow>, DbError> {
    use crate::schema::follow_requests;
    Ok(follow_requests::table.find(id).select(follow_requests::all_columns).first::<FollowRow>(conn).optional()?)
}

/// Everyone `follower` has asked to follow and waits for.
pub fn requested_ids(conn: &mut DbConn, follower: i64) -> Result<Vec<i64>, DbError> {
    use crate::schema::follow_requests;
    Ok(follow_requests::table
        .filter(follow_requests::account_id.eq(follower))
        .select(follow_requests::target_account_id)
        .load(conn)?)
}

/// Which of `targets` `follower` has asked to follow.
pub fn requested_among(conn: &mut DbConn, follower: i64, targets: &[i64]) -> Result<Vec<i64>, DbError> {
    use crate::schema::follow_requests;
    Ok(follow_requests::table
        .filter(follow_requests::account_id.eq(follower))
        .filter(follow_requests::target_account_id.eq_any(targets))
        .select(follow_requests::target_account_id)
        .load(conn)?)
}

/// Accounts waiting for `target` to accept them, paged by request id.
pub fn pending_requests(conn: &mut DbConn, target: i64, page: Page) -> Result<Vec<(i64, AccountRow)>, DbError> {
    use crate::schema::follow_requests;
    let query = follow_requests::table
        .inner_join(accounts::table.on(accounts::id.eq(follow_requests::account_id)))
        .filter(follow_requests::target_account_id.eq(target))
        .select((follow_requests::id, AccountRow::as_select()))
        .into_boxed();
    let rows = paginate!(query, follow_requests::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// One page of the statuses `account_id` bookmarked (`bookmarks = true`)
/// or favourited, as (bookmark or favourite id, status id), newest first.
pub fn saved_statuses(
    conn: &mut DbConn,
    account_id: i64,
    bookmarks: bool,
    page: Page,
) -> Result<Vec<(i64, i64)>, DbError> {
    let rows = if bookmarks {
        let query = bookmarks::table
            .filter(bookmarks::account_id.eq(account_id))
            .select((bookmarks::id, bookmarks::status_id))
            .into_boxed();
        paginate!(query, bookmarks::id, page).load(conn)?
    } else {
        let query = favourites::table
            .filter(favourites::account_id.eq(account_id))
            .select((favourites::id, favourites::status_id))
            .into_boxed();
        paginate!(query, favourites::id, page).load(conn)?
    };
    Ok(newest_first(&page, rows))
}

/// Ids of every account `follower` follows.
pub fn following_ids(conn: &mut DbConn, follower: i64) -> Result<Vec<i64>, DbError> {
    Ok(follows::table.filter(follows::account_id.eq(follower)).select(follows::target_account_id).load(conn)?)
}

/// Accounts `viewer` follows that follow `target` ("followed by people you
/// know"), at most `limit`.
pub fn familiar_followers(conn: &mut DbConn, viewer: i64, target: i64, limit: i64) -> Result<Vec<AccountRow>, DbError> {
    let followed_by_viewer = follows::table.filter(follows::account_id.eq(viewer)).select(follows::target_account_id);
    let following_target = follows::table.filter(follows::target_account_id.eq(target)).select(follows::account_id);
    Ok(accounts::table
        .filter(accounts::id.eq_any(followed_by_viewer))
        .filter(accounts::id.eq_any(following_target))
        .filter(accounts::suspended_at.is_null())
        .order(accounts::id.asc())
        .limit(limit)
        .select(AccountRow::as_select())
        .load(conn)?)
}
