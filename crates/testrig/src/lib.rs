//! Test harness for Tertulia. Never a normal dependency.
//!
//! - [`TestDatabase`]: a fresh, empty database on the backend chosen by
//!   `TERTULIA_TEST_DB` (`sqlite`, the default, or `postgres`, which needs
//!   `TERTULIA_TEST_POSTGRES_URL`); dropped afterwards.
//! - [`TestInstance`]: a real `tertulia serve` process on a free localhost
//!   port with its own database and directory.
//! - [`StandInSite`]: another site played by the test, serving the
//!   documents it is given and counting the requests it gets.
//! - [`TestCluster`]: several `tertulia serve` processes on one PostgreSQL
//!   database behind a [`RoundRobinProxy`].
//! - [`Federation`]: several sites, each with its own database, that
//!   federate with each other.
//! - [`World`]: named sites, named users on them and who follows whom,
//!   built in one call.
//! - [`eventually`]: waits, with a bound, for something asynchronous.
//! - [`openapi`]: checks JSON against the Mastodon OpenAPI description.
//!
//! Test code may panic freely: a panic is a failed test with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod client;
mod cluster;
mod database;
mod eventually;
mod federation;
mod instance;
pub mod openapi;
mod stand_in;
mod world;

pub use api::{ApiClient, ApiResponse};
pub use client::{TEST_PASSWORD, TestApp};
pub use cluster::{RoundRobinProxy, TestCluster};
pub use database::{Backend, TestDatabase};
pub use eventually::{PATIENCE, eventually, eventually_within};
pub use federation::Federation;
pub use instance::{CliOutput, TestInstance, free_port};
pub use stand_in::StandInSite;
pub use world::{User, World, WorldPlan};
