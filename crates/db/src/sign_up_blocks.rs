//! Queries on the admin blocks held against sign-up and sign-in:
//! `email_domain_blocks`, `canonical_email_blocks` and `ip_blocks`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{canonical_email_blocks, email_domain_blocks, ip_blocks};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What an IP block holds back, as Mastodon's `severity`.
    pub enum IpSeverity("IP block severity") {
        SignUpRequiresApproval = "sign_up_requires_approval",
        SignUpBlock = "sign_up_block",
        NoAccess = "no_access",
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_domain_blocks)]
pub struct EmailDomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = canonical_email_blocks)]
pub struct CanonicalEmailBlockRow {
    pub id: i64,
    pub canonical_email_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ip_blocks, treat_none_as_null = true)]
pub struct IpBlockRow {
    pub id: i64,
    pub ip: String,
    pub severity: IpSeverity,
    pub comment: String,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn email_domain_blocks(conn: &mut DbConn) -> Result<Vec<EmailDomainBlockRow>, DbError> {
    Ok(email_domain_blocks::table.order(email_domain_blocks::id).select(EmailDomainBlockRow::as_select()).load(conn)?)
}

pub fn find_email_domain_block(conn: &mut DbConn, id: i64) -> Result<Option<EmailDomainBlockRow>, DbError> {
    Ok(email_domain_blocks::table.find(id).select(EmailDomainBlockRow::as_select()).first(conn).optional()?)
}

/// The blocks on `domains` (a host and the domains above it).
pub fn email_domain_blocks_on(conn: &mut DbConn, domains: &[String]) -> Result<Vec<EmailDomainBlockRow>, DbError> {
    Ok(email_domain_blocks::table
        .filter(email_domain_blocks::domain.eq_any(domains))
        .select(EmailDomainBlockRow::as_select())
        .load(conn)?)
}

/// Adds the block; `false` when its domain is already blocked.
pub fn insert_email_domain_block(conn: &mut DbConn, block: &EmailDomainBlockRow) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(email_domain_blocks::table).values(block).execute(conn)
    })
}

pub fn delete_email_domain_block(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(email_domain_blocks::table.find(id)).execute(conn)? > 0)
}

pub fn canonical_email_blocks(conn: &mut DbConn) -> Result<Vec<CanonicalEmailBlockRow>, DbError> {
    Ok(canonical_email_blocks::table
        .order(canonical_email_blocks::id)
        .select(CanonicalEmailBlockRow::as_select())
        .load(conn)?)
}

pub fn find_canonical_email_block(conn: &mut DbConn, id: i64) -> Result<Option<CanonicalEmailBlockRow>, DbError> {
    Ok(canonical_email_blocks::table.find(id).select(CanonicalEmailBlockRow::as_select()).first(conn).optional()?)
}

pub fn canonical_email_blocks_on(conn: &mut DbConn, hash: &str) -> Result<Vec<CanonicalEmailBlockRow>, DbError> {
    Ok(canonical_email_blocks::table
        .filter(canonical_email_blocks::canonical_email_hash.eq(hash))
        .select(CanonicalEmailBlockRow::as_select())
        .load(conn)?)
}

/// Adds the block; `false` when that hash is already blocked.
pub fn insert_canonical_email_block(conn: &mut DbConn, block: &CanonicalEmailBlockRow) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(canonical_email_blocks::table).values(block).execute(conn)
    })
}

pub fn delete_canonical_email_block(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(canonical_email_blocks::table.find(id)).execute(conn)? > 0)
}

pub fn ip_blocks(conn: &mut DbConn) -> Result<Vec<IpBlockRow>, DbError> {
    Ok(ip_blocks::table.order(ip_blocks::id).select(IpBlockRow::as_select()).load(conn)?)
}

/// The blocks still in force at `now`.
pub fn live_ip_blocks(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<IpBlockRow>, DbError> {
    Ok(ip_blocks::table
        .filter(ip_blocks::expires_at.is_null().or(ip_blocks::expires_at.gt(now)))
        .select(IpBlockRow::as_select())
        .load(conn)?)
}

pub fn find_ip_block(conn: &mut DbConn, id: i64) -> Result<Option<IpBlockRow>, DbError> {
    Ok(ip_blocks::table.find(id).select(IpBlockRow::as_select()).first(conn).optional()?)
}

pub fn insert_ip_block(conn: &mut DbConn, block: &IpBlockRow) -> Result<(), DbError> {
    diesel::insert_into(ip_blocks::table).values(block).execute(conn)?;
    Ok(())
}

pub fn update_ip_block(conn: &mut DbConn, block: &IpBlockRow) -> Result<(), DbError> {
    diesel::update(ip_blocks::table.find(block.id)).set(block).execute(conn)?;
    Ok(())
}

pub fn delete_ip_block(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(ip_blocks::table.find(id)).execute(conn)? > 0)
}
