//! `/api/v1/admin/reports`: moderators list, take on, resolve and
//! reclassify reports (docs.joinmastodon.org/methods/admin/reports).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::audit::Target;
use tertulia_domain::reports::{self, AdminReportView, ReportChanges, ReportFilter};
use tertulia_domain::roles::Permission;

use super::audited;
use tertulia_domain::oauth::SessionUser;

use crate::auth::Auth;
use crate::entities::AdminReport;
use crate::forms::{Form, Query, flexible_bool};
use crate::pagination::{Limits, PageParams, paged};
use crate::reports::{category, rule_ids};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

pub(crate) const READ: &str = "admin:read:reports";
pub(crate) const WRITE: &str = "admin:write:reports";

/// Mastodon's page sizes for this list.
const REPORTS: Limits = Limits { default: 100, max: 200 };

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flexible_bool")]
    resolved: Option<bool>,
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    target_account_id: Option<String>,
}

/// An account id used as a filter: one that cannot exist matches nothing,
/// which is an error worth telling rather than an empty list.
fn account_filter(field: &str, raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(raw) => {
            raw.parse().map(Some).map_err(|_| ApiError::BadRequest(format!("{field}: '{raw}' is not an account id")))
        }
    }
}

fn json(view: &AdminReportView, state: &AppState) -> HttpResponse {
    HttpResponse::Ok().json(AdminReport::from_view(view, &state.ctx.config))
}

/// Writes the audit entry of `action` on the report.
async fn audit_report(
    state: &AppState,
    moderator: &SessionUser,
    action: &'static str,
    view: &AdminReportView,
) -> Result<(), ApiError> {
    let label = format!("report on @{}", view.target.account.acct());
    audited(state, moderator, action, Target::new("Report", view.report.id, label)).await
}

pub async fn index(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageReports)?;
    let filter = ReportFilter {
        resolved: params.resolved,
        account_id: account_filter("account_id", params.account_id.as_deref())?,
        target_account_id: account_filter("target_account_id", params.target_account_id.as_deref())?,
    };
    let views = reports::list(&state.ctx.db, filter, params.page.page(REPORTS)?).await?;
    let keys: Vec<_> = views.iter().map(|view| view.report.id).collect();
    let body: Vec<AdminReport> = views.iter().map(|view| AdminReport::from_view(view, &state.ctx.config)).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &body))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageReports)?;
    Ok(json(&reports::show(&state.ctx.db, path_id(&id)?).await?, &state))
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    category: Option<String>,
    /// Left out: the rules stay; sent empty (`rule_ids[]=` with nothing,
    /// or `[]`) clears them.
    #[serde(default)]
    rule_ids: Option<Vec<String>>,
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<UpdateForm>,
) -> Result<HttpResponse, ApiError> {
    let moderator = auth.permitted(WRITE, Permission::ManageReports)?;
    let changes = ReportChanges {
        category: category(form.category.as_deref())?,
        rule_ids: form.rule_ids.as_deref().map(rule_ids).transpose()?,
    };
    let view = reports::update(&state.ctx.db, moderator.account.id, path_id(&id)?, changes).await?;
    audit_report(&state, moderator, "update", &view).await?;
    Ok(json(&view, &state))
}

/// The actions on a report that need nothing but the report, named as in
/// their paths (`POST /api/v1/admin/reports/{id}/{action}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportAction {
    AssignToSelf,
    Unassign,
    Resolve,
    Reopen,
}

impl ReportAction {
    pub(crate) fn parse(name: &str) -> Option<ReportAction> {
        [ReportAction::AssignToSelf, ReportAction::Unassign, ReportAction::Resolve, ReportAction::Reopen]
            .into_iter()
            .find(|action| action.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ReportAction::AssignToSelf => "assign_to_self",
            ReportAction::Unassign => "unassign",
            ReportAction::Resolve => "resolve",
            ReportAction::Reopen => "reopen",
        }
    }
}

/// Takes `action` on report `id` and writes its audit entry: the admin
/// API and the dashboard both act through here.
pub(crate) async fn take(
    state: &AppState,
    moderator: &SessionUser,
    action: ReportAction,
    id: Id,
) -> Result<AdminReportView, ApiError> {
    let db = &state.ctx.db;
    let by = moderator.account.id;
    let view = match action {
        ReportAction::AssignToSelf => reports::assign_to_self(db, by, id).await?,
        ReportAction::Unassign => reports::unassign(db, by, id).await?,
        ReportAction::Resolve => reports::resolve(db, by, id).await?,
        ReportAction::Reopen => reports::reopen(db, by, id).await?,
    };
    audit_report(state, moderator, action.name(), &view).await?;
    Ok(view)
}

async fn act(state: &AppState, auth: &Auth, id: &str, action: ReportAction) -> Result<HttpResponse, ApiError> {
    let moderator = auth.permitted(WRITE, Permission::ManageReports)?;
    Ok(json(&take(state, moderator, action, path_id(id)?).await?, state))
}

pub async fn assign_to_self(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, &id, ReportAction::AssignToSelf).await
}

pub async fn unassign(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, &id, ReportAction::Unassign).await
}

pub async fn resolve(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, &id, ReportAction::Resolve).await
}

pub async fn reopen(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    act(&state, &auth, &id, ReportAction::Reopen).await
}
