//! `/api/v1/suggestions` and `/api/v2/suggestions`: whom to follow.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::suggestions::{self, Source, Suggestion};

use crate::auth::Auth;
use crate::entities::Account;
use crate::forms::Query;
use crate::statuses::path_id;
use crate::{ApiError, AppState};

/// Mastodon's sizes for this list.
const DEFAULT: usize = 40;
const MAX: usize = 80;

#[derive(Debug, Default, Deserialize)]
pub struct SuggestionParams {
    #[serde(default)]
    limit: Option<String>,
}

async fn load(state: &AppState, auth: &Auth, params: SuggestionParams) -> Result<Vec<Suggestion>, ApiError> {
    let user = auth.user("read")?;
    let limit = match params.limit.as_deref().filter(|l| !l.is_empty()) {
        None => DEFAULT,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| ApiError::Unprocessable(format!("limit: '{text}' is not a number")))?
            .clamp(1, MAX),
    };
    Ok(suggestions::for_account(&state.ctx.db, user.account.id, limit).await?)
}

/// `GET /api/v1/suggestions`: accounts.
pub async fn v1(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<SuggestionParams>,
) -> Result<HttpResponse, ApiError> {
    let found = load(&state, &auth, params).await?;
    let body: Vec<Account> = found.iter().map(|s| Account::from_view(&s.account, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/v2/suggestions`: the `Suggestion` entity, with its reason.
pub async fn v2(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<SuggestionParams>,
) -> Result<HttpResponse, ApiError> {
    let found = load(&state, &auth, params).await?;
    let body: Vec<serde_json::Value> = found
        .iter()
        .map(|s| {
            let (source, sources) = match s.source {
                Source::FriendsOfFriends => ("global", "friends_of_friends"),
                Source::MostFollowed => ("global", "most_followed"),
            };
            json!({
                "source": source,
                "sources": [sources],
                "account": Account::from_view(&s.account, &state.ctx.config),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `DELETE /api/v1/suggestions/:account_id`: never suggest this account again.
pub async fn dismiss(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read")?;
    suggestions::dismiss(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
