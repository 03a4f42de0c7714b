//! Who is asking: checks the HTTP signature of an incoming request and
//! returns the remote actor that signed it.
//!
//! The key is looked up by its `keyId`, fetched (with its actor) when
//! unknown. If a known actor's key fails, the actor is fetched once more
//! before refusing: that is how a site's key rotation is picked up. Since
//! anyone can send a bad signature, that re-fetch happens at most once per
//! [`REFETCH_INTERVAL`] per actor; otherwise every forged request would make
//! us fetch from the actor's site.
//!
//! A `keyId` on this site's own host is refused before anything else. This
//! site never signs requests to itself (the client refuses to send them), so
//! such a request is forged; checking it would mean fetching one of our own
//! actors as if it were remote.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tertulia_db::actors::{self, ActorRow};

use crate::protocol::{is_actor, str_of};
use crate::signatures::{self, IncomingRequest, SignatureError};
use crate::urls::host_of;
use crate::{Federation, FederationError};

/// How long after re-fetching an actor whose key failed a new failure is
/// refused without fetching again. A genuine key rotation needs one
/// re-fetch; a few minutes between them costs its site nothing.
pub(crate) const REFETCH_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// When each actor was last re-fetched because a request's key failed.
/// Kept in memory rather than in the actor's `fetched_at`: that column also
/// changes on every ordinary fetch, and a key rotated minutes after we met
/// an actor must still be picked up. Each process throttling on its own is
/// enough to keep forged requests from turning into a stream of fetches.
#[derive(Default)]
pub(crate) struct Refetches {
    last: Mutex<HashMap<i64, Instant>>,
}

impl Refetches {
    /// Whether `actor` may be re-fetched at `now`; if so, that is recorded.
    /// Entries older than the interval are dropped, so the map only holds
    /// the actors re-fetched in the last few minutes.
    fn claim(&self, actor: i64, now: Instant) -> bool {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.retain(|_, at| now.saturating_duration_since(*at) < REFETCH_INTERVAL);
        if last.contains_key(&actor) {
            return false;
        }
        last.insert(actor, now);
        true
    }
}

impl Federation {
    /// The remote actor whose valid signature `request` carries.
    pub(crate) async fn verify_signer(&self, request: &IncomingRequest<'_>) -> Result<ActorRow, FederationError> {
        let params = signatures::parse_signature(request)?;
        let key_id = params.key_id.as_str();
        let host =
            host_of(key_id).ok_or_else(|| SignatureError::Malformed(format!("keyId '{key_id}' is not a URL")))?;
        if self.urls().is_local(key_id) {
            return Err(SignatureError::Key(format!(
                "keyId {key_id} is a key of this site; other sites must sign with their own keys"
            ))
            .into());
        }
        self.admit(&host)?;
        let now = chrono::Utc::now();
        let skew = chrono::Duration::hours(i64::from(self.config().federation.signature_max_skew_hours));
        let verify = |actor: &ActorRow| {
            if actor.public_key_id.as_deref() != Some(key_id) {
                return Err(FederationError::Forbidden(format!("key {key_id} does not belong to {}", actor.uri)));
            }
            Ok(signatures::verify_request(request, &params, &actor.public_key_pem, now, skew)?)
        };
        if let Some(actor) = self.known_signer(key_id).await? {
            match verify(&actor) {
                Ok(()) => return Ok(actor),
                // A stale date or a wrong digest stays wrong whatever the key.
                Err(FederationError::Signature(error)) if error != SignatureError::BadSignature => {
                    return Err(error.into());
                }
                // The key failed, or the actor did not have it when we last
                // looked: it may have been rotated since, unless we looked
                // a moment ago.
                Err(error) => {
                    if !self.inner.refetches.claim(actor.id, Instant::now()) {
                        return Err(error);
                    }
                }
            }
            let actor = self.refresh_actor(&actor.uri).await?;
            verify(&actor)?;
            return Ok(actor);
        }
        let fetched = self.fetch(key_id).await?;
        let actor = match str_of(&fetched.document, "owner") {
            // A key document of its own (GoToSocial serves the key at its
            // own URL): the owner, on the same site, is the actor to fetch.
            Some(owner) if !is_actor(&fetched.document) => {
                if host_of(owner) != host_of(fetched.url.as_str()) {
                    return Err(FederationError::Forbidden(format!(
                        "key {key_id} names an owner on another site ({owner})"
                    )));
                }
                self.refresh_actor(owner).await?
            }
            _ => self.save_actor(&fetched.document, fetched.url.as_str()).await?,
        };
        verify(&actor)?;
        Ok(actor)
    }

    /// The remote actor a `keyId` belongs to, as far as we know without
    /// fetching: the holder of that key, or else the actor whose id is the
    /// `keyId` without its fragment (Mastodon's `<actor>#main-key`), whose
    /// key then is not the one it had when we last fetched it.
    async fn known_signer(&self, key_id: &str) -> Result<Option<ActorRow>, FederationError> {
        let key_id = key_id.to_owned();
        let found = self
            .db()
            .run(move |conn| match actors::find_by_key_id(conn, &key_id)? {
                Some(holder) => Ok(Some(holder)),
                None => {
                    let actor_uri = key_id.split_once('#').map_or(key_id.as_str(), |(uri, _)| uri);
                    actors::find_by_uri(conn, actor_uri)
                }
            })
            .await?;
        Ok(found.filter(|actor| actor.domain.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_is_refetched_at_most_once_per_interval() {
        let refetches = Refetches::default();
        let start = Instant::now();
        assert!(refetches.claim(1, start));
        assert!(!refetches.claim(1, start + Duration::from_secs(1)));
        assert!(!refetches.claim(1, start + REFETCH_INTERVAL - Duration::from_secs(1)));
        assert!(refetches.claim(2, start + Duration::from_secs(1)), "another actor has its own allowance");
        assert!(refetches.claim(1, start + REFETCH_INTERVAL));
    }

    #[test]
    fn old_entries_are_forgotten() {
        let refetches = Refetches::default();
        let start = Instant::now();
        for actor in 0..100 {
            refetches.claim(actor, start);
        }
        refetches.claim(1000, start + REFETCH_INTERVAL);
        assert_eq!(refetches.last.lock().unwrap().len(), 1);
    }
}
