//! Signing keys of local actors. A key pair is made the first time an
//! account federates rather than at sign-up: RSA generation takes tens of
//! milliseconds, and most accounts of a test or a small site never need one
//! before someone on another site looks them up.

use std::collections::HashMap;
use std::sync::Mutex;

use tertulia_core::Id;
use tertulia_db::Db;
use tertulia_db::actors::{self, ActorRow};

use crate::FederationError;
use crate::signatures::{self, SigningKey};
use crate::urls::Urls;

/// Parsed private keys by account id: parsing a PEM costs more than a
/// signature, and every delivery needs one.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<i64, SigningKey>>,
}

impl KeyCache {
    /// The key `account` signs with, made on first use.
    pub async fn signing_key(&self, db: &Db, account: i64) -> Result<SigningKey, FederationError> {
        if let Some(key) = self.keys.lock().map_err(poisoned)?.get(&account) {
            return Ok(key.clone());
        }
        let actor = ensure_keypair(db, account).await?;
        let pem = actor.private_key_pem.as_deref().ok_or_else(|| FederationError::NotFound("signing key".into()))?;
        let key = SigningKey::from_pem(Urls::key_id(&actor.uri), pem)?;
        self.keys.lock().map_err(poisoned)?.insert(account, key.clone());
        Ok(key)
    }
}

fn poisoned<T>(_: T) -> FederationError {
    FederationError::Internal("key cache lock poisoned".into())
}

/// The actor row of a local account, with a key pair made if it had none.
pub async fn ensure_keypair(db: &Db, account: i64) -> Result<ActorRow, FederationError> {
    let actor = db.run(move |conn| actors::find(conn, account)).await?;
    let actor = actor.ok_or_else(|| FederationError::NotFound(format!("account {}", Id(account))))?;
    if actor.private_key_pem.is_some() || actor.domain.is_some() {
        return Ok(actor);
    }
    let pair = tokio::task::spawn_blocking(signatures::generate_keypair)
        .await
        .map_err(|e| FederationError::Internal(format!("key generation stopped: {e}")))??;
    // Two requests may race here; the first key stored wins and both read it.
    db.write(move |conn| {
        actors::set_keypair(conn, account, &pair.private_pem, &pair.public_pem)?;
        actors::find(conn, account)
    })
    .await?
    .ok_or_else(|| FederationError::NotFound(format!("account {}", Id(account))))
}

/// The site's own actor: a local account named after the domain, as on
/// Mastodon, created on first start. It has no sign-in, so it never shows
/// among staff.
pub async fn ensure_instance_actor(db: &Db, urls: &Urls, domain: &str) -> Result<ActorRow, FederationError> {
    let uri = urls.instance_actor();
    let existing = {
        let uri = uri.clone();
        db.run(move |conn| actors::find_by_uri(conn, &uri)).await?
    };
    let id = match existing {
        Some(actor) => actor.id,
        None => {
            let (uri, domain, inbox) = (uri.clone(), domain.to_owned(), format!("{uri}/inbox"));
            db.write(move |conn| actors::insert_instance_actor(conn, &domain, &uri, &inbox)).await?
        }
    };
    ensure_keypair(db, id).await
}
