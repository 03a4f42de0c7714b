//! Scheduled statuses: posts stored now and published later
//! (`scheduled_at` on `POST /api/v1/statuses`, `/api/v1/scheduled_statuses`).
//!
//! Each `scheduled_statuses` row is its own durable job. One worker per
//! server process ([`run`]) sleeps until the earliest is due (woken early
//! when one is added or moved, and at least once a minute, so rows written
//! by another process sharing the database are not missed), then claims
//! each due row and publishes it through [`statuses::publish`], the path
//! of an immediate post, in the transaction that deletes the row. Fan-out,
//! notifications, streaming and federation are therefore the same, and a
//! crash or a second process can neither lose nor double a post. A post
//! that can no longer be published (author suspended, reply target gone,
//! upload deleted) is dropped with a logged reason, not retried.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use tertulia_core::{Config, Id};
use tertulia_db::page::Page;
use tertulia_db::scheduled::{self, ScheduledStatusRow};
use tertulia_db::{Db, DbConn, DbError, accounts};

use crate::Context;
use crate::events::Event;
use crate::media::MediaView;
use crate::polls::NewPoll;
use crate::statuses::{self, Checked, NewStatus, StatusView};
use crate::{DomainError, visibility};

/// Scheduled statuses one account may have waiting (Mastodon's limit).
pub const MAX_SCHEDULED: i64 = 300;
/// Scheduled statuses one account may have on one (UTC) day.
pub const MAX_SCHEDULED_PER_DAY: i64 = 50;
/// Longest sleep of the worker: how soon it notices a post scheduled by
/// another process sharing the database.
const IDLE_CHECK: Duration = Duration::from_secs(60);
/// Shortest sleep: a row can be due and yet not claimable, while another
/// process sharing the database publishes it; look again shortly instead
/// of spinning.
const BUSY_WAIT: Duration = Duration::from_millis(50);
/// Wait after a failure (the database unreachable) before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The post as the client sent it, kept until it is published. Stored as
/// JSON in `scheduled_statuses.params`; Mastodon's `params` mirror it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScheduledParams {
    pub text: String,
    /// As resolved when scheduled (`public` when none was given).
    pub visibility: String,
    #[serde(default)]
    pub in_reply_to_id: Option<i64>,
    #[serde(default)]
    pub spoiler_text: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub language: Option<String>,
    /// The `Idempotency-Key` it was scheduled with.
    #[serde(default)]
    pub idempotency: Option<String>,
    #[serde(default)]
    pub media_ids: Vec<i64>,
    #[serde(default)]
    pub poll: Option<PollParams>,
    /// Mastodon 4.5's names for a quote and who may quote the post.
    #[serde(default)]
    pub quoted_status_id: Option<i64>,
    #[serde(default)]
    pub quote_approval_policy: Option<String>,
    /// `allowed_mentions`, checked again when published.
    #[serde(default)]
    pub allowed_mentions: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PollParams {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl ScheduledParams {
    fn new(request: &NewStatus, checked: &Checked) -> ScheduledParams {
        ScheduledParams {
            text: request.text.clone(),
            visibility: checked.visibility().as_str().to_owned(),
            in_reply_to_id: checked.reply_to().map(|id| id.0),
            spoiler_text: request.spoiler_text.clone().filter(|s| !s.is_empty()),
            sensitive: request.sensitive,
            language: request.language.clone().filter(|l| !l.is_empty()),
            idempotency: request.idempotency_key.clone().filter(|k| !k.is_empty()),
            media_ids: checked.media_ids().to_vec(),
            poll: request.poll.as_ref().map(|poll| PollParams {
                options: poll.options.clone(),
                expires_in: poll.expires_in,
                multiple: poll.multiple,
                hide_totals: poll.hide_totals,
            }),
            quoted_status_id: request.quoted_status_id.map(|id| id.0),
            quote_approval_policy: request.quote_approval_policy.clone(),
            allowed_mentions: request.allowed_mentions.as_ref().map(|ids| ids.iter().map(|id| id.0).collect()),
        }
    }

    fn request(&self) -> NewStatus {
        NewStatus {
            text: self.text.clone(),
            visibility: Some(self.visibility.clone()),
            in_reply_to_id: self.in_reply_to_id.map(Id),
            spoiler_text: self.spoiler_text.clone(),
            sensitive: self.sensitive,
            language: self.language.clone(),
            idempotency_key: self.idempotency.clone(),
            media_ids: self.media_ids.iter().copied().map(Id).collect(),
            poll: self.poll.as_ref().map(|poll| NewPoll {
                options: poll.options.clone(),
                expires_in: poll.expires_in,
                multiple: poll.multiple,
                hide_totals: poll.hide_totals,
            }),
            quoted_status_id: self.quoted_status_id.map(Id),
            quote_approval_policy: self.quote_approval_policy.clone(),
            allowed_mentions: self.allowed_mentions.as_ref().map(|ids| ids.iter().copied().map(Id).collect()),
        }
    }
}

/// A scheduled status as its author sees it.
#[derive(Debug, Clone)]
pub struct ScheduledView {
    pub id: Id,
    pub scheduled_at: NaiveDateTime,
    pub params: ScheduledParams,
    /// The app it was scheduled with.
    pub application_id: Option<Id>,
    /// The uploads reserved for it.
    pub media: Vec<MediaView>,
}

/// What `POST /api/v1/statuses` with `scheduled_at` did.
#[derive(Debug)]
pub enum Posted {
    /// The time had already passed: posted at once, as Mastodon does.
    Now(Box<StatusView>),
    Later(Box<ScheduledView>),
}

fn not_found() -> DomainError {
    DomainError::NotFound("scheduled status".into())
}

/// Checks that `at` is far enough ahead (`limits.min_schedule_delay_secs`).
fn check_time(config: &Config, at: NaiveDateTime, now: NaiveDateTime) -> Result<(), DomainError> {
    let earliest = now + chrono::Duration::seconds(i64::from(config.limits.min_schedule_delay_secs));
    if at < earliest {
        return Err(DomainError::invalid("scheduled_at", "The scheduled date must be in the future"));
    }
    Ok(())
}

/// Refuses one more scheduled status at `at` past the account's limits.
/// `except`: the scheduled status being moved, which does not count.
fn check_limits(conn: &mut DbConn, account: i64, at: NaiveDateTime, except: Option<i64>) -> Result<(), DomainError> {
    let day = at.date().and_time(chrono::NaiveTime::MIN);
    let (total, that_day) = scheduled::count(conn, account, day, day + chrono::Duration::days(1), except)?;
    if except.is_none() && total >= MAX_SCHEDULED {
        let reason = format!("You have exceeded the limit of {MAX_SCHEDULED} scheduled posts");
        return Err(DomainError::invalid("scheduled_at", reason));
    }
    if that_day >= MAX_SCHEDULED_PER_DAY {
        let reason = format!("You have exceeded the limit of {MAX_SCHEDULED_PER_DAY} scheduled posts for today");
        return Err(DomainError::invalid("scheduled_at", reason));
    }
    Ok(())
}

/// Posts `request` at `at`: stores it for later, with its uploads reserved,
/// after the checks an immediate post gets; or posts it now if `at` has
/// passed. The same `Idempotency-Key` again returns the same scheduled
/// status.
pub async fn post(
    ctx: &Context,
    author: Id,
    application: Option<Id>,
    request: NewStatus,
    at: NaiveDateTime,
) -> Result<Posted, DomainError> {
    let now = tertulia_db::now();
    if at <= now {
        return statuses::create(ctx, author, request).await.map(|view| Posted::Now(Box::new(view)));
    }
    check_time(&ctx.config, at, now)?;
    let checked = Checked::new(&ctx.config, request.clone())?;
    let params = ScheduledParams::new(&request, &checked);
    let json = serde_json::to_string(&params).map_err(|e| DomainError::Internal(e.to_string()))?;
    let view = ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                if let Some(key) = &params.idempotency
                    && let Some(existing) = scheduled::find_by_idempotency_key(conn, author.0, key)?
                {
                    return Ok(views(conn, vec![existing])?.remove(0));
                }
                if let Some(parent) = params.in_reply_to_id
                    && visibility::find_visible(conn, Some(author.0), parent)?.is_none()
                {
                    return Err(DomainError::NotFound("the status you reply to".into()));
                }
                check_limits(conn, author.0, at, None)?;
                let row = ScheduledStatusRow {
                    id: Id::generate().0,
                    account_id: author.0,
                    scheduled_at: at,
                    params: json,
                    application_id: application.map(|id| id.0),
                    idempotency_key: params.idempotency.clone(),
                    created_at: now,
                };
                scheduled::insert(conn, &row)?;
                crate::media::reserve(conn, author.0, &params.media_ids, row.id)?;
                Ok(views(conn, vec![row])?.remove(0))
            })
        })
        .await?;
    ctx.events.schedule_changed();
    Ok(Posted::Later(Box::new(view)))
}

/// The account's scheduled statuses, newest first by id.
pub async fn list(db: &Db, account: Id, page: Page) -> Result<Vec<ScheduledView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let rows = scheduled::list(conn, account.0, page)?;
            views(conn, rows)
        })
        .await?)
}

/// One of the account's scheduled statuses.
pub async fn get(db: &Db, account: Id, id: Id) -> Result<ScheduledView, DomainError> {
    db.run(move |conn| match scheduled::find_own(conn, account.0, id.0)? {
        Some(row) => Ok::<_, DomainError>(views(conn, vec![row])?.pop()),
        None => Ok(None),
    })
    .await?
    .ok_or_else(not_found)
}

/// Moves one of the account's scheduled statuses to `at`.
pub async fn reschedule(ctx: &Context, account: Id, id: Id, at: NaiveDateTime) -> Result<ScheduledView, DomainError> {
    check_time(&ctx.config, at, tertulia_db::now())?;
    let view = ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let Some(mut row) = scheduled::find_own(conn, account.0, id.0)? else {
                    return Err(not_found());
                };
                check_limits(conn, account.0, at, Some(row.id))?;
                scheduled::reschedule(conn, row.id, at)?;
                row.scheduled_at = at;
                Ok(views(conn, vec![row])?.remove(0))
            })
        })
        .await?;
    ctx.events.schedule_changed();
    Ok(view)
}

/// Cancels one of the account's scheduled statuses; its uploads are free
/// to attach again.
pub async fn cancel(db: &Db, account: Id, id: Id) -> Result<(), DomainError> {
    let removed = db
        .write(move |conn| match scheduled::find_own(conn, account.0, id.0)? {
            Some(row) => scheduled::delete(conn, row.id),
            None => Ok(false),
        })
        .await?;
    if removed { Ok(()) } else { Err(not_found()) }
}

/// Rows with their params and reserved uploads.
fn views(conn: &mut DbConn, rows: Vec<ScheduledStatusRow>) -> Result<Vec<ScheduledView>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut media = tertulia_db::media::of_scheduled(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = media.drain(..).partition(|(owner, _)| *owner == row.id);
            media = rest;
            ScheduledView {
                id: Id(row.id),
                scheduled_at: row.scheduled_at,
                params: parse_params(&row),
                application_id: row.application_id.map(Id),
                media: mine.into_iter().map(|(_, upload)| MediaView::from(upload)).collect(),
            }
        })
        .collect())
}

/// The column only ever holds JSON written by [`post`]; an unreadable one
/// is reported, and the post is then dropped when due.
fn parse_params(row: &ScheduledStatusRow) -> ScheduledParams {
    serde_json::from_str(&row.params).unwrap_or_else(|error| {
        tracing::error!(scheduled_status = row.id, %error, "scheduled status with unreadable params");
        ScheduledParams::default()
    })
}

/// Publishes scheduled statuses as they fall due, until `stop` turns true.
pub async fn run(ctx: Context, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let wait = match publish_due(&ctx).await {
            Ok(next) => next.map_or(IDLE_CHECK, until).clamp(BUSY_WAIT, IDLE_CHECK),
            Err(error) => {
                tracing::warn!(%error, "scheduled statuses: cannot publish; trying again in a few seconds");
                RETRY_AFTER
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = ctx.events.schedule_change() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// How long until `at`, rounded up to the millisecond so that the worker
/// wakes when the row is due rather than just before.
fn until(at: NaiveDateTime) -> Duration {
    let left = at - tertulia_db::now() + chrono::Duration::milliseconds(1);
    left.to_std().unwrap_or(Duration::ZERO)
}

/// What became of one claimed scheduled status.
enum Outcome {
    /// Nothing is due.
    Idle,
    Published {
        scheduled: i64,
        status: Id,
    },
    Dropped {
        scheduled: i64,
        author: i64,
        reason: String,
    },
}

/// Publishes every due scheduled status, one transaction each; returns when
/// the next one is due.
async fn publish_due(ctx: &Context) -> Result<Option<NaiveDateTime>, DomainError> {
    loop {
        let config = ctx.config.clone();
        let now = tertulia_db::now();
        let outcome =
            ctx.committed(move |conn| tertulia_db::transaction(conn, |conn| publish_next(conn, &config, now))).await?;
        match outcome {
            Outcome::Idle => break,
            Outcome::Published { scheduled, status } => {
                tracing::info!(scheduled_status = scheduled, status = %status, "scheduled status published");
            }
            Outcome::Dropped { scheduled, author, reason } => {
                tracing::warn!(scheduled_status = scheduled, account = author, %reason, "scheduled status dropped: it can no longer be published");
            }
        }
    }
    Ok(ctx.db.run(scheduled::next_due_at).await?)
}

/// Claims the earliest due scheduled status and publishes it, in the
/// caller's transaction. The row goes in any case; a refusal rolls back
/// only the attempt to post (a savepoint), so it is not tried again.
fn publish_next(conn: &mut DbConn, config: &Config, now: NaiveDateTime) -> Result<(Outcome, Vec<Event>), DomainError> {
    let Some(row) = scheduled::claim_due(conn, now)? else {
        return Ok((Outcome::Idle, Vec::new()));
    };
    scheduled::delete(conn, row.id)?;
    let dropped =
        |reason: String| Ok((Outcome::Dropped { scheduled: row.id, author: row.account_id, reason }, Vec::new()));
    match accounts::find(conn, row.account_id)? {
        Some(author) if author.suspended_at.is_none() => {}
        Some(_) => return dropped("its author is suspended".into()),
        None => return dropped("its author no longer exists".into()),
    }
    let checked = match Checked::new(config, parse_params(&row).request()) {
        Ok(checked) => checked,
        Err(refusal) => return dropped(refusal.to_string()),
    };
    let author = Id(row.account_id);
    match tertulia_db::transaction(conn, |conn| statuses::publish(conn, author, &checked)) {
        Ok((view, events)) => Ok((Outcome::Published { scheduled: row.id, status: view.id }, events)),
        // Our failure, not the post's: the claim rolls back and is tried again.
        Err(failure) if failure.is_ours() => Err(failure),
        Err(refusal) => dropped(refusal.to_string()),
    }
}
