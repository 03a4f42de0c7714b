//! `/api/v1/admin/email_domain_blocks`: e-mail domains refused at sign-up
//! (docs.joinmastodon.org/methods/admin/email_domain_blocks).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::audit::Target;
use tertulia_domain::roles::Permission;
use tertulia_domain::sign_up_blocks::{self, EmailDomainBlockRow};

use crate::admin::audited;
use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::Form;
use crate::statuses::path_id;
use crate::{ApiError, AppState};

const READ: &str = "admin:read:email_domain_blocks";
const WRITE: &str = "admin:write:email_domain_blocks";

/// Mastodon's `Admin::EmailDomainBlock`.
#[derive(Serialize)]
struct EmailDomainBlock<'a> {
    id: String,
    domain: &'a str,
    created_at: String,
    /// Mastodon counts refused sign-up attempts per day here; Tertulia
    /// does not count them, so the list is empty.
    history: Vec<serde_json::Value>,
}

impl<'a> EmailDomainBlock<'a> {
    fn from_row(row: &'a EmailDomainBlockRow) -> Self {
        EmailDomainBlock {
            id: row.id.to_string(),
            domain: &row.domain,
            created_at: timestamp(row.created_at.and_utc()),
            history: Vec::new(),
        }
    }
}

fn target(row: &EmailDomainBlockRow) -> Target {
    Target::new("email_domain_block", row.id, &row.domain)
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    let rows = sign_up_blocks::email_domain_blocks(&state.ctx.db).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(EmailDomainBlock::from_row).collect::<Vec<_>>()))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    let row = sign_up_blocks::email_domain_block(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(EmailDomainBlock::from_row(&row)))
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    domain: String,
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<BlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::block_email_domain(&state.ctx.db, &form.domain).await?;
    audited(&state, user, "create", target(&row)).await?;
    Ok(HttpResponse::Ok().json(EmailDomainBlock::from_row(&row)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::unblock_email_domain(&state.ctx.db, path_id(&id)?).await?;
    audited(&state, user, "destroy", target(&row)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
