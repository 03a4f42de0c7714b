//! Search for accounts, hashtags and statuses. Plain SQL `LIKE` matching
//! (see `tertulia_db::search`); statuses only for a signed-in viewer, and
//! only those they may see.

use tertulia_core::Id;
use tertulia_db::search::{self, Window};
use tertulia_db::{Db, accounts, tags as tag_queries};

use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::tags::{self, TagView};
use crate::visibility::Viewer;
use crate::{AccountView, DomainError};

/// What to search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Hashtags,
    Statuses,
}

impl std::str::FromStr for Kind {
    type Err = DomainError;
    fn from_str(name: &str) -> Result<Kind, DomainError> {
        match name {
            "accounts" => Ok(Kind::Accounts),
            "hashtags" => Ok(Kind::Hashtags),
            "statuses" => Ok(Kind::Statuses),
            other => Err(DomainError::invalid_as(
                crate::Invalidity::Inclusion,
                "type",
                format!("'{other}' is not one of accounts, hashtags, statuses"),
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub q: String,
    /// `None`: all kinds.
    pub kind: Option<Kind>,
    /// Accounts: only those the viewer follows.
    pub following: bool,
    /// Statuses: only by this account.
    pub account_id: Option<Id>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub accounts: Vec<AccountView>,
    pub hashtags: Vec<TagView>,
    pub statuses: Vec<StatusView>,
}

/// Runs a search. `own_domain` makes `@user@this.site` a local handle.
pub async fn search(
    db: &Db,
    viewer: Viewer,
    own_domain: &str,
    query: SearchQuery,
) -> Result<SearchResults, DomainError> {
    let q = query.q.trim().to_owned();
    if q.is_empty() {
        return Ok(SearchResults::default());
    }
    let wants = |kind| query.kind.is_none_or(|k| k == kind);
    let window = Window { limit: query.limit, offset: query.offset };
    let own_domain = own_domain.to_lowercase();
    let (want_accounts, want_tags, want_statuses) =
        (wants(Kind::Accounts), wants(Kind::Hashtags), wants(Kind::Statuses));
    db.run(move |conn| {
        let mut results = SearchResults::default();
        if want_accounts {
            results.accounts = find_accounts(conn, viewer, &own_domain, &q, query.following, window)?;
        }
        if want_tags {
            let name = q.trim_start_matches('#').to_lowercase();
            if !name.is_empty() {
                let rows = tag_queries::with_prefix(conn, &name, window.limit, window.offset)?;
                results.hashtags = tags::build(conn, viewer, rows)?;
            }
        }
        if let (true, Some(viewer)) = (want_statuses, viewer) {
            let author = query.account_id.map(|a| a.0);
            let rows = search::statuses_containing(conn, viewer, &q, author, window)?;
            results.statuses = present::statuses(conn, Some(viewer), rows, Reading::Search)?;
        }
        Ok(results)
    })
    .await
}

/// `@user@domain` (or `user@domain`) is looked up exactly and comes
/// first; anything else matches usernames and display names by prefix.
fn find_accounts(
    conn: &mut tertulia_db::DbConn,
    viewer: Viewer,
    own_domain: &str,
    q: &str,
    following: bool,
    window: Window,
) -> Result<Vec<AccountView>, tertulia_db::DbError> {
    let handle = q.trim_start_matches('@');
    let followed_by = viewer.filter(|_| following);
    let mut found = Vec::new();
    if let Some((username, domain)) = handle.split_once('@') {
        let domain = Some(domain.to_lowercase()).filter(|d| d != own_domain);
        if let Some(row) =
            accounts::find_by_handle(conn, username, domain.as_deref())?.filter(|a| a.suspended_at.is_none())
        {
            found.push(row);
        }
        if domain.is_some() || window.offset > 0 {
            return Ok(found.into_iter().map(AccountView::from).collect());
        }
    }
    let prefix = handle.split('@').next().unwrap_or_default();
    for row in search::accounts_with_prefix(conn, prefix, followed_by, window)? {
        if !found.iter().any(|f| f.id == row.id) {
            found.push(row);
        }
    }
    if let Some(follower) = followed_by {
        let followed: Vec<i64> = tertulia_db::social::following_ids(conn, follower)?;
        found.retain(|a| followed.contains(&a.id));
    }
    found.truncate(usize::try_from(window.limit).unwrap_or(0));
    Ok(found.into_iter().map(AccountView::from).collect())
}
