//! Tertulia's pure building blocks: identifiers and configuration.
//!
//! This crate performs no I/O beyond reading the configuration file and
//! environment it is handed, so every other crate can depend on it.

pub mod config;
pub mod html;
pub mod id;
pub mod media;
pub mod metrics;
pub mod scope;
pub mod stored;
pub mod text;
pub mod typed_id;
pub mod visibility;
pub mod window_counters;

pub use config::{Config, ConfigError};
pub use id::Id;
pub use typed_id::{AccountId, StatusId};
