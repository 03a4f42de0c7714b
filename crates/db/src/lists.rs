//! Queries on `lists` and `list_accounts`: a user's named groups of
//! followed accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::accounts::AccountRow;
use crate::page::{Page, newest_first};
use crate::schema::{accounts, list_accounts, lists, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError, paginate};

tertulia_core::stored_enum! {
    /// Which replies a list timeline shows (Mastodon's `replies_policy`):
    /// those to anyone the owner follows, to the list's members, or none.
    pub enum RepliesPolicy("replies policy") {
        Followed = "followed",
        List = "list",
        None = "none",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lists)]
pub struct ListRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    pub replies_policy: RepliesPolicy,
    pub exclusive: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, list: &ListRow) -> Result<(), DbError> {
    diesel::insert_into(lists::table).values(list).execute(conn)?;
    Ok(())
}

/// The list, if it belongs to `owner`.
pub fn find(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<ListRow>, DbError> {
    Ok(lists::table.find(id).filter(lists::account_id.eq(owner)).select(ListRow::as_select()).first(conn).optional()?)
}

/// All of `owner`'s lists, oldest first.
pub fn of_owner(conn: &mut DbConn, owner: i64) -> Result<Vec<ListRow>, DbError> {
    Ok(lists::table
        .filter(lists::account_id.eq(owner))
        .order(lists::id.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

/// `owner`'s lists that have `member` in them.
pub fn containing(conn: &mut DbConn, owner: i64, member: i64) -> Result<Vec<ListRow>, DbError> {
    let with_member = list_accounts::table.filter(list_accounts::account_id.eq(member)).select(list_accounts::list_id);
    Ok(lists::table
        .filter(lists::account_id.eq(owner))
        .filter(lists::id.eq_any(with_member))
        .order(lists::id.asc())
        .select(ListRow::as_select())
        .load(conn)?)
}

pub fn update(conn: &mut DbConn, list: &ListRow) -> Result<(), DbError> {
    diesel::update(lists::table.find(list.id))
        .set((
            lists::title.eq(&list.title),
            lists::replies_policy.eq(list.replies_policy),
            lists::exclusive.eq(list.exclusive),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes the list and its memberships.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(list_accounts::table.filter(list_accounts::list_id.eq(id))).execute(conn)?;
    diesel::delete(lists::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn member_ids(conn: &mut DbConn, list_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(list_accounts::table.filter(list_accounts::list_id.eq(list_id)).select(list_accounts::account_id).load(conn)?)
}

/// The list's members, paged by account id.
pub fn members(conn: &mut DbConn, list_id: i64, page: Page) -> Result<Vec<AccountRow>, DbError> {
    let in_list = list_accounts::table.filter(list_accounts::list_id.eq(list_id)).select(list_accounts::account_id);
    let query = accounts::table.filter(accounts::id.eq_any(in_list)).select(AccountRow::as_select()).into_boxed();
    let rows = paginate!(query, accounts::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// Adds members; those already in the list are left alone.
pub fn add_members(conn: &mut DbConn, list_id: i64, account_ids: &[i64]) -> Result<(), DbError> {
    let existing = member_ids(conn, list_id)?;
    for account_id in account_ids.iter().filter(|id| !existing.contains(id)) {
        diesel::insert_into(list_accounts::table)
            .values((list_accounts::list_id.eq(list_id), list_accounts::account_id.eq(account_id)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove_members(conn: &mut DbConn, list_id: i64, account_ids: &[i64]) -> Result<(), DbError> {
    diesel::delete(
        list_accounts::table
            .filter(list_accounts::list_id.eq(list_id))
            .filter(list_accounts::account_id.eq_any(account_ids)),
    )
    .execute(conn)?;
    Ok(())
}

/// Takes `member` out of all of `owner`'s lists.
pub fn remove_from_all(conn: &mut DbConn, owner: i64, member: i64) -> Result<(), DbError> {
    let owned = lists::table.filter(lists::account_id.eq(owner)).select(lists::id);
    diesel::delete(
        list_accounts::table.filter(list_accounts::account_id.eq(member)).filter(list_accounts::list_id.eq_any(owned)),
    )
    .execute(conn)?;
    Ok(())
}

/// Statuses (and boosts) by `authors`, newest first, not direct. Replies
/// to others are kept only when `reply_targets` names the account replied
/// to.
pub fn statuses_by(
    conn: &mut DbConn,
    authors: &[i64],
    reply_targets: &[i64],
    page: Page,
) -> Result<Vec<StatusRow>, DbError> {
    let query = statuses::table
        .filter(statuses::account_id.eq_any(authors.to_vec()))
        .filter(statuses::visibility.ne(Visibility::Direct))
        .filter(statuses::deleted_at.is_null())
        .select(StatusRow::as_select())
        .filter(
            statuses::in_reply_to_account_id
                .is_null()
                .or(statuses::in_reply_to_account_id.eq(statuses::account_id.nullable()))
                .or(statuses::in_reply_to_account_id.eq_any(reply_targets.to_vec())),
        )
        .into_boxed();
    let rows = paginate!(query, statuses::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}
