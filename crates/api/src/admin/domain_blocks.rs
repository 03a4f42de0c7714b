//! `/api/v1/admin/domain_blocks`: the site's domain blocks
//! (docs.joinmastodon.org/methods/admin/domain_blocks).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::federation_policy::{self, BlockChanges, DomainBlockRow, Severity};

use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::{Form, flexible_bool};
use crate::statuses::path_id;
use crate::{ApiError, AppState};
use tertulia_domain::audit::Actor;
use tertulia_domain::roles::Permission;

pub(crate) const READ: &str = "admin:read:domain_blocks";
pub(crate) const WRITE: &str = "admin:write:domain_blocks";

/// Mastodon's `Admin::DomainBlock`.
#[derive(Serialize)]
struct DomainBlock<'a> {
    id: String,
    domain: &'a str,
    digest: String,
    created_at: String,
    severity: &'static str,
    reject_media: bool,
    reject_reports: bool,
    private_comment: Option<&'a str>,
    public_comment: Option<&'a str>,
    obfuscate: bool,
}

impl<'a> DomainBlock<'a> {
    fn from_row(row: &'a DomainBlockRow) -> Self {
        DomainBlock {
            id: row.id.to_string(),
            domain: &row.domain,
            digest: federation_policy::digest(&row.domain),
            created_at: timestamp(row.created_at.and_utc()),
            severity: row.severity.as_str(),
            reject_media: row.reject_media,
            reject_reports: row.reject_reports,
            private_comment: row.private_comment.as_deref(),
            public_comment: row.public_comment.as_deref(),
            obfuscate: row.obfuscate,
        }
    }
}

fn one(row: &DomainBlockRow) -> HttpResponse {
    HttpResponse::Ok().json(DomainBlock::from_row(row))
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageFederation)?;
    let rows = federation_policy::blocks(&state.ctx.db).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(DomainBlock::from_row).collect::<Vec<_>>()))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageFederation)?;
    Ok(one(&federation_policy::find_block(&state.ctx.db, path_id(&id)?).await?))
}

/// The parameters of `POST` and `PUT`; those left out keep their value.
#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    domain: String,
    severity: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    reject_reports: Option<bool>,
    private_comment: Option<String>,
    public_comment: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    obfuscate: Option<bool>,
}

impl BlockForm {
    fn changes(self) -> Result<BlockChanges, ApiError> {
        let severity = match self.severity.as_deref().map(str::parse::<Severity>) {
            None => None,
            Some(Ok(severity)) => Some(severity),
            Some(Err(unknown)) => {
                return Err(ApiError::Unprocessable(format!(
                    "severity: '{}' is not one of {}",
                    unknown.name, unknown.expected
                )));
            }
        };
        Ok(BlockChanges {
            severity,
            reject_media: self.reject_media,
            reject_reports: self.reject_reports,
            private_comment: self.private_comment,
            public_comment: self.public_comment,
            obfuscate: self.obfuscate,
        })
    }
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<BlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageFederation)?;
    let domain = form.domain.clone();
    let row = federation_policy::block(&state.ctx, &Actor::from(user), &domain, form.changes()?).await?;
    Ok(one(&row))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<BlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageFederation)?;
    let row = federation_policy::update_block(&state.ctx, &Actor::from(user), path_id(&id)?, form.changes()?).await?;
    Ok(one(&row))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageFederation)?;
    federation_policy::unblock(&state.ctx, &Actor::from(user), path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
