//! OAuth 2 endpoints: app registration, the sign-in page (with company
//! sign-in through OpenID Connect), tokens,
//! revocation, the user's OpenID claims and the server metadata document
//! (RFC 8414).

pub mod apps;
pub mod authorize;
pub mod oidc;
mod page;

pub mod token;
mod userinfo;

pub use userinfo::userinfo;

use actix_web::{HttpResponse, web};
use serde_json::json;
use tertulia_core::scope::all_scopes;

use crate::AppState;

/// `GET /.well-known/oauth-authorization-server`.
pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let base = state.ctx.config.base_url();
    let mut grants = vec!["authorization_code", "client_credentials", "refresh_token"];
    if state.ctx.config.oauth.allow_password_grant {
        grants.push("password");
    }
    HttpResponse::Ok().json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "userinfo_endpoint": format!("{base}/oauth/userinfo"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": all_scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grants,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
    }))
}
