//! Queries on `events` and `event_attendances`.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::schema::{accounts, event_attendances, events, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// A person's answer to an event.
    pub enum Answer("event answer") { Going = "going", Maybe = "maybe", NotGoing = "not_going" }
}

/// How many gave each answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    pub going: i64,
    pub maybe: i64,
    pub not_going: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub status_id: i64,
    pub name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub timezone: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Which events a listing or feed takes, soonest first.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Events that end after this time.
    pub ending_after: NaiveDateTime,
    /// Only events posted on this site.
    pub local_only: bool,
    /// Only events of accounts on this other site.
    pub remote_domain: Option<&'a str>,
    /// Only statuses of these visibilities; `None` takes every one.
    pub visibilities: Option<&'a [Visibility]>,
    /// Only events this account organises or said it attends (`going` or
    /// `maybe`).
    pub person: Option<i64>,
    /// Only events this account boosted: a group's calendar, as a group
    /// shares the posts made to it by boosting them (FEP-1b12).
    pub shared_by: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

pub fn insert(conn: &mut DbConn, event: &EventRow) -> Result<(), DbError> {
    diesel::insert_into(events::table).values(event).execute(conn)?;
    Ok(())
}

/// Replaces what an event says (name, times, zone, place, link) after
/// its organiser changed it; answers and the posting time stay.
pub fn update(conn: &mut DbConn, event: &EventRow) -> Result<(), DbError> {
    diesel::update(events::table.find(event.status_id))
        .set((
            events::name.eq(&event.name),
            events::starts_at.eq(event.starts_at),
            events::ends_at.eq(event.ends_at),
            events::timezone.eq(&event.timezone),
            events::location.eq(&event.location),
            events::url.eq(&event.url),
        ))
        .execute(conn)?;
    Ok(())
}

/// The events of these statuses.
pub fn of_statuses(conn: &mut DbConn, status_ids: &[i64]) -> Result<Vec<EventRow>, DbError> {
    Ok(events::table.filter(events::status_id.eq_any(status_ids)).select(EventRow::as_select()).load(conn)?)
}

/// Events of statuses not deleted, with their statuses, in the `window`.
pub fn in_window(conn: &mut DbConn, window: Window<'_>) -> Result<Vec<(EventRow, StatusRow)>, DbError> {
    let mut query = events::table
        .inner_join(statuses::table.on(statuses::id.eq(events::status_id)))
        .filter(statuses::deleted_at.is_null())
        .filter(events::ends_at.gt(window.ending_after))
        .select((EventRow::as_select(), StatusRow::as_select()))
        .order((events::starts_at.asc(), events::status_id.asc()))
        .offset(window.offset)
        .limit(window.limit)
        .into_boxed();
    if window.local_only {
        query = query.filter(statuses::local.eq(true));
    }
    if let Some(domain) = window.remote_domain {
        let of_site = accounts::table.filter(accounts::domain.eq(domain.to_owned())).select(accounts::id);
        query = query.filter(statuses::account_id.eq_any(of_site));
    }
    if let Some(visibilities) = window.visibilities {
        query = query.filter(statuses::visibility.eq_any(visibilities.to_vec()));
    }
    if let Some(person) = window.person {
        let attended = event_attendances::table
            .filter(event_attendances::account_id.eq(person))
            .filter(event_attendances::answer.eq_any([Answer::Going, Answer::Maybe]))
            .select(event_attendances::status_id);
        query = query.filter(statuses::account_id.eq(person).or(events::status_id.eq_any(attended)));
    }
    if let Some(sharer) = window.shared_by {
        let boosts = diesel::alias!(statuses as boosts);
        let shared = boosts
            .filter(boosts.field(statuses::account_id).eq(sharer))
            .filter(boosts.field(statuses::deleted_at).is_null())
            .filter(boosts.field(statuses::reblog_of_id).is_not_null())
            .select(boosts.field(statuses::reblog_of_id).assume_not_null());
        query = query.filter(events::status_id.eq_any(shared));
    }
    Ok(query.load(conn)?)
}

/// Records `account`'s answer to the event of `status_id`, replacing any
/// earlier one; `None` withdraws it.
pub fn set_answer(
    conn: &mut DbConn,
    status_id: i64,
    account_id: i64,
    answer: Option<Answer>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(
        event_attendances::table
            .filter(event_attendances::status_id.eq(status_id))
            .filter(event_attendances::account_id.eq(account_id)),
    )
    .execute(conn)?;
    if let Some(answer) = answer {
        diesel::insert_into(event_attendances::table)
            .values((
                event_attendances::status_id.eq(status_id),
                event_attendances::account_id.eq(account_id),
                event_attendances::answer.eq(answer),
                event_attendances::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The answer totals of these events (by status id; those without
/// answers are absent): the totals the organiser's site reported for
/// another site's event, else the answers counted here.
pub fn totals(conn: &mut DbConn, status_ids: &[i64]) -> Result<HashMap<i64, Attendance>, DbError> {
    let counted: Vec<(i64, Answer, i64)> = event_attendances::table
        .filter(event_attendances::status_id.eq_any(status_ids))
        .group_by((event_attendances::status_id, event_attendances::answer))
        .select((event_attendances::status_id, event_attendances::answer, count_star()))
        .load(conn)?;
    let mut totals: HashMap<i64, Attendance> = HashMap::new();
    for (status, answer, count) in counted {
        let total = totals.entry(status).or_default();
        match answer {
            Answer::Going => total.going = count,
            Answer::Maybe => total.maybe = count,
            Answer::NotGoing => total.not_going = count,
        }
    }
    let reported: Vec<Reported> = events::table
        .filter(events::status_id.eq_any(status_ids))
        .filter(events::reported_going.is_not_null())
        .select((events::status_id, events::reported_going, events::reported_maybe, events::reported_not_going))
        .load(conn)?;
    for row in reported {
        let total = Attendance {
            going: row.going.unwrap_or_default(),
            maybe: row.maybe.unwrap_or_default(),
            not_going: row.not_going.unwrap_or_default(),
        };
        totals.insert(row.status_id, total);
    }
    Ok(totals)
}

/// The totals another site reported for its event, as stored.
#[derive(Queryable)]
struct Reported {
    status_id: i64,
    going: Option<i64>,
    maybe: Option<i64>,
    not_going: Option<i64>,
}

/// Keeps the answer totals the organiser's site reported for its event
/// of `status_id`.
pub fn set_reported(conn: &mut DbConn, status_id: i64, totals: Attendance) -> Result<(), DbError> {
    diesel::update(events::table.find(status_id))
        .set((
            events::reported_going.eq(Some(totals.going)),
            events::reported_maybe.eq(Some(totals.maybe)),
            events::reported_not_going.eq(Some(totals.not_going)),
        ))
        .execute(conn)?;
    Ok(())
}

/// (event status, answer) pairs of `account_id`'s answers to these events.
pub fn answers_of(conn: &mut DbConn, account_id: i64, status_ids: &[i64]) -> Result<Vec<(i64, Answer)>, DbError> {
    Ok(event_attendances::table
        .filter(event_attendances::account_id.eq(account_id))
        .filter(event_attendances::status_id.eq_any(status_ids))
        .select((event_attendances::status_id, event_attendances::answer))
        .load(conn)?)
}
