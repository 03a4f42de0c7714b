//! Queries on the site's federation policy: `federation_domain_blocks`,
//! `federation_domain_allows` and the one-row `federation_policy_version`
//! (admin decisions, not a user's `account_domain_blocks`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{federation_domain_allows, federation_domain_blocks, federation_policy_version};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What a domain block does, as Mastodon's `severity`: `noop` only
    /// applies the flags, `silence` limits, `suspend` cuts the domain off.
    pub enum Severity("domain block severity") { Noop = "noop", Silence = "silence", Suspend = "suspend" }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = federation_domain_blocks)]
pub struct DomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub severity: Severity,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DomainBlockRow {
    /// A block as Mastodon makes one by default: `silence`, no flags, no
    /// comments.
    pub fn new(id: i64, domain: String, now: NaiveDateTime) -> DomainBlockRow {
        DomainBlockRow {
            id,
            domain,
            severity: Severity::Silence,
            reject_media: false,
            reject_reports: false,
            private_comment: None,
            public_comment: None,
            obfuscate: false,
            created_at: now,
            updated_at: now,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = federation_domain_allows)]
pub struct DomainAllowRow {
    pub id: i64,
    pub domain: String,
    pub created_at: NaiveDateTime,
}

/// The policy's version: it moves with every change.
pub fn version(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(federation_policy_version::table.select(federation_policy_version::version).first(conn)?)
}

/// Moves the version, in the transaction of a change, so every process
/// sees that its copy is stale.
pub fn bump_version(conn: &mut DbConn) -> Result<(), DbError> {
    diesel::update(federation_policy_version::table)
        .set(federation_policy_version::version.eq(federation_policy_version::version + 1))
        .execute(conn)?;
    Ok(())
}

/// Every domain block, oldest first.
pub fn blocks(conn: &mut DbConn) -> Result<Vec<DomainBlockRow>, DbError> {
    Ok(federation_domain_blocks::table
        .order(federation_domain_blocks::id)
        .select(DomainBlockRow::as_select())
        .load(conn)?)
}

pub fn find_block(conn: &mut DbConn, id: i64) -> Result<Option<DomainBlockRow>, DbError> {
    Ok(federation_domain_blocks::table.find(id).select(DomainBlockRow::as_select()).first(conn).optional()?)
}

pub fn find_block_by_domain(conn: &mut DbConn, domain: &str) -> Result<Option<DomainBlockRow>, DbError> {
    Ok(federation_domain_blocks::table
        .filter(federation_domain_blocks::domain.eq(domain))
        .select(DomainBlockRow::as_select())
        .first(conn)
        .optional()?)
}

/// Adds the block; `false` when its domain is already blocked.
pub fn insert_block(conn: &mut DbConn, block: &DomainBlockRow) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(federation_domain_blocks::table).values(block).execute(conn)
    })
}

pub fn update_block(conn: &mut DbConn, block: &DomainBlockRow) -> Result<(), DbError> {
    diesel::update(federation_domain_blocks::table.find(block.id)).set(block).execute(conn)?;
    Ok(())
}

/// Removes the block; `false` when there was none.
pub fn delete_block(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(federation_domain_blocks::table.find(id)).execute(conn)? > 0)
}

/// Every domain allow, oldest first.
pub fn allows(conn: &mut DbConn) -> Result<Vec<DomainAllowRow>, DbError> {
    Ok(federation_domain_allows::table
        .order(federation_domain_allows::id)
        .select(DomainAllowRow::as_select())
        .load(conn)?)
}

pub fn find_allow(conn: &mut DbConn, id: i64) -> Result<Option<DomainAllowRow>, DbError> {
    Ok(federation_domain_allows::table.find(id).select(DomainAllowRow::as_select()).first(conn).optional()?)
}

pub fn find_allow_by_domain(conn: &mut DbConn, domain: &str) -> Result<Option<DomainAllowRow>, DbError> {
    Ok(federation_domain_allows::table
        .filter(federation_domain_allows::domain.eq(domain))
        .select(DomainAllowRow::as_select())
        .first(conn)
        .optional()?)
}

/// Adds the allow; `false` when its domain is already allowed.
pub fn insert_allow(conn: &mut DbConn, allow: &DomainAllowRow) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(federation_domain_allows::table).values(allow).execute(conn)
    })
}

/// Removes the allow; `false` when there was none.
pub fn delete_allow(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(federation_domain_allows::table.find(id)).execute(conn)? > 0)
}

/// The `LIKE` pattern (escaped with `\`) matching every subdomain of
/// `domain`: a block on `example.com` covers `social.example.com` too.
pub(crate) fn subdomains_of(domain: &str) -> String {
    format!("%.{}", crate::escape_like(domain))
}
