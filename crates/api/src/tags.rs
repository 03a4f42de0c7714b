//! `/api/v1/tags/*`, `/api/v1/followed_tags` and `/api/v1/trends/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::{tags, trends};

use crate::auth::Auth;
use crate::entities::{Status, Tag};
use crate::forms::Query;
use crate::pagination::{Limits, PageParams, paged};
use crate::{ApiError, AppState};

/// Trend list sizes, as on Mastodon.
pub(crate) const TREND_TAGS: Limits = Limits { default: 10, max: 20 };
pub(crate) const TREND_STATUSES: Limits = Limits { default: 20, max: 40 };
const FOLLOWED_TAGS: Limits = Limits { default: 100, max: 200 };

pub async fn get(state: web::Data<AppState>, auth: Auth, name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read")?;
    let tag = tags::get(&state.ctx.db, viewer, &name).await?;
    Ok(HttpResponse::Ok().json(Tag::from_view(&tag, &state.ctx.config)))
}

/// `POST /api/v1/tags/:name/follow` (`on`) and `/unfollow`.
pub fn follow(
    on: bool,
) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> crate::HandlerFuture + Clone + 'static {
    move |state, auth, name| {
        Box::pin(async move {
            let user = auth.user("write:follows")?;
            let tag = tags::follow(&state.ctx.db, user.account.id, &name, on).await?;
            Ok(HttpResponse::Ok().json(Tag::from_view(&tag, &state.ctx.config)))
        })
    }
}

pub async fn followed(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:follows")?;
    let rows = tags::followed(&state.ctx.db, user.account.id, params.page(FOLLOWED_TAGS)?).await?;
    let keys: Vec<Id> = rows.iter().map(|(key, _)| *key).collect();
    let body: Vec<Tag> = rows.iter().map(|(_, tag)| Tag::from_view(tag, &state.ctx.config)).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

#[derive(Debug, Default, Deserialize)]
pub struct TrendParams {
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    offset: Option<String>,
}

impl TrendParams {
    pub fn window(&self, limits: Limits) -> Result<trends::Window, ApiError> {
        let number = |name: &str, value: &Option<String>, default: i64| match value.as_deref().filter(|v| !v.is_empty())
        {
            None => Ok(default),
            Some(text) => {
                text.parse::<i64>().map_err(|_| ApiError::BadRequest(format!("{name}: '{text}' is not a number")))
            }
        };
        Ok(trends::Window {
            limit: number("limit", &self.limit, limits.default)?.clamp(1, limits.max),
            offset: number("offset", &self.offset, 0)?.max(0),
        })
    }
}

pub async fn trending_tags(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read")?;
    let views =
        trends::tags(&state.ctx.db, viewer, params.window(TREND_TAGS)?, state.ctx.config.trends.require_review).await?;
    Ok(HttpResponse::Ok().json(Tag::list(&views, &state.ctx.config)))
}

pub async fn trending_statuses(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read")?;
    let window = params.window(TREND_STATUSES)?;
    let views = trends::statuses(&state.ctx.db, viewer, window, state.ctx.config.trends.require_review).await?;
    Ok(HttpResponse::Ok().json(Status::list(&views, &state.ctx.config)))
}
