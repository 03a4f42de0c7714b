//! `POST /oauth/token` and `POST /oauth/revoke`.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;
use tertulia_domain::oauth::{self, Grant, OAuthError};
use tertulia_domain::sign_up_blocks;

use crate::forms::Form;
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    code_verifier: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

/// Client credentials from the form, or from HTTP Basic authentication
/// (RFC 6749 §2.3.1), which some libraries prefer.
fn client_credentials(request: &HttpRequest, form: &TokenForm) -> (Option<String>, Option<String>) {
    let basic = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, secret)| (id.to_owned(), secret.to_owned())));
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.client_id.clone(), form.client_secret.clone()),
    }
}

fn required(value: Option<String>, name: &str) -> Result<String, OAuthError> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
}

pub async fn token(
    state: web::Data<AppState>,
    request: HttpRequest,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    sign_up_blocks::admit_sign_in(&state.ctx.db, state.proxies.ip_of(&request)).await?;
    let (client_id, client_secret) = client_credentials(&request, &form);
    let client_id = required(client_id, "client_id")?;
    let grant = match form.grant_type.as_str() {
        "authorization_code" => Grant::AuthorizationCode {
            code: required(form.code, "code")?,
            redirect_uri: form.redirect_uri,
            code_verifier: form.code_verifier.filter(|v| !v.is_empty()),
        },
        "password" => Grant::Password {
            username: required(form.username, "username")?,
            password: required(form.password, "password")?,
            scopes: form.scope,
        },
        "client_credentials" => Grant::ClientCredentials { scopes: form.scope },
        "refresh_token" => Grant::RefreshToken { refresh_token: required(form.refresh_token, "refresh_token")? },
        "" => return Err(OAuthError::InvalidRequest("grant_type is required".into()).into()),
        other => return Err(OAuthError::UnsupportedGrantType(format!("grant_type '{other}' is not supported")).into()),
    };
    let issued = oauth::issue_token(
        &state.ctx,
        &state.sign_ins,
        &client_id,
        client_secret.as_deref().filter(|s| !s.is_empty()),
        grant,
        state.proxies.ip_of(&request),
    )
    .await?;
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.scopes.to_string(),
        "created_at": issued.created_at.timestamp(),
    });
    if let Some(refresh) = issued.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}

pub async fn revoke(
    state: web::Data<AppState>,
    request: HttpRequest,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, client_secret) = client_credentials(&request, &form);
    let client_id = required(client_id, "client_id")?;
    let client_secret = required(client_secret, "client_secret")?;
    let token = required(form.token.clone(), "token")?;
    oauth::revoke(&state.ctx.db, &client_id, &client_secret, &token).await?;
    Ok(HttpResponse::Ok().json(json!({})))
}
