//! Tertulia's business rules, one module per use case. Independent of HTTP
//! and of ActivityPub: the API and federation layers call in here, so local
//! and remote actions share the same checks.

pub mod accounts;
pub mod analytics;
pub mod announcements;
pub mod audience;
mod context;
pub mod conversations;
pub mod directory;
pub mod domain_blocks;
mod error;
pub mod events;
pub mod featured_tags;
pub mod federation_policy;
pub mod filters;
pub mod instance;
pub mod instance_pages;
pub mod lists;
pub mod markers;
pub mod media;
pub mod notification_groups;
pub mod notification_policy;
pub mod notifications;
pub mod oauth;
pub mod outbox;
pub mod password;
pub mod polls;
pub mod present;
pub mod profile;
pub mod push;
pub mod quotes;
pub mod remote;
pub mod rules;
pub mod scheduled;
pub mod search;
pub mod statuses;
pub mod suggestions;
pub mod tags;
pub mod timelines;
pub mod trends;
pub mod users;
mod views;
pub mod visibility;

pub use context::Context;
pub use error::{DomainError, Invalidity};
pub use events::Events;
pub use tertulia_db::page::Page;
pub use tertulia_db::statuses::{AccountStatusFilter, Origin, PublicFilter};
pub use tertulia_db::{Db, MigrationReport};
pub use views::{AccountView, MentionView, ProfileField};
