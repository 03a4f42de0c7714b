//! `/api/v1/announcements`: what readers see, dismiss and react to.

use actix_web::{HttpResponse, web};
use tertulia_domain::announcements;

use crate::auth::Auth;
use crate::entities::Announcement;
use crate::statuses::path_id;
use crate::{ApiError, AppState};

/// `GET /api/v1/announcements`: the published ones not yet over.
pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let reader = auth.user("read:accounts")?;
    let views = announcements::current(&state.ctx.db, reader.account.id).await?;
    let body: Vec<Announcement> = views.iter().map(|v| Announcement::from_view(v, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// `POST /api/v1/announcements/:id/dismiss`.
pub async fn dismiss(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let reader = auth.user("write:accounts")?;
    announcements::dismiss(&state.ctx.db, reader.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `PUT` (`add`) or `DELETE` `/api/v1/announcements/:id/reactions/:name`.
pub fn react(
    add: bool,
) -> impl Fn(web::Data<AppState>, Auth, web::Path<(String, String)>) -> crate::HandlerFuture + Clone + 'static {
    move |state, auth, path| {
        Box::pin(async move {
            let reader = auth.user("write:favourites")?;
            let (id, name) = path.into_inner();
            announcements::react(&state.ctx, reader.account.id, path_id(&id)?, name, add).await?;
            Ok(HttpResponse::Ok().json(serde_json::json!({})))
        })
    }
}
