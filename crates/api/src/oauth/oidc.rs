//! Company sign-in through OpenID Connect, from the sign-in page:
//! `GET /oauth/oidc/start` sends the person to the company's provider with
//! the app's sign-in request kept server-side; the provider sends them back
//! to `GET /oauth/oidc/callback`, where the app's request goes on as after
//! a password sign-in. Every failure is a page saying what happened.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tertulia_domain::identity::oidc::{self, ProviderAnswer};
use tertulia_domain::oauth::{self, OAuthError, SignIn};
use tertulia_domain::sign_up_blocks;

use super::authorize::{self, AuthorizeParams};
use super::page;
use crate::forms::{Query, parse_form_text};
use crate::{ApiError, AppState};

/// What the provider adds to the callback URL (OpenID Connect Core §3.1.2.5
/// and §3.1.2.6).
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// `GET /oauth/oidc/start` with the query of `/oauth/authorize`.
pub async fn start(
    state: web::Data<AppState>,
    http: HttpRequest,
    Query(params): Query<AuthorizeParams>,
) -> Result<HttpResponse, ApiError> {
    if !state.ctx.config.auth.oidc.is_enabled() {
        return Ok(page::problem("Company sign-in is not set up on this server.", StatusCode::NOT_FOUND));
    }
    if let Err(response) = authorize::check(&state, &params).await {
        return Ok(response);
    }
    match oidc::begin(&state.ctx, http.query_string().to_owned()).await {
        Ok(provider_url) => Ok(HttpResponse::Found()
            .insert_header((LOCATION, provider_url))
            .insert_header(("Cache-Control", "no-store"))
            .finish()),
        Err(error) => problem(error.into()),
    }
}

/// `GET /oauth/oidc/callback`: the provider's answer.
pub async fn callback(
    state: web::Data<AppState>,
    http: HttpRequest,
    Query(answer): Query<CallbackParams>,
) -> Result<HttpResponse, ApiError> {
    let provider_answer = match (answer.code, answer.error) {
        (_, Some(error)) => ProviderAnswer::Refused { error, description: answer.error_description },
        (Some(code), None) => ProviderAnswer::Code(code),
        (None, None) => {
            return Ok(page::problem("The answer from the sign-in service has no code.", StatusCode::BAD_REQUEST));
        }
    };
    let (app_request, signed_in) = match oauth::company_sign_in(&state.ctx, &answer.state, provider_answer).await {
        Ok(signed_in) => signed_in,
        Err(error) => return problem(error),
    };
    // Stored by `start` from a request that passed `check`; checked again,
    // since the app may have changed meanwhile.
    let params: AuthorizeParams = parse_form_text(&app_request)?;
    let target = match authorize::check(&state, &params).await {
        Ok(target) => target,
        Err(response) => return Ok(response),
    };
    let client = state.proxies.ip_of(&http);
    if let Err(refused) = sign_up_blocks::admit_sign_in(&state.ctx.db, client).await {
        return Ok(page::problem(&refused.to_string(), StatusCode::FORBIDDEN));
    }
    let request = authorize::authorize_request(&params, &target, SignIn::Company(signed_in), client);
    match oauth::authorize(&state.ctx, &state.sign_ins, request).await {
        Ok((code, redirect_uri)) => Ok(authorize::deliver_code(&state, &target, &params, &code, &redirect_uri)),
        Err(error) => problem(error),
    }
}

/// The page for a company sign-in that did not work.
fn problem(error: OAuthError) -> Result<HttpResponse, ApiError> {
    let status = match &error {
        OAuthError::AccessDenied(_) => StatusCode::FORBIDDEN,
        OAuthError::TemporarilyUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        OAuthError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
        _ => return Err(error.into()),
    };
    Ok(page::problem(&capitalised(&error.to_string()), status))
}

/// Domain messages are clauses ("this sign-in has expired…"); the page
/// shows them as sentences.
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}
