//! `max_id`/`since_id`/`min_id`/`limit` parameters and the `Link` header
//! that tells clients where the next and previous pages are.

use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use tertulia_core::{Config, Id};
use tertulia_domain::AccountView;
use tertulia_domain::statuses::StatusView;

use crate::entities::{Account, Status};
use tertulia_domain::Page;

use crate::ApiError;

/// Paging parameters, as every list endpoint accepts them.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    #[serde(default)]
    max_id: Option<String>,
    #[serde(default)]
    since_id: Option<String>,
    #[serde(default)]
    min_id: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// Default and largest page sizes, per kind of list (Mastodon's values).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub default: i64,
    pub max: i64,
}

pub const STATUSES: Limits = Limits { default: 20, max: 40 };
pub const ACCOUNTS: Limits = Limits { default: 40, max: 80 };
pub const NOTIFICATIONS: Limits = Limits { default: 40, max: 80 };

impl PageParams {
    /// The page asked for. Ids that are not numbers are refused; a limit
    /// beyond the maximum is capped, as Mastodon does.
    pub fn page(&self, limits: Limits) -> Result<Page, ApiError> {
        let id = |name: &str, value: &Option<String>| -> Result<Option<i64>, ApiError> {
            match value.as_deref().filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => text
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| ApiError::BadRequest(format!("{name}: '{text}' is not an id"))),
            }
        };
        let limit = match self.limit.as_deref().filter(|v| !v.is_empty()) {
            None => limits.default,
            Some(text) => text
                .parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("limit: '{text}' is not a number")))?
                .clamp(1, limits.max),
        };
        Ok(Page {
            max_id: id("max_id", &self.max_id)?,
            since_id: id("since_id", &self.since_id)?,
            min_id: id("min_id", &self.min_id)?,
            limit,
        })
    }
}

/// The `Link` header for a page whose items are keyed from `newest` to
/// `oldest`: `next` pages to older items, `prev` to newer ones. Other
/// query parameters of the request are kept. None for an empty page.
pub fn link_header(request: &HttpRequest, base_url: &str, keys: &[Id]) -> Option<String> {
    let (newest, oldest) = (keys.first()?, keys.last()?);
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(request.query_string().as_bytes())
        .filter(|(k, _)| !matches!(k.as_ref(), "max_id" | "min_id" | "since_id"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let link = |key: &str, id: &Id| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        query.append_pair(key, &id.to_string());
        format!("{base_url}{}?{}", request.path(), query.finish())
    };
    Some(format!("<{}>; rel=\"next\", <{}>; rel=\"prev\"", link("max_id", oldest), link("min_id", newest)))
}

/// A 200 JSON answer for a page of items keyed by `keys` (newest first),
/// with its `Link` header.
pub fn paged<T: serde::Serialize>(request: &HttpRequest, base_url: &str, keys: &[Id], body: &T) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(link) = link_header(request, base_url, keys) {
        response.insert_header(("Link", link));
    }
    response.json(body)
}

/// A page of statuses, keyed by their own ids.
pub fn status_page(request: &HttpRequest, config: &Config, views: &[StatusView]) -> HttpResponse {
    let keys: Vec<Id> = views.iter().map(|v| v.id).collect();
    paged(request, &config.base_url(), &keys, &Status::list(views, config))
}

/// A page of accounts, each keyed by the row that pages the list (a
/// follow, block, mute, favourite or boost id).
pub fn account_page(request: &HttpRequest, config: &Config, rows: &[(Id, AccountView)]) -> HttpResponse {
    let keys: Vec<Id> = rows.iter().map(|(key, _)| *key).collect();
    let body: Vec<Account> = rows.iter().map(|(_, account)| Account::from_view(account, config)).collect();
    paged(request, &config.base_url(), &keys, &body)
}
