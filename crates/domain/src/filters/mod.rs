//! Filters: keywords and statuses a user does not want to see in some
//! contexts, either hidden or shown behind a warning. Defining them, and
//! applying them to the statuses a timeline is about to show.

use chrono::{DateTime, Duration, Utc};
use tertulia_core::Id;
pub use tertulia_db::filters::FilterAction;
use tertulia_db::filters::{self, FilterRow, FilterStatusRow, FullFilter, KeywordRow};
use tertulia_db::{Db, DbConn, DbError};

use crate::statuses::StatusView;
use crate::visibility::{self, Viewer};
use crate::{DomainError, Invalidity};

mod v1;

pub use v1::{V1Changes, create_v1, delete_v1, get_v1, update_v1};

/// Where a filter applies (Mastodon's filter contexts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Home,
    Notifications,
    Public,
    Thread,
    Account,
}

impl Context {
    pub const ALL: [Context; 5] =
        [Context::Home, Context::Notifications, Context::Public, Context::Thread, Context::Account];

    pub fn as_str(self) -> &'static str {
        match self {
            Context::Home => "home",
            Context::Notifications => "notifications",
            Context::Public => "public",
            Context::Thread => "thread",
            Context::Account => "account",
        }
    }

    fn parse(name: &str) -> Result<Context, DomainError> {
        Context::ALL.into_iter().find(|c| c.as_str() == name).ok_or_else(|| {
            DomainError::invalid_as(
                Invalidity::Inclusion,
                "context",
                format!("'{name}' is not a filter context: use home, notifications, public, thread or account"),
            )
        })
    }
}

const MAX_TITLE_CHARS: usize = 200;
const MAX_KEYWORD_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct KeywordView {
    pub id: Id,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FilterStatusView {
    pub id: Id,
    pub status_id: Id,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FilterView {
    pub id: Id,
    pub title: String,
    pub context: Vec<String>,
    pub action: FilterAction,
    pub expires_at: Option<DateTime<Utc>>,
    pub keywords: Vec<KeywordView>,
    pub statuses: Vec<FilterStatusView>,
}

/// Why a status matched one of the viewer's `warn` filters.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterResult {
    pub filter: FilterView,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<Id>,
}

impl From<KeywordRow> for KeywordView {
    fn from(row: KeywordRow) -> Self {
        KeywordView { id: Id(row.id), keyword: row.keyword, whole_word: row.whole_word }
    }
}

impl From<FilterStatusRow> for FilterStatusView {
    fn from(row: FilterStatusRow) -> Self {
        FilterStatusView { id: Id(row.id), status_id: Id(row.status_id) }
    }
}

fn view((filter, keywords, statuses): FullFilter) -> FilterView {
    FilterView {
        id: Id(filter.id),
        title: filter.title,
        // Only `context_json` writes this column.
        context: serde_json::from_str(&filter.context).unwrap_or_default(),
        action: filter.action,
        expires_at: filter.expires_at.map(|t| t.and_utc()),
        keywords: keywords.into_iter().map(KeywordView::from).collect(),
        statuses: statuses.into_iter().map(FilterStatusView::from).collect(),
    }
}

// ---- applying filters ----

/// Whether `keyword` occurs in `text`, ignoring case; with `whole_word`,
/// only where it is not part of a longer word.
pub fn keyword_matches(text: &str, keyword: &str, whole_word: bool) -> bool {
    let text = text.to_lowercase();
    let keyword = keyword.trim().to_lowercase();
    if keyword.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(&keyword).any(|(start, found)| {
        if !whole_word {
            return true;
        }
        let before = text[..start].chars().next_back();
        let after = text[start + found.len()..].chars().next();
        // A keyword that starts or ends with punctuation has no boundary there.
        let starts_word = keyword.chars().next().is_some_and(is_word);
        let ends_word = keyword.chars().next_back().is_some_and(is_word);
        let joined_before = starts_word && before.is_some_and(is_word);
        let joined_after = ends_word && after.is_some_and(is_word);
        !joined_before && !joined_after
    })
}

/// What `filter` says about `status`: `None` if it does not match.
fn match_status(filter: &FilterView, status: &StatusView) -> Option<FilterResult> {
    let target = status.reblog.as_deref().unwrap_or(status);
    let text = format!("{}\n{}", target.spoiler_text, target.text);
    let keyword_matches: Vec<String> = filter
        .keywords
        .iter()
        .filter(|k| keyword_matches(&text, &k.keyword, k.whole_word))
        .map(|k| k.keyword.clone())
        .collect();
    let status_matches: Vec<Id> = filter
        .statuses
        .iter()
        .filter(|s| s.status_id == target.id || s.status_id == status.id)
        .map(|s| s.status_id)
        .collect();
    (!keyword_matches.is_empty() || !status_matches.is_empty()).then(|| FilterResult {
        filter: filter.clone(),
        keyword_matches,
        status_matches,
    })
}

/// Marks each status with the `warn` filters it matches and drops those a
/// `hide` filter matches. `active` are the viewer's unexpired filters.
pub fn mark(active: &[FilterView], context: Context, views: Vec<StatusView>) -> Vec<StatusView> {
    let relevant: Vec<&FilterView> =
        active.iter().filter(|f| f.context.iter().any(|c| c == context.as_str())).collect();
    if relevant.is_empty() {
        return views;
    }
    views
        .into_iter()
        .filter_map(|mut status| {
            let results: Vec<FilterResult> = relevant.iter().filter_map(|f| match_status(f, &status)).collect();
            if results.iter().any(|r| r.filter.action == FilterAction::Hide) {
                return None;
            }
            status.filtered = results;
            Some(status)
        })
        .collect()
}

/// [`mark`] with the viewer's active filters loaded; anonymous readers
/// have no filters.
pub fn apply(
    conn: &mut DbConn,
    viewer: Viewer,
    context: Context,
    views: Vec<StatusView>,
) -> Result<Vec<StatusView>, DbError> {
    let Some(viewer) = viewer else {
        return Ok(views);
    };
    if views.is_empty() {
        return Ok(views);
    }
    let active: Vec<FilterView> =
        filters::of_owner(conn, viewer, Some(tertulia_db::now()))?.into_iter().map(view).collect();
    Ok(mark(&active, context, views))
}

// ---- managing filters ----

/// A keyword to add, change (`id` given) or remove (`destroy`).
#[derive(Debug, Clone, Default)]
pub struct KeywordChange {
    pub id: Option<Id>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

/// Fields of a filter to set; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct FilterChanges {
    pub title: Option<String>,
    pub context: Option<Vec<String>>,
    pub action: Option<String>,
    /// Seconds from now; `Some(None)` removes the expiry.
    pub expires_in: Option<Option<i64>>,
    pub keywords: Vec<KeywordChange>,
}

fn not_found() -> DomainError {
    DomainError::NotFound("filter".into())
}

fn apply_changes(filter: &mut FilterRow, changes: &FilterChanges) -> Result<(), DomainError> {
    let now = tertulia_db::now();
    if let Some(title) = &changes.title {
        let title = title.trim();
        if title.is_empty() {
            return Err(DomainError::blank("title"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(DomainError::too_long("title", MAX_TITLE_CHARS));
        }
        filter.title = title.to_owned();
    }
    if let Some(context) = &changes.context {
        if context.is_empty() {
            return Err(DomainError::invalid_as(Invalidity::Blank, "context", "needs at least one context"));
        }
        let mut names: Vec<&str> = Vec::new();
        for name in context {
            let name = Context::parse(name)?.as_str();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        filter.context = serde_json::to_string(&names).map_err(|e| DomainError::Internal(e.to_string()))?;
    }
    if let Some(action) = changes.action.as_deref().filter(|a| !a.is_empty()) {
        filter.action = action.parse().map_err(|unknown| DomainError::not_one_of("filter_action", unknown))?;
    }
    if let Some(expires_in) = changes.expires_in {
        filter.expires_at = match expires_in {
            None => None,
            Some(seconds) if seconds > 0 => Some(now + Duration::seconds(seconds)),
            Some(_) => return Err(DomainError::invalid("expires_in", "must be a positive number of seconds")),
        };
    }
    filter.updated_at = now;
    Ok(())
}

fn check_keyword(keyword: &str) -> Result<String, DomainError> {
    let keyword = keyword.trim();
    if keyword.is_empty() {
        return Err(DomainError::blank("keyword"));
    }
    if keyword.chars().count() > MAX_KEYWORD_CHARS {
        return Err(DomainError::too_long("keyword", MAX_KEYWORD_CHARS));
    }
    Ok(keyword.to_owned())
}

/// Checks keyword changes against the filter's current keywords, so that
/// nothing is written when one of them is wrong.
fn check_keyword_changes(existing: &[KeywordRow], changes: &[KeywordChange]) -> Result<(), DomainError> {
    for change in changes.iter().filter(|c| !c.destroy) {
        if let Some(keyword) = &change.keyword {
            check_keyword(keyword)?;
        } else if change.id.is_none() {
            return Err(DomainError::blank("keyword"));
        }
    }
    match changes.iter().filter_map(|c| c.id).find(|id| !existing.iter().any(|k| k.id == id.0)) {
        Some(_) => Err(DomainError::NotFound("filter keyword".into())),
        None => Ok(()),
    }
}

/// Applies keyword changes already checked by [`check_keyword_changes`].
fn change_keywords(
    conn: &mut DbConn,
    filter_id: i64,
    existing: &[KeywordRow],
    changes: &[KeywordChange],
) -> Result<(), DbError> {
    for change in changes {
        let keyword = change.keyword.as_deref().map(str::trim).map(str::to_owned);
        match change.id.and_then(|id| existing.iter().find(|k| k.id == id.0)) {
            Some(row) if change.destroy => filters::delete_keyword(conn, row.id)?,
            Some(row) => {
                let changed = KeywordRow {
                    keyword: keyword.unwrap_or_else(|| row.keyword.clone()),
                    whole_word: change.whole_word.unwrap_or(row.whole_word),
                    ..row.clone()
                };
                filters::update_keyword(conn, &changed)?;
            }
            None if change.destroy => {}
            None => filters::insert_keyword(
                conn,
                &KeywordRow {
                    id: Id::generate().0,
                    filter_id,
                    keyword: keyword.unwrap_or_default(),
                    whole_word: change.whole_word.unwrap_or(true),
                },
            )?,
        }
    }
    Ok(())
}

fn load(conn: &mut DbConn, owner: Id, id: Id) -> Result<Option<FilterView>, DbError> {
    let Some(row) = filters::find(conn, owner.0, id.0)? else {
        return Ok(None);
    };
    Ok(filters::with_parts(conn, vec![row])?.into_iter().next().map(view))
}

/// All of `owner`'s filters, expired ones too (clients show them).
pub async fn all(db: &Db, owner: Id) -> Result<Vec<FilterView>, DomainError> {
    Ok(db.run(move |conn| filters::of_owner(conn, owner.0, None)).await?.into_iter().map(view).collect())
}

pub async fn get(db: &Db, owner: Id, id: Id) -> Result<FilterView, DomainError> {
    db.run(move |conn| load(conn, owner, id)).await?.ok_or_else(not_found)
}

pub async fn create(db: &Db, owner: Id, changes: FilterChanges) -> Result<FilterView, DomainError> {
    if changes.title.is_none() {
        return Err(DomainError::blank("title"));
    }
    if changes.context.is_none() {
        return Err(DomainError::invalid_as(Invalidity::Blank, "context", "needs at least one context"));
    }
    let now = tertulia_db::now();
    let mut row = FilterRow {
        id: Id::generate().0,
        account_id: owner.0,
        title: String::new(),
        context: "[]".into(),
        action: FilterAction::Warn,
        expires_at: None,
        created_at: now,
        updated_at: now,
    };
    apply_changes(&mut row, &changes)?;
    save(db, owner, row, changes.keywords, true).await
}

pub async fn update(db: &Db, owner: Id, id: Id, changes: FilterChanges) -> Result<FilterView, DomainError> {
    let mut row = db.run(move |conn| filters::find(conn, owner.0, id.0)).await?.ok_or_else(not_found)?;
    apply_changes(&mut row, &changes)?;
    save(db, owner, row, changes.keywords, false).await
}

async fn save(
    db: &Db,
    owner: Id,
    row: FilterRow,
    keywords: Vec<KeywordChange>,
    new: bool,
) -> Result<FilterView, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let existing = if new { Vec::new() } else { filters::keywords_of(conn, row.id)? };
            check_keyword_changes(&existing, &keywords)?;
            if new {
                filters::insert(conn, &row)?;
            } else {
                filters::update(conn, &row)?;
            }
            change_keywords(conn, row.id, &existing, &keywords)?;
            load(conn, owner, Id(row.id))?.ok_or_else(not_found)
        })
    })
    .await
}

pub async fn delete(db: &Db, owner: Id, id: Id) -> Result<(), DomainError> {
    let found = db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let Some(row) = filters::find(conn, owner.0, id.0)? else {
                    return Ok::<_, DomainError>(false);
                };
                filters::delete(conn, row.id)?;
                Ok(true)
            })
        })
        .await?;
    if found { Ok(()) } else { Err(not_found()) }
}

pub async fn keywords(db: &Db, owner: Id, filter: Id) -> Result<Vec<KeywordView>, DomainError> {
    Ok(get(db, owner, filter).await?.keywords)
}

pub async fn add_keyword(
    db: &Db,
    owner: Id,
    filter: Id,
    keyword: String,
    whole_word: bool,
) -> Result<KeywordView, DomainError> {
    let keyword = check_keyword(&keyword)?;
    get(db, owner, filter).await?;
    let row = KeywordRow { id: Id::generate().0, filter_id: filter.0, keyword, whole_word };
    let saved = row.clone();
    db.write(move |conn| filters::insert_keyword(conn, &saved)).await?;
    Ok(row.into())
}

fn keyword_not_found() -> DomainError {
    DomainError::NotFound("filter keyword".into())
}

pub async fn get_keyword(db: &Db, owner: Id, id: Id) -> Result<KeywordView, DomainError> {
    db.run(move |conn| filters::find_keyword(conn, owner.0, id.0))
        .await?
        .map(KeywordView::from)
        .ok_or_else(keyword_not_found)
}

pub async fn update_keyword(
    db: &Db,
    owner: Id,
    id: Id,
    keyword: Option<String>,
    whole_word: Option<bool>,
) -> Result<KeywordView, DomainError> {
    let mut row =
        db.run(move |conn| filters::find_keyword(conn, owner.0, id.0)).await?.ok_or_else(keyword_not_found)?;
    if let Some(keyword) = keyword {
        row.keyword = check_keyword(&keyword)?;
    }
    row.whole_word = whole_word.unwrap_or(row.whole_word);
    let saved = row.clone();
    db.write(move |conn| filters::update_keyword(conn, &saved)).await?;
    Ok(row.into())
}

pub async fn delete_keyword(db: &Db, owner: Id, id: Id) -> Result<(), DomainError> {
    let row = db.run(move |conn| filters::find_keyword(conn, owner.0, id.0)).await?.ok_or_else(keyword_not_found)?;
    Ok(db.write(move |conn| filters::delete_keyword(conn, row.id)).await?)
}

pub async fn statuses(db: &Db, owner: Id, filter: Id) -> Result<Vec<FilterStatusView>, DomainError> {
    Ok(get(db, owner, filter).await?.statuses)
}

/// Filters one status the owner can see.
pub async fn add_status(db: &Db, owner: Id, filter: Id, status: Id) -> Result<FilterStatusView, DomainError> {
    let current = get(db, owner, filter).await?;
    if let Some(existing) = current.statuses.iter().find(|s| s.status_id == status) {
        return Ok(existing.clone());
    }
    let row = FilterStatusRow { id: Id::generate().0, filter_id: filter.0, status_id: status.0 };
    let saved = row.clone();
    let added = db
        .write(move |conn| {
            if visibility::find_visible(conn, Some(owner.0), saved.status_id)?.is_none() {
                return Ok::<_, DomainError>(false);
            }
            filters::insert_status(conn, &saved)?;
            Ok(true)
        })
        .await?;
    if !added {
        return Err(DomainError::NotFound("status".into()));
    }
    Ok(row.into())
}

fn status_not_found() -> DomainError {
    DomainError::NotFound("filter status".into())
}

pub async fn get_status(db: &Db, owner: Id, id: Id) -> Result<FilterStatusView, DomainError> {
    db.run(move |conn| filters::find_status(conn, owner.0, id.0))
        .await?
        .map(FilterStatusView::from)
        .ok_or_else(status_not_found)
}

pub async fn delete_status(db: &Db, owner: Id, id: Id) -> Result<(), DomainError> {
    let row = db.run(move |conn| filters::find_status(conn, owner.0, id.0)).await?.ok_or_else(status_not_found)?;
    Ok(db.write(move |conn| filters::delete_status(conn, row.id)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_ignoring_case_and_respect_word_boundaries() {
        assert!(keyword_matches("The Deploy failed", "deploy", true));
        assert!(keyword_matches("Redeploying now", "deploy", false));
        assert!(!keyword_matches("Redeploying now", "deploy", true));
        assert!(keyword_matches("deploy.", "deploy", true));
        assert!(keyword_matches("#incident today", "#incident", true));
        assert!(!keyword_matches("nothing here", "deploy", false));
        assert!(!keyword_matches("anything", "  ", false));
    }
}
