//! `/api/v1/featured_tags`, `/api/v1/accounts/:id/featured_tags` and
//! `/api/v1/tags/:name/feature`: hashtags shown on a profile.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::{accounts, featured_tags};

use crate::auth::Auth;
use crate::entities::{FeaturedTag, Tag};
use crate::forms::Form;
use crate::statuses::path_id;
use crate::{ApiError, AppState, HandlerFuture};

/// `GET /api/v1/featured_tags`: the user's own.
pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?;
    let views = featured_tags::of_account(&state.ctx.db, user.account.id).await?;
    Ok(HttpResponse::Ok().json(FeaturedTag::list(&views)))
}

/// `GET /api/v1/accounts/:id/featured_tags`: anyone's; public, as every
/// profile page asks for it.
pub async fn of_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.viewer("read:accounts")?;
    let account = accounts::get(&state.ctx.db, path_id(&id)?).await?;
    let views = featured_tags::of_account(&state.ctx.db, account.id).await?;
    Ok(HttpResponse::Ok().json(FeaturedTag::list(&views)))
}

#[derive(Debug, Default, Deserialize)]
pub struct FeatureForm {
    #[serde(default)]
    name: String,
}

/// `POST /api/v1/featured_tags` with `name`.
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<FeatureForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    if form.name.trim().is_empty() {
        return Err(ApiError::Unprocessable("name: the hashtag to feature is required".into()));
    }
    let view = featured_tags::feature(&state.ctx.db, user.account.id, &form.name).await?;
    Ok(HttpResponse::Ok().json(FeaturedTag::from_view(&view)))
}

/// `DELETE /api/v1/featured_tags/:id`.
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:accounts")?;
    featured_tags::unfeature(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `GET /api/v1/featured_tags/suggestions`: tags the user posts with most
/// and does not feature yet.
pub async fn suggestions(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:accounts")?;
    let views = featured_tags::suggestions(&state.ctx.db, user.account.id).await?;
    Ok(HttpResponse::Ok().json(Tag::list(&views, &state.ctx.config)))
}

/// `POST /api/v1/tags/:name/feature` (`on`) and `/unfeature` (Mastodon 4.4).
pub fn feature(on: bool) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> HandlerFuture + Clone + 'static {
    move |state, auth, name| {
        Box::pin(async move {
            let user = auth.user("write:accounts")?;
            let tag = featured_tags::set_by_name(&state.ctx.db, user.account.id, &name, on).await?;
            Ok(HttpResponse::Ok().json(Tag::from_view(&tag, &state.ctx.config)))
        })
    }
}
