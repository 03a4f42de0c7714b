//! `/api/v1/admin/ip_blocks`: address ranges held back at sign-up or
//! sign-in (docs.joinmastodon.org/methods/admin/ip_blocks).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::audit::Target;
use tertulia_domain::roles::Permission;
use tertulia_domain::sign_up_blocks::{self, IpBlockChanges, IpBlockRow};

use crate::admin::audited;
use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::{self, Form};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

const READ: &str = "admin:read:ip_blocks";
const WRITE: &str = "admin:write:ip_blocks";

/// Mastodon's `Admin::IpBlock`.
#[derive(Serialize)]
struct IpBlock<'a> {
    id: String,
    ip: &'a str,
    severity: &'static str,
    comment: &'a str,
    created_at: String,
    expires_at: Option<String>,
}

impl<'a> IpBlock<'a> {
    fn from_row(row: &'a IpBlockRow) -> Self {
        IpBlock {
            id: row.id.to_string(),
            ip: &row.ip,
            severity: row.severity.as_str(),
            comment: &row.comment,
            created_at: timestamp(row.created_at.and_utc()),
            expires_at: row.expires_at.map(|at| timestamp(at.and_utc())),
        }
    }
}

fn target(row: &IpBlockRow) -> Target {
    Target::new("ip_block", row.id, &row.ip)
}

fn one(row: &IpBlockRow) -> HttpResponse {
    HttpResponse::Ok().json(IpBlock::from_row(row))
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    let rows = sign_up_blocks::ip_blocks(&state.ctx.db).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(IpBlock::from_row).collect::<Vec<_>>()))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    Ok(one(&sign_up_blocks::ip_block(&state.ctx.db, path_id(&id)?).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct IpBlockForm {
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    /// Seconds; a number, a numeric string, or empty for no expiry.
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

impl IpBlockForm {
    fn changes(self) -> Result<IpBlockChanges, ApiError> {
        Ok(IpBlockChanges {
            ip: self.ip,
            severity: self.severity,
            comment: self.comment,
            expires_in: forms::expires_in(self.expires_in)?,
        })
    }
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<IpBlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::create_ip_block(&state.ctx.db, form.changes()?).await?;
    audited(&state, user, "create", target(&row)).await?;
    Ok(one(&row))
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<IpBlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::update_ip_block(&state.ctx.db, path_id(&id)?, form.changes()?).await?;
    audited(&state, user, "update", target(&row)).await?;
    Ok(one(&row))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::delete_ip_block(&state.ctx.db, path_id(&id)?).await?;
    audited(&state, user, "destroy", target(&row)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
