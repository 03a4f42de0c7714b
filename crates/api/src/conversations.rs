//! `/api/v1/conversations/*`: direct-message threads.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use tertulia_core::Id;
use tertulia_domain::conversations;

use crate::auth::Auth;
use crate::entities::Conversation;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?;
    let page = params.page(pagination::STATUSES)?;
    let views = conversations::list(&state.ctx.db, user.account.id, page).await?;
    let keys: Vec<Id> = views.iter().map(|v| v.key).collect();
    let body: Vec<Conversation> = views.iter().map(|v| Conversation::from_view(v, &state.ctx.config)).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

pub async fn read(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:conversations")?;
    let view = conversations::read(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Conversation::from_view(&view, &state.ctx.config)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:conversations")?;
    conversations::remove(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
