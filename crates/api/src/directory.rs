//! `GET /api/v1/directory`: the discoverable people of this site and of
//! the sites it follows.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::directory::{self, DirectoryQuery, Order};

use crate::auth::Auth;
use crate::entities::Account;
use crate::forms::{Query, flexible_bool};
use crate::pagination::ACCOUNTS;
use crate::tags::TrendParams;
use crate::{ApiError, AppState};

/// Mastodon's parameters: `offset`, `limit`, `order`, `local`; and
/// Tertulia's `groups` (only groups).
#[derive(Debug, Default, Deserialize)]
pub struct DirectoryParams {
    #[serde(default)]
    order: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    groups: Option<bool>,
    #[serde(flatten)]
    window: TrendParams,
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<DirectoryParams>,
) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    let order = params.order.as_deref().filter(|o| !o.is_empty()).map(str::parse::<Order>).transpose()?;
    let window = params.window.window(ACCOUNTS)?;
    let query = DirectoryQuery {
        order: order.unwrap_or_default(),
        local: params.local == Some(true),
        groups_only: params.groups == Some(true),
        limit: window.limit,
        offset: window.offset,
    };
    let views = directory::list(&state.ctx.db, query).await?;
    let body: Vec<Account> = views.iter().map(|a| Account::from_view(a, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}
