//! Mastodon's admin API (`/api/v1/admin/...`): endpoints for the site's
//! administrators. Each needs a token with its `admin:` scope, acting for
//! a user whose role is admin (`Auth::admin`). One file per resource.

pub mod analytics;
pub mod announcements;
pub mod domain_allows;
pub mod domain_blocks;
