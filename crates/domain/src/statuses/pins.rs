//! Pinned statuses: a few of one's own posts shown first on the profile.

use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::{Db, pins};

use super::{StatusView, act};
use crate::DomainError;
use crate::present::{self, Reading};
use crate::visibility::Viewer;

/// How many statuses one account may pin (announced by `/api/v2/instance`).
pub const MAX_PINS: i64 = 5;

/// Pins (`on`) or unpins one of the caller's own statuses.
pub async fn pin(db: &Db, actor: Id, id: Id, on: bool) -> Result<StatusView, DomainError> {
    let (view, _) = act(db, actor, id, move |conn, status| {
        if status.account_id != actor.0 || status.id != id.0 {
            return Err(DomainError::invalid("id", "you can only pin your own statuses"));
        }
        if !on {
            pins::delete(conn, actor.0, status.id)?;
            return Ok((status.id, Vec::new()));
        }
        let visibility = status.visibility;
        if visibility == Visibility::Direct {
            return Err(DomainError::invalid("id", "direct messages cannot be pinned"));
        }
        if pins::count(conn, actor.0)? >= MAX_PINS && !pins::of_account(conn, actor.0)?.contains(&status.id) {
            return Err(DomainError::invalid_as(
                crate::Invalidity::AboveLimit,
                "id",
                format!("you can pin at most {MAX_PINS} statuses"),
            ));
        }
        pins::insert(conn, actor.0, status.id)?;
        Ok((status.id, Vec::new()))
    })
    .await?;
    Ok(view)
}

/// An account's pinned statuses that `viewer` may see, most recently
/// pinned first.
pub async fn pinned(db: &Db, viewer: Viewer, account: Id) -> Result<Vec<StatusView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let ids = pins::of_account(conn, account.0)?;
            present::by_ids(conn, viewer, &ids, Reading::Asked)
        })
        .await?)
}
