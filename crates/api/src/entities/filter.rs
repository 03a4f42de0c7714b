use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::filters::{FilterAction, FilterResult as ResultView, FilterStatusView, FilterView, KeywordView};

use super::timestamp;

/// The Mastodon `Filter` entity (v2).
#[derive(Debug, Serialize)]
pub struct Filter {
    pub id: Id,
    pub title: String,
    pub context: Vec<String>,
    pub filter_action: String,
    pub expires_at: Option<String>,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<FilterStatus>,
}

#[derive(Debug, Serialize)]
pub struct FilterKeyword {
    pub id: Id,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Serialize)]
pub struct FilterStatus {
    pub id: Id,
    pub status_id: Id,
}

/// Why a status carries a warning: `Status.filtered[]`.
#[derive(Debug, Serialize)]
pub struct FilterResult {
    pub filter: Filter,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<Id>,
}

/// The v1 `Filter` entity: one per keyword, as Mastodon maps v2 filters
/// back to the v1 API.
#[derive(Debug, Serialize)]
pub struct V1Filter {
    pub id: Id,
    pub phrase: String,
    pub context: Vec<String>,
    pub whole_word: bool,
    pub expires_at: Option<String>,
    pub irreversible: bool,
}

impl Filter {
    pub fn from_view(view: &FilterView) -> Filter {
        Filter {
            id: view.id,
            title: view.title.clone(),
            context: view.context.clone(),
            filter_action: view.action.to_string(),
            expires_at: view.expires_at.map(timestamp),
            keywords: view.keywords.iter().map(FilterKeyword::from_view).collect(),
            statuses: view.statuses.iter().map(FilterStatus::from_view).collect(),
        }
    }
}

impl FilterKeyword {
    pub fn from_view(view: &KeywordView) -> FilterKeyword {
        FilterKeyword { id: view.id, keyword: view.keyword.clone(), whole_word: view.whole_word }
    }
}

impl FilterStatus {
    pub fn from_view(view: &FilterStatusView) -> FilterStatus {
        FilterStatus { id: view.id, status_id: view.status_id }
    }
}

impl FilterResult {
    pub fn from_view(view: &ResultView) -> FilterResult {
        FilterResult {
            filter: Filter::from_view(&view.filter),
            keyword_matches: view.keyword_matches.clone(),
            status_matches: view.status_matches.clone(),
        }
    }
}

impl V1Filter {
    /// The v1 filters of one v2 filter.
    pub fn from_view(view: &FilterView) -> Vec<V1Filter> {
        view.keywords
            .iter()
            .map(|keyword| V1Filter {
                id: keyword.id,
                phrase: keyword.keyword.clone(),
                context: view.context.clone(),
                whole_word: keyword.whole_word,
                expires_at: view.expires_at.map(timestamp),
                irreversible: view.action == FilterAction::Hide,
            })
            .collect()
    }
}
