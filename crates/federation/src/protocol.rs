//! ActivityPub vocabulary as Mastodon and GoToSocial use it: the JSON-LD
//! context, addressing, and lenient readers for what other servers send.
//!
//! Incoming JSON is read as `serde_json::Value` through the helpers below
//! rather than strict structs: the same property may be a string, an
//! object with an `id`, or an array of either, depending on the sender,
//! and one unexpected shape must not lose a whole post.

use serde_json::{Value, json};
use tertulia_core::visibility::Visibility;
use tertulia_db::actors::ActorType;

use crate::FederationError;

/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";
/// The special collection meaning "everyone".
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Our own JSON-LD vocabulary: the `site` property of actors
/// (docs/federation.md).
pub const TERTULIA_NS: &str = "https://example.invalid/tertulia/ns#";

/// The JSON-LD context of every document we serve: ActivityStreams, the
/// security vocabulary (public keys), and the Mastodon extensions clients
/// and servers rely on.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "toot": "http://joinmastodon.org/ns#",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "blurhash": "toot:blurhash",
            "votersCount": "toot:votersCount",
            "ostatus": "http://ostatus.org#",
            "conversation": "ostatus:conversation",
            "atomUri": "ostatus:atomUri",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "gts": "https://gotosocial.org/ns#",
            "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
            "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
            "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
            "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
            "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
            "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
            "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
            "quoteAuthorization": {"@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id"},
            "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
            "quoteUrl": "as:quoteUrl",
            "tertulia": TERTULIA_NS,
            "site": "tertulia:site",
            "country": "tertulia:country",
            "region": "tertulia:region",
            "timeZone": "tertulia:timeZone",
            "defaultLanguage": "tertulia:defaultLanguage",
            "mz": "https://joinmobilizon.org/ns#",
            "participantCount": "mz:participantCount",
            "maybeCount": "tertulia:maybeCount",
            "notGoingCount": "tertulia:notGoingCount",
            "misskey": "https://misskey-hub.net/ns#",
            "_misskey_quote": "misskey:_misskey_quote"
        }
    ])
}

/// `document` with our `@context` (serialised first: `@` sorts first).
pub fn with_context(mut document: Value) -> Value {
    if let Value::Object(map) = &mut document {
        map.insert("@context".into(), context());
    }
    document
}

/// `to` and `cc` of a post, as Mastodon addresses them: public posts go to
/// everyone and copy followers, unlisted ones the other way round,
/// followers-only posts to the followers collection, direct ones to the
/// mentioned actors only. Mentioned actors are always addressed.
pub fn addressing(visibility: Visibility, followers: &str, mentioned: &[String]) -> (Vec<String>, Vec<String>) {
    let mentioned = mentioned.to_vec();
    match visibility {
        Visibility::Public => (vec![PUBLIC.into()], [vec![followers.into()], mentioned].concat()),
        Visibility::Unlisted => (vec![followers.into()], [vec![PUBLIC.into()], mentioned].concat()),
        Visibility::Private => (vec![followers.into()], mentioned),
        // Site-only posts are never rendered for other sites; treating
        // them as direct is the safe reading should one ever be.
        Visibility::Direct | Visibility::Local => (mentioned, Vec::new()),
    }
}

/// The visibility a remote post was addressed with; the reverse of
/// [`addressing`]. `followers` is the author's followers collection.
pub fn visibility_of(object: &Value, followers: Option<&str>) -> Visibility {
    let to = uris(object.get("to"));
    let cc = uris(object.get("cc"));
    let is_public = |u: &String| u == PUBLIC || u == "as:Public" || u == "Public";
    if to.iter().any(is_public) {
        Visibility::Public
    } else if cc.iter().any(is_public) {
        Visibility::Unlisted
    } else if followers.is_some_and(|f| to.iter().chain(&cc).any(|u| u == f)) {
        Visibility::Private
    } else {
        Visibility::Direct
    }
}

/// The id of a property that may be a link (a string) or an embedded
/// object carrying an `id`.
pub fn id_of(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(s) => Some(s),
        Value::Object(map) => map.get("id").and_then(Value::as_str),
        Value::Array(items) => items.first().and_then(|first| id_of(Some(first))),
        _ => None,
    }
}

/// Every id in a property that may be one link, one object, or an array.
pub fn uris(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|item| id_of(Some(item)).map(str::to_owned)).collect(),
        Some(other) => id_of(Some(other)).map(str::to_owned).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A string property, if present.
pub fn str_of<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// An inbox POST body as an activity: a JSON object with a `type`. The
/// inbox routes refuse anything else before checking the signature.
pub fn parse_activity(body: &[u8]) -> Result<Value, FederationError> {
    let activity: Value = serde_json::from_slice(body)
        .map_err(|e| FederationError::invalid(format!("the body is not valid JSON: {e}")))?;
    if !activity.is_object() || type_of(&activity).is_empty() {
        return Err(FederationError::invalid("the body is not an ActivityPub activity (no type)"));
    }
    Ok(activity)
}

/// The `type` of an object; the first one when several are given.
pub fn type_of(object: &Value) -> &str {
    match object.get("type") {
        Some(Value::String(kind)) => kind,
        Some(Value::Array(kinds)) => kinds.first().and_then(Value::as_str).unwrap_or(""),
        _ => "",
    }
}

/// Whether `document` is an actor (a person, bot, site or group).
pub fn is_actor(document: &Value) -> bool {
    actor_type(document).is_some()
}

/// The type of actor `document` is, if it is a live one (a `Tombstone` is
/// what is left of an actor, not an actor).
pub fn actor_type(document: &Value) -> Option<ActorType> {
    type_of(document).parse().ok().filter(|kind| *kind != ActorType::Tombstone)
}

/// The URL of an image property (`icon`, `image`): a link, an `Image`
/// object with a `url`, or a list of those.
pub fn image_url(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(url) => Some(url.clone()),
        Value::Object(map) => match map.get("url")? {
            Value::String(url) => Some(url.clone()),
            other => id_of(Some(other)).map(str::to_owned).or_else(|| image_url(Some(other))),
        },
        Value::Array(items) => items.first().and_then(|first| image_url(Some(first))),
        _ => None,
    }
}

/// A timestamp property (`published`, `updated`) as stored.
pub fn time_of(object: &Value, key: &str) -> Option<chrono::NaiveDateTime> {
    let text = str_of(object, key)?;
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.naive_utc())
}

/// A timestamp as ActivityPub writes it.
pub fn timestamp(at: chrono::NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLLOWERS: &str = "https://es.example/users/ana/followers";

    #[test]
    fn addressing_and_visibility_are_inverse_for_every_federated_visibility() {
        let mentioned = vec!["https://mx.example/users/luis".to_owned()];
        for visibility in [Visibility::Public, Visibility::Unlisted, Visibility::Private, Visibility::Direct] {
            let (to, cc) = addressing(visibility, FOLLOWERS, &mentioned);
            let note = json!({"to": to, "cc": cc});
            assert_eq!(visibility_of(&note, Some(FOLLOWERS)), visibility, "{note}");
            assert!(to.iter().chain(&cc).any(|u| u == &mentioned[0]), "{visibility:?} must address mentions");
        }
    }

    #[test]
    fn links_objects_and_arrays_all_yield_ids() {
        assert_eq!(id_of(Some(&json!("https://a/1"))), Some("https://a/1"));
        assert_eq!(id_of(Some(&json!({"id": "https://a/2", "type": "Note"}))), Some("https://a/2"));
        assert_eq!(uris(Some(&json!(["https://a/1", {"id": "https://a/2"}, 7]))), vec!["https://a/1", "https://a/2"]);
        assert_eq!(
            image_url(Some(&json!({"type": "Image", "url": "https://a/i.png"}))).as_deref(),
            Some("https://a/i.png")
        );
    }

    #[test]
    fn the_context_comes_first() {
        let doc = with_context(json!({"id": "x", "type": "Note"}));
        assert_eq!(doc.as_object().and_then(|m| m.keys().next()).map(String::as_str), Some("@context"));
    }
}
