//! The one value domain operations work with.

use std::sync::Arc;

use tertulia_core::Config;
use tertulia_db::{Db, DbConn};

use crate::DomainError;
use crate::events::{Event, Events};
use crate::federation_policy::FederationPolicy;

/// The database, the event hub, the configuration and the federation
/// policy: what an operation that writes, announces or reads settings
/// needs. Cheap to clone (handles and `Arc`s); made once per process. Operations that only
/// read or write the database take just a [`Db`].
#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub events: Events,
    pub config: Arc<Config>,
    /// Loaded by `Federation::new`; see [`FederationPolicy`].
    pub policy: FederationPolicy,
}

impl Context {
    pub fn new(db: Db, events: Events, config: Arc<Config>) -> Context {
        let policy = FederationPolicy::new(&config.federation);
        Context { db, events, config, policy }
    }

    /// A context on a migrated test database, with the default settings,
    /// for the domain's tests against a real backend.
    #[cfg(test)]
    pub(crate) fn for_test(database: &tertulia_testrig::TestDatabase) -> Context {
        let config = tertulia_core::config::DatabaseConfig {
            url: database.url.clone(),
            pool_size: 2,
            ..tertulia_core::config::DatabaseConfig::default()
        };
        let db = Db::connect(&config).expect("connect to the test database");
        db.migrate().expect("migrate the test database");
        Context::new(db, Events::new(), Config::default().into())
    }

    /// Runs `work` (which makes its own transaction) and publishes the
    /// events it returns once it has succeeded, that is, after the commit.
    pub(crate) async fn committed<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<(T, Vec<Event>), DomainError> + Send + 'static,
    ) -> Result<T, DomainError> {
        let (value, events) = self.db.run(work).await?;
        self.events.publish(events);
        Ok(value)
    }
}
