//! `GET /api/v2/search` and `GET /api/v1/accounts/search`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::search::{self, Kind, SearchQuery};

use crate::auth::Auth;
use crate::entities::{Account, Status, Tag};
use crate::forms::{Query, flexible_bool};
use crate::pagination::{ACCOUNTS, Limits, STATUSES};
use crate::statuses::path_id;
use crate::tags::TrendParams;
use crate::{ApiError, AppState};

/// With `resolve=true`, a signed-in user's search for `@user@site` looks
/// the account up on that site first, as Mastodon does.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    resolve: Option<bool>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    following: Option<bool>,
    #[serde(default)]
    account_id: Option<String>,
    #[serde(flatten)]
    window: TrendParams,
}

impl SearchParams {
    fn query(&self, limits: Limits, kind: Option<Kind>) -> Result<SearchQuery, ApiError> {
        let window = self.window.window(limits)?;
        Ok(SearchQuery {
            q: self.q.clone(),
            kind,
            following: self.following == Some(true),
            account_id: self.account_id.as_deref().filter(|a| !a.is_empty()).map(path_id).transpose()?,
            limit: window.limit,
            offset: window.offset,
        })
    }
}

pub async fn v2(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:search")?;
    let kind = params.kind.as_deref().filter(|k| !k.is_empty()).map(str::parse::<Kind>).transpose()?;
    let query = params.query(STATUSES, kind)?;
    if viewer.is_none() && query.offset > 0 {
        return Err(ApiError::Unauthorized("Search queries pagination is not supported without authentication".into()));
    }
    let mut pasted = Vec::new();
    if params.resolve == Some(true)
        && let Some(viewer) = viewer
    {
        resolve_remote_account(&state, &params.q).await;
        if let Some(status) = resolve_pasted_link(&state, viewer, &params.q).await {
            pasted.push(status);
        }
    }
    let results = search::search(&state.ctx.db, viewer, &state.ctx.config.domain, query).await?;
    let config = &state.ctx.config;
    let mut statuses = Status::list(&pasted, config);
    statuses.extend(Status::list(&results.statuses, config));
    Ok(HttpResponse::Ok().json(json!({
        "accounts": results.accounts.iter().map(|a| Account::from_view(a, config)).collect::<Vec<_>>(),
        "statuses": statuses,
        "hashtags": Tag::list(&results.hashtags, config),
    })))
}

/// Fetches `@user@site` from its site when it is remote and unknown. A
/// failure only means the search finds nothing there; it is logged by the
/// resolver.
async fn resolve_remote_account(state: &AppState, q: &str) {
    let Some(resolver) = &state.resolver else {
        return;
    };
    let q = q.trim();
    if q.starts_with("https://") || q.starts_with("http://") {
        return;
    }
    let handle = q.trim_start_matches('@');
    if let Some((username, host)) = handle.split_once('@')
        && !host.eq_ignore_ascii_case(&state.ctx.config.domain)
        && !username.is_empty()
        && !host.contains(['/', ' ', '@'])
    {
        let _ = resolver.resolve_account(username, host).await;
    }
}

/// A post link pasted into search, fetched from its site if needed and
/// shown if the viewer may see it.
async fn resolve_pasted_link(state: &AppState, viewer: i64, q: &str) -> Option<tertulia_domain::statuses::StatusView> {
    let resolver = state.resolver.as_ref()?;
    let url = q.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    let id = resolver.resolve_status(url).await.ok()?;
    tertulia_domain::statuses::get(&state.ctx.db, Some(viewer), id).await.ok()
}

pub async fn accounts(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?;
    if params.resolve == Some(true) {
        resolve_remote_account(&state, &params.q).await;
    }
    let query = params.query(ACCOUNTS, Some(Kind::Accounts))?;
    let results = search::search(&state.ctx.db, Some(user.account.id.0), &state.ctx.config.domain, query).await?;
    let body: Vec<Account> = results.accounts.iter().map(|a| Account::from_view(a, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}
