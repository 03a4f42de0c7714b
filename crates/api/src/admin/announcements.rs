//! `/api/v1/admin/announcements`: admins write, schedule, publish and
//! withdraw announcements (the admin API's style: `admin:read` and
//! `admin:write` scopes, admins only).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::announcements::{self, AnnouncementForm};

use crate::auth::Auth;
use crate::entities::AdminAnnouncement;
use crate::forms::{Form, flexible_bool};
use crate::scheduled::parse_time_of;
use crate::statuses::path_id;
use crate::{ApiError, AppState};
use tertulia_domain::audit::Actor;
use tertulia_domain::roles::Permission;

const READ: &str = "admin:read";
const WRITE: &str = "admin:write";

/// The announcement as sent to create or edit one.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    starts_at: Option<String>,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    all_day: Option<bool>,
    /// Publish at once.
    #[serde(default, deserialize_with = "flexible_bool")]
    published: Option<bool>,
    #[serde(default)]
    scheduled_at: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    company_wide: Option<bool>,
}

fn time(field: &str, raw: Option<&str>) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
    raw.filter(|raw| !raw.trim().is_empty()).map(|raw| parse_time_of(field, raw)).transpose()
}

impl Params {
    fn form(self) -> Result<AnnouncementForm, ApiError> {
        Ok(AnnouncementForm {
            starts_at: time("starts_at", self.starts_at.as_deref())?,
            ends_at: time("ends_at", self.ends_at.as_deref())?,
            scheduled_at: time("scheduled_at", self.scheduled_at.as_deref())?,
            text: self.text.unwrap_or_default(),
            all_day: self.all_day.unwrap_or(false),
            publish: self.published.unwrap_or(false),
            company_wide: self.company_wide.unwrap_or(false),
        })
    }
}

fn json(view: &announcements::AnnouncementView, state: &AppState) -> HttpResponse {
    HttpResponse::Ok().json(AdminAnnouncement::from_view(view, &state.ctx.config))
}

pub async fn index(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageAnnouncements)?;
    let all = announcements::list_all(&state.ctx.db).await?;
    let body: Vec<AdminAnnouncement> = all.iter().map(|v| AdminAnnouncement::from_view(v, &state.ctx.config)).collect();
    Ok(HttpResponse::Ok().json(body))
}

pub async fn show(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    auth.permitted(READ, Permission::ManageAnnouncements)?;
    Ok(json(&announcements::get(&state.ctx.db, path_id(&id)?).await?, &state))
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(params): Form<Params>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageAnnouncements)?;
    let view = announcements::create(&state.ctx, &Actor::from(user), params.form()?).await?;
    Ok(json(&view, &state))
}

/// `PUT`: the whole announcement again, as for creating it.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(params): Form<Params>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageAnnouncements)?;
    let view = announcements::edit(&state.ctx, &Actor::from(user), path_id(&id)?, params.form()?).await?;
    Ok(json(&view, &state))
}

pub async fn publish(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageAnnouncements)?;
    let view = announcements::publish(&state.ctx, &Actor::from(user), path_id(&id)?).await?;
    Ok(json(&view, &state))
}

pub async fn unpublish(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageAnnouncements)?;
    let view = announcements::unpublish(&state.ctx, &Actor::from(user), path_id(&id)?).await?;
    Ok(json(&view, &state))
}

pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = auth.permitted(WRITE, Permission::ManageAnnouncements)?;
    announcements::delete(&state.ctx, &Actor::from(user), path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
