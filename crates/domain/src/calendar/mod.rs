//! Events: a status with a name, a time span and a place or link, and the
//! answers people give (going, maybe, not going).
//!
//! The status carries the event to stock Mastodon clients (its text says
//! when and where) and decides who sees it: every read goes through the
//! read pipeline ([`present::statuses`]), so an event is shown exactly to
//! those who may see its status. Answers are counted on the event's own
//! site; an answer given here to another site's event is sent there
//! (`Outgoing::EventAnswered`) and kept here as the viewer's own answer.

mod create;
mod remote;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::calendar::{self, EventRow, Window};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, accounts};

pub use create::{MAX_DAYS, MAX_LOCATION_CHARS, MAX_NAME_CHARS, MAX_URL_CHARS, NewEvent, create, update};
pub use remote::{RemoteEvent, answer_received};
pub use tertulia_db::calendar::Answer;

use crate::outbox::{self, Outgoing};
use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::visibility::{self, Viewer};
use crate::{Context, DomainError};

/// Most events a public calendar feed holds.
const FEED_LIMIT: i64 = 500;
/// How long ended events stay in calendar feeds, so that calendars that
/// refresh now and then still show last week's meetings.
const FEED_KEEPS_ENDED_DAYS: i64 = 30;
/// Visibilities a calendar feed, readable by anyone, may show.
const FEED_VISIBILITIES: [Visibility; 2] = [Visibility::Public, Visibility::Unlisted];

/// How many gave each answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    pub going: i64,
    pub maybe: i64,
    pub not_going: i64,
}

/// An event as one viewer sees it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub status: StatusView,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    /// Answers known here: all of them for an event of this site.
    pub attendance: Attendance,
    /// The viewer's own answer.
    pub own_answer: Option<Answer>,
}

/// An answer as clients send it: `going`, `maybe`, `not_going`, or `none`
/// to withdraw one.
pub fn parse_answer(name: &str) -> Result<Option<Answer>, DomainError> {
    match name {
        "none" => Ok(None),
        name => name.parse::<Answer>().map(Some).map_err(|_| {
            DomainError::invalid_as(
                crate::Invalidity::Inclusion,
                "answer",
                format!("'{name}' is not one of going, maybe, not_going, none"),
            )
        }),
    }
}

/// The event of status `id`, if `viewer` may see the status.
pub async fn get(ctx: &Context, viewer: Viewer, id: Id) -> Result<EventView, DomainError> {
    let found = ctx
        .db
        .read(move |conn| {
            let Some(status) = statuses::find(conn, id.0)? else { return Ok(Vec::new()) };
            let pairs =
                calendar::of_statuses(conn, &[id.0])?.into_iter().map(|event| (event, status.clone())).collect();
            views(conn, viewer, pairs)
        })
        .await?;
    found.into_iter().next().ok_or_else(|| DomainError::NotFound("event".into()))
}

/// Whose events a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Every event known here: the company's.
    Company,
    ThisSite,
    /// Those of another site, by its domain (lower-case).
    OtherSite(String),
}

/// Events that have not ended, soonest first, that `viewer` may see.
pub async fn upcoming(
    ctx: &Context,
    viewer: Viewer,
    listing: Listing,
    offset: i64,
    limit: i64,
) -> Result<Vec<EventView>, DomainError> {
    listed(ctx, viewer, listing, None, offset, limit).await
}

/// The company's public events that have not ended, soonest first: what
/// the public events page lists (unlisted ones stay off listings).
pub async fn upcoming_public(ctx: &Context, offset: i64, limit: i64) -> Result<Vec<EventView>, DomainError> {
    listed(ctx, None, Listing::Company, Some(&[Visibility::Public]), offset, limit).await
}

async fn listed(
    ctx: &Context,
    viewer: Viewer,
    listing: Listing,
    visibilities: Option<&'static [Visibility]>,
    offset: i64,
    limit: i64,
) -> Result<Vec<EventView>, DomainError> {
    Ok(ctx
        .db
        .read(move |conn| {
            let window = Window {
                ending_after: tertulia_db::now(),
                local_only: listing == Listing::ThisSite,
                remote_domain: match &listing {
                    Listing::OtherSite(domain) => Some(domain.as_str()),
                    _ => None,
                },
                visibilities,
                person: None,
                offset,
                limit,
            };
            let pairs = calendar::in_window(conn, window)?;
            views(conn, viewer, pairs)
        })
        .await?)
}

/// The public and unlisted events of this site, for its calendar feed.
pub async fn site_feed(ctx: &Context) -> Result<Vec<EventView>, DomainError> {
    Ok(ctx.db.read(move |conn| feed(conn, true, None)).await?)
}

/// The public and unlisted events the local person `username` organises
/// or attends (here or on another site), for their calendar feed.
pub async fn person_feed(ctx: &Context, username: String) -> Result<Vec<EventView>, DomainError> {
    let found = ctx
        .db
        .read(move |conn| match accounts::find_local_by_username(conn, &username)? {
            Some(person) => feed(conn, false, Some(person.id)).map(Some),
            None => Ok(None),
        })
        .await?;
    found.ok_or_else(|| DomainError::NotFound("account".into()))
}

fn feed(conn: &mut DbConn, local_only: bool, person: Option<i64>) -> Result<Vec<EventView>, DbError> {
    let window = Window {
        ending_after: tertulia_db::now() - Duration::days(FEED_KEEPS_ENDED_DAYS),
        local_only,
        remote_domain: None,
        visibilities: Some(&FEED_VISIBILITIES),
        person,
        offset: 0,
        limit: FEED_LIMIT,
    };
    let pairs = calendar::in_window(conn, window)?;
    views(conn, None, pairs)
}

/// Records `account`'s answer (`None`: withdrawn) to the event of status
/// `id`; an event of another site is told.
pub async fn attend(ctx: &Context, account: Id, id: Id, answer: Option<Answer>) -> Result<EventView, DomainError> {
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let not_found = || DomainError::NotFound("event".into());
                let status = visibility::find_visible(conn, Some(account.0), id.0)?.ok_or_else(not_found)?;
                if calendar::of_statuses(conn, &[status.id])?.is_empty() {
                    return Err(not_found());
                }
                let now = tertulia_db::now();
                calendar::set_answer(conn, status.id, account.0, answer, now)?;
                if !status.local {
                    let answered = Outgoing::EventAnswered {
                        account: account.0,
                        status: status.id,
                        answer: answer.map(|a| a.as_str().to_owned()),
                        at: now.and_utc().timestamp_millis(),
                    };
                    outbox::record(conn, &answered)?;
                }
                Ok::<_, DomainError>(())
            })
        })
        .await?;
    get(ctx, Some(account.0), id).await
}

/// The events of `pairs` that `viewer` may see, in order, through the read
/// pipeline, with their answers counted.
fn views(conn: &mut DbConn, viewer: Viewer, pairs: Vec<(EventRow, StatusRow)>) -> Result<Vec<EventView>, DbError> {
    let rows = pairs.iter().map(|(_, status)| status.clone()).collect();
    let shown = present::statuses(conn, viewer, rows, Reading::Asked)?;
    let ids: Vec<i64> = shown.iter().map(|status| status.id.0).collect();
    let mut attendance: HashMap<i64, Attendance> = HashMap::new();
    for (status, answer, count) in calendar::counts(conn, &ids)? {
        let counts = attendance.entry(status).or_default();
        match answer {
            Answer::Going => counts.going = count,
            Answer::Maybe => counts.maybe = count,
            Answer::NotGoing => counts.not_going = count,
        }
    }
    let own: HashMap<i64, Answer> = match viewer {
        Some(viewer) => calendar::answers_of(conn, viewer, &ids)?.into_iter().collect(),
        None => HashMap::new(),
    };
    let mut events: HashMap<i64, EventRow> = pairs.into_iter().map(|(event, _)| (event.status_id, event)).collect();
    Ok(shown
        .into_iter()
        .filter_map(|status| {
            let event = events.remove(&status.id.0)?;
            Some(EventView {
                name: event.name,
                starts_at: event.starts_at.and_utc(),
                ends_at: event.ends_at.and_utc(),
                timezone: event.timezone,
                location: event.location,
                url: event.url,
                attendance: attendance.get(&status.id.0).copied().unwrap_or_default(),
                own_answer: own.get(&status.id.0).copied(),
                status,
            })
        })
        .collect())
}
