//! Queries on `accounts`: local and remote actors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cacheable::id_in;
use crate::schema::accounts;
use crate::{DbConn, DbError};

diesel::define_sql_function!(
    /// SQL `lower()`, available on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub note: String,
    pub note_source: String,
    pub uri: String,
    pub url: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub hide_collections: bool,
    pub fields: String,
    /// The remote site's identity, JSON; `None` for local accounts.
    pub site: Option<String>,
    pub suspended_at: Option<NaiveDateTime>,
    /// Limited by a moderator: only followers see its posts.
    pub silenced_at: Option<NaiveDateTime>,
    /// A moderator marked all its media sensitive.
    pub sensitized_at: Option<NaiveDateTime>,
    pub followers_count: i32,
    pub following_count: i32,
    pub statuses_count: i32,
    pub last_status_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Where the account moved to, if it did.
    pub moved_to_account_id: Option<i64>,
    /// A `Group` is shown to clients as `group: true`.
    pub actor_type: crate::actors::ActorType,
    /// Recognitions received (`kudos` rows).
    pub kudos_count: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, account: &NewAccount) -> Result<(), DbError> {
    diesel::insert_into(accounts::table).values(account).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<AccountRow>, DbError> {
    Ok(accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()?)
}

/// The local account with this username, compared without regard to case
/// (handles are case-insensitive, as on Mastodon).
pub fn find_local_by_username(conn: &mut DbConn, username: &str) -> Result<Option<AccountRow>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.is_null())
        .filter(lower(accounts::username).eq(username.to_lowercase()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks the account suspended (`Some(time)`) or lifts the suspension.
pub fn set_suspended(conn: &mut DbConn, id: i64, at: Option<NaiveDateTime>) -> Result<(), DbError> {
    let changed = diesel::update(accounts::table.find(id)).set(accounts::suspended_at.eq(at)).execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Deletes the account and, through foreign-key cascades, everything it owns.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    let deleted = diesel::delete(accounts::table.find(id)).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The accounts with these ids, in no particular order.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<AccountRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::table.filter(id_in(accounts::id, ids)).select(AccountRow::as_select()).load(conn)?)
}

/// Ids per statement when filtering a long list (a popular author's
/// followers): SQLite binds at most 32,766 parameters per statement.
pub(crate) const IDS_PER_STATEMENT: usize = 10_000;

/// Which of `ids` are accounts of this site, in id order.
pub fn local_among(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    let mut local = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        local.extend(
            accounts::table
                .filter(accounts::id.eq_any(chunk))
                .filter(accounts::domain.is_null())
                .select(accounts::id)
                .load::<i64>(conn)?,
        );
    }
    local.sort_unstable();
    Ok(local)
}

/// Finds an account by `username` and `domain` (`None`: local), any case.
pub fn find_by_handle(conn: &mut DbConn, username: &str, domain: Option<&str>) -> Result<Option<AccountRow>, DbError> {
    let mut query = accounts::table
        .filter(lower(accounts::username).eq(username.to_lowercase()))
        .select(AccountRow::as_select())
        .into_boxed();
    query = match domain {
        None => query.filter(accounts::domain.is_null()),
        Some(domain) => query.filter(lower(accounts::domain.assume_not_null()).eq(domain.to_lowercase())),
    };
    Ok(query.first(conn).optional()?)
}

/// Adds `delta` to the account's status count and, for a new status, sets
/// the date of its last status.
pub fn adjust_statuses_count(conn: &mut DbConn, id: i64, delta: i32, at: Option<NaiveDateTime>) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id))
        .set(accounts::statuses_count.eq(accounts::statuses_count + delta))
        .execute(conn)?;
    if let Some(at) = at {
        diesel::update(accounts::table.find(id)).set(accounts::last_status_at.eq(at)).execute(conn)?;
    }
    Ok(())
}

/// Profile fields a user edits; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub note_source: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    pub fields: Option<String>,
    pub actor_type: Option<crate::actors::ActorType>,
    pub hide_collections: Option<bool>,
    pub show_featured: Option<bool>,
    pub show_media: Option<bool>,
    pub show_media_replies: Option<bool>,
    pub attribution_domains: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn update_profile(conn: &mut DbConn, id: i64, changes: &ProfileChanges) -> Result<(), DbError> {
    let changed = diesel::update(accounts::table.find(id)).set(changes).execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The owner-only settings `GET /api/v1/profile` shows besides the account row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct ProfileSettings {
    pub indexable: bool,
    pub hide_collections: bool,
    pub show_featured: bool,
    pub show_media: bool,
    pub show_media_replies: bool,
    pub attribution_domains: String,
    pub avatar_media_id: Option<i64>,
    pub header_media_id: Option<i64>,
}

pub fn profile_settings(conn: &mut DbConn, id: i64) -> Result<ProfileSettings, DbError> {
    accounts::table.find(id).select(ProfileSettings::as_select()).first(conn).optional()?.ok_or(DbError::NotFound)
}

/// Accounts of `domain` or of one of its subdomains (a domain block covers
/// both).
#[diesel::dsl::auto_type]
fn on_domain(domain: &str) -> _ {
    let subdomains: String = crate::federation_policy::subdomains_of(domain);
    let exact: String = domain.to_owned();
    let below: diesel::dsl::Escape<diesel::dsl::Like<accounts::domain, String>> =
        accounts::domain.like(subdomains).escape('\\');
    accounts::domain.eq(exact).or(below)
}

/// The stored remote accounts of `domain` and its subdomains.
pub fn ids_on_domain(conn: &mut DbConn, domain: &str) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table.filter(on_domain(domain)).select(accounts::id).load(conn)?)
}

/// Limits the accounts of `domain` and its subdomains that are not limited
/// yet, dating the limit `since` (a `silence` block's creation): lifting that
/// block finds exactly these accounts again by that date.
pub fn silence_domain(conn: &mut DbConn, domain: &str, since: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::update(accounts::table.filter(on_domain(domain)).filter(accounts::silenced_at.is_null()))
        .set(accounts::silenced_at.eq(since))
        .execute(conn)?)
}

/// Lifts the limit [`silence_domain`] dated `since`; accounts a moderator
/// limited at another time stay limited.
pub fn unsilence_domain(conn: &mut DbConn, domain: &str, since: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::update(accounts::table.filter(on_domain(domain)).filter(accounts::silenced_at.eq(since)))
        .set(accounts::silenced_at.eq(None::<NaiveDateTime>))
        .execute(conn)?)
}

/// Limits one account unless it is already limited (an account first met
/// on a silenced domain).
pub fn silence_unless_limited(conn: &mut DbConn, id: i64, since: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id).filter(accounts::silenced_at.is_null()))
        .set(accounts::silenced_at.eq(since))
        .execute(conn)?;
    Ok(())
}

/// The sites of the remote accounts stored here, in alphabetical order.
pub fn remote_domains(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.is_not_null())
        .select(accounts::domain.assume_not_null())
        .distinct()
        .order(accounts::domain.assume_not_null())
        .load(conn)?)
}
