//! Polls: attached to a status when it is posted, voted on while open.
//!
//! Nothing runs on a timer, so a poll's end is noticed lazily: [`sweep`]
//! notifies the voters and the author of every poll that has ended
//! unannounced, and runs whenever a poll is read or voted on and whenever
//! someone lists their notifications. A poll's author thus learns of its
//! end the next time they look; the author's own `poll` notification also
//! marks the poll as announced.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use tertulia_core::Id;
use tertulia_db::notifications::NotificationKind;
use tertulia_db::polls::{self, PollRow};
use tertulia_db::statuses::StatusRow;
use tertulia_db::{DbConn, DbError};

use crate::Context;
use crate::DomainError;
use crate::events::Event;
use crate::outbox::Outgoing;
use crate::statuses::{deliver, notify};
use crate::visibility::{self, Viewer};

/// Limits announced by `/api/v2/instance` and enforced here: fixed
/// (Mastodon's defaults) until someone needs to configure them.
pub const MAX_OPTIONS: usize = 4;
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRATION_SECS: i64 = 300;
pub const MAX_EXPIRATION_SECS: i64 = 2_629_746;

/// A poll to attach to a new status.
#[derive(Debug, Clone, Default)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// A poll as one viewer sees it.
#[derive(Debug, Clone)]
pub struct PollView {
    pub id: Id,
    pub expires_at: Option<DateTime<Utc>>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: i64,
    /// Titles with their counts; no counts while totals are hidden.
    pub options: Vec<(String, Option<i64>)>,
    /// For a signed-in viewer: the options they chose (empty: not voted).
    pub own_votes: Option<Vec<i64>>,
}

/// Checks a new poll against the limits.
pub(crate) fn check(poll: &NewPoll) -> Result<(), DomainError> {
    if poll.options.len() < 2 || poll.options.len() > MAX_OPTIONS {
        return Err(DomainError::invalid("poll", format!("needs from 2 to {MAX_OPTIONS} options")));
    }
    if poll.options.iter().any(|o| o.trim().is_empty()) {
        return Err(DomainError::invalid("poll", "options can't be blank"));
    }
    if poll.options.iter().any(|o| o.trim().chars().count() > MAX_OPTION_CHARS) {
        return Err(DomainError::invalid("poll", format!("options are at most {MAX_OPTION_CHARS} characters")));
    }
    let mut titles: Vec<&str> = poll.options.iter().map(|o| o.trim()).collect();
    titles.sort_unstable();
    titles.dedup();
    if titles.len() != poll.options.len() {
        return Err(DomainError::invalid("poll", "options must differ from each other"));
    }
    if !(MIN_EXPIRATION_SECS..=MAX_EXPIRATION_SECS).contains(&poll.expires_in) {
        return Err(DomainError::invalid(
            "poll",
            format!("expires_in must be from {MIN_EXPIRATION_SECS} to {MAX_EXPIRATION_SECS} seconds"),
        ));
    }
    Ok(())
}

pub(crate) fn not_with_media() -> DomainError {
    DomainError::invalid("poll", "a status cannot have both a poll and media attachments")
}

/// Stores the poll of a new status (already checked).
pub(crate) fn insert(conn: &mut DbConn, status: &StatusRow, poll: &NewPoll, now: NaiveDateTime) -> Result<(), DbError> {
    let titles: Vec<&str> = poll.options.iter().map(|o| o.trim()).collect();
    polls::insert(
        conn,
        &PollRow {
            id: Id::generate().0,
            status_id: status.id,
            account_id: status.account_id,
            options: serde_json::to_string(&titles).unwrap_or_else(|_| "[]".into()),
            votes: serde_json::to_string(&vec![0; titles.len()]).unwrap_or_else(|_| "[]".into()),
            multiple: poll.multiple,
            hide_totals: poll.hide_totals,
            votes_count: 0,
            voters_count: 0,
            expires_at: Some(now + Duration::seconds(poll.expires_in)),
            created_at: now,
            updated_at: now,
        },
    )
}

/// The title of option `choice` (an index) of `poll`, with the status
/// that asks it: what a vote sent to another site names.
pub fn choice_of(conn: &mut DbConn, poll: i64, choice: i64) -> Result<Option<(i64, String)>, DbError> {
    let Some(poll) = polls::find(conn, poll)? else {
        return Ok(None);
    };
    let title = usize::try_from(choice).ok().and_then(|choice| poll.titles().into_iter().nth(choice));
    Ok(title.map(|title| (poll.status_id, title)))
}

/// A vote from another site on a local poll: `title` names the option.
/// Unknown options, ended polls and repeated choices are ignored.
pub(crate) fn count_remote_vote(conn: &mut DbConn, poll: &PollRow, voter: i64, title: &str) -> Result<(), DbError> {
    let poll = &polls::lock(conn, poll.id)?;
    let Some(choice) = poll.titles().iter().position(|t| t == title) else {
        return Ok(());
    };
    let previous: Vec<i32> = polls::votes_of(conn, voter, &[poll.id])?.into_iter().map(|(_, choice)| choice).collect();
    let choice_index = i32::try_from(choice).unwrap_or(i32::MAX);
    if is_expired(poll) || previous.contains(&choice_index) || (!poll.multiple && !previous.is_empty()) {
        return Ok(());
    }
    polls::insert_vote(conn, poll.id, voter, choice_index)?;
    let mut counts = poll.counts();
    if let Some(count) = counts.get_mut(choice) {
        *count += 1;
    }
    let votes = serde_json::to_string(&counts).unwrap_or_else(|_| "[]".into());
    let new_voter = i32::from(previous.is_empty());
    polls::set_counts(conn, poll.id, &votes, poll.votes_count + 1, poll.voters_count + new_voter)?;
    crate::outbox::record(conn, &Outgoing::PollCounted { status: poll.status_id })
}

/// New counts for a remote poll, as its site sent them.
pub(crate) fn set_remote_counts(conn: &mut DbConn, poll: &PollRow, counts: &[i64], voters: i32) -> Result<(), DbError> {
    if counts.len() != poll.titles().len() {
        return Ok(());
    }
    let votes = serde_json::to_string(counts).unwrap_or_else(|_| "[]".into());
    let total = i32::try_from(counts.iter().sum::<i64>()).unwrap_or(i32::MAX);
    polls::set_counts(conn, poll.id, &votes, total, voters)
}

fn is_expired(row: &PollRow) -> bool {
    row.expires_at.is_some_and(|at| at <= tertulia_db::now())
}

/// What a client is shown of a poll; `own_votes` is `None` without a
/// viewer.
pub(crate) fn view(row: PollRow, own_votes: Option<Vec<i64>>) -> PollView {
    let expired = is_expired(&row);
    let show_totals = expired || !row.hide_totals;
    let options = row.titles().into_iter().zip(row.counts()).map(|(t, n)| (t, show_totals.then_some(n))).collect();
    PollView {
        id: Id(row.id),
        expires_at: row.expires_at.map(|t| t.and_utc()),
        expired,
        multiple: row.multiple,
        votes_count: row.votes_count.into(),
        voters_count: row.voters_count.into(),
        options,
        own_votes,
    }
}

/// A poll, if `viewer` may see its status.
pub async fn get(ctx: &Context, viewer: Viewer, id: Id) -> Result<PollView, DomainError> {
    sweep_now(ctx).await?;
    ctx.db
        .run(move |conn| {
            let Some(row) = visible_poll(conn, viewer, id.0)? else { return Ok::<_, DomainError>(None) };
            let own_votes = match viewer {
                Some(viewer) => {
                    Some(polls::votes_of(conn, viewer, &[row.id])?.into_iter().map(|(_, c)| c.into()).collect())
                }
                None => None,
            };
            Ok(Some(view(row, own_votes)))
        })
        .await?
        .ok_or_else(|| DomainError::NotFound("poll".into()))
}

fn visible_poll(conn: &mut DbConn, viewer: Viewer, id: i64) -> Result<Option<PollRow>, DbError> {
    let Some(row) = polls::find(conn, id)? else { return Ok(None) };
    Ok(visibility::find_visible(conn, viewer, row.status_id)?.map(|_| row))
}

/// Votes in a poll: once, for options that exist, one unless the poll
/// allows several, before it ends, and never in one's own poll.
pub async fn vote(ctx: &Context, voter: Id, id: Id, choices: Vec<i64>) -> Result<PollView, DomainError> {
    sweep_now(ctx).await?;
    let mut choices = choices;
    choices.sort_unstable();
    choices.dedup();
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let Some(row) = visible_poll(conn, Some(voter.0), id.0)? else {
                    return Err(DomainError::NotFound("poll".into()));
                };
                let row = polls::lock(conn, row.id)?;
                check_vote(conn, &row, voter.0, &choices)?;
                let mut counts = row.counts();
                for choice in &choices {
                    polls::insert_vote(conn, row.id, voter.0, i32::try_from(*choice).unwrap_or_default())?;
                    if let Some(count) = usize::try_from(*choice).ok().and_then(|c| counts.get_mut(c)) {
                        *count += 1;
                    }
                }
                let votes = serde_json::to_string(&counts).unwrap_or_else(|_| "[]".into());
                let added = i32::try_from(choices.len()).unwrap_or(i32::MAX);
                polls::set_counts(conn, row.id, &votes, row.votes_count + added, row.voters_count + 1)?;
                // A poll from another site counts there: each choice is sent.
                // A poll of this site tells the others its new counts.
                match tertulia_db::statuses::find(conn, row.status_id)? {
                    Some(status) if !status.local => {
                        for choice in &choices {
                            let outgoing = Outgoing::Voted { account: voter.0, poll: row.id, choice: *choice };
                            crate::outbox::record(conn, &outgoing)?;
                        }
                    }
                    Some(status) => crate::outbox::record(conn, &Outgoing::PollCounted { status: status.id })?,
                    None => {}
                }
                let Some(updated) = polls::find(conn, row.id)? else {
                    return Err(DomainError::NotFound("poll".into()));
                };
                Ok(view(updated, Some(choices.clone())))
            })
        })
        .await
}

fn check_vote(conn: &mut DbConn, poll: &PollRow, voter: i64, choices: &[i64]) -> Result<(), DomainError> {
    let refuse = |reason: &str| Err(DomainError::invalid("choices", reason));
    if poll.account_id == voter {
        return refuse("you cannot vote in your own poll");
    }
    if is_expired(poll) {
        return refuse("the poll has ended");
    }
    if !polls::votes_of(conn, voter, &[poll.id])?.is_empty() {
        return refuse("you have already voted in this poll");
    }
    if choices.is_empty() {
        return refuse("choose at least one option");
    }
    if !poll.multiple && choices.len() > 1 {
        return refuse("this poll allows only one choice");
    }
    let options = poll.titles().len() as i64;
    if let Some(bad) = choices.iter().find(|c| !(0..options).contains(*c)) {
        return refuse(&format!("there is no option {bad}: options are numbered from 0 to {}", options - 1));
    }
    Ok(())
}

/// Runs [`sweep`] in its own transaction and publishes what it notified.
pub(crate) async fn sweep_now(ctx: &Context) -> Result<(), DomainError> {
    ctx.committed(|conn| tertulia_db::transaction(conn, |conn| Ok(((), sweep(conn)?)))).await
}

/// Notifies the voters and the author of each poll that has ended
/// unannounced (see the module comment). Returns the events to publish.
fn sweep(conn: &mut DbConn) -> Result<Vec<Event>, DbError> {
    let mut pending = Vec::new();
    for poll in polls::ended_unannounced(conn, tertulia_db::now())? {
        let group_key = format!("ungrouped-poll-{}", poll.id);
        for voter in polls::voters(conn, poll.id)? {
            pending.extend(notify(
                conn,
                voter,
                poll.account_id,
                NotificationKind::Poll,
                Some(poll.status_id),
                group_key.clone(),
            )?);
        }
        pending.push(deliver(
            conn,
            poll.account_id,
            poll.account_id,
            NotificationKind::Poll,
            Some(poll.status_id),
            group_key,
        )?);
    }
    Ok(pending)
}
