//! Queries on `external_identities`: which local user a company identity
//! (an LDAP entry, an OpenID Connect subject) signs in as.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::external_identities;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = external_identities)]
pub struct ExternalIdentityRow {
    pub provider: String,
    pub subject: String,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

/// The user linked to this identity, if any.
pub fn find_user(conn: &mut DbConn, provider: &str, subject: &str) -> Result<Option<i64>, DbError> {
    Ok(external_identities::table
        .filter(external_identities::provider.eq(provider))
        .filter(external_identities::subject.eq(subject))
        .select(external_identities::user_id)
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, row: &ExternalIdentityRow) -> Result<(), DbError> {
    diesel::insert_into(external_identities::table).values(row).execute(conn)?;
    Ok(())
}
