//! Queries on `oidc_sign_ins`: OpenID Connect sign-ins waiting for the
//! provider's answer, keyed by their `state`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::oidc_sign_ins;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, PartialEq, Insertable, Queryable, Selectable)]
#[diesel(table_name = oidc_sign_ins)]
pub struct OidcSignInRow {
    pub state: String,
    pub app_request: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub expires_at: NaiveDateTime,
}

/// Stores a new sign-in, and forgets those that expired by `now` (people
/// who never came back from the provider).
pub fn insert(conn: &mut DbConn, row: &OidcSignInRow, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::delete(oidc_sign_ins::table.filter(oidc_sign_ins::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(oidc_sign_ins::table).values(row).execute(conn)?;
    Ok(())
}

/// Removes and returns the sign-in of `state`: a state is good for one
/// return only, even when two arrive at once.
pub fn take(conn: &mut DbConn, state: &str) -> Result<Option<OidcSignInRow>, DbError> {
    let row = oidc_sign_ins::table
        .filter(oidc_sign_ins::state.eq(state))
        .select(OidcSignInRow::as_select())
        .first(conn)
        .optional()?;
    // Only the request whose delete removed the row may use it.
    let removed = diesel::delete(oidc_sign_ins::table.filter(oidc_sign_ins::state.eq(state))).execute(conn)?;
    Ok(row.filter(|_| removed == 1))
}
