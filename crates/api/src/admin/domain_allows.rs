//! `/api/v1/admin/domain_allows`: the domains this site federates with in
//! `allowlist` mode (docs.joinmastodon.org/methods/admin/domain_allows).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::federation_policy::{self, DomainAllowRow};

use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::Form;
use crate::statuses::path_id;
use crate::{ApiError, AppState};
use tertulia_domain::audit::Actor;
use tertulia_domain::roles::Permission;

const READ: &str = "admin:read:domain_allows";
const WRITE: &str = "admin:write:domain_allows";

/// Mastodon's `Admin::DomainAllow`.
#[derive(Serialize)]
struct DomainAllow<'a> {
    id: String,
    domain: &'a str,
    created_at: String,
}

impl<'a> DomainAllow<'a> {
    fn from_row(row: &'a DomainAllowRow) -> Self {
        DomainAllow { id: row.id.to_string(), domain: &row.domain, created_at: timestamp(row.created_at.and_utc()) }
    }
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageFederation)?;
    let rows = federation_policy::allows(&state.ctx.db).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(DomainAllow::from_row).collect::<Vec<_>>()))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageFederation)?;
    let row = federation_policy::find_allow(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(DomainAllow::from_row(&row)))
}

#[derive(Debug, Default, Deserialize)]
pub struct AllowForm {
    #[serde(default)]
    domain: String,
}

/// Allowing a domain already allowed returns its allow (as Mastodon does).
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<AllowForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageFederation)?;
    let row = federation_policy::allow(&state.ctx, &Actor::from(user), &form.domain).await?;
    Ok(HttpResponse::Ok().json(DomainAllow::from_row(&row)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageFederation)?;
    federation_policy::disallow(&state.ctx, &Actor::from(user), path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
