//! Bearer token → who is calling and what they may do.

use tertulia_core::Id;
use tertulia_core::scope::Scopes;
use tertulia_db::Db;
use tertulia_db::oauth;

use super::secrets::hash;
use crate::users::Role;
use crate::{AccountView, DomainError};

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_id: Id,
    pub scopes: Scopes,
    /// The app's id, name and website.
    pub application: Option<(Id, String, Option<String>)>,
    /// `None` for client-credentials tokens.
    pub user: Option<SessionUser>,
}

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: Id,
    pub account: AccountView,
    pub role: Role,
}

/// How far a token's "last used" time may lag: a write on every request
/// would queue each read behind the database's one writer (on SQLite even
/// an `UPDATE` that changes nothing takes the write lock).
const LAST_USE_STEP: chrono::Duration = chrono::Duration::minutes(1);

/// The session for a bearer token; `None` when the token is unknown,
/// revoked or expired. A suspended or disabled user's token is refused.
pub async fn authenticate(db: &Db, bearer: &str) -> Result<Option<Session>, DomainError> {
    let token_hash = hash(bearer);
    let now = tertulia_db::now();
    let owner = db.read(move |conn| oauth::find_active_token(conn, &token_hash, now)).await?;
    let Some(owner) = owner else {
        return Ok(None);
    };
    let last_used_at = owner.token.last_used_at;
    let new_day = crate::analytics::first_use_today(last_used_at, now);
    if new_day || last_used_at.is_some_and(|at| at <= now - LAST_USE_STEP) {
        let token = owner.token.id;
        let active_account = (owner.user.as_ref())
            .filter(|(_, account)| new_day && account.suspended_at.is_none())
            .map(|(_, account)| account.id);
        db.write(move |conn| {
            oauth::touch_token(conn, token, now)?;
            match active_account {
                Some(account) => crate::analytics::note_active(conn, account, now),
                None => Ok(()),
            }
        })
        .await?;
    }
    let user = match owner.user {
        Some((_, account)) if account.suspended_at.is_some() => {
            return Err(DomainError::Forbidden("your account is suspended".into()));
        }
        Some((user, _)) if user.disabled => {
            return Err(DomainError::Forbidden("your account is disabled; contact your administrator".into()));
        }
        Some((user, account)) => Some(SessionUser { user_id: Id(user.id), role: user.role, account: account.into() }),
        None => None,
    };
    Ok(Some(Session {
        token_id: Id(owner.token.id),
        scopes: Scopes::parse(&owner.token.scopes).unwrap_or_default(),
        application: owner.application.map(|app| (Id(app.id), app.name, app.website)),
        user,
    }))
}
