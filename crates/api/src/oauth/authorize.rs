//! `GET /oauth/authorize` shows the sign-in and consent page;
//! `POST /oauth/authorize` checks the password and sends the code back to
//! the app (RFC 6749 §4.1).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::oauth::{self, AuthorizationTarget, AuthorizeRequest, OAuthError, SignIn};
use tertulia_domain::sign_up_blocks;

use super::page::{self, SignInPage};
use crate::forms::{Form, Query};
use crate::{ApiError, AppState};

/// The parameters an app puts in the sign-in link; the form carries them
/// through as hidden fields.
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    #[serde(default)]
    response_type: Option<String>,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    code_challenge: Option<String>,
    #[serde(default)]
    code_challenge_method: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    decision: String,
}

pub async fn show(state: web::Data<AppState>, Query(params): Query<AuthorizeParams>) -> HttpResponse {
    match check(&state, &params).await {
        Ok(target) => render_form(&state, &params, &target, "", None, StatusCode::OK),
        Err(response) => response,
    }
}

pub async fn submit(
    state: web::Data<AppState>,
    http: HttpRequest,
    Form(form): Form<SignInForm>,
) -> Result<HttpResponse, ApiError> {
    let params = form.params;
    let target = match check(&state, &params).await {
        Ok(target) => target,
        Err(response) => return Ok(response),
    };
    if form.decision == "deny" {
        if oauth::is_out_of_band(&target.redirect_uri) {
            return Ok(page::problem("You denied access. You can close this page.", StatusCode::OK));
        }
        return Ok(redirect(&target.redirect_uri, &[("error", "access_denied")], params.state.as_deref()));
    }
    if let Err(refused) = sign_up_blocks::admit_sign_in(&state.ctx.db, state.proxies.ip_of(&http)).await {
        return Ok(page::problem(&refused.to_string(), StatusCode::FORBIDDEN));
    }
    let sign_in = SignIn::Password { login: form.login.clone(), password: form.password };
    let request = authorize_request(&params, &target, sign_in, state.proxies.ip_of(&http));
    match oauth::authorize(&state.ctx, &state.sign_ins, request).await {
        Ok((code, redirect_uri)) => Ok(deliver_code(&state, &target, &params, &code, &redirect_uri)),
        Err(OAuthError::AccessDenied(message)) => {
            Ok(render_form(&state, &params, &target, &form.login, Some(&message), StatusCode::UNAUTHORIZED))
        }
        // The form stays, so the person can try again once the directory is back.
        Err(OAuthError::TemporarilyUnavailable(message)) => {
            Ok(render_form(&state, &params, &target, &form.login, Some(&message), StatusCode::SERVICE_UNAVAILABLE))
        }
        Err(OAuthError::InvalidRequest(message)) => Ok(page::problem(&message, StatusCode::BAD_REQUEST)),
        Err(other) => Err(other.into()),
    }
}

/// The code the app asked for: sent to its redirect URI, or shown to copy
/// when it has none.
pub(super) fn deliver_code(
    state: &AppState,
    target: &AuthorizationTarget,
    params: &AuthorizeParams,
    code: &str,
    redirect_uri: &str,
) -> HttpResponse {
    if oauth::is_out_of_band(redirect_uri) {
        return page::show_code(&state.ctx.config.instance.title, &target.app.name, code);
    }
    redirect(redirect_uri, &[("code", code)], params.state.as_deref())
}

/// The app's sign-in request, with how the person proved who they are
/// (password or company sign-in).
pub(super) fn authorize_request(
    params: &AuthorizeParams,
    target: &AuthorizationTarget,
    sign_in: SignIn,
    client: Option<std::net::IpAddr>,
) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: params.client_id.clone(),
        redirect_uri: Some(target.redirect_uri.clone()),
        scopes: target.scopes.to_string(),
        code_challenge: params.code_challenge.clone(),
        code_challenge_method: params.code_challenge_method.clone(),
        sign_in,
        client,
    }
}

/// The request's app, redirect URI and scopes, or the page explaining why
/// the link is broken. Errors are shown here rather than redirected: an
/// unverified redirect URI must never receive anything.
pub(super) async fn check(state: &AppState, params: &AuthorizeParams) -> Result<AuthorizationTarget, HttpResponse> {
    if params.response_type.as_deref().is_some_and(|t| t != "code") {
        return Err(page::problem("This server only supports response_type=code.", StatusCode::BAD_REQUEST));
    }
    oauth::check_authorization_request(
        &state.ctx.db,
        &params.client_id,
        params.redirect_uri.as_deref(),
        params.scope.as_deref(),
    )
    .await
    .map_err(|error| match error {
        OAuthError::InvalidClient => {
            page::problem("The app is not registered on this server.", StatusCode::BAD_REQUEST)
        }
        OAuthError::Domain(_) => page::problem(
            "The server cannot handle sign-in right now. Try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        other => page::problem(&other.to_string(), StatusCode::BAD_REQUEST),
    })
}

fn render_form(
    state: &AppState,
    params: &AuthorizeParams,
    target: &AuthorizationTarget,
    login: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let scope = target.scopes.to_string();
    let mut hidden = vec![
        ("response_type", "code"),
        ("client_id", params.client_id.as_str()),
        ("redirect_uri", target.redirect_uri.as_str()),
        ("scope", scope.as_str()),
    ];
    for (name, value) in [
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ] {
        if let Some(value) = value {
            hidden.push((name, value.as_str()));
        }
    }
    let auth = &state.ctx.config.auth;
    page::sign_in(
        &SignInPage {
            company_provider: auth.oidc.is_enabled().then_some(auth.oidc.name.as_str()),
            passwords: auth.local_passwords || auth.ldap.is_enabled(),
            instance_title: &state.ctx.config.instance.title,
            app_name: &target.app.name,
            scopes: &target.scopes,
            hidden: &hidden,
            login,
            error,
        },
        status,
    )
}

/// A 302 to the app's redirect URI with `params` (and `state`, if the app
/// sent one) added to its query. Built as text, not through a URL parser,
/// so the URI reaches the app exactly as registered (parsers lower-case
/// custom schemes such as `com.tapbots.Ivory:`).
fn redirect(redirect_uri: &str, params: &[(&str, &str)], state: Option<&str>) -> HttpResponse {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    if let Some(state) = state {
        query.append_pair("state", state);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{}", query.finish());
    HttpResponse::Found().insert_header((LOCATION, location)).insert_header(("Cache-Control", "no-store")).finish()
}
