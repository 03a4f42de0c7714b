//! Sign-in through the company's OpenID provider (OpenID Connect Core 1.0,
//! authorization code flow, §3.1), with PKCE (RFC 7636, S256), a nonce and
//! a single-use `state`.
//!
//! [`begin`] stores the sign-in under a random `state` and gives the
//! provider's URL to send the person to; [`finish`] takes that sign-in back
//! when the provider returns the person, exchanges the code, verifies the
//! ID token (signature from the provider's published keys, issuer,
//! audience, nonce, expiry) and describes the person as an
//! [`ExternalIdentity`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DiscoveryError,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tertulia_core::config::OidcConfig;
use tertulia_db::oidc_sign_ins::{self, OidcSignInRow};

use super::{ExternalIdentity, IdentityError, role_from_groups};
use crate::Context;

/// Where the provider sends people back, under this server's base URL.
pub const CALLBACK_PATH: &str = "/oauth/oidc/callback";

/// How long a person may take at the provider's sign-in page.
const PENDING_LIFETIME_MINUTES: i64 = 10;

/// What the provider's return to [`CALLBACK_PATH`] says.
#[derive(Debug, Clone)]
pub enum ProviderAnswer {
    /// The person signed in; the code is exchanged for their ID token.
    Code(String),
    /// The provider did not sign them in (OAuth 2 error code, RFC 6749
    /// §4.1.2.1, and its description).
    Refused { error: String, description: Option<String> },
}

/// Starts a sign-in for the app request `app_request` (kept as given, to
/// resume it on the return) and returns the provider URL to send the
/// person to.
pub async fn begin(ctx: &Context, app_request: String) -> Result<String, IdentityError> {
    let config = &ctx.config.auth.oidc;
    let http = ProviderHttp::new(config)?;
    let client = client(ctx, &http).await?;
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    // `openid` is always sent by the library.
    let scopes = config.scopes.iter().filter(|scope| *scope != "openid").map(|scope| Scope::new(scope.clone()));
    let (url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scopes(scopes)
        .set_pkce_challenge(pkce_challenge)
        .url();
    let now = tertulia_db::now();
    let row = OidcSignInRow {
        state: state.secret().clone(),
        app_request,
        pkce_verifier: pkce_verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        expires_at: now + chrono::Duration::minutes(PENDING_LIFETIME_MINUTES),
    };
    ctx.db.write(move |conn| oidc_sign_ins::insert(conn, &row, now)).await?;
    Ok(url.to_string())
}

/// Finishes the sign-in of `state`: the app request given to [`begin`] and
/// the person the provider signed in. A state works once, and only within
/// ten minutes.
pub async fn finish(
    ctx: &Context,
    state: &str,
    answer: ProviderAnswer,
) -> Result<(String, ExternalIdentity), IdentityError> {
    let config = &ctx.config.auth.oidc;
    let state = state.to_owned();
    let pending = ctx.db.write(move |conn| oidc_sign_ins::take(conn, &state)).await?;
    let pending = pending.filter(|row| row.expires_at > tertulia_db::now()).ok_or_else(|| {
        IdentityError::Stale(
            "this sign-in has expired or was already used (each one works once, within ten minutes)".into(),
        )
    })?;
    let code = match answer {
        ProviderAnswer::Code(code) => code,
        ProviderAnswer::Refused { error, description } => {
            tracing::info!(%error, description = description.as_deref().unwrap_or(""), "the OpenID provider did not sign a person in");
            return Err(IdentityError::Denied(format!(
                "{} did not sign you in ({}); if you cancelled, start again from the app",
                config.name,
                description.unwrap_or(error)
            )));
        }
    };
    let http = ProviderHttp::new(config)?;
    let client = client(ctx, &http).await?;
    let exchange = client.exchange_code(AuthorizationCode::new(code)).map_err(|error| broken(config, &error))?;
    let tokens = exchange
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|error| broken(config, &format!("exchanging the code failed: {error:?}")))?;
    let id_token = tokens.id_token().ok_or_else(|| untrusted(config, "its token response has no ID token"))?;
    // Read again with every claim kept, since the claims to map are named
    // in the configuration; the verifier checks this token, not a copy.
    let id_token: IdToken<AllClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm> =
        id_token.to_string().parse().map_err(|error| untrusted(config, &format!("unreadable ID token: {error}")))?;
    let verified = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        .map_err(|error| untrusted(config, &format!("the ID token failed verification: {error}")))?;
    let subject = verified.subject().clone();
    let mut claims = as_map(verified);
    // Providers such as Keycloak and Google put some claims only in the
    // user info; the ID token's win where both have one.
    if let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject.clone())) {
        let info: UserInfoClaims<AllClaims, CoreGenderClaim> = request
            .request_async(&http)
            .await
            .map_err(|error| broken(config, &format!("reading the user info failed: {error:?}")))?;
        for (name, value) in as_map(&info) {
            claims.entry(name).or_insert(value);
        }
    }
    Ok((pending.app_request, describe(config, subject.as_str(), &claims)))
}

type ProviderClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The provider as its discovery document (and key set) describes it now:
/// read on each sign-in, so rotated keys are picked up at once.
async fn client(ctx: &Context, http: &ProviderHttp) -> Result<ProviderClient, IdentityError> {
    let config = &ctx.config.auth.oidc;
    let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|error| broken(config, &error))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http).await.map_err(|error| match error {
        DiscoveryError::Request(error) => unreachable(config, &format!("discovery failed: {error}")),
        // Among these: the provider announcing another issuer than ours.
        other => broken(config, &format!("discovery failed: {other:?}")),
    })?;
    let callback = RedirectUrl::new(format!("{}{CALLBACK_PATH}", ctx.config.base_url()))
        .map_err(|error| broken(config, &error))?;
    let secret = Some(config.client_secret.clone()).filter(|secret| !secret.is_empty()).map(ClientSecret::new);
    Ok(CoreClient::from_provider_metadata(metadata, ClientId::new(config.client_id.clone()), secret)
        .set_redirect_uri(callback))
}

/// Every claim of an ID token or user info, the standard ones included.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AllClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}

impl AdditionalClaims for AllClaims {}

fn as_map(claims: impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(claims) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn describe(config: &OidcConfig, subject: &str, claims: &Map<String, Value>) -> ExternalIdentity {
    let text = |claim: &str| match claims.get(claim) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    let groups: Vec<String> = match claims.get(&config.groups_claim) {
        Some(Value::Array(groups)) => groups.iter().filter_map(|group| group.as_str().map(str::to_owned)).collect(),
        Some(Value::String(group)) => vec![group.clone()],
        _ => Vec::new(),
    };
    let username = text(&config.username_claim);
    ExternalIdentity {
        // `sub` is unique only within its issuer (OpenID Connect Core §2).
        provider: config.issuer.clone(),
        subject: subject.to_owned(),
        // Entra ID's and Google's usernames are addresses (`ana@acme.example`).
        username: username.split('@').next().unwrap_or_default().to_owned(),
        display_name: text(&config.display_name_claim),
        email: text(&config.email_claim),
        fields: config.field_mappings().into_iter().map(|(label, claim)| (label.to_owned(), text(claim))).collect(),
        role: role_from_groups(&config.admin_groups, &config.moderator_groups, &groups),
    }
}

/// Requests to the provider through our own reqwest client. Redirects are
/// not followed: every provider URL comes from the issuer's discovery
/// document.
struct ProviderHttp(reqwest::Client);

impl ProviderHttp {
    fn new(config: &OidcConfig) -> Result<ProviderHttp, IdentityError> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .map(ProviderHttp)
            .map_err(|error| broken(config, &error))
    }
}

impl<'c> AsyncHttpClient<'c> for ProviderHttp {
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, reqwest::Error>> + Send + 'c>>;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response =
                self.0.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let mut answer = openidconnect::HttpResponse::new(response.bytes().await?.to_vec());
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            Ok(answer)
        })
    }
}

/// The provider cannot be reached or does not answer as a provider.
fn unreachable(config: &OidcConfig, detail: &str) -> IdentityError {
    tracing::error!(issuer = %config.issuer, "OpenID Connect sign-in is not working: {detail}");
    IdentityError::Unavailable(format!(
        "{} cannot be reached, so signing in is not possible right now; try again in a few minutes, and tell \
         your IT team if it persists",
        config.name
    ))
}

/// The provider answered, but the sign-in cannot go on: a configuration
/// at one end or the other is wrong.
fn broken(config: &OidcConfig, detail: &dyn std::fmt::Display) -> IdentityError {
    tracing::error!(issuer = %config.issuer, "OpenID Connect sign-in is not working: {detail}");
    IdentityError::Unavailable(format!(
        "signing in with {} is not working right now; tell your IT team (the server's log says why)",
        config.name
    ))
}

/// The provider's answer does not prove who the person is.
fn untrusted(config: &OidcConfig, detail: &str) -> IdentityError {
    tracing::error!(issuer = %config.issuer, "refused an OpenID Connect sign-in: {detail}");
    IdentityError::Denied(format!(
        "the answer from {} could not be verified, so you were not signed in; tell your IT team (the server's log \
         says why)",
        config.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_mapped_by_the_configured_names() {
        let config = OidcConfig {
            issuer: "https://sso.acme.example".into(),
            admin_groups: vec!["Tertulia-Admins".into()],
            ..Default::default()
        };
        let claims = serde_json::json!({
            "preferred_username": "Ana.Garcia@acme.example",
            "name": "Ana García",
            "email": "ana@acme.example",
            "department": "Finance",
            "office": 42,
            "groups": ["staff", "tertulia-admins"],
        });
        let person = describe(&config, "abc-123", claims.as_object().unwrap());
        assert_eq!((person.provider.as_str(), person.subject.as_str()), ("https://sso.acme.example", "abc-123"));
        assert_eq!(person.username, "Ana.Garcia", "the part before @ of an address");
        assert_eq!(person.display_name, "Ana García");
        assert_eq!(
            person.fields,
            [("Department".into(), "Finance".into()), ("Title".into(), String::new()), ("Office".into(), "42".into())]
        );
        assert_eq!(person.role, Some(tertulia_db::users::Role::Admin));
    }
}
