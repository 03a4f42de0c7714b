//! Embedded migrations, one set per backend (same names in both folders).

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{Db, DbConn, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// What a migration run did.
/// The advisory lock PostgreSQL migrations run under: any constant
/// ("migrate" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x006d_6967_7261_7465;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this run, oldest first.
    pub applied: Vec<String>,
}

impl Db {
    /// Applies every pending migration for this database's backend.
    pub fn migrate(&self) -> Result<MigrationReport, DbError> {
        self.run_blocking(|conn| {
            let versions = match conn {
                DbConn::Sqlite(c) => {
                    sha256_hex_utils::register_impl(c, |text: String| crate::oauth::hash_secret(&text))
                        .map_err(|e| DbError::Migration(format!("cannot register sha256_hex: {e}")))?;
                    c.run_pending_migrations(SQLITE).map(versions)
                }
                // Several processes may start at once: one migrates, the
                // others wait for it and then find nothing to do.
                DbConn::Postgres(c) => {
                    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(c)?;
                    let applied = c.run_pending_migrations(POSTGRES).map(versions);
                    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(c)?;
                    applied
                }
            };
            versions.map(|applied| MigrationReport { applied }).map_err(|e| DbError::Migration(e.to_string()))
        })
    }
}

diesel::define_sql_function! {
    /// SHA-256 of a text, hex, for SQLite migrations (PostgreSQL has
    /// `sha256` built in; SQLite has nothing of the kind). Registered on the
    /// connection that runs them.
    fn sha256_hex(text: Text) -> Text;
}

fn versions(applied: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    applied.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use diesel::migration::MigrationSource;
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;

    use super::{POSTGRES, SQLITE};

    /// diesel knows a migration by the version its folder name starts with
    /// (the part before the first `_`): of two with one version, the second
    /// is taken as already applied and never runs.
    #[test]
    fn every_migration_has_a_version_of_its_own_and_both_backends_the_same_list() {
        let sqlite: Vec<(String, String)> = MigrationSource::<Sqlite>::migrations(&SQLITE)
            .unwrap()
            .iter()
            .map(|m| (m.name().version().to_string(), m.name().to_string()))
            .collect();
        let postgres: Vec<(String, String)> = MigrationSource::<Pg>::migrations(&POSTGRES)
            .unwrap()
            .iter()
            .map(|m| (m.name().version().to_string(), m.name().to_string()))
            .collect();
        assert_eq!(sqlite, postgres, "the two backends' migration folders differ");
        let mut seen = HashSet::new();
        for (version, name) in &sqlite {
            assert!(seen.insert(version), "{name} has the version {version} of another migration");
        }
    }
}
