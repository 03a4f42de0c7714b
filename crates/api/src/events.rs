//! Tertulia's events extension, `/api/v1/tertulia/events`, and the
//! iCalendar feeds `/events.ics` (this site's events) and
//! `/@name/events.ics` (those a person organises or attends, or for a
//! group those shared in it), and a group's calendar,
//! `/api/v1/tertulia/groups/:id/events`. The feeds are public: they hold
//! public and unlisted events only.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::Invalidity;
use tertulia_domain::calendar::{self, EventView, Listing, NewEvent};

use crate::auth::Auth;
use crate::entities::Event;
use crate::forms::{Form, Query, flexible_bool};
use crate::ics;
use crate::pagination::STATUSES;
use crate::statuses::path_id;
use crate::tags::TrendParams;
use crate::{ApiError, AppState};

/// An event, new or changed; missing texts are refused by the domain's
/// checks.
#[derive(Debug, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_time: String,
    timezone: Option<String>,
    location: Option<String>,
    url: Option<String>,
    description: Option<String>,
    visibility: Option<String>,
}

/// `local` (this site's events only) or `site` (one site's, by domain),
/// and `offset`/`limit`.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default)]
    site: Option<String>,
    #[serde(flatten)]
    window: TrendParams,
}

#[derive(Debug, Deserialize)]
pub struct AttendanceForm {
    #[serde(default)]
    answer: String,
}

pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    Form(form): Form<EventForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let view = calendar::create(&state.ctx, user.account.id, form.into()).await?;
    Ok(HttpResponse::Ok().json(Event::from_view(&view, &state.ctx.config)))
}

/// Changes an event: the form describes it whole, as when posting it.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<EventForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let view = calendar::update(&state.ctx, user.account.id, path_id(&id)?, form.into()).await?;
    Ok(HttpResponse::Ok().json(Event::from_view(&view, &state.ctx.config)))
}

impl From<EventForm> for NewEvent {
    fn from(form: EventForm) -> Self {
        NewEvent {
            name: form.name,
            start_time: form.start_time,
            end_time: form.end_time,
            timezone: form.timezone,
            location: form.location,
            url: form.url,
            description: form.description,
            visibility: form.visibility,
        }
    }
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let window = params.window.window(STATUSES)?;
    let listing = listing(&params, &state.ctx.config.domain)?;
    let views = calendar::upcoming(&state.ctx, viewer, listing, window.offset, window.limit).await?;
    Ok(HttpResponse::Ok().json(entities(&views, &state)))
}

/// The upcoming events posted to a group, paged as the events list.
pub async fn of_group(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Query(params): Query<TrendParams>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let window = params.window(STATUSES)?;
    let views = calendar::group_upcoming(&state.ctx, viewer, path_id(&id)?, window.offset, window.limit).await?;
    Ok(HttpResponse::Ok().json(entities(&views, &state)))
}

pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let viewer = auth.viewer("read:statuses")?;
    let view = calendar::get(&state.ctx, viewer, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(Event::from_view(&view, &state.ctx.config)))
}

pub async fn attend(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    Form(form): Form<AttendanceForm>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.user("write:statuses")?;
    let answer = calendar::parse_answer(&form.answer)?;
    let view = calendar::attend(&state.ctx, user.account.id, path_id(&id)?, answer).await?;
    Ok(HttpResponse::Ok().json(Event::from_view(&view, &state.ctx.config)))
}

pub async fn site_feed(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let views = calendar::site_feed(&state.ctx).await?;
    let name = format!("Events at {}", state.ctx.config.domain);
    Ok(calendar_response(&name, &views))
}

pub async fn person_feed(state: web::Data<AppState>, name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let username = name.into_inner();
    let title = format!("Events of @{username}@{}", state.ctx.config.domain);
    let views = calendar::person_feed(&state.ctx, username).await?;
    Ok(calendar_response(&title, &views))
}

/// The events asked for: `site=` names a site by its domain (this site's
/// own meaning its events, as `local=true` does).
fn listing(params: &ListParams, this_domain: &str) -> Result<Listing, ApiError> {
    let local = params.local == Some(true);
    let Some(site) = params.site.as_deref().map(str::trim).filter(|site| !site.is_empty()) else {
        return Ok(if local { Listing::ThisSite } else { Listing::Company });
    };
    tertulia_core::config::validate_domain(site)
        .map_err(|reason| ApiError::invalid(Invalidity::Invalid, "site", reason))?;
    match (site.eq_ignore_ascii_case(this_domain), local) {
        (true, _) => Ok(Listing::ThisSite),
        (false, false) => Ok(Listing::OtherSite(site.to_ascii_lowercase())),
        (false, true) => Err(ApiError::invalid(
            Invalidity::Invalid,
            "site",
            "names another site, but local=true asks for this site's events: send only one of the two",
        )),
    }
}

fn entities(views: &[EventView], state: &AppState) -> Vec<Event> {
    views.iter().map(|view| Event::from_view(view, &state.ctx.config)).collect()
}

fn calendar_response(name: &str, views: &[EventView]) -> HttpResponse {
    HttpResponse::Ok().content_type("text/calendar; charset=utf-8").body(ics::calendar(name, views, chrono::Utc::now()))
}
