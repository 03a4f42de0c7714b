//! The admin API (`/api/v1/admin/…`): admins only, with `admin:*` scopes.

pub mod announcements;
