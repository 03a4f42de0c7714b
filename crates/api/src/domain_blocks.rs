//! `/api/v1/domain_blocks`: sites a user does not want to hear from.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::domain_blocks;

use crate::auth::Auth;
use crate::forms::{Form, Query};
use crate::pagination::{Limits, PageParams, paged};
use crate::{ApiError, AppState};

/// Mastodon's page sizes for this list.
const DOMAINS: Limits = Limits { default: 100, max: 200 };

/// `GET /api/v1/domain_blocks`: a page of domain names, newest first.
pub async fn index(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:blocks")?;
    let rows = domain_blocks::list(&state.ctx.db, user.account.id, params.page(DOMAINS)?).await?;
    let keys: Vec<Id> = rows.iter().map(|(key, _)| *key).collect();
    let body: Vec<&str> = rows.iter().map(|(_, domain)| domain.as_str()).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

#[derive(Debug, Default, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

/// The `domain` parameter, from the body or (as some clients send it on
/// `DELETE`) the query string.
fn domain_of(request: &HttpRequest, form: DomainForm) -> Result<String, ApiError> {
    let domain = if form.domain.trim().is_empty() {
        url::form_urlencoded::parse(request.query_string().as_bytes())
            .find(|(k, _)| k == "domain")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    } else {
        form.domain
    };
    if domain.trim().is_empty() {
        return Err(ApiError::Unprocessable("domain: the domain name to block is required".into()));
    }
    Ok(domain)
}

/// `POST /api/v1/domain_blocks` with `domain`.
pub async fn create(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Form(form): Form<DomainForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:blocks")?;
    let domain = domain_of(&request, form)?;
    domain_blocks::block(&state.ctx.db, &state.ctx.config.domain, user.account.id, &domain).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `DELETE /api/v1/domain_blocks` with `domain`.
pub async fn delete(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Form(form): Form<DomainForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:blocks")?;
    let domain = domain_of(&request, form)?;
    domain_blocks::unblock(&state.ctx.db, &state.ctx.config.domain, user.account.id, &domain).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
