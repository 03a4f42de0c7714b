//! The daily roll-up: one day's activity counted into `analytics_counts`
//! and `analytics_account_days`, which every report reads. A day is
//! counted again until it is over, then once more and never again; days
//! missed while no server ran are caught up on the next run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use tertulia_core::Id;
use tertulia_db::analytics::{self as db, Count, DaySpan, StatusOfDay};
use tertulia_db::kudos::KudosOfDay;
use tertulia_db::{DbConn, DbError};

use super::adoption::{Grouping, group_of};
use crate::{Context, DomainError};

/// How often the leader counts today again (and finishes yesterday).
const ROLL_UP_EVERY: Duration = Duration::from_secs(3600);
/// How far back a first run (or a run after a long stop) looks.
const CATCH_UP_DAYS: i64 = 400;

/// The names of the counters, as stored in `analytics_counts.metric`.
pub(crate) mod metric {
    pub const NEW_USERS: &str = "new_users";
    pub const INTERACTIONS: &str = "interactions";
    /// Subject: tag id.
    pub const TAG_USES: &str = "tag_uses";
    /// Subject: tag id; detail: the account that used it.
    pub const TAG_ACCOUNTS: &str = "tag_accounts";
    /// Subject: tag id; detail: the domain of the account that used it.
    pub const TAG_SERVERS: &str = "tag_servers";
    /// Subject: tag id; detail: the status language.
    pub const TAG_LANGUAGES: &str = "tag_languages";
    /// Subject: language of statuses written here.
    pub const LANGUAGES: &str = "languages";
    /// Subject: the application statuses written here were posted with.
    pub const SOURCES: &str = "sources";
    /// Subject: another site's domain, by its statuses.
    pub const SERVERS: &str = "servers";
    /// Subject: any site's domain (this one too), by its statuses.
    pub const SITES: &str = "sites";
    /// Subject: another site's domain.
    pub const INSTANCE_STATUSES: &str = "instance_statuses";
    pub const INSTANCE_ACCOUNTS: &str = "instance_accounts";
    pub const INSTANCE_FOLLOWS: &str = "instance_follows";
    pub const INSTANCE_FOLLOWERS: &str = "instance_followers";
    /// Bytes.
    pub const INSTANCE_MEDIA: &str = "instance_media_attachments";
    /// Subject: another site's domain; detail: the status language.
    pub const INSTANCE_LANGUAGES: &str = "instance_languages";
    pub const OPENED_REPORTS: &str = "opened_reports";
    pub const RESOLVED_REPORTS: &str = "resolved_reports";
    /// Subject: the domain of the reported accounts.
    pub const INSTANCE_REPORTS: &str = "instance_reports";
    /// Recognitions given by this site's accounts. Subject: the receiver's
    /// domain (this one too); detail: the giver's department.
    pub const KUDOS_GIVEN: &str = "kudos_given";
    /// Recognitions received by this site's accounts. Subject: the giver's
    /// domain (this one too); detail: the receiver's department.
    pub const KUDOS_RECEIVED: &str = "kudos_received";
}

/// The application name shown for statuses posted without one (by a
/// scheduled post or an import).
pub(crate) const NO_APPLICATION: &str = "(no application)";
/// The language shown for statuses that name none.
pub(crate) const NO_LANGUAGE: &str = "(unknown)";

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollUpReport {
    /// The days counted, oldest first.
    pub days: Vec<NaiveDate>,
}

/// Counts every day not yet complete, from the first user's creation (at
/// most [`CATCH_UP_DAYS`] back) to today, so a missed day is caught up.
pub async fn roll_up(ctx: &Context) -> Result<RollUpReport, DomainError> {
    let now = tertulia_db::now();
    let today = now.date();
    let earliest = today - chrono::Duration::days(CATCH_UP_DAYS);
    let (first, complete) =
        ctx.db.read(move |conn| Ok((db::first_user_day(conn)?, db::complete_days_since(conn, earliest)?))).await?;
    let Some(first) = first else {
        return Ok(RollUpReport { days: Vec::new() });
    };
    let complete: BTreeSet<NaiveDate> = complete.into_iter().collect();
    let days: Vec<NaiveDate> =
        first.max(earliest).iter_days().take_while(|day| *day <= today).filter(|day| !complete.contains(day)).collect();
    for &day in &days {
        roll_up_day(ctx, day, now).await?;
    }
    Ok(RollUpReport { days })
}

/// Counts `day` afresh, as of `now`. The counting reads outside the write,
/// so on SQLite other writers wait only for the storing.
pub async fn roll_up_day(ctx: &Context, day: NaiveDate, now: NaiveDateTime) -> Result<(), DomainError> {
    let here = ctx.config.domain.clone();
    let span = span_of(day);
    let tally = ctx.db.read(move |conn| tally_day(conn, span, &here)).await?;
    let complete = now >= span.to;
    ctx.db
        .write(move |conn| db::store_day(conn, day, &tally.counts, &tally.active, &tally.engaged, complete, now))
        .await?;
    Ok(())
}

/// Rolls up now and every [`ROLL_UP_EVERY`] until `stop`; run by the
/// cluster's leader only (each run counts every site-wide figure again).
pub async fn keep_rolled_up(ctx: Context, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let started = std::time::Instant::now();
        match roll_up(&ctx).await {
            Ok(report) => tracing::info!(
                days = report.days.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "analytics: daily roll-up done"
            ),
            Err(error) => tracing::error!(%error, "analytics: the daily roll-up failed; it runs again within the hour"),
        }
        tokio::select! {
            _ = tokio::time::sleep(ROLL_UP_EVERY) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

fn span_of(day: NaiveDate) -> DaySpan {
    let from = day.and_time(NaiveTime::MIN);
    let to = from + chrono::Duration::days(1);
    DaySpan { from, to, first_id: Id::lower_bound_at(from.and_utc()).0, end_id: Id::lower_bound_at(to.and_utc()).0 }
}

/// One day's figures, ready to store.
struct Tally {
    counts: Vec<Count>,
    /// Accounts active without (necessarily) a token use: signed in.
    active: Vec<i64>,
    engaged: Vec<i64>,
}

fn tally_day(conn: &mut DbConn, span: DaySpan, here: &str) -> Result<Tally, DbError> {
    let statuses = db::statuses_of_day(conn, span)?;
    let tags = db::tags_of_day(conn, span)?;
    let mut counts = Counter::default();
    counts.add(metric::NEW_USERS, "", "", db::new_users_on_day(conn, span)?);
    let interactions =
        db::favourites_of_local_statuses(conn, span)? + db::boosts_and_replies_of_local_statuses(conn, span)?;
    counts.add(metric::INTERACTIONS, "", "", interactions);
    count_statuses(&mut counts, &statuses, here);
    count_tags(&mut counts, &statuses, &tags, here);
    for domain in db::remote_accounts_of_day(conn, span)? {
        counts.add(metric::INSTANCE_ACCOUNTS, &domain, "", 1);
    }
    for (follower, followed) in db::follows_of_day(conn, span)? {
        match (follower, followed) {
            (None, Some(domain)) => counts.add(metric::INSTANCE_FOLLOWS, &domain, "", 1),
            (Some(domain), None) => counts.add(metric::INSTANCE_FOLLOWERS, &domain, "", 1),
            _ => {}
        }
    }
    for reported in db::reports_opened_on_day(conn, span)? {
        counts.add(metric::OPENED_REPORTS, "", "", 1);
        if let Some(domain) = reported {
            counts.add(metric::INSTANCE_REPORTS, &domain, "", 1);
        }
    }
    counts.add(metric::RESOLVED_REPORTS, "", "", db::reports_resolved_on_day(conn, span)?);
    for (domain, bytes) in db::remote_media_of_day(conn, span)? {
        counts.add(metric::INSTANCE_MEDIA, &domain, "", bytes);
    }
    count_kudos(&mut counts, &tertulia_db::kudos::of_day(conn, span)?, here);
    let mut engaged: Vec<i64> = statuses.iter().filter(|s| s.domain.is_none()).map(|s| s.account_id).collect();
    engaged.extend(db::local_favouriters_of_day(conn, span)?);
    engaged.sort_unstable();
    engaged.dedup();
    Ok(Tally { counts: counts.into_counts(), active: db::signed_in_on_day(conn, span)?, engaged })
}

/// Statuses (not boosts) by language, application and site.
fn count_statuses(counts: &mut Counter, statuses: &[StatusOfDay], here: &str) {
    for status in statuses.iter().filter(|s| !s.is_boost) {
        let language = status.language.as_deref().unwrap_or(NO_LANGUAGE);
        match &status.domain {
            None => {
                counts.add(metric::LANGUAGES, language, "", 1);
                counts.add(metric::SOURCES, status.application.as_deref().unwrap_or(NO_APPLICATION), "", 1);
                counts.add(metric::SITES, here, "", 1);
            }
            Some(domain) => {
                counts.add(metric::SERVERS, domain, "", 1);
                counts.add(metric::SITES, domain, "", 1);
                counts.add(metric::INSTANCE_STATUSES, domain, "", 1);
                counts.add(metric::INSTANCE_LANGUAGES, domain, language, 1);
            }
        }
    }
}

/// Each tag's uses, by account, by site and by language.
fn count_tags(counts: &mut Counter, statuses: &[StatusOfDay], tags: &[(i64, i64)], here: &str) {
    let by_id: HashMap<i64, &StatusOfDay> = statuses.iter().map(|s| (s.id, s)).collect();
    for (status_id, tag_id) in tags {
        let Some(status) = by_id.get(status_id) else { continue };
        let tag = tag_id.to_string();
        counts.add(metric::TAG_USES, &tag, "", 1);
        counts.add(metric::TAG_ACCOUNTS, &tag, &status.account_id.to_string(), 1);
        counts.add(metric::TAG_SERVERS, &tag, status.domain.as_deref().unwrap_or(here), 1);
        counts.add(metric::TAG_LANGUAGES, &tag, status.language.as_deref().unwrap_or(NO_LANGUAGE), 1);
    }
}

/// Recognitions given and received by this site's accounts, by the other
/// side's site and this side's department.
fn count_kudos(counts: &mut Counter, recognitions: &[KudosOfDay], here: &str) {
    let department = |fields: &str| group_of(fields, Grouping::Department);
    for kudos in recognitions {
        if kudos.giver_domain.is_none() {
            let site = kudos.receiver_domain.as_deref().unwrap_or(here);
            counts.add(metric::KUDOS_GIVEN, site, &department(&kudos.giver_fields), 1);
        }
        if kudos.receiver_domain.is_none() {
            let site = kudos.giver_domain.as_deref().unwrap_or(here);
            counts.add(metric::KUDOS_RECEIVED, site, &department(&kudos.receiver_fields), 1);
        }
    }
}

/// Sums values per (metric, subject, detail).
#[derive(Default)]
struct Counter(BTreeMap<(&'static str, String, String), i64>);

impl Counter {
    fn add(&mut self, metric: &'static str, subject: &str, detail: &str, value: i64) {
        *self.0.entry((metric, subject.to_owned(), detail.to_owned())).or_default() += value;
    }

    fn into_counts(self) -> Vec<Count> {
        self.0.into_iter().map(|((metric, subject, detail), value)| Count { metric, subject, detail, value }).collect()
    }
}
