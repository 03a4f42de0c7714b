//! The adoption analytics roll-ups (`analytics_account_days`,
//! `analytics_counts`, `analytics_rollups`) and the reads of one day's
//! activity that fill them. Which activity counts is decided in
//! `tertulia_domain::analytics`; here are only the queries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::bulk::insert_chunked;
use crate::schema::{
    accounts, analytics_account_days as days, analytics_counts as counts, analytics_rollups as rollups, favourites,
    follows, media_attachments, oauth_applications, reports, status_tags, statuses, users,
};
use crate::{DbConn, DbError, insert_unless_duplicate, transaction};

/// How days are written in the roll-up tables: ISO 8601, so text order is
/// date order on both backends.
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The time span of one day, as creation times and as the ids made in it
/// (ids grow with their creation time, so an id range is an index range).
#[derive(Debug, Clone, Copy)]
pub struct DaySpan {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub first_id: i64,
    pub end_id: i64,
}

/// Marks `account_id` active on `day`; a second mark the same day changes
/// nothing.
pub fn mark_active(conn: &mut DbConn, account_id: i64, day: NaiveDate) -> Result<(), DbError> {
    let day = day_key(day);
    insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(days::table)
            .values((days::account_id.eq(account_id), days::day.eq(day), days::engaged.eq(false)))
            .execute(conn)
    })?;
    Ok(())
}

/// One status written on the day, with what the roll-up groups it by.
#[derive(Debug, Clone, Queryable)]
pub struct StatusOfDay {
    pub id: i64,
    pub account_id: i64,
    /// `None`: written by an account of this site.
    pub domain: Option<String>,
    pub language: Option<String>,
    pub application: Option<String>,
    pub is_boost: bool,
}

/// Every status (boosts included) made on the day, here or elsewhere.
pub fn statuses_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<StatusOfDay>, DbError> {
    Ok(statuses::table
        .inner_join(accounts::table.on(accounts::id.eq(statuses::account_id)))
        .left_join(oauth_applications::table.on(oauth_applications::id.nullable().eq(statuses::application_id)))
        .filter(statuses::id.ge(span.first_id))
        .filter(statuses::id.lt(span.end_id))
        .select((
            statuses::id,
            statuses::account_id,
            accounts::domain,
            statuses::language,
            oauth_applications::name.nullable(),
            statuses::reblog_of_id.is_not_null(),
        ))
        .load(conn)?)
}

/// (status id, tag id) of the day's statuses that carry tags.
pub fn tags_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(status_tags::table
        .filter(status_tags::status_id.ge(span.first_id))
        .filter(status_tags::status_id.lt(span.end_id))
        .select((status_tags::status_id, status_tags::tag_id))
        .load(conn)?)
}

/// Accounts of this site that favourited something on the day.
pub fn local_favouriters_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<i64>, DbError> {
    Ok(favourites::table
        .inner_join(accounts::table.on(accounts::id.eq(favourites::account_id)))
        .filter(favourites::id.ge(span.first_id))
        .filter(favourites::id.lt(span.end_id))
        .filter(accounts::domain.is_null())
        .select(favourites::account_id)
        .distinct()
        .load(conn)?)
}

/// Favourites made on the day of statuses written here.
pub fn favourites_of_local_statuses(conn: &mut DbConn, span: DaySpan) -> Result<i64, DbError> {
    Ok(favourites::table
        .inner_join(statuses::table.on(statuses::id.eq(favourites::status_id)))
        .filter(favourites::id.ge(span.first_id))
        .filter(favourites::id.lt(span.end_id))
        .filter(statuses::local.eq(true))
        .count()
        .get_result(conn)?)
}

/// Boosts of and replies to statuses written here, made on the day.
pub fn boosts_and_replies_of_local_statuses(conn: &mut DbConn, span: DaySpan) -> Result<i64, DbError> {
    let originals = diesel::alias!(statuses as originals);
    let original_id = originals.field(statuses::id).nullable();
    Ok(statuses::table
        .inner_join(originals.on(original_id.eq(statuses::reblog_of_id).or(original_id.eq(statuses::in_reply_to_id))))
        .filter(statuses::id.ge(span.first_id))
        .filter(statuses::id.lt(span.end_id))
        .filter(originals.field(statuses::local).eq(true))
        .count()
        .get_result(conn)?)
}

/// Local accounts whose user signed in on the day (the last sign-in only:
/// earlier ones of the same user were counted by the roll-up of their day).
pub fn signed_in_on_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<i64>, DbError> {
    Ok(users::table
        .filter(users::last_sign_in_at.ge(span.from))
        .filter(users::last_sign_in_at.lt(span.to))
        .select(users::account_id)
        .load(conn)?)
}

/// Users created on the day.
pub fn new_users_on_day(conn: &mut DbConn, span: DaySpan) -> Result<i64, DbError> {
    Ok(users::table
        .filter(users::created_at.ge(span.from))
        .filter(users::created_at.lt(span.to))
        .count()
        .get_result(conn)?)
}

/// Reports opened on the day: the domain of each one's reported account
/// (`None`: an account of this site).
pub fn reports_opened_on_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<Option<String>>, DbError> {
    Ok(reports::table
        .inner_join(accounts::table.on(accounts::id.eq(reports::target_account_id)))
        .filter(reports::created_at.ge(span.from))
        .filter(reports::created_at.lt(span.to))
        .select(accounts::domain)
        .load(conn)?)
}

/// Reports resolved on the day (and not reopened since).
pub fn reports_resolved_on_day(conn: &mut DbConn, span: DaySpan) -> Result<i64, DbError> {
    Ok(reports::table
        .filter(reports::action_taken_at.ge(span.from))
        .filter(reports::action_taken_at.lt(span.to))
        .count()
        .get_result(conn)?)
}

/// Domains of the accounts of other sites first seen on the day, one entry per account.
pub fn remote_accounts_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<String>, DbError> {
    Ok(accounts::table
        .filter(accounts::created_at.ge(span.from))
        .filter(accounts::created_at.lt(span.to))
        .filter(accounts::domain.is_not_null())
        .select(accounts::domain.assume_not_null())
        .load(conn)?)
}

/// A follow as (follower's domain, followed account's domain); `None` is this site.
pub type FollowDomains = (Option<String>, Option<String>);

/// Follows made on the day.
pub fn follows_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<FollowDomains>, DbError> {
    let targets = diesel::alias!(accounts as targets);
    Ok(follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
        .inner_join(targets.on(targets.field(accounts::id).eq(follows::target_account_id)))
        .filter(follows::created_at.ge(span.from))
        .filter(follows::created_at.lt(span.to))
        .select((accounts::domain, targets.field(accounts::domain)))
        .load(conn)?)
}

/// (domain, bytes) of media of other sites' accounts stored on the day.
pub fn remote_media_of_day(conn: &mut DbConn, span: DaySpan) -> Result<Vec<(String, i64)>, DbError> {
    Ok(media_attachments::table
        .inner_join(accounts::table.on(accounts::id.eq(media_attachments::account_id)))
        .filter(media_attachments::created_at.ge(span.from))
        .filter(media_attachments::created_at.lt(span.to))
        .filter(accounts::domain.is_not_null())
        .select((accounts::domain.assume_not_null(), media_attachments::file_size))
        .load(conn)?)
}

/// One counter of a day's roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub metric: &'static str,
    pub subject: String,
    pub detail: String,
    pub value: i64,
}

#[derive(Insertable)]
#[diesel(table_name = counts, treat_none_as_default_value = false)]
struct NewCount<'a> {
    metric: &'a str,
    subject: &'a str,
    day: &'a str,
    detail: &'a str,
    value: i64,
}

#[derive(Insertable)]
#[diesel(table_name = days, treat_none_as_default_value = false)]
struct NewActiveDay<'a> {
    account_id: i64,
    day: &'a str,
    engaged: bool,
}

fn insert_counts(conn: &mut DbConn, rows: &[NewCount]) -> Result<(), DbError> {
    insert_chunked!(conn, counts::table, rows)
}

/// Leaves out the days already marked.
fn insert_active_days(conn: &mut DbConn, rows: &[NewActiveDay]) -> Result<(), DbError> {
    insert_chunked!(conn, days::table, rows, on_conflict_do_nothing)
}

/// Replaces the roll-up of `day` in one transaction: its counters, its
/// engaged flags, and the extra active accounts (signed in, or engaged
/// without a token use). `complete` says the day was over when counted.
pub fn store_day(
    conn: &mut DbConn,
    day: NaiveDate,
    counters: &[Count],
    active: &[i64],
    engaged: &[i64],
    complete: bool,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let key = day_key(day);
    transaction(conn, |conn| {
        diesel::delete(counts::table.filter(counts::day.eq(&key))).execute(conn)?;
        let rows: Vec<NewCount> = counters
            .iter()
            .map(|c| NewCount { metric: c.metric, subject: &c.subject, day: &key, detail: &c.detail, value: c.value })
            .collect();
        insert_counts(conn, &rows)?;
        // Rows a token use wrote stay (and keep their place if this runs
        // at the same time); the flags are set afresh after.
        let on_day = || days::table.filter(days::day.eq(&key));
        diesel::update(on_day()).set(days::engaged.eq(false)).execute(conn)?;
        let present: Vec<NewActiveDay> = active
            .iter()
            .chain(engaged)
            .map(|&account_id| NewActiveDay { account_id, day: &key, engaged: false })
            .collect();
        insert_active_days(conn, &present)?;
        for chunk in engaged.chunks(crate::accounts::IDS_PER_STATEMENT) {
            diesel::update(on_day().filter(days::account_id.eq_any(chunk)))
                .set(days::engaged.eq(true))
                .execute(conn)?;
        }
        diesel::delete(rollups::table.filter(rollups::day.eq(&key))).execute(conn)?;
        diesel::insert_into(rollups::table)
            .values((rollups::day.eq(&key), rollups::complete.eq(complete), rollups::rolled_up_at.eq(now)))
            .execute(conn)?;
        Ok::<_, DbError>(())
    })
}

/// The days from `from` on whose roll-up is complete.
pub fn complete_days_since(conn: &mut DbConn, from: NaiveDate) -> Result<Vec<NaiveDate>, DbError> {
    let keys: Vec<String> = rollups::table
        .filter(rollups::day.ge(day_key(from)))
        .filter(rollups::complete.eq(true))
        .select(rollups::day)
        .load(conn)?;
    Ok(keys.iter().filter_map(|k| NaiveDate::parse_from_str(k, "%Y-%m-%d").ok()).collect())
}

/// The first day anything could have happened: the oldest user's creation.
pub fn first_user_day(conn: &mut DbConn) -> Result<Option<NaiveDate>, DbError> {
    let first: Option<NaiveDateTime> = users::table.select(diesel::dsl::min(users::created_at)).first(conn)?;
    Ok(first.map(|at| at.date()))
}

/// Active accounts per day from `from` to `to` (both included);
/// `engaged_only` counts only the engaged ones.
pub fn active_per_day(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    engaged_only: bool,
) -> Result<Vec<(String, i64)>, DbError> {
    // `engaged_only` false matches both values: one statement shape, no boxing.
    let engaged = if engaged_only { vec![true] } else { vec![true, false] };
    Ok(days::table
        .filter(days::day.ge(day_key(from)))
        .filter(days::day.le(day_key(to)))
        .filter(days::engaged.eq_any(engaged))
        .group_by(days::day)
        .select((days::day, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Distinct accounts active at least once from `from` to `to`.
pub fn active_accounts(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> Result<i64, DbError> {
    Ok(days::table
        .filter(days::day.ge(day_key(from)))
        .filter(days::day.le(day_key(to)))
        .select(days::account_id)
        .distinct()
        .load::<i64>(conn)?
        .len() as i64)
}

/// Per account, its active days from `from` to `to`; `engaged_only`
/// counts only the days it was engaged.
pub fn active_days_per_account(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    engaged_only: bool,
) -> Result<Vec<(i64, i64)>, DbError> {
    // `engaged_only` false matches both values: one statement shape, no boxing.
    let engaged = if engaged_only { vec![true] } else { vec![true, false] };
    Ok(days::table
        .filter(days::day.ge(day_key(from)))
        .filter(days::day.le(day_key(to)))
        .filter(days::engaged.eq_any(engaged))
        .group_by(days::account_id)
        .select((days::account_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Days each given account was active from `from` to `to`, for cohorts.
pub fn active_days_of(
    conn: &mut DbConn,
    accounts: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String)>, DbError> {
    let mut rows = Vec::new();
    for chunk in accounts.chunks(crate::accounts::IDS_PER_STATEMENT) {
        rows.extend(
            days::table
                .filter(days::account_id.eq_any(chunk))
                .filter(days::day.ge(day_key(from)))
                .filter(days::day.le(day_key(to)))
                .select((days::account_id, days::day))
                .load::<(i64, String)>(conn)?,
        );
    }
    Ok(rows)
}

/// `metric`'s rows (day, subject, detail, value) from `from` to `to`, for
/// one subject or (`None`) all of them.
pub fn counts_between(
    conn: &mut DbConn,
    metric: &str,
    subject: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, String, String, i64)>, DbError> {
    let mut query = counts::table
        .filter(counts::metric.eq(metric))
        .filter(counts::day.ge(day_key(from)))
        .filter(counts::day.le(day_key(to)))
        .into_boxed();
    if let Some(subject) = subject {
        query = query.filter(counts::subject.eq(subject));
    }
    Ok(query.select((counts::day, counts::subject, counts::detail, counts::value)).load(conn)?)
}

/// A local account with what adoption groups it by.
#[derive(Debug, Clone, Queryable)]
pub struct LocalMember {
    pub account_id: i64,
    /// JSON array of profile fields.
    pub fields: String,
    pub created_at: NaiveDateTime,
}

/// Every account of this site that is not suspended.
pub fn local_members(conn: &mut DbConn) -> Result<Vec<LocalMember>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(accounts::suspended_at.is_null())
        .select((accounts::id, accounts::fields, users::created_at))
        .load(conn)?)
}

/// (domain, `site` JSON) of one account per domain of other sites, to name them.
pub fn sites_of_domains(conn: &mut DbConn, domains: &[String]) -> Result<Vec<(String, Option<String>)>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq_any(domains))
        .filter(accounts::site.is_not_null())
        .select((accounts::domain.assume_not_null(), accounts::site))
        .load(conn)?)
}

/// The most followed accounts of `domain`: (handle, followers).
pub fn most_followed_of_domain(conn: &mut DbConn, domain: &str, limit: i64) -> Result<Vec<(String, i32)>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(domain))
        .order(accounts::followers_count.desc())
        .limit(limit)
        .select((accounts::username, accounts::followers_count))
        .load(conn)?)
}

/// Bytes of media stored for accounts of this site.
pub fn local_media_bytes(conn: &mut DbConn) -> Result<Vec<i64>, DbError> {
    Ok(media_attachments::table
        .inner_join(accounts::table.on(accounts::id.eq(media_attachments::account_id)))
        .filter(accounts::domain.is_null())
        .select(media_attachments::file_size)
        .load(conn)?)
}

/// The names of the given tags, to label tag rows.
pub fn tag_names(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    use crate::schema::tags;
    Ok(tags::table.filter(tags::id.eq_any(ids)).select((tags::id, tags::name)).load(conn)?)
}
