//! Search for accounts, hashtags and statuses. Plain SQL `LIKE` matching
//! (see `tertulia_db::search`); statuses only for a signed-in viewer, and
//! only those they may see.

use tertulia_core::Id;
use tertulia_db::search::{self, Window};
use tertulia_db::{Db, DbConn, DbError, accounts, tags as tag_queries};

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

/// Accounts ranked as `docs/api.md` ("Account search") describes: an
/// exact `@user@domain` (or `user@domain`) first, then accounts whose
/// username is exactly `q`, then those whose username or display name
/// starts with it, then discoverable accounts with a profile field value
/// containing it ("kubernetes" finds everyone whose Skills field says
/// so). The ranked list is windowed as a whole, so pages never repeat.
fn find_accounts(
    conn: &mut DbConn,
    viewer: Viewer,
    own_domain: &str,
    q: &str,
    following: bool,
    window: Window,
) -> Result<Vec<AccountView>, DbError> {
    let handle = q.trim_start_matches('@');
    let followed_by = viewer.filter(|_| following);
    let mut ranked = Vec::new();
    if let Some((username, domain)) = handle.split_once('@') {
        let domain = Some(domain.to_lowercase()).filter(|d| d != own_domain);
        let exact = accounts::find_by_handle(conn, username, domain.as_deref())?.filter(|a| a.suspended_at.is_none());
        ranked.extend(exact.map(AccountView::from));
        if domain.is_some() {
            // A handle on another site names one account.
            return page_of(conn, ranked, followed_by, window);
        }
    }
    let text = handle.split('@').next().unwrap_or_default();
    // Each rank is read up to the window's end: any of them may fill it.
    let leading = Window { limit: window.offset + window.limit, offset: 0 };
    let mut named = search::accounts_with_prefix(conn, text, followed_by, leading)?;
    // Stable: exact usernames first, the rest still by username.
    named.sort_by_key(|a| !a.username.eq_ignore_ascii_case(text));
    ranked.extend(named.into_iter().map(AccountView::from));
    if !text.is_empty() {
        ranked.extend(with_field_value(conn, text, followed_by, leading.limit)?);
    }
    page_of(conn, ranked, followed_by, window)
}

/// Up to `wanted` discoverable accounts with a profile field whose value
/// contains `text`, any case. The query also matches fields' names, so
/// its candidates are read a batch at a time and checked value by value.
fn with_field_value(
    conn: &mut DbConn,
    text: &str,
    followed_by: Option<i64>,
    wanted: i64,
) -> Result<Vec<AccountView>, DbError> {
    let needle = text.to_lowercase();
    let batch = wanted.max(FIELD_CANDIDATES_BATCH);
    let mut matching = Vec::new();
    for offset in (0..).step_by(usize::try_from(batch).unwrap_or(1)) {
        let window = Window { limit: batch, offset };
        let candidates = search::discoverable_with_fields_containing(conn, &needle, followed_by, window)?;
        let exhausted = (candidates.len() as i64) < batch;
        matching.extend(
            candidates
                .into_iter()
                .map(AccountView::from)
                .filter(|view| view.fields.iter().any(|f| f.value.to_lowercase().contains(&needle))),
        );
        if exhausted || matching.len() as i64 >= wanted {
            break;
        }
    }
    Ok(matching)
}

/// Candidates read at a time by [`with_field_value`].
const FIELD_CANDIDATES_BATCH: i64 = 200;

/// The `window` of `ranked` with repeats dropped (an account found by
/// name and by a field counts once, at its better rank); only accounts
/// `followed_by` follows, when given.
fn page_of(
    conn: &mut DbConn,
    mut ranked: Vec<AccountView>,
    followed_by: Option<i64>,
    window: Window,
) -> Result<Vec<AccountView>, DbError> {
    let mut seen = std::collections::HashSet::new();
    ranked.retain(|a| seen.insert(a.id));
    if let Some(follower) = followed_by {
        let followed: Vec<i64> = tertulia_db::social::following_ids(conn, follower)?;
        ranked.retain(|a| followed.contains(&a.id.0));
    }
    let (offset, limit) = (usize::try_from(window.offset).unwrap_or(0), usize::try_from(window.limit).unwrap_or(0));
    Ok(ranked.into_iter().skip(offset).take(limit).collect())
}
