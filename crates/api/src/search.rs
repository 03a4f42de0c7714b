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

/// `resolve` is accepted and ignored: federation is not built, so there
/// is nothing remote to look up.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
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
    let results = search::search(&state.db, viewer, &state.config.domain, query).await?;
    let config = &state.config;
    Ok(HttpResponse::Ok().json(json!({
        "accounts": results.accounts.iter().map(|a| Account::from_view(a, config)).collect::<Vec<_>>(),
        "statuses": Status::list(&results.statuses, config),
        "hashtags": Tag::list(&results.hashtags, config),
    })))
}

pub async fn accounts(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?;
    let query = params.query(ACCOUNTS, Some(Kind::Accounts))?;
    let results = search::search(&state.db, Some(user.account.id.0), &state.config.domain, query).await?;
    let body: Vec<Account> = results.accounts.iter().map(|a| Account::from_view(a, &state.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}
