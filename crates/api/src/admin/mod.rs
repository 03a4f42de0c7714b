//! Mastodon's admin API (`/api/v1/admin/...`): endpoints for the site's
//! staff. Each needs a token with its `admin:` scope, acting for a user
//! whose role grants the endpoint's permission (`Auth::permitted`). One
//! file per resource.

use tertulia_domain::audit::{self, Actor, Target};
use tertulia_domain::oauth::SessionUser;

use crate::{ApiError, AppState};

pub mod accounts;
pub mod analytics;
pub mod announcements;
pub mod audit_log;
pub mod canonical_email_blocks;
pub mod company_adoption;
pub mod domain_allows;
pub mod domain_blocks;
pub mod email_domain_blocks;
pub mod ip_blocks;
pub mod reports;
pub mod trends;

/// Writes the audit entry of an action a handler has completed.
pub(crate) async fn audited(
    state: &AppState,
    user: &SessionUser,
    action: &'static str,
    target: Target,
) -> Result<(), ApiError> {
    Ok(audit::log(&state.ctx.db, &Actor::from(user), action, target).await?)
}
