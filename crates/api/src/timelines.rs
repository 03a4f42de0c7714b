//! `/api/v1/timelines/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::timelines::TagQuery;
use tertulia_domain::{Invalidity, Origin, PublicFilter, timelines};

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
    #[serde(default, deserialize_with = "flexible_bool")]
    only_media: Option<bool>,
    /// Tertulia's extension: one site's posts, by its domain (the company
    /// timeline).
    #[serde(default)]
    site: Option<String>,
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

    /// The statuses asked for: Mastodon's `local`/`remote` split and
    /// `only_media`, narrowed to one site by `site=` (this site's own
    /// domain meaning its local posts). `None` when `site=` contradicts
    /// `local`/`remote`: a page that can hold nothing.
    fn filter(&self, this_domain: &str) -> Result<Option<PublicFilter>, ApiError> {
        let mut filter =
            PublicFilter { origin: self.origin(), remote_domain: None, only_media: self.only_media == Some(true) };
        let Some(site) = self.site.as_deref().map(str::trim).filter(|site| !site.is_empty()) else {
            return Ok(Some(filter));
        };
        tertulia_core::config::validate_domain(site)
            .map_err(|reason| ApiError::invalid(Invalidity::Invalid, "site", reason))?;
        let is_this_site = site.eq_ignore_ascii_case(this_domain);
        match (filter.origin, is_this_site) {
            (Origin::OtherSites, true) | (Origin::ThisSite, false) => return Ok(None),
            (_, true) => filter.origin = Origin::ThisSite,
            (_, false) => {
                filter.origin = Origin::OtherSites;
                filter.remote_domain = Some(site.to_ascii_lowercase());
            }
        }
        Ok(Some(filter))
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
    let views = match params.filter(&state.ctx.config.domain)? {
        Some(filter) => timelines::public(&state.ctx.db, viewer, filter, page).await?,
        None => Vec::new(),
    };
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
    let views = match params.filter(&state.ctx.config.domain)? {
        Some(filter) => timelines::hashtag(&state.ctx.db, viewer, query, filter, page).await?,
        None => Vec::new(),
    };
    Ok(status_page(&request, &state.ctx.config, &views))
}
