//! `/api/v1/admin/canonical_email_blocks`: e-mail addresses refused at
//! sign-up, kept only as hashes of their canonical form
//! (docs.joinmastodon.org/methods/admin/canonical_email_blocks).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tertulia_domain::audit::Target;
use tertulia_domain::roles::Permission;
use tertulia_domain::sign_up_blocks::{self, BlockedEmail, CanonicalEmailBlockRow};

use crate::admin::audited;
use crate::auth::Auth;
use crate::forms::Form;
use crate::statuses::path_id;
use crate::{ApiError, AppState};

const READ: &str = "admin:read:canonical_email_blocks";
const WRITE: &str = "admin:write:canonical_email_blocks";

/// Mastodon's `Admin::CanonicalEmailBlock`.
#[derive(Serialize)]
struct CanonicalEmailBlock<'a> {
    id: String,
    canonical_email_hash: &'a str,
}

impl<'a> CanonicalEmailBlock<'a> {
    fn from_row(row: &'a CanonicalEmailBlockRow) -> Self {
        CanonicalEmailBlock { id: row.id.to_string(), canonical_email_hash: &row.canonical_email_hash }
    }
}

fn list(rows: &[CanonicalEmailBlockRow]) -> HttpResponse {
    HttpResponse::Ok().json(rows.iter().map(CanonicalEmailBlock::from_row).collect::<Vec<_>>())
}

/// The audit log names the block by its hash: the address is never kept.
fn target(row: &CanonicalEmailBlockRow) -> Target {
    Target::new("canonical_email_block", row.id, &row.canonical_email_hash)
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    Ok(list(&sign_up_blocks::canonical_email_blocks(&state.ctx.db).await?))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    let row = sign_up_blocks::canonical_email_block(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(CanonicalEmailBlock::from_row(&row)))
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    canonical_email_hash: Option<String>,
}

/// Takes `email` (hashed here) or, when that is absent, `canonical_email_hash`.
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<BlockForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let blocked = match (form.email.filter(|e| !e.trim().is_empty()), form.canonical_email_hash) {
        (Some(email), _) => BlockedEmail::Address(email),
        (None, Some(hash)) => BlockedEmail::Hash(hash),
        (None, None) => {
            return Err(ApiError::BadRequest("send email (an address) or canonical_email_hash".into()));
        }
    };
    let row = sign_up_blocks::block_canonical_email(&state.ctx.db, blocked).await?;
    audited(&state, user, "create", target(&row)).await?;
    Ok(HttpResponse::Ok().json(CanonicalEmailBlock::from_row(&row)))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageBlocks)?;
    let row = sign_up_blocks::unblock_canonical_email(&state.ctx.db, path_id(&id)?).await?;
    audited(&state, user, "destroy", target(&row)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

#[derive(Debug, Default, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    email: String,
}

/// `POST .../test`: the blocks an address falls under.
pub async fn test(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<TestForm>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageBlocks)?;
    if form.email.trim().is_empty() {
        return Err(ApiError::BadRequest("email is required".into()));
    }
    Ok(list(&sign_up_blocks::canonical_email_blocks_on(&state.ctx.db, &form.email).await?))
}
