//! Queries on `account_domain_blocks`: sites a user does not want to hear
//! from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::{account_domain_blocks, accounts};
use crate::{DbConn, DbError, paginate};

/// Blocks the domain (lower-cased); blocking twice is harmless.
pub fn insert(conn: &mut DbConn, account_id: i64, domain: &str, now: NaiveDateTime) -> Result<(), DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(account_domain_blocks::table)
            .values((
                account_domain_blocks::id.eq(tertulia_core::Id::generate().0),
                account_domain_blocks::account_id.eq(account_id),
                account_domain_blocks::domain.eq(domain),
                account_domain_blocks::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, account_id: i64, domain: &str) -> Result<(), DbError> {
    diesel::delete(
        account_domain_blocks::table
            .filter(account_domain_blocks::account_id.eq(account_id))
            .filter(account_domain_blocks::domain.eq(domain)),
    )
    .execute(conn)?;
    Ok(())
}

/// The account's blocked domains, paged by the block's id: (id, domain).
pub fn list(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<(i64, String)>, DbError> {
    let query = account_domain_blocks::table
        .filter(account_domain_blocks::account_id.eq(account_id))
        .select((account_domain_blocks::id, account_domain_blocks::domain))
        .into_boxed();
    let rows = paginate!(query, account_domain_blocks::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// Which of `accounts_among` belong to a domain `account_id` blocks.
pub fn accounts_on_blocked_domains(
    conn: &mut DbConn,
    account_id: i64,
    accounts_among: &[i64],
) -> Result<Vec<i64>, DbError> {
    let blocked = account_domain_blocks::table
        .filter(account_domain_blocks::account_id.eq(account_id))
        .select(account_domain_blocks::domain.nullable());
    Ok(accounts::table
        .filter(accounts::id.eq_any(accounts_among))
        .filter(accounts::domain.eq_any(blocked))
        .select(accounts::id)
        .load(conn)?)
}

/// Whether `account_id` blocks any of `domains`.
pub fn blocking_among(conn: &mut DbConn, account_id: i64, domains: &[String]) -> Result<Vec<String>, DbError> {
    Ok(account_domain_blocks::table
        .filter(account_domain_blocks::account_id.eq(account_id))
        .filter(account_domain_blocks::domain.eq_any(domains))
        .select(account_domain_blocks::domain)
        .load(conn)?)
}
