//! Quotes of a status: `GET /api/v1/statuses/:id/quotes`, `POST
//! /api/v1/statuses/:id/quotes/:quoting_status_id/revoke` and `PUT
//! /api/v1/statuses/:id/interaction_policy` (Mastodon 4.5).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::quotes::{self, QuotePolicy};

use super::{json, path_id};
use crate::auth::Auth;
use crate::forms::{Form, Query};
use crate::pagination::{self, PageParams, status_page};
use crate::{ApiError, AppState};

/// The accepted quotes of a status the caller can see, newest first.
pub async fn quotes(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.user("read:statuses")?.account.id.0;
    let page = params.page(pagination::STATUSES)?;
    let views = quotes::quotes_of(&state.ctx.db, Some(viewer), path_id(&id)?, page).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}

/// The author of a status withdraws consent to one quote of it; answers
/// the quoting status, its quote now `revoked`.
pub async fn revoke_quote(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let (quoted, quoting) = path.into_inner();
    let view = quotes::revoke(&state.ctx, user.account.id, path_id(&quoted)?, path_id(&quoting)?).await?;
    Ok(json(&view, &state))
}

#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    quote_approval_policy: Option<String>,
}

/// Changes who may quote one of the caller's statuses.
pub async fn interaction_policy(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<PolicyForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let policy = QuotePolicy::parse(form.quote_approval_policy.as_deref())?;
    let view = quotes::set_policy(&state.ctx, user.account.id, path_id(&id)?, policy).await?;
    Ok(json(&view, &state))
}
