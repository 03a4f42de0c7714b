//! `/api/v1/admin/accounts` and `/api/v2/admin/accounts`: staff view and
//! moderate accounts (docs.joinmastodon.org/methods/admin/accounts).
//! This site sends no e-mail: `send_email_notification` (like a warning
//! text) tells the user with a `moderation_warning` notification instead.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::audit::Actor;
use tertulia_domain::moderation::{self, AccountAction, AccountFilter, AccountStatus, ActionRequest, Reversal};
use tertulia_domain::roles::{Permission, Role};

use crate::auth::Auth;
use crate::entities::AdminAccount;
use crate::forms::{Form, Query, flexible_bool, string_or_list};
use crate::pagination::{self, PageParams, paged};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

pub(crate) const READ: &str = "admin:read:accounts";
pub(crate) const WRITE: &str = "admin:write:accounts";

/// The filters of `GET /api/v1/admin/accounts`, each a flag or a text.
#[derive(Debug, Default, Deserialize)]
pub struct V1Filters {
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    pending: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    silenced: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    suspended: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    sensitized: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    staff: Option<bool>,
}

/// The text filters both versions share (read from the query string
/// beside the version's own).
#[derive(Debug, Default, Deserialize)]
pub struct TextFilters {
    pub(crate) username: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) by_domain: Option<String>,
    pub(crate) ip: Option<String>,
}

impl TextFilters {
    fn into_filter(self) -> Result<AccountFilter, ApiError> {
        let given = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
        let ip = given(self.ip)
            .map(|ip| {
                ip.trim().parse::<std::net::IpAddr>().map_err(|_| {
                    ApiError::Unprocessable(format!("ip: '{ip}' is not an IPv4 or IPv6 address, such as 192.0.2.7"))
                })
            })
            .transpose()?;
        Ok(AccountFilter {
            ip: ip.map(|ip| ip.to_string()),
            username: given(self.username),
            display_name: given(self.display_name),
            email: given(self.email),
            domain: given(self.by_domain),
            ..AccountFilter::default()
        })
    }
}

/// Staff roles, for `staff` and `permissions=staff`.
const STAFF: [Role; 3] = [Role::Moderator, Role::Admin, Role::Owner];

impl V1Filters {
    fn into_filter(self, texts: TextFilters) -> Result<AccountFilter, ApiError> {
        let flags = [
            (self.active, AccountStatus::Active),
            (self.pending, AccountStatus::Pending),
            (self.disabled, AccountStatus::Disabled),
            (self.silenced, AccountStatus::Silenced),
            (self.suspended, AccountStatus::Suspended),
            (self.sensitized, AccountStatus::Sensitized),
        ];
        let mut statuses = flags.into_iter().filter(|(set, _)| *set == Some(true)).map(|(_, status)| status);
        let status = statuses.next();
        if statuses.next().is_some() {
            return Err(ApiError::Unprocessable(
                "give at most one of active, pending, disabled, silenced, suspended and sensitized".into(),
            ));
        }
        let local = match (self.local == Some(true), self.remote == Some(true)) {
            (true, true) => return Err(ApiError::Unprocessable("give local or remote, not both".into())),
            (true, false) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        };
        let roles = (self.staff == Some(true)).then(|| STAFF.to_vec());
        Ok(AccountFilter { local, status, roles, ..texts.into_filter()? })
    }
}

/// The filters of `GET /api/v2/admin/accounts`.
#[derive(Debug, Default, Deserialize)]
pub struct V2Filters {
    pub(crate) origin: Option<String>,
    pub(crate) status: Option<String>,
    permissions: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    role_ids: Vec<String>,
}

impl V2Filters {
    pub(crate) fn into_filter(self, texts: TextFilters) -> Result<AccountFilter, ApiError> {
        let local = match self.origin.as_deref().unwrap_or("") {
            "" => None,
            "local" => Some(true),
            "remote" => Some(false),
            other => return Err(unknown("origin", other, "local, remote")),
        };
        let status = match self.status.as_deref().unwrap_or("") {
            "" => None,
            "active" => Some(AccountStatus::Active),
            "pending" => Some(AccountStatus::Pending),
            "disabled" => Some(AccountStatus::Disabled),
            "silenced" => Some(AccountStatus::Silenced),
            "suspended" => Some(AccountStatus::Suspended),
            other => return Err(unknown("status", other, "active, pending, disabled, silenced, suspended")),
        };
        // Role ids are the role names (see `Role::of`).
        let asked = self
            .role_ids
            .iter()
            .map(|id| id.parse::<Role>().map_err(|e| ApiError::Unprocessable(format!("role_ids: {e}"))))
            .collect::<Result<Vec<Role>, ApiError>>()?;
        let asked = (!asked.is_empty()).then_some(asked);
        // Both filters must hold: the staff among the roles asked for,
        // which may be none at all.
        let roles = match self.permissions.as_deref().unwrap_or("") {
            "" => asked,
            "staff" => Some(asked.unwrap_or(STAFF.to_vec()).into_iter().filter(|role| STAFF.contains(role)).collect()),
            other => return Err(unknown("permissions", other, "staff")),
        };
        Ok(AccountFilter { local, status, roles, ..texts.into_filter()? })
    }
}

fn unknown(field: &str, value: &str, expected: &str) -> ApiError {
    ApiError::Unprocessable(format!("{field}: '{value}' is not one of {expected}"))
}

pub async fn index_v1(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(page): Query<PageParams>,
    Query(filters): Query<V1Filters>,
    Query(texts): Query<TextFilters>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageUsers)?;
    list(&state, &request, page, filters.into_filter(texts)?).await
}

pub async fn index_v2(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(page): Query<PageParams>,
    Query(filters): Query<V2Filters>,
    Query(texts): Query<TextFilters>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageUsers)?;
    list(&state, &request, page, filters.into_filter(texts)?).await
}

async fn list(
    state: &AppState,
    request: &HttpRequest,
    page: PageParams,
    filter: AccountFilter,
) -> Result<HttpResponse, ApiError> {
    // Mastodon's page size for this list: 100 by default, at most 200.
    let limits = pagination::Limits { default: 100, max: 200 };
    let found = moderation::list(&state.ctx.db, filter, page.page(limits)?).await?;
    let keys: Vec<Id> = found.iter().map(|m| m.account.id).collect();
    let body: Vec<AdminAccount> = found.iter().map(|m| AdminAccount::from_view(m, &state.ctx.config)).collect();
    Ok(paged(request, &state.ctx.config.base_url(), &keys, &body))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageUsers)?;
    let found = moderation::get(&state.ctx.db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(AdminAccount::from_view(&found, &state.ctx.config)))
}

/// The parameters of `POST /api/v1/admin/accounts/:id/action`.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(rename = "type")]
    action: Option<String>,
    #[serde(default)]
    text: String,
    report_id: Option<String>,
    /// Tells the user with a `moderation_warning` notification; no
    /// e-mail is sent (see docs/moderation.md).
    #[serde(default, deserialize_with = "flexible_bool")]
    send_email_notification: Option<bool>,
}

/// Mastodon answers an action with an empty object.
pub async fn action(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageUsers)?;
    moderation::act(&state.ctx, Actor::from(user), path_id(&id)?, form.into_request()?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

impl ActionForm {
    /// The action asked for, as the admin API and the dashboard read it.
    pub(crate) fn into_request(self) -> Result<ActionRequest, ApiError> {
        let action = match self.action.as_deref().unwrap_or("none") {
            "" => AccountAction::None,
            name => name.parse::<AccountAction>().map_err(|e| ApiError::Unprocessable(format!("type: {e}")))?,
        };
        let report_id = match self.report_id.as_deref().filter(|r| !r.is_empty()) {
            None => None,
            Some(text) => Some(
                text.parse::<Id>().map_err(|_| ApiError::Unprocessable(format!("report_id: '{text}' is not an id")))?,
            ),
        };
        let notify = self.send_email_notification.unwrap_or(false);
        Ok(ActionRequest { action, text: self.text, report_id, notify })
    }
}

pub async fn approve(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &id, Reversal::Approve).await
}

pub async fn enable(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &id, Reversal::Enable).await
}

pub async fn unsilence(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &id, Reversal::Unsilence).await
}

pub async fn unsuspend(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &id, Reversal::Unsuspend).await
}

pub async fn unsensitive(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    undo(&state, &auth, &id, Reversal::Unsensitive).await
}

/// Each undo answers with the account as it now is.
async fn undo(state: &AppState, auth: &Auth, id: &str, reversal: Reversal) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageUsers)?;
    let found = moderation::undo(&state.ctx.db, Actor::from(user), path_id(id)?, reversal).await?;
    Ok(HttpResponse::Ok().json(AdminAccount::from_view(&found, &state.ctx.config)))
}

pub async fn reject(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageUsers)?;
    let id = path_id(&id)?;
    let found = moderation::get(&state.ctx.db, id).await?;
    moderation::reject(&state.ctx.db, Actor::from(user), id).await?;
    Ok(HttpResponse::Ok().json(AdminAccount::from_view(&found, &state.ctx.config)))
}

/// Deleting an account's data needs Mastodon's `delete_user_data`.
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::DeleteUserData)?;
    let id = path_id(&id)?;
    let found = moderation::get(&state.ctx.db, id).await?;
    moderation::delete(&state.ctx.db, Actor::from(user), id).await?;
    Ok(HttpResponse::Ok().json(AdminAccount::from_view(&found, &state.ctx.config)))
}
