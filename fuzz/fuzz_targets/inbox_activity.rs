//! An inbox POST body as another server sends it, through the inbox
//! route's checks and the inbox worker's readers. The signer is the actor
//! the activity names (so the checks go as deep as they can), or a fixed
//! one when it names none.
//!
//! Beyond "no panic": a refused body is refused with a 4xx (never a 500),
//! and an accepted one is an activity by its signer, with an id on the
//! signer's site.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tertulia_federation::FederationError;
use tertulia_federation::fuzzing::inbox_post;
use tertulia_federation::protocol::{id_of, type_of};
use tertulia_federation::urls::host_of;

const SIGNER: &str = "https://es.example/users/ana";

fuzz_target!(|body: &[u8]| {
    let claimed = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|activity| id_of(activity.get("actor")).map(str::to_owned));
    // A signer is a stored remote actor: its URI always has a host.
    let signer = claimed.filter(|uri| host_of(uri).is_some()).unwrap_or_else(|| SIGNER.to_owned());
    match inbox_post(body, &signer) {
        Ok(activity) => {
            assert!(!type_of(&activity).is_empty(), "accepted without a type: {activity}");
            assert_eq!(id_of(activity.get("actor")), Some(signer.as_str()), "accepted from another actor");
            let id = id_of(Some(&activity)).and_then(host_of);
            assert_eq!(id, host_of(&signer), "accepted with an id on another site: {activity}");
        }
        Err(FederationError::Invalid(_) | FederationError::Forbidden(_)) => {}
        Err(other) => panic!("a bad body must be a 400 or 403, not {other:?}"),
    }
});
