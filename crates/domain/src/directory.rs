//! The directory of colleagues (`GET /api/v1/directory`): the
//! discoverable people of this site and of the sites it follows, and how
//! a site that starts following this one learns of them. Profiles reach
//! the other sites as `Update(Person)`; whom they go to is decided in
//! [`crate::audience`], and `docs/federation.md` ("Directory sync") says
//! why the sync pushes rather than pulls.

use tertulia_db::directory::{self as listing, DirectoryOrder};
use tertulia_db::search::Window;
use tertulia_db::{Db, DbConn, DbError};

use crate::outbox::{self, Outgoing};
use crate::{AccountView, DomainError};

/// How the directory is sorted, by Mastodon's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order(DirectoryOrder);

impl std::str::FromStr for Order {
    type Err = DomainError;
    fn from_str(name: &str) -> Result<Order, DomainError> {
        match name {
            "active" => Ok(Order(DirectoryOrder::Active)),
            "new" => Ok(Order(DirectoryOrder::New)),
            other => Err(DomainError::invalid_as(
                crate::Invalidity::Inclusion,
                "order",
                format!("'{other}' is not one of active, new"),
            )),
        }
    }
}

impl Default for Order {
    /// Mastodon's default: the most recently active first.
    fn default() -> Order {
        Order(DirectoryOrder::Active)
    }
}

/// One page of the directory.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryQuery {
    pub order: Order,
    /// Only this site's people.
    pub local: bool,
    /// Only groups (Tertulia's extension).
    pub groups_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the directory.
pub async fn list(db: &Db, query: DirectoryQuery) -> Result<Vec<AccountView>, DomainError> {
    let window = Window { limit: query.limit, offset: query.offset };
    let rows = db
        .run(move |conn| {
            let sites = if query.local { Vec::new() } else { listing::followed_site_domains(conn)? };
            listing::listed(conn, &sites, query.order.0, query.groups_only, window)
        })
        .await?;
    Ok(rows.into_iter().map(AccountView::from).collect())
}

/// Tells `site`, which has just followed this site, of every person this
/// site's directory lists, so its directory lists them too before they
/// ever post: one record each, sent to that site alone.
pub(crate) fn introduce_to(conn: &mut DbConn, site: i64) -> Result<(), DbError> {
    for account in listing::listed_local_ids(conn)? {
        outbox::record(conn, &Outgoing::ListedInDirectory { account, site: Some(site) })?;
    }
    Ok(())
}
