//! `POST /api/v1/reports`: a user asks this site's moderators to look at
//! an account and some of its statuses
//! (docs.joinmastodon.org/methods/reports).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::reports::{self, Category, NewReport};

use crate::auth::Auth;
use crate::entities::Report;
use crate::forms::{Form, flexible_bool, ids};
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    account_id: String,
    /// `status_ids[]=` in forms, an array in JSON.
    #[serde(default)]
    status_ids: Vec<String>,
    #[serde(default)]
    comment: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    forward: Option<bool>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    rule_ids: Vec<String>,
}

/// A report `category` as sent; empty counts as not sent.
pub(crate) fn category(raw: Option<&str>) -> Result<Option<Category>, ApiError> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|unknown: tertulia_core::stored::UnknownName| {
            ApiError::Unprocessable(format!("category: '{}' is not one of {}", unknown.name, unknown.expected))
        }),
    }
}

/// Rule ids as sent with `rule_ids[]=`.
pub(crate) fn rule_ids(raw: &[String]) -> Result<Vec<tertulia_core::Id>, ApiError> {
    ids("rule_ids", "rule id", raw)
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<ReportForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:reports")?;
    if form.account_id.trim().is_empty() {
        return Err(ApiError::Unprocessable("account_id: the account to report is required".into()));
    }
    let target = form
        .account_id
        .trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("account '{}' not found", form.account_id.trim())))?;
    let new = NewReport {
        target,
        status_ids: ids("status_ids", "status id", &form.status_ids)?,
        comment: form.comment,
        forward: form.forward.unwrap_or(false),
        category: category(form.category.as_deref())?,
        rule_ids: rule_ids(&form.rule_ids)?,
    };
    let view = reports::file(&state.ctx, user.account.id, new).await?;
    Ok(HttpResponse::Ok().json(Report::from_view(&view, &state.ctx.config)))
}
