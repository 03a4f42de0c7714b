//! Posting an event (`POST /api/v1/tertulia/events`) and changing it
//! (`PUT /api/v1/tertulia/events/:id`). The event is a status whose text
//! says when, where and where to read more, rendered here, so that any
//! Mastodon client shows it. A client editing that status as a plain
//! status changes its text only: the event's own data (what listings,
//! feeds and other sites' calendars read) stays as it was, as the text
//! may say anything; changing the event is this module's `update`.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use tertulia_core::config::Config;
use tertulia_core::{Id, text};
use tertulia_db::calendar::{self, EventRow};

use super::EventView;
use crate::statuses::{Checked, NewStatus, StatusChanges, edit_in, publish};
use crate::{Context, DomainError};

/// Longest event name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest place, in characters.
pub const MAX_LOCATION_CHARS: usize = 300;
/// Longest link, in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// Longest event: a conference week or a month-long campaign, not a season.
pub const MAX_DAYS: i64 = 31;

/// An event to post, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub name: String,
    /// RFC 3339 date and time.
    pub start_time: String,
    /// RFC 3339 date and time.
    pub end_time: String,
    /// IANA time zone (`Europe/Madrid`) in which the status text shows the
    /// times; UTC when absent.
    pub timezone: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// As for a status; public when absent.
    pub visibility: Option<String>,
}

/// A new event that passed every check.
struct CheckedEvent {
    name: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    timezone: Option<Tz>,
    location: Option<String>,
    url: Option<String>,
}

/// Posts `request` for `author`: the status (through the one posting path,
/// so audience, timelines and federation are a status's) and its event,
/// in one transaction.
pub async fn create(ctx: &Context, author: Id, request: NewEvent) -> Result<EventView, DomainError> {
    let event = check(&request, Utc::now())?;
    let text = checked_status_text(&ctx.config, &event, &request)?;
    let status = NewStatus { text, visibility: request.visibility, ..NewStatus::default() };
    let checked = Checked::new(&ctx.config, status)?;
    let status_id = ctx
        .committed(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let (view, pending) = publish(conn, author, &checked)?;
                calendar::insert(conn, &event.row(view.id.0))?;
                Ok((view.id, pending))
            })
        })
        .await?;
    super::get(ctx, Some(author.0), status_id).await
}

/// Changes `author`'s event `id`: `PUT /api/v1/tertulia/events/:id`. The
/// request describes the whole event again, checked as when posting it;
/// its visibility cannot change (a status's cannot). The status text is
/// rendered again and goes through the one editing path, so readers,
/// history and other sites (an `Update`) see the change as an edit.
pub async fn update(ctx: &Context, author: Id, id: Id, request: NewEvent) -> Result<EventView, DomainError> {
    if request.visibility.is_some() {
        return Err(DomainError::invalid("visibility", "cannot change once an event is posted"));
    }
    let event = check(&request, Utc::now())?;
    let changes =
        StatusChanges { text: checked_status_text(&ctx.config, &event, &request)?, ..StatusChanges::default() };
    let config = ctx.config.clone();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            if calendar::of_statuses(conn, &[id.0])?.is_empty() {
                return Err(DomainError::NotFound("event".into()));
            }
            let (_, pending) = edit_in(conn, &config, author, id, &changes)?;
            calendar::update(conn, &event.row(id.0))?;
            Ok(((), pending))
        })
    })
    .await?;
    super::get(ctx, Some(author.0), id).await
}

impl CheckedEvent {
    fn row(&self, status_id: i64) -> EventRow {
        EventRow {
            status_id,
            name: self.name.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone.map(|tz| tz.name().to_owned()),
            location: self.location.clone(),
            url: self.url.clone(),
            created_at: tertulia_db::now(),
        }
    }
}

/// The status text of `event`, refused if it would not fit in a status.
fn checked_status_text(config: &Config, event: &CheckedEvent, request: &NewEvent) -> Result<String, DomainError> {
    let text = status_text(event, request.description.as_deref().unwrap_or_default());
    let max = config.limits.max_status_chars as usize;
    if text::countable_length(&text) > max {
        return Err(DomainError::invalid(
            "description",
            format!(
                "is too long: the event's status (name, time, place, link and description) must fit in {max} characters"
            ),
        ));
    }
    Ok(text)
}

fn check(request: &NewEvent, now: DateTime<Utc>) -> Result<CheckedEvent, DomainError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(DomainError::blank("name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::too_long("name", MAX_NAME_CHARS));
    }
    let starts_at = parse_time("start_time", &request.start_time)?;
    let ends_at = parse_time("end_time", &request.end_time)?;
    if ends_at <= starts_at {
        return Err(DomainError::invalid("end_time", "must be after start_time"));
    }
    if ends_at - starts_at > Duration::days(MAX_DAYS) {
        return Err(DomainError::invalid("end_time", format!("an event lasts at most {MAX_DAYS} days")));
    }
    if ends_at <= now {
        return Err(DomainError::invalid("end_time", "is in the past: post events that have not ended yet"));
    }
    let timezone = match optional(&request.timezone) {
        Some(zone) => Some(zone.parse::<Tz>().map_err(|_| {
            DomainError::invalid("timezone", format!("'{zone}' is not an IANA time zone name such as Europe/Madrid"))
        })?),
        None => None,
    };
    let location = optional(&request.location).map(str::to_owned);
    if location.as_ref().is_some_and(|l| l.chars().count() > MAX_LOCATION_CHARS) {
        return Err(DomainError::too_long("location", MAX_LOCATION_CHARS));
    }
    let url = optional(&request.url).map(str::to_owned);
    if let Some(url) = &url {
        let web = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !web || url.chars().count() > MAX_URL_CHARS {
            return Err(DomainError::invalid(
                "url",
                format!("must be an http or https address of at most {MAX_URL_CHARS} characters"),
            ));
        }
    }
    if location.is_none() && url.is_none() {
        return Err(DomainError::invalid("location", "give a place (location), a link (url), or both"));
    }
    Ok(CheckedEvent {
        name: name.to_owned(),
        starts_at: starts_at.naive_utc(),
        ends_at: ends_at.naive_utc(),
        timezone,
        location,
        url,
    })
}

fn optional(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_time(field: &'static str, value: &str) -> Result<DateTime<Utc>, DomainError> {
    DateTime::parse_from_rfc3339(value.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        DomainError::invalid(
            field,
            format!("'{value}' is not a date and time with its offset, such as 2026-12-15T10:00:00+01:00"),
        )
    })
}

/// The status text: name, when (in the organiser's zone), where, the link,
/// then the description. Stock clients show only this.
fn status_text(event: &CheckedEvent, description: &str) -> String {
    let zone = event.timezone.unwrap_or(Tz::UTC);
    let starts = event.starts_at.and_utc().with_timezone(&zone);
    let ends = event.ends_at.and_utc().with_timezone(&zone);
    let when = if starts.date_naive() == ends.date_naive() {
        format!("{} – {}", starts.format("%a %-d %b %Y, %H:%M"), ends.format("%H:%M"))
    } else {
        format!("{} – {}", starts.format("%a %-d %b %Y, %H:%M"), ends.format("%a %-d %b %Y, %H:%M"))
    };
    let mut lines = vec![event.name.clone(), format!("When: {when} ({})", zone.name())];
    if let Some(location) = &event.location {
        lines.push(format!("Where: {location}"));
    }
    if let Some(url) = &event.url {
        lines.push(format!("Link: {url}"));
    }
    let description = description.trim();
    if !description.is_empty() {
        lines.push(String::new());
        lines.push(description.to_owned());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> NewEvent {
        NewEvent {
            name: "Quarterly review".into(),
            start_time: "2030-03-10T09:00:00Z".into(),
            end_time: "2030-03-10T11:30:00Z".into(),
            timezone: Some("Europe/Madrid".into()),
            location: Some("HQ, room 4".into()),
            ..NewEvent::default()
        }
    }

    fn refusal(request: NewEvent) -> String {
        match check(&request, Utc::now()) {
            Err(DomainError::Invalid { field, reason, .. }) => format!("{field}: {reason}"),
            other => panic!("expected a refusal, got {:?}", other.map(|e| e.name)),
        }
    }

    #[test]
    fn the_status_text_shows_local_times_place_and_link() {
        let mut event = check(&request(), Utc::now()).expect("valid");
        event.url = Some("https://intranet.example/review".into());
        let text = status_text(&event, "Bring numbers.");
        assert_eq!(
            text,
            "Quarterly review\nWhen: Sun 10 Mar 2030, 10:00 – 12:30 (Europe/Madrid)\nWhere: HQ, room 4\n\
             Link: https://intranet.example/review\n\nBring numbers."
        );
    }

    #[test]
    fn bad_events_are_refused_with_the_field_at_fault() {
        let ends_first = NewEvent { end_time: "2030-03-10T08:00:00Z".into(), ..request() };
        assert_eq!(refusal(ends_first), "end_time: must be after start_time");
        let no_offset = NewEvent { start_time: "2030-03-10 09:00".into(), ..request() };
        assert!(refusal(no_offset).starts_with("start_time: '2030-03-10 09:00' is not a date and time"));
        let bad_zone = NewEvent { timezone: Some("Mars/Olympus".into()), ..request() };
        assert!(refusal(bad_zone).starts_with("timezone: 'Mars/Olympus' is not an IANA"));
        let nowhere = NewEvent { location: None, ..request() };
        assert_eq!(refusal(nowhere), "location: give a place (location), a link (url), or both");
        let past = NewEvent {
            start_time: "2001-01-01T09:00:00Z".into(),
            end_time: "2001-01-01T10:00:00Z".into(),
            ..request()
        };
        assert!(refusal(past).starts_with("end_time: is in the past"));
        let not_web = NewEvent { url: Some("javascript:alert(1)".into()), ..request() };
        assert!(refusal(not_web).starts_with("url: must be an http or https address"));
    }
}
