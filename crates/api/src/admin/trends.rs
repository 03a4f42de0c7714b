//! `/api/v1/admin/trends/*`: moderators see what is trending, reviewed or
//! not, and approve or reject hashtags and statuses as trends
//! (docs.joinmastodon.org/methods/admin/trends).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use tertulia_core::Config;
use tertulia_domain::audit::Actor;
use tertulia_domain::roles::Permission;
use tertulia_domain::trends::{self, Review, ReviewedTag};

use crate::auth::Auth;
use crate::entities::{Status, Tag};
use crate::forms::Query;
use crate::statuses::path_id;
use crate::tags::{TREND_STATUSES, TREND_TAGS, TrendParams};
use crate::{ApiError, AppState};

const READ: &str = "admin:read";
const WRITE: &str = "admin:write";

/// Mastodon's `Admin::Tag`.
#[derive(Serialize)]
struct AdminTag {
    #[serde(flatten)]
    tag: Tag,
    /// Whether it may appear in the public trends now.
    trendable: bool,
    usable: bool,
    requires_review: bool,
}

impl AdminTag {
    fn from_reviewed(reviewed: &ReviewedTag, config: &Config) -> AdminTag {
        AdminTag {
            tag: Tag::from_view(&reviewed.tag, config),
            trendable: reviewed.review.may_trend(config.trends.require_review),
            usable: reviewed.usable,
            requires_review: reviewed.review == Review::Unreviewed,
        }
    }
}

/// `GET /api/v1/admin/trends/tags`: the tags in use, ranked as the public
/// trends are, including those not reviewed or rejected.
pub async fn tags(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(READ, Permission::ManageTaxonomies)?;
    let rows = trends::tags_for_review(&state.ctx.db, Some(user.account.id.0), params.window(TREND_TAGS)?).await?;
    let config = &state.ctx.config;
    Ok(HttpResponse::Ok().json(rows.iter().map(|row| AdminTag::from_reviewed(row, config)).collect::<Vec<_>>()))
}

/// `POST /api/v1/admin/trends/tags/:id/approve` (`approve`) and `/reject`.
pub fn review_tag(
    approve: bool,
) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> crate::HandlerFuture + Clone + 'static {
    move |state, auth, id| {
        Box::pin(async move {
            let user = auth.permitted(WRITE, Permission::ManageTaxonomies)?;
            let viewer = Some(user.account.id.0);
            let row = trends::review_tag(&state.ctx.db, &Actor::from(user), viewer, path_id(&id)?, approve).await?;
            Ok(HttpResponse::Ok().json(AdminTag::from_reviewed(&row, &state.ctx.config)))
        })
    }
}

/// `GET /api/v1/admin/trends/statuses`: the statuses ranked as the public
/// trends are, including those not reviewed or rejected, as `Status`
/// entities like Mastodon's.
pub async fn statuses(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(READ, Permission::ManageTaxonomies)?;
    let views =
        trends::statuses_for_review(&state.ctx.db, Some(user.account.id.0), params.window(TREND_STATUSES)?).await?;
    Ok(HttpResponse::Ok().json(Status::list(&views, &state.ctx.config)))
}

/// `POST /api/v1/admin/trends/statuses/:id/approve` (`approve`) and `/reject`.
pub fn review_status(
    approve: bool,
) -> impl Fn(web::Data<AppState>, Auth, web::Path<String>) -> crate::HandlerFuture + Clone + 'static {
    move |state, auth, id| {
        Box::pin(async move {
            let user = auth.permitted(WRITE, Permission::ManageTaxonomies)?;
            let viewer = Some(user.account.id.0);
            let view = trends::review_status(&state.ctx.db, &Actor::from(user), viewer, path_id(&id)?, approve).await?;
            Ok(HttpResponse::Ok().json(Status::from_view(&view, &state.ctx.config)))
        })
    }
}

/// `GET /api/v1/admin/trends/links`: links never trend on this server
/// (`/api/v1/trends/links` is always empty), so there is nothing to review.
pub async fn links(auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageTaxonomies)?;
    Ok(HttpResponse::Ok().json(Vec::<()>::new()))
}
