//! The server's VAPID identity (RFC 8292): a P-256 key pair kept in the
//! database, and the signed JWT that tells a push service which server
//! sends, so that only the server a subscription was made for can use it.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::json;
use tertulia_db::Db;
use tertulia_db::push::{self, VapidKeyRow};
use url::Url;

use crate::FederationError;

/// How long a signed JWT is valid; RFC 8292 section 2 allows at most 24 h.
const JWT_LIFETIME_SECS: i64 = 12 * 3600;

/// The key pair, parsed once. Cheap to clone.
#[derive(Clone)]
pub struct VapidKey {
    pair: Arc<EcdsaKeyPair>,
    /// Base64url of the uncompressed public point: the `k` parameter and
    /// the `vapid_key` clients see.
    public_key: String,
}

impl VapidKey {
    /// The stored key, made and stored first if there is none. Processes
    /// sharing a database agree: each inserts only if no row exists, then
    /// every one reads the row that won.
    pub async fn ensure(db: &Db) -> Result<VapidKey, FederationError> {
        if let Some(row) = db.run(push::vapid_key).await? {
            return VapidKey::from_row(&row);
        }
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|_| FederationError::Internal("cannot generate the VAPID key pair".into()))?;
        let made = parse(pkcs8.as_ref())?;
        let row = VapidKeyRow {
            id: 1,
            private_key: STANDARD.encode(pkcs8.as_ref()),
            public_key: public_key(&made),
            created_at: tertulia_db::now(),
        };
        let stored = db
            .run(move |conn| {
                if push::insert_vapid_key(conn, &row)? {
                    tracing::info!("made this server's VAPID key for Web Push");
                }
                push::vapid_key(conn)
            })
            .await?
            .ok_or_else(|| FederationError::Internal("the VAPID key was stored but cannot be read back".into()))?;
        VapidKey::from_row(&stored)
    }

    fn from_row(row: &VapidKeyRow) -> Result<VapidKey, FederationError> {
        let der = STANDARD.decode(&row.private_key).map_err(|_| corrupt())?;
        let pair = parse(&der)?;
        Ok(VapidKey { public_key: public_key(&pair), pair: Arc::new(pair) })
    }

    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The `Authorization` header for a push to `endpoint` (RFC 8292
    /// section 3): a JWT for the endpoint's origin, signed with ES256, and
    /// the public key to check it with. `subject` is how the push service
    /// can reach the admin (`mailto:` or an `https:` URL).
    pub fn authorization(&self, endpoint: &Url, subject: &str, now: DateTime<Utc>) -> Result<String, FederationError> {
        let header = json!({"typ": "JWT", "alg": "ES256"});
        let claims = json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now.timestamp() + JWT_LIFETIME_SECS,
            "sub": subject,
        });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| FederationError::Internal("cannot sign the VAPID token".into()))?;
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
        Ok(format!("vapid t={token}, k={}", self.public_key))
    }
}

fn parse(pkcs8: &[u8]) -> Result<EcdsaKeyPair, FederationError> {
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).map_err(|_| corrupt())
}

fn public_key(pair: &EcdsaKeyPair) -> String {
    URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())
}

fn corrupt() -> FederationError {
    FederationError::Internal(
        "the VAPID key in table vapid_keys is unreadable; delete that row and restart to make a new one \
         (every client then has to subscribe to push again)"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn the_token_is_an_es256_jwt_for_the_endpoint_origin() {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
        let key = VapidKey::from_row(&VapidKeyRow {
            id: 1,
            private_key: STANDARD.encode(pkcs8.as_ref()),
            public_key: String::new(),
            created_at: tertulia_db::now(),
        })
        .unwrap();
        let endpoint = Url::parse("https://push.example:8443/send/abc?x=1").unwrap();
        let header = key.authorization(&endpoint, "mailto:it@acme.example", Utc::now()).unwrap();
        let (token, k) = header.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(k, key.public_key());
        let parts: Vec<&str> = token.split('.').collect();
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example:8443");
        assert_eq!(claims["sub"], "mailto:it@acme.example");
        let public = URL_SAFE_NO_PAD.decode(k).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public)
            .verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
            .unwrap();
    }
}
