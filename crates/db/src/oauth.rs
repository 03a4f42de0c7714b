//! Queries on OAuth applications, access tokens and authorization codes.
//! Tokens, codes and client secrets are stored as SHA-256 hashes only.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::accounts::AccountRow;
use crate::schema::{accounts, oauth_access_tokens, oauth_applications, oauth_authorization_codes, users};
use crate::users::UserRow;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_applications)]
pub struct ApplicationRow {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_access_tokens)]
pub struct AccessTokenRow {
    pub id: i64,
    pub token_hash: String,
    pub refresh_token_hash: Option<String>,
    pub application_id: Option<i64>,
    pub user_id: Option<i64>,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_authorization_codes)]
pub struct AuthorizationCodeRow {
    pub id: i64,
    pub code_hash: String,
    pub application_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// A valid token with what it acts for.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token: AccessTokenRow,
    pub application: Option<ApplicationRow>,
    /// `None` for client-credentials tokens, which act for no user.
    pub user: Option<(UserRow, AccountRow)>,
}

/// What is stored of a token, code or client secret: its SHA-256, hex. A
/// leaked database therefore holds nothing usable. The migration that
/// hashed existing client secrets uses this too, so both agree.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn insert_application(conn: &mut DbConn, app: &ApplicationRow) -> Result<(), DbError> {
    diesel::insert_into(oauth_applications::table).values(app).execute(conn)?;
    Ok(())
}

pub fn find_application(conn: &mut DbConn, client_id: &str) -> Result<Option<ApplicationRow>, DbError> {
    Ok(oauth_applications::table
        .filter(oauth_applications::client_id.eq(client_id))
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_application_by_id(conn: &mut DbConn, id: i64) -> Result<Option<ApplicationRow>, DbError> {
    Ok(oauth_applications::table.find(id).select(ApplicationRow::as_select()).first(conn).optional()?)
}

pub fn insert_token(conn: &mut DbConn, token: &AccessTokenRow) -> Result<(), DbError> {
    diesel::insert_into(oauth_access_tokens::table).values(token).execute(conn)?;
    Ok(())
}

/// The unrevoked, unexpired token with this hash, with its application and
/// user (when it has one).
pub fn find_active_token(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<TokenOwner>, DbError> {
    // One statement for the token, its application, user and account:
    // every authenticated request starts here.
    let found = oauth_access_tokens::table
        .left_join(oauth_applications::table)
        .left_join(users::table)
        .left_join(accounts::table.on(accounts::id.nullable().eq(users::account_id.nullable())))
        .filter(oauth_access_tokens::token_hash.eq(token_hash))
        .filter(oauth_access_tokens::revoked_at.is_null())
        .filter(oauth_access_tokens::expires_at.is_null().or(oauth_access_tokens::expires_at.gt(now)))
        .select((
            AccessTokenRow::as_select(),
            Option::<ApplicationRow>::as_select(),
            Option::<UserRow>::as_select(),
            Option::<AccountRow>::as_select(),
        ))
        .first::<(AccessTokenRow, Option<ApplicationRow>, Option<UserRow>, Option<AccountRow>)>(conn)
        .optional()?;
    let Some((token, application, user, account)) = found else {
        return Ok(None);
    };
    let user = user.zip(account);
    Ok(Some(TokenOwner { token, application, user }))
}

/// The unrevoked token of `application_id` issued with this refresh token.
pub fn find_by_refresh_token(
    conn: &mut DbConn,
    application_id: i64,
    refresh_hash: &str,
) -> Result<Option<AccessTokenRow>, DbError> {
    Ok(oauth_access_tokens::table
        .filter(oauth_access_tokens::refresh_token_hash.eq(refresh_hash))
        .filter(oauth_access_tokens::application_id.eq(application_id))
        .filter(oauth_access_tokens::revoked_at.is_null())
        .select(AccessTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes the token of `application_id` whose access or refresh token has
/// this hash. Returns whether one was revoked.
pub fn revoke_token(conn: &mut DbConn, application_id: i64, hash: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(
        oauth_access_tokens::table
            .filter(oauth_access_tokens::application_id.eq(application_id))
            .filter(oauth_access_tokens::token_hash.eq(hash).or(oauth_access_tokens::refresh_token_hash.eq(hash)))
            .filter(oauth_access_tokens::revoked_at.is_null()),
    )
    .set(oauth_access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(changed > 0)
}

pub fn revoke_token_by_id(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(oauth_access_tokens::table.find(id)).set(oauth_access_tokens::revoked_at.eq(now)).execute(conn)?;
    Ok(())
}

/// Records that the token was used at `now`, for "last active".
pub fn touch_token(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(oauth_access_tokens::table.find(id)).set(oauth_access_tokens::last_used_at.eq(now)).execute(conn)?;
    Ok(())
}

pub fn insert_code(conn: &mut DbConn, code: &AuthorizationCodeRow) -> Result<(), DbError> {
    diesel::insert_into(oauth_authorization_codes::table).values(code).execute(conn)?;
    Ok(())
}

/// Marks the unused code with this hash as used and returns it. A code can
/// be taken once: of two concurrent exchanges only one changes the row, and
/// the other finds nothing.
pub fn take_code(
    conn: &mut DbConn,
    code_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<AuthorizationCodeRow>, DbError> {
    let found = oauth_authorization_codes::table
        .filter(oauth_authorization_codes::code_hash.eq(code_hash))
        .filter(oauth_authorization_codes::used_at.is_null())
        .select(AuthorizationCodeRow::as_select())
        .first(conn)
        .optional()?;
    let Some(code) = found else {
        return Ok(None);
    };
    let claimed = diesel::update(
        oauth_authorization_codes::table.find(code.id).filter(oauth_authorization_codes::used_at.is_null()),
    )
    .set(oauth_authorization_codes::used_at.eq(now))
    .execute(conn)?;
    Ok((claimed == 1).then_some(code))
}
