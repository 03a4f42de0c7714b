//! Tertulia's business rules, one module per use case. Independent of HTTP
//! and of ActivityPub: the API and federation layers call in here, so local
//! and remote actions share the same checks.

mod error;
pub mod instance;
pub mod oauth;
mod password;
pub mod users;
mod views;

pub use error::DomainError;
pub use tertulia_db::{Db, MigrationReport};
pub use views::{AccountView, ProfileField};
