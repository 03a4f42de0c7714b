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

/// The session for a bearer token; `None` when the token is unknown,
/// revoked or expired. A suspended user's token is refused.
pub async fn authenticate(db: &Db, bearer: &str) -> Result<Option<Session>, DomainError> {
    let token_hash = hash(bearer);
    let owner = db
        .run(move |conn| {
            let now = tertulia_db::now();
            let owner = oauth::find_active_token(conn, &token_hash, now)?;
            if let Some(owner) = &owner {
                oauth::touch_token(conn, owner.token.id, now)?;
            }
            Ok(owner)
        })
        .await?;
    let Some(owner) = owner else {
        return Ok(None);
    };
    let user = match owner.user {
        Some((_, account)) if account.suspended_at.is_some() => {
            return Err(DomainError::Forbidden("your account is suspended".into()));
        }
        Some((user, account)) => Some(SessionUser {
            user_id: Id(user.id),
            role: user.role.parse().unwrap_or(Role::User),
            account: account.into(),
        }),
        None => None,
    };
    Ok(Some(Session {
        token_id: Id(owner.token.id),
        scopes: Scopes::parse(&owner.token.scopes).unwrap_or_default(),
        application: owner.application.map(|app| (Id(app.id), app.name, app.website)),
        user,
    }))
}
