//! Managing local users: creation, passwords, suspension, deletion.
//! Used by `tertulia admin user …` today and by sign-up and the admin API
//! later, so the rules live here once.

use chrono::{DateTime, NaiveDateTime, Utc};
use tertulia_core::Id;
use tertulia_db::accounts::{self, NewAccount};
pub use tertulia_db::users::Role;
use tertulia_db::users::{self, NewUser, UserRow};
use tertulia_db::{Db, DbError};

use crate::Context;
use crate::audit::{self, Actor, Target};
use crate::{AccountView, DomainError, Invalidity, password};

pub use password::generate as generate_password;

pub const MAX_USERNAME_LENGTH: usize = 30;
const MAX_EMAIL_LENGTH: usize = 254;

/// The input for a new local user.
#[derive(Debug, Clone)]
pub struct NewUserRequest {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

/// A user and their account, as listed to admins.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSummary {
    pub user_id: Id,
    pub account: AccountView,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl UserSummary {
    fn from_rows(user: UserRow, account: accounts::AccountRow) -> Self {
        UserSummary {
            user_id: Id(user.id),
            role: user.role,
            email: user.email,
            created_at: user.created_at.and_utc(),
            account: account.into(),
        }
    }
}

/// Creates a local account and its sign-in identity in one transaction.
pub async fn create(ctx: &Context, request: NewUserRequest) -> Result<UserSummary, DomainError> {
    validate_username(&request.username)?;
    validate_email(&request.email)?;
    password::check_strength(&request.password, &request.username, &request.email)?;
    let password_hash = password::hash(&request.password).await?;
    let base_url = ctx.config.base_url();
    ctx.db
        .run(move |conn| tertulia_db::transaction(conn, |conn| insert(conn, &base_url, &request, password_hash)))
        .await
}

/// Creates the account and user of `request` inside the caller's
/// transaction, with `password_hash` as given (empty: no local password,
/// for people who sign in through the company directory).
pub(crate) fn insert(
    conn: &mut tertulia_db::DbConn,
    base_url: &str,
    request: &NewUserRequest,
    password_hash: String,
) -> Result<UserSummary, DomainError> {
    if accounts::find_local_by_username(conn, &request.username)?.is_some() {
        return Err(taken_username(&request.username));
    }
    if users::email_exists(conn, &request.email)? {
        return Err(taken_email(&request.email));
    }
    let now = tertulia_db::now();
    let account_id = Id::generate().0;
    accounts::insert(conn, &new_local_account(base_url, account_id, &request.username, now))
        .map_err(|e| lost_race(e, request))?;
    users::insert(
        conn,
        &NewUser {
            id: Id::generate().0,
            account_id,
            email: request.email.clone(),
            password_hash,
            role: request.role,
            created_at: now,
            updated_at: now,
        },
    )
    .map_err(|e| lost_race(e, request))?;
    // Other sites hear of a new colleague before they ever post.
    let listed = crate::outbox::Outgoing::ListedInDirectory { account: account_id, site: None };
    crate::outbox::record(conn, &listed)?;
    let (user, account) = users::find_by_username(conn, &request.username)?.ok_or(DbError::NotFound)?;
    Ok(UserSummary::from_rows(user, account))
}

/// A local account's row, with the addresses other sites reach it at:
/// people's and groups' alike.
pub(crate) fn new_local_account(base_url: &str, id: i64, username: &str, now: NaiveDateTime) -> NewAccount {
    let actor = format!("{base_url}/users/{username}");
    NewAccount {
        id,
        username: username.to_owned(),
        domain: None,
        display_name: username.to_owned(),
        url: Some(format!("{base_url}/@{username}")),
        inbox_url: format!("{actor}/inbox"),
        outbox_url: Some(format!("{actor}/outbox")),
        followers_url: Some(format!("{actor}/followers")),
        following_url: Some(format!("{actor}/following")),
        uri: actor,
        created_at: now,
        updated_at: now,
    }
}

/// Two sign-ups racing past the checks in [`create`]: the unique indexes
/// decide, and the loser gets the message the checks would have given.
fn lost_race(error: DbError, request: &NewUserRequest) -> DomainError {
    if error.is_conflict_on("username") {
        taken_username(&request.username)
    } else if error.is_conflict_on("email") {
        taken_email(&request.email)
    } else {
        error.into()
    }
}

/// Every local user, oldest first.
pub async fn list(db: &Db) -> Result<Vec<UserSummary>, DomainError> {
    let rows = db.run(users::list_with_accounts).await?;
    Ok(rows.into_iter().map(|(u, a)| UserSummary::from_rows(u, a)).collect())
}

/// Replaces a user's password after checking its strength.
pub async fn set_password(db: &Db, username: &str, new_password: &str) -> Result<(), DomainError> {
    let summary = find(db, username).await?;
    password::check_strength(new_password, &summary.account.username, &summary.email)?;
    let hash = password::hash(new_password).await?;
    let user_id = summary.user_id.0;
    db.write(move |conn| users::set_password_hash(conn, user_id, &hash, tertulia_db::now())).await?;
    Ok(())
}

/// Gives a user another role (staff or not), logged as `actor`'s doing.
pub async fn set_role(db: &Db, actor: Actor, username: &str, role: Role) -> Result<UserSummary, DomainError> {
    let summary = find(db, username).await?;
    let account_id = summary.account.id.0;
    let target = Target::new("user", account_id, format!("@{}", summary.account.username));
    db.write(move |conn| {
        tertulia_db::moderation::set_role(conn, account_id, role)?;
        audit::record(conn, &actor, "change_role", &target)
    })
    .await?;
    find(db, username).await
}

/// Deletes a user, their account and everything the account owns. An
/// account other sites know (it has a signing key) leaves a tombstone: a
/// suspended account with the same address and key and nothing else, so
/// the `Delete` that tells those sites can still be signed, and so nobody
/// can later take over the address and its followers elsewhere.
pub async fn delete(db: &Db, username: &str) -> Result<UserSummary, DomainError> {
    let summary = find(db, username).await?;
    let account_id = summary.account.id.0;
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let actor = tertulia_db::actors::find(conn, account_id)?.ok_or(tertulia_db::DbError::NotFound)?;
            let inboxes = tertulia_db::actors::remote_contact_inboxes(conn, account_id)?;
            crate::kudos::forget_given_by(conn, account_id)?;
            accounts::delete(conn, account_id)?;
            if let Some(private_key) = actor.private_key_pem.as_deref() {
                let tombstone = tertulia_db::actors::insert_tombstone(conn, &actor, private_key, tertulia_db::now())?;
                crate::outbox::record(conn, &crate::outbox::Outgoing::AccountDeleted { account: tombstone, inboxes })?;
            }
            Ok::<_, DomainError>(())
        })
    })
    .await?;
    Ok(summary)
}

/// The user with this username (any case).
pub async fn find(db: &Db, username: &str) -> Result<UserSummary, DomainError> {
    let name = username.to_owned();
    db.run(move |conn| users::find_by_username(conn, &name))
        .await?
        .map(|(u, a)| UserSummary::from_rows(u, a))
        .ok_or_else(|| DomainError::NotFound(format!("user '{username}'")))
}

/// A taken name is a validation failure, as on Mastodon (422 `ERR_TAKEN`),
/// so a sign-up form can show it next to the field.
pub(crate) fn taken_username(username: &str) -> DomainError {
    DomainError::invalid_as(Invalidity::Taken, "username", format!("'{username}' is already taken"))
}

fn taken_email(email: &str) -> DomainError {
    DomainError::invalid_as(Invalidity::Taken, "email", format!("'{email}' is already in use"))
}

/// Usernames follow Mastodon's rule (letters, digits, underscore) so that
/// handles work in every client and on every remote server.
pub fn validate_username(username: &str) -> Result<(), DomainError> {
    if username.is_empty() {
        return Err(DomainError::blank("username"));
    }
    if username.len() > MAX_USERNAME_LENGTH {
        return Err(DomainError::too_long("username", MAX_USERNAME_LENGTH));
    }
    if !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DomainError::invalid(
            "username",
            format!("'{username}' may only contain letters a-z, digits and underscores"),
        ));
    }
    Ok(())
}

/// A deliberately loose check: one `@`, something on each side, no spaces.
/// Deliverability is the mail server's business.
pub fn validate_email(email: &str) -> Result<(), DomainError> {
    let bad = || DomainError::invalid("email", format!("'{email}' is not an e-mail address"));
    if email.len() > MAX_EMAIL_LENGTH || email.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@') => Ok(()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_mastodon_rules() {
        assert!(validate_username("ana_garcia2").is_ok());
        for bad in ["", "ana garcia", "ana@es", "josé", &"a".repeat(31)] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_need_one_at_sign_and_both_parts() {
        assert!(validate_email("ana@es.acme.example").is_ok());
        for bad in ["", "ana", "@acme", "ana@", "a@b@c", "ana @acme.example"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }
}
