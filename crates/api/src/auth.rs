//! Who is calling: the bearer token resolved to a session, and the scope
//! checks every endpoint makes. No handler reads tokens itself.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use tertulia_domain::oauth::{self, Session, SessionUser};
use tertulia_domain::roles::{self, Permission};

use crate::{ApiError, AppState};

/// The caller's session, if a token was sent. Extraction fails with 401
/// only for a token that was sent but is not valid; a missing token is
/// `Auth(None)`, so public endpoints can still answer.
pub struct Auth(pub Option<Session>);

const INVALID_TOKEN: &str = "The access token is invalid";

impl Auth {
    /// A session acting for a user, whose token carries `scope`.
    pub fn user(&self, scope: &str) -> Result<&SessionUser, ApiError> {
        self.user_with_any(&[scope])
    }

    /// A session acting for a user, whose token carries one of `scopes`.
    pub fn user_with_any(&self, scopes: &[&str]) -> Result<&SessionUser, ApiError> {
        let session = self.session_with_any(scopes)?;
        session
            .user
            .as_ref()
            .ok_or_else(|| ApiError::Unprocessable("This method requires an authenticated user".into()))
    }

    /// A session acting for a staff member whose role grants `permission`,
    /// with a token that carries `scope` (`admin:read…` or `admin:write…`):
    /// the admin API. The one check every admin endpoint makes.
    pub fn permitted(&self, scope: &str, permission: Permission) -> Result<&SessionUser, ApiError> {
        let user = self.user(scope)?;
        if !roles::permits(user.role, permission) {
            return Err(ApiError::Forbidden(format!(
                "This action needs the '{}' permission, which the role '{}' does not have; ask one of the site's administrators",
                permission.name(),
                user.role
            )));
        }
        Ok(user)
    }

    /// The signed-in account for endpoints anyone may read: `None` without
    /// a token or with an app's own token; an error only for a user token
    /// that lacks `scope`.
    pub fn viewer(&self, scope: &str) -> Result<Option<i64>, ApiError> {
        match &self.0 {
            Some(session) if session.user.is_some() => Ok(Some(self.user(scope)?.account.id.0)),
            _ => Ok(None),
        }
    }

    /// Any valid session (an app's own token too), whose token carries `scope`.
    pub fn session(&self, scope: &str) -> Result<&Session, ApiError> {
        self.session_with_any(&[scope])
    }

    fn session_with_any(&self, scopes: &[&str]) -> Result<&Session, ApiError> {
        let session = self.0.as_ref().ok_or_else(|| ApiError::Unauthorized(INVALID_TOKEN.into()))?;
        if !scopes.iter().any(|scope| session.scopes.allows(scope)) {
            return Err(ApiError::Forbidden(format!(
                "This action is outside the authorized scopes: it needs '{}', the token has '{}'",
                scopes.join("' or '"),
                session.scopes
            )));
        }
        Ok(session)
    }
}

/// The token from `Authorization: Bearer <token>`.
pub fn bearer_token(request: &HttpRequest) -> Option<String> {
    let header = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
}

/// What the request's bearer token turned out to be. Looked up once per
/// request and remembered in its extensions: the rate limiter needs it
/// before the handler runs (only a valid token has a budget of its own),
/// and [`Auth`] reuses it.
#[derive(Clone)]
pub enum Bearer {
    Absent,
    Valid(Box<Session>),
    Invalid,
}

/// The request's [`Bearer`]. A token of a suspended account, or a database
/// failure, is an error (and is not remembered).
pub async fn check_bearer(request: &HttpRequest) -> Result<Bearer, ApiError> {
    let known = request.extensions().get::<Bearer>().cloned();
    if let Some(known) = known {
        return Ok(known);
    }
    let Some(token) = bearer_token(request) else {
        return Ok(Bearer::Absent);
    };
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let bearer = match oauth::authenticate(&state.ctx.db, &token).await? {
        Some(session) => Bearer::Valid(Box::new(session)),
        None => Bearer::Invalid,
    };
    request.extensions_mut().insert(bearer.clone());
    Ok(bearer)
}

impl FromRequest for Auth {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            match check_bearer(&request).await? {
                Bearer::Absent => Ok(Auth(None)),
                Bearer::Valid(session) => Ok(Auth(Some(*session))),
                Bearer::Invalid => Err(ApiError::Unauthorized(INVALID_TOKEN.into()).into()),
            }
        })
    }
}
