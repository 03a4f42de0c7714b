//! Queries on `blocks` and `mutes`: accounts someone does not want to hear
//! from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::AccountRow;
use crate::cacheable::id_in;
use crate::page::{Page, newest_first};
use crate::schema::{account_domain_blocks, accounts, blocks, mutes};
use crate::{DbConn, DbError, paginate};

/// Adds a block; returns false if it existed.
pub fn insert_block(conn: &mut DbConn, account_id: i64, target: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    if !blocking_among(conn, account_id, &[target])?.is_empty() {
        return Ok(false);
    }
    diesel::insert_into(blocks::table)
        .values((
            blocks::id.eq(tertulia_core::Id::generate().0),
            blocks::account_id.eq(account_id),
            blocks::target_account_id.eq(target),
            blocks::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn delete_block(conn: &mut DbConn, account_id: i64, target: i64) -> Result<(), DbError> {
    diesel::delete(
        blocks::table.filter(blocks::account_id.eq(account_id)).filter(blocks::target_account_id.eq(target)),
    )
    .execute(conn)?;
    Ok(())
}

/// Which of `targets` `account_id` blocks.
pub fn blocking_among(conn: &mut DbConn, account_id: i64, targets: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(blocks::table
        .filter(blocks::account_id.eq(account_id))
        .filter(blocks::target_account_id.eq_any(targets))
        .select(blocks::target_account_id)
        .load(conn)?)
}

/// An author as one viewer relates to them, for the read pipeline.
#[derive(Debug, Queryable)]
pub struct SeenAuthor {
    pub account: AccountRow,
    /// The viewer blocks them or they block the viewer.
    pub blocked: bool,
    /// The viewer mutes them (until `now`) or blocks their site. Null
    /// (SQL `IN` over the nullable `domain`) counts as not muted.
    pub muted: Option<bool>,
    /// The viewer follows them.
    pub followed: bool,
    /// The viewer mutes their notifications (until `now`) or blocks their
    /// site; null counts as not silenced.
    pub silenced: Option<bool>,
}

/// The accounts among `ids` with the viewer's relations to them, in one
/// statement: what the read pipeline needs to hide authors and to judge
/// followers-only posts, and notifications to leave out senders. Without a viewer every relation is false (the
/// subqueries compare with NULL), so the statement text stays the same.
pub fn seen_by(
    conn: &mut DbConn,
    viewer: Option<i64>,
    ids: &[i64],
    now: NaiveDateTime,
) -> Result<Vec<SeenAuthor>, DbError> {
    use crate::schema::follows;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let blocking = blocks::table.filter(blocks::account_id.nullable().eq(viewer)).select(blocks::target_account_id);
    let blocked_by = blocks::table.filter(blocks::target_account_id.nullable().eq(viewer)).select(blocks::account_id);
    let muting = mutes::table
        .filter(mutes::account_id.nullable().eq(viewer))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select(mutes::target_account_id);
    let blocked_sites = account_domain_blocks::table
        .filter(account_domain_blocks::account_id.nullable().eq(viewer))
        .select(account_domain_blocks::domain.nullable());
    let following = follows::table.filter(follows::account_id.nullable().eq(viewer)).select(follows::target_account_id);
    let silencing = muting.filter(mutes::hide_notifications);
    Ok(accounts::table
        .filter(id_in(accounts::id, ids))
        .select((
            AccountRow::as_select(),
            accounts::id.eq_any(blocking).or(accounts::id.eq_any(blocked_by)),
            accounts::id.eq_any(muting).nullable().or(accounts::domain.eq_any(blocked_sites)),
            accounts::id.eq_any(following),
            accounts::id.eq_any(silencing).nullable().or(accounts::domain.eq_any(blocked_sites)),
        ))
        .load(conn)?)
}

/// The accounts among `accounts` whose statuses `viewer` is not shown:
/// those they block and those blocking them, and with `mutes` also those
/// they mute (until `now`) or whose site they block. One statement for the
/// read pipeline instead of four.
pub fn hidden_from(
    conn: &mut DbConn,
    viewer: i64,
    accounts: &[i64],
    mutes: bool,
    now: NaiveDateTime,
) -> Result<Vec<i64>, DbError> {
    let blocking = blocks::table.filter(blocks::account_id.eq(viewer)).select(blocks::target_account_id);
    let blocked_by = blocks::table.filter(blocks::target_account_id.eq(viewer)).select(blocks::account_id);
    let among = accounts::table.filter(accounts::id.eq_any(accounts)).select(accounts::id);
    if !mutes {
        return Ok(among.filter(accounts::id.eq_any(blocking).or(accounts::id.eq_any(blocked_by))).load(conn)?);
    }
    let muting = mutes::table
        .filter(mutes::account_id.eq(viewer))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select(mutes::target_account_id);
    let blocked_sites = account_domain_blocks::table
        .filter(account_domain_blocks::account_id.eq(viewer))
        .select(account_domain_blocks::domain.nullable());
    Ok(among
        .filter(
            accounts::id
                .eq_any(blocking)
                .or(accounts::id.eq_any(blocked_by))
                .or(accounts::id.eq_any(muting))
                .or(accounts::domain.eq_any(blocked_sites)),
        )
        .load(conn)?)
}

/// Which of `accounts` block `target`.
pub fn blocked_by_among(conn: &mut DbConn, target: i64, accounts: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(blocks::table
        .filter(blocks::target_account_id.eq(target))
        .filter(blocks::account_id.eq_any(accounts))
        .select(blocks::account_id)
        .load(conn)?)
}

/// Creates or updates a mute.
pub fn upsert_mute(
    conn: &mut DbConn,
    account_id: i64,
    target: i64,
    hide_notifications: bool,
    expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let existing = mutes::table.filter(mutes::account_id.eq(account_id)).filter(mutes::target_account_id.eq(target));
    let updated = diesel::update(existing)
        .set((mutes::hide_notifications.eq(hide_notifications), mutes::expires_at.eq(expires_at)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(mutes::table)
            .values((
                mutes::id.eq(tertulia_core::Id::generate().0),
                mutes::account_id.eq(account_id),
                mutes::target_account_id.eq(target),
                mutes::hide_notifications.eq(hide_notifications),
                mutes::expires_at.eq(expires_at),
                mutes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete_mute(conn: &mut DbConn, account_id: i64, target: i64) -> Result<(), DbError> {
    diesel::delete(mutes::table.filter(mutes::account_id.eq(account_id)).filter(mutes::target_account_id.eq(target)))
        .execute(conn)?;
    Ok(())
}

/// The unexpired mutes by `account_id` of any of `targets`, as
/// (target, hides notifications).
pub fn muting_among(
    conn: &mut DbConn,
    account_id: i64,
    targets: &[i64],
    now: NaiveDateTime,
) -> Result<Vec<(i64, bool)>, DbError> {
    Ok(mutes::table
        .filter(mutes::account_id.eq(account_id))
        .filter(mutes::target_account_id.eq_any(targets))
        .filter(mutes::expires_at.is_null().or(mutes::expires_at.gt(now)))
        .select((mutes::target_account_id, mutes::hide_notifications))
        .load(conn)?)
}

/// Blocked (`blocked = true`) or muted accounts of `account_id`, paged by
/// the block or mute id.
pub fn list(conn: &mut DbConn, account_id: i64, blocked: bool, page: Page) -> Result<Vec<(i64, AccountRow)>, DbError> {
    let rows = if blocked {
        let query = blocks::table
            .inner_join(accounts::table.on(accounts::id.eq(blocks::target_account_id)))
            .filter(blocks::account_id.eq(account_id))
            .select((blocks::id, AccountRow::as_select()))
            .into_boxed();
        paginate!(query, blocks::id, page).load(conn)?
    } else {
        let query = mutes::table
            .inner_join(accounts::table.on(accounts::id.eq(mutes::target_account_id)))
            .filter(mutes::account_id.eq(account_id))
            .select((mutes::id, AccountRow::as_select()))
            .into_boxed();
        paginate!(query, mutes::id, page).load(conn)?
    };
    Ok(newest_first(&page, rows))
}
