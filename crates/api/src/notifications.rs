//! `/api/v1/notifications/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::notifications::{self, NotificationFilter};

use crate::auth::Auth;
use crate::entities::Notification;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let page = params.page.page(pagination::NOTIFICATIONS)?;
    let filter = NotificationFilter { types: params.types, exclude_types: params.exclude_types };
    let views = notifications::list(&state.db, user.account.id, filter, page).await?;
    let keys: Vec<_> = views.iter().map(|v| v.id).collect();
    let body: Vec<Notification> = views.iter().map(|v| Notification::from_view(v, &state.config)).collect();
    Ok(paged(&request, &state.config.base_url(), &keys, &body))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:notifications")?;
    let view = notifications::get(&state.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Notification::from_view(&view, &state.config)))
}

pub async fn dismiss(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.db, user.account.id, Some(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

pub async fn clear(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:notifications")?;
    notifications::dismiss(&state.db, user.account.id, None).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
