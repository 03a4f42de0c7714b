//! What the site shows of its federation policy: `/api/v1/instance/peers`
//! and `/api/v1/instance/domain_blocks`, each to the audience the
//! configuration names (`federation.show_peers`, `show_domain_blocks`).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use tertulia_core::config::Audience;
use tertulia_domain::federation_policy::{self, Severity};

use crate::auth::Auth;
use crate::{ApiError, AppState};

/// Mastodon's answers when a list is not shown: 404 when it is shown to
/// nobody, 401 when only to signed-in users.
fn check_audience(audience: Audience, auth: &Auth) -> Result<(), ApiError> {
    match audience {
        Audience::All => Ok(()),
        Audience::Users => auth.user("read").map(|_| ()),
        Audience::Nobody => Err(ApiError::NotFound("This site does not publish this list".into())),
    }
}

/// `GET /api/v1/instance/peers`: the domains this site knows and may
/// federate with.
pub async fn peers(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    check_audience(state.ctx.config.federation.show_peers, &auth)?;
    Ok(HttpResponse::Ok().json(federation_policy::peers(&state.ctx).await?))
}

/// Mastodon's public `DomainBlock`.
#[derive(Serialize)]
struct DomainBlock {
    domain: String,
    digest: String,
    severity: &'static str,
    comment: Option<String>,
}

/// `GET /api/v1/instance/domain_blocks`: the blocks that limit or suspend
/// a domain, each obfuscated when its block says so.
pub async fn domain_blocks(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    check_audience(state.ctx.config.federation.show_domain_blocks, &auth)?;
    let shown: Vec<DomainBlock> = state
        .ctx
        .policy
        .blocks()
        .into_iter()
        .filter(|block| block.severity != Severity::Noop)
        .map(|block| DomainBlock {
            domain: if block.obfuscate { federation_policy::obfuscated(&block.domain) } else { block.domain.clone() },
            digest: federation_policy::digest(&block.domain),
            severity: block.severity.as_str(),
            comment: block.public_comment,
        })
        .collect();
    Ok(HttpResponse::Ok().json(shown))
}
