//! Search over accounts and statuses with SQL `LIKE`, the same on both
//! backends. Good enough for one organisation's data; a full-text index
//! (tantivy) is the next step when it is not.

use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::accounts::{AccountRow, lower};
use crate::schema::{accounts, follows, mentions, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError, escape_like};

/// Where to look and how many results to return.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// Unsuspended accounts whose username or display name starts with
/// `prefix`, or whose display name has a word starting with it ("garcía"
/// finds "Ana García"), any case; only those `followed_by` follows when
/// given.
pub fn accounts_with_prefix(
    conn: &mut DbConn,
    prefix: &str,
    followed_by: Option<i64>,
    window: Window,
) -> Result<Vec<AccountRow>, DbError> {
    let escaped = escape_like(&prefix.to_lowercase());
    let (starts, word_starts) = (format!("{escaped}%"), format!("% {escaped}%"));
    let names = lower(accounts::username)
        .like(starts.clone())
        .escape('\\')
        .or(lower(accounts::display_name).like(starts).escape('\\'))
        .or(lower(accounts::display_name).like(word_starts).escape('\\'));
    Ok(findable(followed_by)
        .filter(names)
        .select(AccountRow::as_select())
        .order((accounts::username.asc(), accounts::id.asc()))
        .limit(window.limit)
        .offset(window.offset)
        .load(conn)?)
}

/// Discoverable, unsuspended accounts whose profile fields, as stored
/// (JSON), contain `needle`, any case, by username: candidates for a
/// search by field value, which the caller checks value by value (the
/// text also holds the fields' names). Only those `followed_by` follows
/// when given.
pub fn discoverable_with_fields_containing(
    conn: &mut DbConn,
    needle: &str,
    followed_by: Option<i64>,
    window: Window,
) -> Result<Vec<AccountRow>, DbError> {
    let pattern = format!("%{}%", escape_like(&needle.to_lowercase()));
    Ok(findable(followed_by)
        .filter(accounts::discoverable.eq(true))
        .filter(lower(accounts::fields).like(pattern).escape('\\'))
        .select(AccountRow::as_select())
        .order((accounts::username.asc(), accounts::id.asc()))
        .limit(window.limit)
        .offset(window.offset)
        .load(conn)?)
}

/// The accounts search may find: unsuspended people (sites' own actors
/// are plumbing), followed by `followed_by` if given.
fn findable<'a>(followed_by: Option<i64>) -> accounts::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend> {
    let query = accounts::table
        .filter(accounts::suspended_at.is_null())
        .filter(accounts::actor_type.ne(crate::actors::ActorType::Application))
        .into_boxed();
    match followed_by {
        Some(follower) => {
            let followed = follows::table.filter(follows::account_id.eq(follower)).select(follows::target_account_id);
            query.filter(accounts::id.eq_any(followed))
        }
        None => query,
    }
}

/// Original statuses whose text or content warning contains `needle`, any
/// case, newest first, limited to those `viewer` could possibly see (the
/// caller still filters through the visibility rules); by `author` only
/// when given.
pub fn statuses_containing(
    conn: &mut DbConn,
    viewer: i64,
    needle: &str,
    author: Option<i64>,
    window: Window,
) -> Result<Vec<StatusRow>, DbError> {
    let pattern = format!("%{}%", escape_like(&needle.to_lowercase()));
    let followed = follows::table.filter(follows::account_id.eq(viewer)).select(follows::target_account_id);
    let mentioning = mentions::table.filter(mentions::account_id.eq(viewer)).select(mentions::status_id);
    let mut query = statuses::table
        .filter(statuses::deleted_at.is_null())
        .filter(statuses::reblog_of_id.is_null())
        .filter(
            lower(statuses::text)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(statuses::spoiler_text).like(pattern).escape('\\')),
        )
        .filter(
            statuses::account_id
                .eq(viewer)
                .or(statuses::visibility.eq_any([Visibility::Public, Visibility::Unlisted, Visibility::Local]))
                .or(statuses::visibility.eq(Visibility::Private).and(statuses::account_id.eq_any(followed)))
                .or(statuses::id.eq_any(mentioning)),
        )
        .select(StatusRow::as_select())
        .into_boxed();
    if let Some(author) = author {
        query = query.filter(statuses::account_id.eq(author));
    }
    Ok(query.order(statuses::id.desc()).limit(window.limit).offset(window.offset).load(conn)?)
}
