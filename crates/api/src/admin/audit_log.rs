//! `GET /api/v1/admin/audit_log`: the record of moderation and admin
//! actions, newest first. Mastodon shows its action log only on a web
//! page, so this path and shape are Tertulia's own; the fields follow
//! Mastodon's `Admin::ActionLog` (action, target type and id, a name that
//! identifies the target).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tertulia_core::Id;
use tertulia_domain::audit::{self, Entry};
use tertulia_domain::roles::Permission;

use crate::auth::Auth;
use crate::entities::timestamp;
use crate::forms::Query;
use crate::pagination::{self, PageParams, paged};
use crate::{ApiError, AppState};

#[derive(Serialize)]
struct AuditEntry<'a> {
    id: String,
    /// The acting staff member's account id; `None` for the command line
    /// and the configuration file.
    account_id: Option<String>,
    /// Their username, `command line` or `configuration file`.
    actor: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    human_identifier: &'a str,
    created_at: String,
}

impl<'a> AuditEntry<'a> {
    fn from_entry(entry: &'a Entry) -> Self {
        AuditEntry {
            id: entry.id.to_string(),
            account_id: entry.actor_account.map(|id| id.to_string()),
            actor: &entry.actor,
            action: &entry.action,
            target_type: &entry.target.kind,
            target_id: &entry.target.id,
            human_identifier: &entry.target.label,
            created_at: timestamp(entry.created_at),
        }
    }
}

pub async fn index(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(page): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted("admin:read", Permission::ViewAuditLog)?;
    let entries = audit::list(&state.ctx.db, page.page(pagination::NOTIFICATIONS)?).await?;
    let keys: Vec<Id> = entries.iter().map(|e| e.id).collect();
    let body: Vec<AuditEntry> = entries.iter().map(AuditEntry::from_entry).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}
