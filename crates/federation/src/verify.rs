//! Who is asking: checks the HTTP signature of an incoming request and
//! returns the remote actor that signed it.
//!
//! The key is looked up by its `keyId`, fetched (with its actor) when
//! unknown. If a known key fails, the actor is fetched once more before
//! refusing: that is how a site's key rotation is picked up.

use tertulia_db::actors::{self, ActorRow};

use crate::signatures::{self, IncomingRequest, SignatureError};
use crate::urls::host_of;
use crate::{Federation, FederationError};

impl Federation {
    /// The remote actor whose valid signature `request` carries.
    pub(crate) async fn verify_signer(&self, request: &IncomingRequest<'_>) -> Result<ActorRow, FederationError> {
        let params = signatures::parse_signature(request)?;
        let key_id = params.key_id.clone();
        let host =
            host_of(&key_id).ok_or_else(|| SignatureError::Malformed(format!("keyId '{key_id}' is not a URL")))?;
        if !self.allows_host(&host) {
            return Err(FederationError::Forbidden(format!("{host} is not in federation.allowed_domains")));
        }
        let now = chrono::Utc::now();
        let skew = chrono::Duration::hours(i64::from(self.config().federation.signature_max_skew_hours));
        let known = {
            let key_id = key_id.clone();
            self.db().run(move |conn| actors::find_by_key_id(conn, &key_id)).await?
        };
        if let Some(actor) = known.filter(|a| a.domain.is_some()) {
            match signatures::verify_request(request, &params, &actor.public_key_pem, now, skew) {
                Ok(()) => return Ok(actor),
                // Only a bad signature may mean a new key; a stale date or
                // a wrong digest stays wrong whatever the key.
                Err(SignatureError::BadSignature) => {}
                Err(other) => return Err(other.into()),
            }
            let actor = self.refresh_actor(&actor.uri).await?;
            signatures::verify_request(request, &params, &actor.public_key_pem, now, skew)?;
            return Ok(actor);
        }
        // Unknown key: the keyId without its fragment is the actor on
        // Mastodon; GoToSocial serves the key at its own URL with an owner.
        let document = self.fetch(&key_id).await?;
        let actor = match crate::protocol::str_of(&document, "owner") {
            // A key document of its own (GoToSocial serves the key at its
            // own URL): the owner is the actor to fetch.
            Some(owner) if !crate::protocol::is_actor(&document) => self.refresh_actor(owner).await?,
            _ => self.save_actor(&document, &key_id).await?,
        };
        if actor.public_key_id.as_deref() != Some(key_id.as_str()) {
            return Err(FederationError::Forbidden(format!("key {key_id} does not belong to {}", actor.uri)));
        }
        signatures::verify_request(request, &params, &actor.public_key_pem, now, skew)?;
        Ok(actor)
    }
}
