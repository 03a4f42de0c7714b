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
//! - [`HttpsNetwork`]: a private HTTPS network (a certificate authority,
//!   a host name and loopback address per site, port 443), where
//!   [`Federation::start_https`] starts sites and [`TestRelay`] a real
//!   ActivityPub relay.
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
mod company;
mod database;
mod eventually;
mod federation;
mod https;
mod instance;
pub mod openapi;
mod relay;
mod stand_in;
mod world;

pub use api::{ApiClient, ApiResponse};
pub use client::{TEST_PASSWORD, TestApp, profile_fields};
pub use cluster::{RoundRobinProxy, TestCluster};
pub use company::{EventStream, accts};
pub use database::{Backend, TestDatabase};
pub use eventually::{PATIENCE, eventually, eventually_within};
pub use federation::Federation;
pub use https::{HttpsNetwork, NETWORK_DOMAIN};
pub use instance::{CliOutput, TestInstance, free_port, http_client};
pub use relay::TestRelay;
pub use stand_in::StandInSite;
pub use world::{User, World, WorldPlan};
