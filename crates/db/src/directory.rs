//! Queries behind the directory of colleagues: the discoverable people of
//! this site and of the sites it follows.

use diesel::prelude::*;

use crate::accounts::AccountRow;
use crate::actors::ActorType;
use crate::schema::{accounts, follows};
use crate::search::Window;
use crate::{DbConn, DbError};

/// How the directory is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// Most recently posting first; those who never posted last.
    Active,
    /// Newest accounts here first.
    New,
}

/// People who asked to be listed, not suspended and not moved away.
/// Sites' own actors are plumbing, not colleagues.
#[diesel::dsl::auto_type]
fn in_directory() -> _ {
    let listed: bool = true;
    let site: ActorType = ActorType::Application;
    accounts::discoverable
        .eq(listed)
        .and(accounts::suspended_at.is_null())
        .and(accounts::moved_to_account_id.is_null())
        .and(accounts::actor_type.ne(site))
}

/// The domains of the sites this site's own actor follows (accepted
/// follows only: a site that has not answered sends nothing yet).
pub fn followed_site_domains(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let own_site: Option<i64> = accounts::table
        .filter(accounts::domain.is_null())
        .filter(accounts::actor_type.eq(ActorType::Application))
        .select(accounts::id)
        .first(conn)
        .optional()?;
    let Some(own_site) = own_site else {
        return Ok(Vec::new());
    };
    let domains: Vec<Option<String>> = follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::target_account_id)))
        .filter(follows::account_id.eq(own_site))
        .filter(accounts::actor_type.eq(ActorType::Application))
        .select(accounts::domain)
        .load(conn)?;
    Ok(domains.into_iter().flatten().collect())
}

/// The directory's people of this site and of `sites` (domains); with
/// `groups_only`, its groups alone.
pub fn listed(
    conn: &mut DbConn,
    sites: &[String],
    order: DirectoryOrder,
    groups_only: bool,
    window: Window,
) -> Result<Vec<AccountRow>, DbError> {
    let mut query = accounts::table
        .filter(in_directory())
        .filter(accounts::domain.is_null().or(accounts::domain.eq_any(sites)))
        .select(AccountRow::as_select())
        .limit(window.limit)
        .offset(window.offset)
        .into_boxed();
    if groups_only {
        query = query.filter(accounts::actor_type.eq(ActorType::Group));
    }
    Ok(match order {
        // PostgreSQL sorts NULL first in descending order, SQLite last:
        // the explicit null test makes both put non-posters last.
        DirectoryOrder::Active => query
            .order((accounts::last_status_at.is_null().asc(), accounts::last_status_at.desc(), accounts::id.desc()))
            .load(conn)?,
        DirectoryOrder::New => query.order(accounts::id.desc()).load(conn)?,
    })
}

/// Local people the directory lists, by id: whom a site that starts
/// following this one is told about.
pub fn listed_local_ids(conn: &mut DbConn) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.is_null())
        .filter(in_directory())
        .order(accounts::id.asc())
        .select(accounts::id)
        .load(conn)?)
}
