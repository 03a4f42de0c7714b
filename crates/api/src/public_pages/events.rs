//! `/events`: the company's upcoming public events, of this site and
//! known from others, soonest first, with links to the calendar feeds.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use tertulia_domain::calendar::{self, EventView};

use super::{PageError, Section, display_name, page};
use crate::AppState;
use crate::forms::Query;
use crate::pagination::STATUSES;
use crate::tags::TrendParams;
use crate::web::{offset_pager, when};

pub async fn index(state: web::Data<AppState>, Query(params): Query<TrendParams>) -> Result<HttpResponse, PageError> {
    let window = params.window(STATUSES)?;
    let events = calendar::upcoming_public(&state.ctx, window.offset, window.limit).await?;
    let main = html! {
        h1 { "Upcoming events" }
        p {
            "Add them to your calendar: " a href="/events.ics" { "this site's events (.ics)" }
            ". Each organiser of this site also has a feed of their own, linked below."
        }
        @if events.is_empty() {
            p.muted { "No upcoming public events." }
        }
        @for event in &events {
            (event_card(event))
        }
        (offset_pager("/events", &window, events.len(), ("← Sooner", "Later →")))
    };
    Ok(page(Section::Events, "Upcoming events", main))
}

fn event_card(event: &EventView) -> Markup {
    let organiser = &event.status.account;
    let attendance = event.attendance;
    html! {
        article {
            h2 { a href=(event.status.url) { (event.name) } }
            dl.facts {
                dt { "When" }
                dd {
                    time datetime=(event.starts_at.to_rfc3339()) { (when(event.starts_at)) }
                    " to " time datetime=(event.ends_at.to_rfc3339()) { (when(event.ends_at)) }
                    @if let Some(local) = organiser_time(event) { br; span.muted { (local) } }
                }
                @if let Some(location) = &event.location { dt { "Where" } dd { (location) } }
                @if let Some(url) = &event.url { dt { "Link" } dd { a href=(url) { (url) } } }
                dt { "Organiser" }
                dd {
                    a href=(organiser.url) { (display_name(organiser)) } " " span.muted { "@" (organiser.acct()) }
                    @if organiser.domain.is_none() {
                        " · " a href=(format!("/@{}/events.ics", organiser.username)) { "their events (.ics)" }
                    }
                }
                dt { "Answers" }
                dd { (attendance.going) " going, " (attendance.maybe) " maybe, " (attendance.not_going) " not going" }
            }
        }
    }
}

/// The start and end in the organiser's time zone, when the event names
/// one, so that readers elsewhere see both it and UTC.
fn organiser_time(event: &EventView) -> Option<String> {
    let zone: Tz = event.timezone.as_deref()?.parse().ok()?;
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    Some(format!("{} to {} ({})", local(event.starts_at), local(event.ends_at), zone.name()))
}
