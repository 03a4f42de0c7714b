//! A local block of a remote account: `Block` (or `Undo(Block)`), to the
//! blocked account alone.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};

use super::recipients::{Planned, one_to_one};
use crate::activities;

pub(super) fn plan(conn: &mut DbConn, account: i64, target: i64, undo: bool) -> Result<Planned, DbError> {
    let Some(target) = actors::find(conn, target)? else {
        return Ok(None);
    };
    let block = |actor: &str| activities::block(actor, target.id, &target.uri);
    one_to_one(conn, account, &target, block, undo)
}
