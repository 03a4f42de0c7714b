//! Which database a `database.url` points at.

use std::path::PathBuf;

/// The database engine and address named by `database.url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseBackend {
    /// An embedded SQLite file.
    Sqlite { path: PathBuf },
    /// A PostgreSQL server; the URL is handed to libpq unchanged.
    Postgres { url: String },
}

const ACCEPTED: &str =
    "use sqlite://path/to/file.db, a plain file path, or postgres://user:password@host:port/database";

impl DatabaseBackend {
    /// Classifies a database URL by its scheme.
    pub fn from_url(url: &str) -> Result<DatabaseBackend, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err(format!("must not be empty; {ACCEPTED}"));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseBackend::Postgres { url: url.to_owned() });
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!("unsupported database scheme '{scheme}://'; {ACCEPTED}"));
        } else {
            url
        };
        if path.is_empty() || path.starts_with(':') {
            return Err(format!("'{url}' names no database file; {ACCEPTED}"));
        }
        Ok(DatabaseBackend::Sqlite { path: PathBuf::from(path) })
    }

    /// A short name for logs: `sqlite` or `postgres`.
    pub fn name(&self) -> &'static str {
        match self {
            DatabaseBackend::Sqlite { .. } => "sqlite",
            DatabaseBackend::Postgres { .. } => "postgres",
        }
    }
}

/// The URL with any password replaced by `***`, safe to print and log.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.password().is_some() && parsed.set_password(Some("***")).is_ok() {
        return parsed.to_string();
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms_resolve_to_a_path() {
        for (url, path) in [
            ("sqlite://./data/t.db", "./data/t.db"),
            ("sqlite:///var/lib/t.db", "/var/lib/t.db"),
            ("sqlite:t.db", "t.db"),
            ("/var/lib/t.db", "/var/lib/t.db"),
        ] {
            assert_eq!(DatabaseBackend::from_url(url), Ok(DatabaseBackend::Sqlite { path: path.into() }), "{url}");
        }
    }

    #[test]
    fn postgres_urls_are_kept_verbatim() {
        let url = "postgresql://u:p@db:5433/tertulia?sslmode=require";
        assert_eq!(DatabaseBackend::from_url(url), Ok(DatabaseBackend::Postgres { url: url.into() }));
    }

    #[test]
    fn unknown_schemes_and_memory_databases_are_refused_with_the_accepted_forms() {
        let err = DatabaseBackend::from_url("mysql://x/y").err().unwrap_or_default();
        assert!(err.contains("mysql://") && err.contains("postgres://"), "{err}");
        assert!(DatabaseBackend::from_url("sqlite::memory:").is_err());
        assert!(DatabaseBackend::from_url("").is_err());
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(redact("postgres://ana:s3cret@db/t"), "postgres://ana:***@db/t");
        assert_eq!(redact("sqlite://./data/t.db"), "sqlite://./data/t.db");
    }
}
