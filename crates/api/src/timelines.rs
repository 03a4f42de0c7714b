//! `/api/v1/timelines/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::timelines::TagQuery;
use tertulia_domain::{Origin, timelines};

use crate::auth::Auth;
use crate::forms::{Query, flexible_bool};
use crate::pagination::{self, PageParams, status_page};
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct PublicParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    remote: Option<bool>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
}

impl PublicParams {
    fn origin(&self) -> Origin {
        match (self.local == Some(true), self.remote == Some(true)) {
            (true, _) => Origin::ThisSite,
            (false, true) => Origin::OtherSites,
            _ => Origin::Everywhere,
        }
    }
}

pub async fn home(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?;
    let views = timelines::home(&state.ctx.db, user.account.id, params.page(pagination::STATUSES)?).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}

pub async fn public(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PublicParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let page = params.page.page(pagination::STATUSES)?;
    let views = timelines::public(&state.ctx.db, viewer, params.origin(), page).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}

pub async fn hashtag(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    tag: web::Path<String>,
    Query(params): Query<PublicParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let page = params.page.page(pagination::STATUSES)?;
    let normalise = |names: &[String]| -> Vec<String> {
        names.iter().map(|t| t.trim_start_matches('#').to_lowercase()).filter(|t| !t.is_empty()).collect()
    };
    let mut any = vec![tag.trim_start_matches('#').to_lowercase()];
    any.extend(normalise(&params.any));
    let query = TagQuery { any, all: normalise(&params.all), none: normalise(&params.none) };
    let views = timelines::hashtag(&state.ctx.db, viewer, query, params.origin(), page).await?;
    Ok(status_page(&request, &state.ctx.config, &views))
}
