//! Who favourited or boosted a status.

use tertulia_core::Id;
use tertulia_db::page::Page;
use tertulia_db::{Db, DbConn, DbError, accounts, social, statuses};

use super::not_found;
use crate::visibility::{self, Viewer};
use crate::{AccountView, DomainError};

/// The accounts that favourited a status `viewer` may see, each keyed by
/// the favourite's id, which pages the list.
pub async fn favourited_by(db: &Db, viewer: Viewer, id: Id, page: Page) -> Result<Vec<(Id, AccountView)>, DomainError> {
    reacted(db, viewer, id, move |conn, status| social::favouriters(conn, status, page)).await
}

/// The accounts that boosted a status `viewer` may see, each keyed by the
/// boost's id.
pub async fn reblogged_by(db: &Db, viewer: Viewer, id: Id, page: Page) -> Result<Vec<(Id, AccountView)>, DomainError> {
    reacted(db, viewer, id, move |conn, status| statuses::boosters(conn, status, page)).await
}

async fn reacted(
    db: &Db,
    viewer: Viewer,
    id: Id,
    page_of: impl FnOnce(&mut DbConn, i64) -> Result<Vec<(i64, i64)>, DbError> + Send + 'static,
) -> Result<Vec<(Id, AccountView)>, DomainError> {
    db.run(move |conn| {
        let Some(status) = visibility::find_visible(conn, viewer, id.0)? else {
            return Ok::<_, DomainError>(None);
        };
        let pairs = page_of(conn, status.id)?;
        let ids: Vec<i64> = pairs.iter().map(|(_, account)| *account).collect();
        let found = accounts::find_many(conn, &ids)?;
        Ok(Some(
            pairs
                .into_iter()
                .filter_map(|(key, account)| {
                    found.iter().find(|a| a.id == account).map(|a| (Id(key), AccountView::from(a.clone())))
                })
                .collect(),
        ))
    })
    .await?
    .ok_or_else(not_found)
}
