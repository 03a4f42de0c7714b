//! Who is using the dashboard: the session cookie turned into the same
//! [`Auth`] the admin API checks, and the one check every dashboard form
//! passes (same origin, and the form token bound to the session).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{COOKIE, ORIGIN};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;
use tertulia_core::Config;
use tertulia_core::config::Protocol;
use tertulia_domain::oauth::{self, STAFF_SESSION_LIFETIME, SessionUser};
use tertulia_domain::roles::Permission;

use super::Refusal;
use crate::auth::Auth;
use crate::forms::parse_form_text;
use crate::{ApiError, AppState};

/// The cookie's name. Over HTTPS the `__Host-` prefix makes browsers
/// accept it only when Secure, for the whole site and from this host
/// alone, so a neighbouring subdomain cannot plant a session of its own.
fn cookie_name(config: &Config) -> &'static str {
    match config.protocol {
        Protocol::Https => "__Host-tertulia_dashboard",
        Protocol::Http => "tertulia_dashboard",
    }
}

/// `Set-Cookie` for a new session: out of reach of scripts (HttpOnly),
/// never sent with requests another site starts (SameSite=Strict), and
/// only over HTTPS where the site uses it.
pub fn session_cookie(config: &Config, secret: &str) -> String {
    let secure = if config.protocol == Protocol::Https { "; Secure" } else { "" };
    let max_age = STAFF_SESSION_LIFETIME.num_seconds();
    format!("{}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}", cookie_name(config))
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn cleared_cookie(config: &Config) -> String {
    let secure = if config.protocol == Protocol::Https { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", cookie_name(config))
}

fn session_secret(request: &HttpRequest, config: &Config) -> Option<String> {
    let name = cookie_name(config);
    let header = request.headers().get(COOKIE)?.to_str().ok()?;
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// A signed-in member of staff. Which pages they may see is still up to
/// their role, checked with [`Staff::permitted`].
pub struct Staff {
    auth: Auth,
    user: SessionUser,
    token_id: tertulia_core::Id,
    form_token: String,
}

impl Staff {
    /// The staff member, if their role grants `permission`: the admin
    /// API's own rule (`Auth::permitted`), with the same scope its
    /// endpoint asks for.
    pub fn permitted(&self, scope: &str, permission: Permission) -> Result<&SessionUser, Refusal> {
        Ok(self.auth.permitted(scope, permission)?)
    }

    /// Who is signed in.
    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    /// The token each of this session's forms carries.
    pub fn form_token(&self) -> &str {
        &self.form_token
    }

    /// The session's token, to revoke it on sign-out.
    pub fn token_id(&self) -> tertulia_core::Id {
        self.token_id
    }

    /// Hands the session to an admin API handler the dashboard reuses.
    pub fn into_auth(self) -> Auth {
        self.auth
    }

    async fn from_cookie(request: &HttpRequest) -> Result<Staff, Refusal> {
        let state = app_state(request)?;
        let secret = session_secret(request, &state.ctx.config).ok_or(Refusal::SignIn)?;
        // Expired, revoked or unknown: the person simply signs in again.
        let session = oauth::authenticate(&state.ctx.db, &secret).await?.ok_or(Refusal::SignIn)?;
        let Some(user) = session.user.clone() else {
            return Err(Refusal::SignIn);
        };
        Ok(Staff {
            token_id: session.token_id,
            auth: Auth(Some(session)),
            user,
            form_token: oauth::form_token(&secret),
        })
    }
}

impl FromRequest for Staff {
    type Error = Refusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { Staff::from_cookie(&request).await })
    }
}

/// Whether a POST comes from this site's own pages. Browsers say where a
/// request started (`Sec-Fetch-Site`) and send `Origin` with every form;
/// either one naming another site refuses it. A request with neither is
/// left to the form token.
pub fn same_origin(request: &HttpRequest, config: &Config) -> bool {
    let header = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
    let fetched_from_here = header("sec-fetch-site").is_none_or(|site| site == "same-origin");
    let origin_is_here = header(ORIGIN.as_str()).is_none_or(|origin| origin == config.base_url());
    fetched_from_here && origin_is_here
}

/// The form token as every dashboard form sends it.
#[derive(Deserialize)]
struct FormToken {
    #[serde(default)]
    csrf: String,
}

/// A dashboard form sent by a signed-in member of staff: from this site's
/// own pages and carrying the session's form token, or refused with a
/// 403 page before the handler runs. Every dashboard POST but sign-in
/// (which has no session yet, and relies on the origin check) takes one.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub fields: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for StaffForm<T> {
    type Error = Refusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let body = Bytes::from_request(&request, payload);
        Box::pin(async move {
            let staff = Staff::from_cookie(&request).await?;
            if !same_origin(&request, &app_state(&request)?.ctx.config) {
                return Err(Refusal::CrossSite);
            }
            let body = body.await.map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
            let text = std::str::from_utf8(&body)
                .map_err(|_| ApiError::BadRequest("the form is not valid UTF-8 text".into()))?;
            let token: FormToken = parse_form_text(text)?;
            if !bool::from(token.csrf.as_bytes().ct_eq(staff.form_token.as_bytes())) {
                return Err(Refusal::StaleForm);
            }
            Ok(StaffForm { fields: parse_form_text(text)?, staff })
        })
    }
}

fn app_state(request: &HttpRequest) -> Result<web::Data<AppState>, Refusal> {
    Ok(request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?)
}
