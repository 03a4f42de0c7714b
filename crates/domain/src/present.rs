//! The read pipeline: what one viewer sees of some statuses. Every read of
//! statuses (timelines, lists, profiles, threads, single statuses, search,
//! notifications, conversations, bookmarks and favourites, pins, quotes and
//! streaming events) goes through [`statuses`], which
//!
//! 1. leaves out what the viewer may not see ([`crate::visibility`], the
//!    rule's one home: visibility, suspension, blocks both ways, and, where
//!    the [`Reading`] says so, mutes and blocked sites);
//! 2. builds the views ([`crate::statuses::StatusView`]: author, boosted
//!    original, media, poll, mentions, tags, quote, the viewer's own flags);
//! 3. applies the viewer's filters for the reading's context (`hide` drops,
//!    `warn` marks).
//!
//! Each step loads what it needs for the whole batch at once (`WHERE id IN
//! (…)`), so a page costs the same number of statements whatever its size
//! (`tests/visibility_matrix/budget.rs` counts them).

use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{Db, DbConn, DbError};

use crate::DomainError;
use crate::filters::{self, Context};
use crate::statuses::{StatusView, build_views};
use crate::visibility::{self, Mutes, Viewer};

/// Where statuses are read. It decides whether the viewer's mutes (and
/// site blocks) hide statuses and which of their filters apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reading {
    /// The home timeline, list timelines, and the `user` and `list` streams.
    Home,
    /// Public, site-only and hashtag timelines, trends, and their streams.
    Public,
    /// One account's statuses, opened on purpose.
    Account,
    /// The thread around a status the viewer opened.
    Thread,
    /// Search results for words the viewer typed.
    Search,
    /// The statuses that notifications point at.
    Notifications,
    /// Statuses asked for one by one or kept by the viewer: a status by id,
    /// bookmarks, favourites, pins, conversations, quotes.
    Asked,
}

impl Reading {
    /// Mutes hide statuses that arrive unasked (timelines and their
    /// streams); an account, thread, search or status the viewer opened on
    /// purpose still shows them, as on Mastodon.
    fn hides_muted(self) -> bool {
        matches!(self, Reading::Home | Reading::Public)
    }

    /// The filter context (Mastodon's `home`, `public`, `thread`, `account`
    /// and `notifications`); statuses asked for one by one are not filtered.
    fn filter_context(self) -> Option<Context> {
        match self {
            Reading::Home => Some(Context::Home),
            Reading::Public | Reading::Search => Some(Context::Public),
            Reading::Account => Some(Context::Account),
            Reading::Thread => Some(Context::Thread),
            Reading::Notifications => Some(Context::Notifications),
            Reading::Asked => None,
        }
    }
}

/// What `viewer` sees of `rows` read as `reading`, order kept.
pub fn statuses(
    conn: &mut DbConn,
    viewer: Viewer,
    rows: Vec<StatusRow>,
    reading: Reading,
) -> Result<Vec<StatusView>, DbError> {
    let mutes = if reading.hides_muted() { Mutes::Hide } else { Mutes::Show };
    let visible = visibility::visible(conn, viewer, rows, mutes)?;
    let views = build_views(conn, viewer, visible)?;
    match reading.filter_context() {
        Some(context) => filters::apply(conn, viewer, context, views),
        None => Ok(views),
    }
}

/// [`statuses`] for the statuses with these ids, in the order given.
pub fn by_ids(conn: &mut DbConn, viewer: Viewer, ids: &[i64], reading: Reading) -> Result<Vec<StatusView>, DbError> {
    let mut rows = statuses::find_many(conn, ids)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    statuses(conn, viewer, rows, reading)
}

/// One status as `viewer` sees it, if they may.
pub fn one(conn: &mut DbConn, viewer: Viewer, id: i64, reading: Reading) -> Result<Option<StatusView>, DbError> {
    Ok(by_ids(conn, viewer, &[id], reading)?.into_iter().next())
}

/// [`one`] on a connection of its own; not found if the viewer may not
/// see it (or it is gone).
pub async fn status(db: &Db, viewer: Viewer, id: i64, reading: Reading) -> Result<StatusView, DomainError> {
    db.read(move |conn| one(conn, viewer, id, reading)).await?.ok_or_else(|| DomainError::NotFound("status".into()))
}
