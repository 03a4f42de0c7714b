//! Codes and tokens: `/oauth/authorize`, `/oauth/token`, `/oauth/revoke`.

use chrono::{DateTime, Duration, Utc};
use tertulia_core::Id;
use tertulia_core::scope::Scopes;
use tertulia_db::oauth::{self, AccessTokenRow, AuthorizationCodeRow};
use tertulia_db::users;
use tertulia_db::{Db, DbConn, DbError};

use super::apps::{OOB_REDIRECT_URI, RegisteredApp};
use super::secrets::{hash, matches_hash, new_secret, pkce_s256_matches};
use super::sign_in::{CompanySignIn, SignInThrottle, check_credentials};
use super::{OAuthError, find_app};
use crate::Context;
use crate::sign_in_addresses;
use crate::sign_up_blocks::{self, Admission};

/// A sign-in on the authorization page.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub sign_in: SignIn,
    /// Where the sign-in comes from, if known (kept for staff).
    pub client: Option<std::net::IpAddr>,
}

/// How the person on the authorization page proved who they are.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// A username or e-mail address and password, checked here.
    Password { login: String, password: String },
    /// Through the company's OpenID provider, already checked.
    Company(CompanySignIn),
}

/// What `/oauth/token` is asked to exchange.
#[derive(Debug, Clone)]
pub enum Grant {
    AuthorizationCode { code: String, redirect_uri: Option<String>, code_verifier: Option<String> },
    Password { username: String, password: String, scopes: Option<String> },
    ClientCredentials { scopes: Option<String> },
    RefreshToken { refresh_token: String },
}

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
}

/// A sign-in request that names a known app, one of its redirect URIs, and
/// scopes within its registration: safe to show a sign-in form for.
#[derive(Debug, Clone)]
pub struct AuthorizationTarget {
    pub app: RegisteredApp,
    pub redirect_uri: String,
    pub scopes: Scopes,
}

pub async fn check_authorization_request(
    db: &Db,
    client_id: &str,
    redirect_uri: Option<&str>,
    scopes: Option<&str>,
) -> Result<AuthorizationTarget, OAuthError> {
    let app = find_app(db, client_id).await.map_err(|_| OAuthError::InvalidClient)?;
    let redirect_uri = resolve_redirect_uri(&app, redirect_uri)?;
    let scopes = requested_scopes(&app, scopes)?;
    Ok(AuthorizationTarget { app, redirect_uri, scopes })
}

/// Checks the app and the user's credentials; returns the code to hand to
/// the app and the redirect URI to send it to.
pub async fn authorize(
    ctx: &Context,
    throttle: &SignInThrottle,
    request: AuthorizeRequest,
) -> Result<(String, String), OAuthError> {
    let AuthorizationTarget { app, redirect_uri, scopes } = check_authorization_request(
        &ctx.db,
        &request.client_id,
        request.redirect_uri.as_deref(),
        Some(&request.scopes),
    )
    .await?;
    let challenge = match (request.code_challenge.filter(|c| !c.is_empty()), request.code_challenge_method.as_deref()) {
        (None, _) => None,
        (Some(challenge), None | Some("S256")) => Some(challenge),
        (Some(_), Some(other)) => {
            return Err(OAuthError::InvalidRequest(format!(
                "code_challenge_method '{other}' is not supported; use S256"
            )));
        }
    };
    let user = match request.sign_in {
        SignIn::Password { login, password } => check_credentials(ctx, throttle, &login, &password).await?,
        SignIn::Company(CompanySignIn(user)) => user,
    };
    let code = new_secret();
    let row_code = hash(&code);
    let lifetime = Duration::minutes(i64::from(ctx.config.oauth.code_lifetime_minutes));
    let app_id = app.id.0;
    let redirect = redirect_uri.clone();
    let client = request.client;
    ctx.db
        .write(move |conn| {
            let now = tertulia_db::now();
            oauth::insert_code(
                conn,
                &AuthorizationCodeRow {
                    id: Id::generate().0,
                    code_hash: row_code,
                    application_id: app_id,
                    user_id: user.id,
                    redirect_uri: redirect,
                    scopes: scopes.to_string(),
                    code_challenge_method: challenge.as_ref().map(|_| "S256".to_owned()),
                    code_challenge: challenge,
                    created_at: now,
                    expires_at: now + lifetime,
                    used_at: None,
                },
            )?;
            sign_in_addresses::remember(conn, user.id, client, now)?;
            users::record_sign_in(conn, user.id, now)
        })
        .await?;
    Ok((code, redirect_uri))
}

/// Exchanges a grant for a token. `client_secret` may be omitted only for
/// an authorization code protected by PKCE (public clients such as web
/// apps cannot keep a secret). `client` is the address the request comes
/// from: a password sign-in records it for staff.
pub async fn issue_token(
    ctx: &Context,
    throttle: &SignInThrottle,
    client_id: &str,
    client_secret: Option<&str>,
    grant: Grant,
    client: Option<std::net::IpAddr>,
) -> Result<IssuedToken, OAuthError> {
    let app = find_app(&ctx.db, client_id).await.map_err(|_| OAuthError::InvalidClient)?;
    let secret_ok = client_secret.map(|given| matches_hash(given, &app.client_secret_hash));
    if secret_ok == Some(false) {
        return Err(OAuthError::InvalidClient);
    }
    let public_client_with_pkce = matches!(&grant, Grant::AuthorizationCode { code_verifier: Some(_), .. });
    if secret_ok.is_none() && !public_client_with_pkce {
        return Err(OAuthError::InvalidClient);
    }
    match grant {
        Grant::AuthorizationCode { code, redirect_uri, code_verifier } => {
            exchange_code(&ctx.db, &app, &code, redirect_uri, code_verifier).await
        }
        Grant::Password { username, password, scopes } => {
            if !ctx.config.oauth.allow_password_grant {
                return Err(OAuthError::UnsupportedGrantType(
                    "the password grant is turned off on this server (oauth.allow_password_grant); sign in through /oauth/authorize".into(),
                ));
            }
            let scopes = requested_scopes(&app, scopes.as_deref())?;
            let user = check_credentials(ctx, throttle, &username, &password).await?;
            let app_id = app.id.0;
            Ok(ctx
                .db
                .write(move |conn| {
                    let now = tertulia_db::now();
                    sign_in_addresses::remember(conn, user.id, client, now)?;
                    users::record_sign_in(conn, user.id, now)?;
                    store_token(conn, Some(app_id), Some(user.id), scopes, true, None)
                })
                .await?)
        }
        Grant::ClientCredentials { scopes } => {
            let scopes = requested_scopes(&app, scopes.as_deref())?;
            let app_id = app.id.0;
            Ok(ctx.db.write(move |conn| store_token(conn, Some(app_id), None, scopes, false, None)).await?)
        }
        Grant::RefreshToken { refresh_token } => {
            let app_id = app.id.0;
            let refresh_hash = hash(&refresh_token);
            ctx.db
                .run(move |conn| {
                    tertulia_db::transaction(conn, |conn| {
                        let Some(old) = oauth::find_by_refresh_token(conn, app_id, &refresh_hash)? else {
                            return Err(OAuthError::InvalidGrant("the refresh token is invalid or was revoked".into()));
                        };
                        // Rotation: the old pair stops working once the new one exists.
                        oauth::revoke_token_by_id(conn, old.id, tertulia_db::now())?;
                        let scopes = Scopes::parse(&old.scopes).unwrap_or_default();
                        Ok(store_token(conn, Some(app_id), old.user_id, scopes, true, None)?)
                    })
                })
                .await
        }
    }
}

async fn exchange_code(
    db: &Db,
    app: &RegisteredApp,
    code: &str,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
) -> Result<IssuedToken, OAuthError> {
    let code_hash = hash(code);
    let app_id = app.id.0;
    let now = tertulia_db::now();
    // Taken in a transaction of its own, so it stays used up when the
    // checks below refuse: codes are single-use, whatever happens.
    let Some(stored) = db.write(move |conn| oauth::take_code(conn, &code_hash, now)).await? else {
        return Err(OAuthError::InvalidGrant("the authorization code is invalid or was already used".into()));
    };
    if stored.application_id != app_id {
        return Err(OAuthError::InvalidGrant("the authorization code was issued to another application".into()));
    }
    if stored.expires_at < now {
        return Err(OAuthError::InvalidGrant("the authorization code has expired; sign in again".into()));
    }
    if let Some(given) = redirect_uri.filter(|r| !r.is_empty())
        && given != stored.redirect_uri
    {
        return Err(OAuthError::InvalidGrant("redirect_uri differs from the one used to sign in".into()));
    }
    match (&stored.code_challenge, &code_verifier) {
        (Some(challenge), Some(verifier)) if pkce_s256_matches(verifier, challenge) => {}
        (Some(_), Some(_)) => return Err(OAuthError::InvalidGrant("code_verifier does not match".into())),
        (Some(_), None) => {
            return Err(OAuthError::InvalidGrant("code_verifier is required: sign-in used PKCE".into()));
        }
        (None, Some(_)) => {
            return Err(OAuthError::InvalidGrant("code_verifier given but sign-in used no PKCE".into()));
        }
        (None, None) => {}
    }
    let scopes = Scopes::parse(&stored.scopes).unwrap_or_default();
    Ok(db.write(move |conn| store_token(conn, Some(app_id), Some(stored.user_id), scopes, true, None)).await?)
}

/// Signs up through an app (`POST /api/v1/accounts`): creates the user
/// when the instance allows sign-ups, and returns a token for them with the
/// scopes of the app's own token. `client` is the address the sign-up comes
/// from, as IP blocks see it.
pub async fn register(
    ctx: &Context,
    application: Option<(i64, Scopes)>,
    request: crate::users::NewUserRequest,
    client: Option<std::net::IpAddr>,
) -> Result<IssuedToken, OAuthError> {
    if !ctx.config.instance.registrations_open {
        return Err(OAuthError::Domain(crate::DomainError::Forbidden(
            "sign-ups are closed on this server: ask your IT team for an account".into(),
        )));
    }
    let Some((app_id, scopes)) = application else {
        return Err(OAuthError::Domain(crate::DomainError::Forbidden(
            "sign-up needs an app token (client_credentials grant)".into(),
        )));
    };
    let admission = sign_up_blocks::admit_sign_up(&ctx.db, &request.email, client).await?;
    let user = crate::users::create(ctx, request).await?;
    let user_id = user.user_id.0;
    Ok(ctx
        .db
        .write(move |conn| {
            if admission == Admission::Pending {
                users::hold_for_approval(conn, user_id)?;
            }
            sign_in_addresses::remember(conn, user_id, client, tertulia_db::now())?;
            store_token(conn, Some(app_id), Some(user_id), scopes, true, None)
        })
        .await?)
}

/// Revokes an access or refresh token of this client. Unknown tokens are
/// not an error (RFC 7009 §2.2).
pub async fn revoke(db: &Db, client_id: &str, client_secret: &str, token: &str) -> Result<(), OAuthError> {
    let app = find_app(db, client_id).await.map_err(|_| OAuthError::InvalidClient)?;
    if !matches_hash(client_secret, &app.client_secret_hash) {
        return Err(OAuthError::InvalidClient);
    }
    let token_hash = hash(token);
    let app_id = app.id.0;
    db.write(move |conn| oauth::revoke_token(conn, app_id, &token_hash, tertulia_db::now())).await?;
    Ok(())
}

/// Stores a new token; `lifetime` `None` means it lasts until revoked, as
/// Mastodon's app tokens do. `application_id` `None` is the dashboard's
/// own sign-in, which no app holds.
pub(super) fn store_token(
    conn: &mut DbConn,
    application_id: Option<i64>,
    user_id: Option<i64>,
    scopes: Scopes,
    with_refresh: bool,
    lifetime: Option<Duration>,
) -> Result<IssuedToken, DbError> {
    let access_token = new_secret();
    let refresh_token = with_refresh.then(new_secret);
    let now = tertulia_db::now();
    oauth::insert_token(
        conn,
        &AccessTokenRow {
            id: Id::generate().0,
            token_hash: hash(&access_token),
            refresh_token_hash: refresh_token.as_deref().map(hash),
            application_id,
            user_id,
            scopes: scopes.to_string(),
            created_at: now,
            expires_at: lifetime.map(|lifetime| now + lifetime),
            revoked_at: None,
            last_used_at: None,
        },
    )?;
    Ok(IssuedToken { access_token, refresh_token, scopes, created_at: now.and_utc() })
}

fn resolve_redirect_uri(app: &RegisteredApp, given: Option<&str>) -> Result<String, OAuthError> {
    match given.filter(|g| !g.is_empty()) {
        Some(uri) if app.redirect_uris.iter().any(|r| r == uri) => Ok(uri.to_owned()),
        Some(uri) => Err(OAuthError::InvalidRequest(format!(
            "redirect_uri '{uri}' is not one of those registered by the application"
        ))),
        None => match app.redirect_uris.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(OAuthError::InvalidRequest("redirect_uri is required".into())),
        },
    }
}

/// The scopes a grant asks for (default: what the app registered), which
/// must lie within what the app registered.
fn requested_scopes(app: &RegisteredApp, requested: Option<&str>) -> Result<Scopes, OAuthError> {
    let Some(text) = requested.filter(|t| !t.trim().is_empty()) else {
        return Ok(app.scopes.clone());
    };
    let scopes = Scopes::parse(text).map_err(|e| OAuthError::InvalidScope(e.to_string()))?;
    if !app.scopes.covers(&scopes) {
        return Err(OAuthError::InvalidScope(format!(
            "the application registered '{}' but asked for '{scopes}'",
            app.scopes
        )));
    }
    Ok(scopes)
}

/// Whether this redirect shows the code on a page instead of redirecting.
pub fn is_out_of_band(redirect_uri: &str) -> bool {
    redirect_uri == OOB_REDIRECT_URI
}
