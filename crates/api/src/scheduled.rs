//! `/api/v1/scheduled_statuses/*`, and the time format of `scheduled_at`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::scheduled;

use crate::auth::Auth;
use crate::entities::ScheduledStatus;
use crate::forms::{Form, Query};
use crate::pagination::{self, PageParams, paged};
use crate::{ApiError, AppState};

/// `scheduled_at` as clients send it: ISO 8601 with a zone (what Mastodon
/// documents), or without one, read as UTC. Stored as UTC.
pub(crate) fn parse_time(raw: &str) -> Result<NaiveDateTime, ApiError> {
    parse_time_of("scheduled_at", raw)
}

/// A date and time sent as `field`, in the formats of [`parse_time`].
pub(crate) fn parse_time_of(field: &str, raw: &str) -> Result<NaiveDateTime, ApiError> {
    let raw = raw.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.naive_utc());
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| {
        ApiError::Unprocessable(format!(
            "{field}: '{raw}' is not a date and time; send ISO 8601, such as 2026-12-24T09:00:00Z"
        ))
    })
}

/// An id from the URL; anything else is a scheduled status that does not
/// exist.
fn path_id(raw: &str) -> Result<Id, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound("Record not found".into()))
}

fn json(view: &scheduled::ScheduledView, state: &AppState) -> HttpResponse {
    HttpResponse::Ok().json(ScheduledStatus::from_view(view, &state.ctx.config))
}

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    auth: Auth,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?;
    let views = scheduled::list(&state.ctx.db, user.account.id, params.page(pagination::STATUSES)?).await?;
    let keys: Vec<Id> = views.iter().map(|view| view.id).collect();
    Ok(paged(&request, &state.ctx.config.base_url(), &keys, &ScheduledStatus::list(&views, &state.ctx.config)))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("read:statuses")?;
    let view = scheduled::get(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(json(&view, &state))
}

#[derive(Debug, Deserialize)]
pub struct RescheduleForm {
    #[serde(default)]
    scheduled_at: Option<String>,
}

pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<RescheduleForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let id = path_id(&id)?;
    let view = match form.scheduled_at.as_deref().filter(|raw| !raw.trim().is_empty()) {
        Some(raw) => {
            let at = parse_time(raw)?;
            scheduled::reschedule(&state.ctx, user.account.id, id, at).await?
        }
        // Nothing to change, as on Mastodon.
        None => scheduled::get(&state.ctx.db, user.account.id, id).await?,
    };
    Ok(json(&view, &state))
}

pub async fn cancel(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    scheduled::cancel(&state.ctx.db, user.account.id, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
