//! Entry points for the fuzz targets in `fuzz/` (docs/fuzzing.md): the
//! steps a stranger's inbox POST goes through that need neither the network
//! nor the database, reachable from outside the crate. The server itself
//! never calls them; the route and the worker call the same functions.

use std::hint::black_box;

use serde_json::Value;
use tertulia_db::actors::ActorRow;

use crate::urls::host_of;
use crate::{FederationError, protocol};

/// Runs `body` through the inbox route's checks as if the remote actor
/// `signer_uri` had signed it, then reads its object the way the inbox
/// worker does before storing a post. Returns the activity the route would
/// store.
pub fn inbox_post(body: &[u8], signer_uri: &str) -> Result<Value, FederationError> {
    let activity = protocol::parse_activity(body)?;
    crate::inbox::check_sender(&activity, &remote_actor(signer_uri))?;
    let object = activity.get("object").unwrap_or(&Value::Null);
    black_box((
        protocol::is_actor(object),
        protocol::visibility_of(object, None),
        protocol::uris(object.get("tag")),
        protocol::image_url(object.get("icon")),
        protocol::time_of(&activity, "published"),
        crate::resolver::revision(object),
        crate::resolver::question(object),
    ));
    Ok(activity)
}

/// A remote actor row as signature verification returns it; only its URI
/// and domain matter to the route's checks.
fn remote_actor(uri: &str) -> ActorRow {
    ActorRow {
        id: 0,
        username: String::new(),
        domain: host_of(uri),
        uri: uri.to_owned(),
        inbox_url: String::new(),
        shared_inbox_url: None,
        followers_url: None,
        public_key_pem: String::new(),
        private_key_pem: None,
        public_key_id: None,
        also_known_as: "[]".to_owned(),
        moved_to_account_id: None,
        actor_type: tertulia_db::actors::ActorType::Person,
        suspended_at: None,
        fetched_at: None,
        updated_at: chrono::NaiveDateTime::default(),
    }
}
