//! The v1 filter API on top of v2 filters, as Mastodon 4 maps it: a v1
//! filter is one keyword of a filter; its phrase is the keyword, its
//! `irreversible` is the filter's `hide` action, and its context and
//! expiry are the filter's.

use tertulia_core::Id;
use tertulia_db::filters;

use super::{FilterAction, FilterChanges, FilterView, KeywordChange, MAX_KEYWORD_CHARS, check_keyword, get, not_found};
use crate::{Db, DomainError, Invalidity};

/// A v1 filter to create, or the fields of one to change (`None` keeps
/// the current value).
#[derive(Debug, Clone, Default)]
pub struct V1Changes {
    pub phrase: Option<String>,
    pub context: Option<Vec<String>>,
    pub irreversible: Option<bool>,
    pub whole_word: Option<bool>,
    /// Seconds from now; `Some(None)` removes the expiry.
    pub expires_in: Option<Option<i64>>,
}

impl V1Changes {
    fn action(&self) -> Option<String> {
        self.irreversible.map(|hide| if hide { FilterAction::Hide } else { FilterAction::Warn }.to_string())
    }
}

/// The phrase, checked under the v1 name of the field.
fn check_phrase(phrase: &str) -> Result<String, DomainError> {
    check_keyword(phrase).map_err(|_| match phrase.trim() {
        "" => DomainError::blank("phrase"),
        _ => DomainError::too_long("phrase", MAX_KEYWORD_CHARS),
    })
}

/// The filter that holds keyword `id`, and the keyword's id.
pub async fn get_v1(db: &Db, owner: Id, id: Id) -> Result<FilterView, DomainError> {
    let keyword = db.run(move |conn| filters::find_keyword(conn, owner.0, id.0)).await?.ok_or_else(not_found)?;
    get(db, owner, Id(keyword.filter_id)).await
}

/// A new filter titled with the phrase, holding it as its one keyword;
/// answers the filter and the keyword's id (the v1 filter's id).
pub async fn create_v1(db: &Db, owner: Id, changes: V1Changes) -> Result<(FilterView, Id), DomainError> {
    let phrase = check_phrase(changes.phrase.as_deref().unwrap_or_default())?;
    let filter = FilterChanges {
        title: Some(phrase.clone()),
        action: Some(changes.action().unwrap_or_else(|| FilterAction::Warn.to_string())),
        keywords: vec![KeywordChange {
            keyword: Some(phrase),
            whole_word: Some(changes.whole_word.unwrap_or(false)),
            ..KeywordChange::default()
        }],
        context: changes.context,
        expires_in: changes.expires_in,
    };
    let view = super::create(db, owner, filter).await?;
    let keyword = view.keywords.first().map(|k| k.id).ok_or_else(not_found)?;
    Ok((view, keyword))
}

/// Changes keyword `id` and its filter. A filter with several keywords
/// can only have the keyword changed through v1: its context, action and
/// expiry belong to every keyword (Mastodon refuses this too).
pub async fn update_v1(db: &Db, owner: Id, id: Id, changes: V1Changes) -> Result<FilterView, DomainError> {
    let current = get_v1(db, owner, id).await?;
    let phrase = changes.phrase.as_deref().map(check_phrase).transpose()?;
    let filter_changes = FilterChanges {
        title: None,
        context: changes.context.clone(),
        action: changes.action(),
        expires_in: changes.expires_in,
        keywords: vec![KeywordChange { id: Some(id), keyword: phrase, whole_word: changes.whole_word, destroy: false }],
    };
    let changes_filter =
        filter_changes.context.is_some() || filter_changes.action.is_some() || filter_changes.expires_in.is_some();
    if changes_filter && current.keywords.len() > 1 {
        return Err(DomainError::invalid_as(
            Invalidity::Invalid,
            "phrase",
            "belongs to a filter with several keywords: change its context, expiry or action through /api/v2/filters",
        ));
    }
    super::update(db, owner, current.id, filter_changes).await
}

/// Removes keyword `id`, and its filter once nothing is left in it.
pub async fn delete_v1(db: &Db, owner: Id, id: Id) -> Result<(), DomainError> {
    let current = get_v1(db, owner, id).await?;
    if current.keywords.len() == 1 && current.statuses.is_empty() {
        return super::delete(db, owner, current.id).await;
    }
    super::delete_keyword(db, owner, id).await
}
