//! `POST /api/v1/apps`: client registration.

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_core::scope::Scopes;
use tertulia_db::Db;
use tertulia_db::oauth::{self, ApplicationRow};

use super::secrets::{hash, new_secret};
use crate::DomainError;

/// The redirect URI that asks the server to show the code instead of
/// redirecting (for apps without a callback).
pub const OOB_REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";
const MAX_NAME_LENGTH: usize = 200;
const MAX_REDIRECT_URIS: usize = 20;

/// What a client sends to register.
#[derive(Debug, Clone)]
pub struct RegisterApp {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RegisteredApp {
    pub id: Id,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub client_id: String,
    /// Only the hash is kept: the secret is shown once, at registration.
    pub(crate) client_secret_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A registration just made: the app and its client secret, which the
/// client is shown this once (as Mastodon does) and never again.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub app: RegisteredApp,
    pub client_secret: String,
}

impl RegisteredApp {
    pub(crate) fn from_row(row: ApplicationRow) -> Self {
        RegisteredApp {
            id: Id(row.id),
            name: row.name,
            website: row.website,
            redirect_uris: row.redirect_uris.lines().map(str::to_owned).collect(),
            // Stored scopes were validated at registration.
            scopes: Scopes::parse(&row.scopes).unwrap_or_default(),
            client_id: row.client_id,
            client_secret_hash: row.client_secret_hash,
            created_at: row.created_at.and_utc(),
        }
    }
}

pub async fn register_app(db: &Db, request: RegisterApp) -> Result<NewApp, DomainError> {
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        return Err(DomainError::blank("client_name"));
    }
    if name.chars().count() > MAX_NAME_LENGTH {
        return Err(DomainError::too_long("client_name", MAX_NAME_LENGTH));
    }
    let scopes = Scopes::parse(&request.scopes).map_err(|e| DomainError::invalid("scopes", e.to_string()))?;
    let redirect_uris: Vec<String> =
        request.redirect_uris.iter().flat_map(|uris| uris.split_whitespace()).map(str::to_owned).collect();
    if redirect_uris.is_empty() {
        return Err(DomainError::invalid("redirect_uris", "must contain at least one URI"));
    }
    if redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(DomainError::invalid("redirect_uris", format!("at most {MAX_REDIRECT_URIS} URIs")));
    }
    for uri in &redirect_uris {
        validate_redirect_uri(uri)?;
    }
    let website = request.website.filter(|w| !w.trim().is_empty());
    let client_secret = new_secret();
    let row = ApplicationRow {
        id: Id::generate().0,
        name,
        website,
        redirect_uris: redirect_uris.join("\n"),
        scopes: scopes.to_string(),
        client_id: new_secret(),
        client_secret_hash: hash(&client_secret),
        created_at: tertulia_db::now(),
    };
    let stored = row.clone();
    db.write(move |conn| oauth::insert_application(conn, &stored)).await?;
    Ok(NewApp { app: RegisteredApp::from_row(row), client_secret })
}

/// Custom schemes (`com.tapbots.Ivory:/callback`) and loopback http are fine:
/// native apps use them (RFC 8252). Fragments are not allowed (RFC 6749 §3.1.2).
fn validate_redirect_uri(uri: &str) -> Result<(), DomainError> {
    if uri == OOB_REDIRECT_URI {
        return Ok(());
    }
    let parsed = url::Url::parse(uri)
        .map_err(|_| DomainError::invalid("redirect_uris", format!("'{uri}' is not an absolute URI")))?;
    if parsed.fragment().is_some() {
        return Err(DomainError::invalid("redirect_uris", format!("'{uri}' must not contain a fragment (#...)")));
    }
    Ok(())
}

/// The registered application with this client id.
pub async fn find_app(db: &Db, client_id: &str) -> Result<RegisteredApp, DomainError> {
    let id = client_id.to_owned();
    db.run(move |conn| oauth::find_application(conn, &id))
        .await?
        .map(RegisteredApp::from_row)
        .ok_or_else(|| DomainError::NotFound("application".into()))
}

/// The registered application with this id (a session's app).
pub async fn find_app_by_id(db: &Db, id: Id) -> Result<RegisteredApp, DomainError> {
    db.run(move |conn| oauth::find_application_by_id(conn, id.0))
        .await?
        .map(RegisteredApp::from_row)
        .ok_or_else(|| DomainError::NotFound("application".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_app_redirects_are_accepted_and_fragments_refused() {
        for ok in [
            OOB_REDIRECT_URI,
            "com.tapbots.Ivory.19300:/request_token",
            "http://localhost:4000/cb",
            "https://elk.zone/x",
        ] {
            assert!(validate_redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in ["not a uri", "/relative", "https://app.example/cb#frag"] {
            assert!(validate_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
