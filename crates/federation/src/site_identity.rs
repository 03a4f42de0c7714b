//! The `site` property of our actors: which of the company's sites an
//! account (or the instance actor) belongs to. An extension term of our
//! JSON-LD context ([`crate::protocol::context`]); software that does not
//! know it ignores it.

use serde_json::{Value, json};
use tertulia_core::config::{MAX_SITE_TEXT_CHARS, SiteIdentity};

use crate::protocol::str_of;

/// The property as our actors carry it.
pub(crate) fn to_property(site: &SiteIdentity) -> Value {
    json!({
        "name": site.name,
        "country": site.country,
        "region": site.region,
        "timeZone": site.time_zone,
        "defaultLanguage": site.default_language,
    })
}

/// The identity an actor document publishes, if it names a site. Kept as
/// plain text, each value cut to [`MAX_SITE_TEXT_CHARS`]: it is only ever
/// shown (escaped), never acted on.
pub(crate) fn from_actor(document: &Value) -> Option<SiteIdentity> {
    let site = document.get("site").filter(|site| site.is_object())?;
    let text = |key: &str| str_of(site, key).unwrap_or_default().trim().chars().take(MAX_SITE_TEXT_CHARS).collect();
    let identity = SiteIdentity {
        name: text("name"),
        country: text("country"),
        region: text("region"),
        time_zone: text("timeZone"),
        default_language: text("defaultLanguage"),
    };
    identity.is_published().then_some(identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_we_publish_reads_back_the_same() {
        let site = SiteIdentity {
            name: "ACME Spain".into(),
            country: "ES".into(),
            region: "Madrid".into(),
            time_zone: "Europe/Madrid".into(),
            default_language: "es".into(),
        };
        assert_eq!(from_actor(&json!({ "site": to_property(&site) })), Some(site));
    }

    #[test]
    fn a_site_without_a_name_or_of_the_wrong_shape_is_none() {
        assert_eq!(from_actor(&json!({ "site": { "name": " ", "region": "Madrid" } })), None);
        assert_eq!(from_actor(&json!({ "site": "ACME Spain" })), None);
        assert_eq!(from_actor(&json!({})), None);
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(500);
        let read = from_actor(&json!({ "site": { "name": long, "region": 42 } }));
        assert_eq!(read.map(|site| (site.name.len(), site.region)), Some((MAX_SITE_TEXT_CHARS, String::new())));
    }
}
