//! Mastodon's admin API (`/api/v1/admin/...`): endpoints for the site's
//! administrators. Each needs a token with its `admin:` scope, acting for
//! a user whose role is admin. One file per resource.

pub mod domain_allows;
pub mod domain_blocks;

use tertulia_domain::oauth::SessionUser;
use tertulia_domain::users::Role;

use crate::ApiError;
use crate::auth::Auth;

/// The caller, if an admin whose token carries `scope` (403 otherwise).
pub(crate) fn admin<'a>(auth: &'a Auth, scope: &str) -> Result<&'a SessionUser, ApiError> {
    let user = auth.user(scope)?;
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden("This action is for the site's administrators only".into()));
    }
    Ok(user)
}
