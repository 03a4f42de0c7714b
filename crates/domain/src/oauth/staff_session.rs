//! The admin dashboard's sign-in: a token like any other, checked by the
//! same [`check_credentials`] as the sign-in page and the password grant,
//! but held in a browser cookie, granted only to staff, with the admin
//! scopes alone, and expiring after a working day.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sha2::{Digest, Sha256};
use tertulia_core::Id;
use tertulia_core::scope::Scopes;
use tertulia_db::{Db, oauth, users};

use super::OAuthError;
use super::sign_in::{SignInThrottle, check_credentials};
use super::tokens::{IssuedToken, store_token};
use crate::{Context, DomainError, roles};

/// How long a dashboard sign-in lasts: a working day, so a browser left
/// signed in overnight on a shared desk is signed out by the morning.
pub const STAFF_SESSION_LIFETIME: Duration = Duration::hours(10);

/// What the dashboard may do for its holder; the role still decides which
/// of it each page allows (`roles::permits`).
const STAFF_SCOPES: &str = "admin:read admin:write";

/// Signs a member of staff in to the dashboard; the token goes in the
/// session cookie. People without a staff role are refused here rather
/// than page by page, so they hold no admin token at all.
pub async fn open_staff_session(
    ctx: &Context,
    throttle: &SignInThrottle,
    login: &str,
    password: &str,
) -> Result<IssuedToken, OAuthError> {
    let user = check_credentials(ctx, throttle, login, password).await?;
    if !roles::is_staff(user.role) {
        return Err(OAuthError::AccessDenied(
            "the dashboard is for this site's moderators and administrators, and your account has neither role".into(),
        ));
    }
    let scopes = Scopes::parse(STAFF_SCOPES).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(ctx
        .db
        .write(move |conn| {
            users::record_sign_in(conn, user.id, tertulia_db::now())?;
            store_token(conn, None, Some(user.id), scopes, false, Some(STAFF_SESSION_LIFETIME))
        })
        .await?)
}

/// Signs out: the token stops working at once, whoever holds a copy.
pub async fn close_staff_session(db: &Db, token: Id) -> Result<(), DomainError> {
    Ok(db.write(move |conn| oauth::revoke_token_by_id(conn, token.0, tertulia_db::now())).await?)
}

/// The token every dashboard form must carry, bound to the session: a
/// one-way digest of the session's secret, so a page of another site,
/// which can neither read the cookie nor this page, cannot make it.
pub fn form_token(session_secret: &str) -> String {
    let digest = Sha256::new().chain_update(b"tertulia dashboard form\0").chain_update(session_secret).finalize();
    URL_SAFE_NO_PAD.encode(digest)
}
