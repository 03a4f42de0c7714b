//! Events: a status with a name, a time span and a place or link, and the
//! answers people give (going, maybe, not going).
//!
//! The status carries the event to stock Mastodon clients (its text says
//! when and where) and decides who sees it: every read goes through the
//! read pipeline ([`present::statuses`]), so an event is shown exactly to
//! those who may see its status. Answers are counted on the event's own
//! site; an answer given here to another site's event is sent there
//! (`Outgoing::EventAnswered`) and kept here as the viewer's own answer.
//! When an event's totals change, its site tells the others
//! (`Outgoing::EventCounted`), which show the totals it reported.

mod create;
mod remote;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors::ActorType;
use tertulia_db::calendar::{self, EventRow, Window};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, accounts};

pub use create::{MAX_DAYS, MAX_LOCATION_CHARS, MAX_NAME_CHARS, MAX_URL_CHARS, NewEvent, create, update};
pub use remote::{RemoteEvent, answer_received, totals_received};
pub use tertulia_db::calendar::{Answer, Attendance};

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
    /// Answer totals: counted here for an event of this site; for another
    /// site's, those its site last reported, or until it has, the answers
    /// known here.
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
    listed(ctx, viewer, listing, None, None, offset, limit).await
}

/// The events shared in `group` (posted to it: the group boosted them)
/// that have not ended, soonest first, that `viewer` may see.
pub async fn group_upcoming(
    ctx: &Context,
    viewer: Viewer,
    group: Id,
    offset: i64,
    limit: i64,
) -> Result<Vec<EventView>, DomainError> {
    let found = ctx.db.read(move |conn| accounts::find(conn, group.0)).await?;
    if !found.is_some_and(|account| account.actor_type == ActorType::Group && account.suspended_at.is_none()) {
        return Err(DomainError::NotFound("group".into()));
    }
    listed(ctx, viewer, Listing::Company, None, Some(group.0), offset, limit).await
}

/// The company's public events that have not ended, soonest first: what
/// the public events page lists (unlisted ones stay off listings).
pub async fn upcoming_public(ctx: &Context, offset: i64, limit: i64) -> Result<Vec<EventView>, DomainError> {
    listed(ctx, None, Listing::Company, Some(&[Visibility::Public]), None, offset, limit).await
}

async fn listed(
    ctx: &Context,
    viewer: Viewer,
    listing: Listing,
    visibilities: Option<&'static [Visibility]>,
    shared_by: Option<i64>,
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
                shared_by,
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
    Ok(ctx.db.read(move |conn| feed(conn, Whose::ThisSite)).await?)
}

/// The public and unlisted events of the local account `username`, for
/// its calendar feed: those a person organises or attends (here or on
/// another site), or those shared in a group.
pub async fn person_feed(ctx: &Context, username: String) -> Result<Vec<EventView>, DomainError> {
    let found = ctx
        .db
        .read(move |conn| match accounts::find_local_by_username(conn, &username)? {
            Some(group) if group.actor_type == ActorType::Group => feed(conn, Whose::SharedIn(group.id)).map(Some),
            Some(person) => feed(conn, Whose::Person(person.id)).map(Some),
            None => Ok(None),
        })
        .await?;
    found.ok_or_else(|| DomainError::NotFound("account".into()))
}

/// Whose events a calendar feed holds.
enum Whose {
    ThisSite,
    /// Those a person organises or attends.
    Person(i64),
    /// Those shared in a group.
    SharedIn(i64),
}

fn feed(conn: &mut DbConn, whose: Whose) -> Result<Vec<EventView>, DbError> {
    let window = Window {
        ending_after: tertulia_db::now() - Duration::days(FEED_KEEPS_ENDED_DAYS),
        local_only: matches!(whose, Whose::ThisSite),
        remote_domain: None,
        visibilities: Some(&FEED_VISIBILITIES),
        person: match whose {
            Whose::Person(person) => Some(person),
            _ => None,
        },
        shared_by: match whose {
            Whose::SharedIn(group) => Some(group),
            _ => None,
        },
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
                if status.local {
                    outbox::record_coalesced(conn, &Outgoing::EventCounted { status: status.id })?;
                } else {
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
    let attendance = calendar::totals(conn, &ids)?;
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
