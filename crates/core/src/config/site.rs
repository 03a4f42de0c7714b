//! `[site]`: which of the company's sites this instance is. Shown in the
//! instance and NodeInfo documents, on the instance actor and on every
//! account, so staff see where a colleague works.

use serde::{Deserialize, Serialize};

/// The name of the read-only profile field that shows an account's site.
pub const SITE_FIELD_NAME: &str = "Site";
/// Longest name or region kept, local or received from another site.
pub const MAX_SITE_TEXT_CHARS: usize = 100;

/// A site's identity: ours from `[site]`, another site's as its actors
/// publish it. An empty `name` means no identity is published.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteIdentity {
    /// The site's name, e.g. "ACME Spain". Empty: no site identity.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code, upper case, e.g. "ES".
    pub country: String,
    /// Region or city, free text, e.g. "Madrid".
    pub region: String,
    /// IANA time zone, e.g. "Europe/Madrid".
    pub time_zone: String,
    /// ISO 639-1 code of the language most staff write in, e.g. "es".
    pub default_language: String,
}

impl SiteIdentity {
    /// Whether there is an identity to show.
    pub fn is_published(&self) -> bool {
        !self.name.is_empty()
    }

    /// The value of the read-only "Site" profile field: "ACME Spain ·
    /// Madrid", or the name alone when no region is set.
    pub fn profile_field_value(&self) -> String {
        if self.region.is_empty() { self.name.clone() } else { format!("{} · {}", self.name, self.region) }
    }

    /// Checks `[site]`; `languages` are `instance.languages`. Errors name
    /// the key at fault.
    pub(super) fn validate(&self, languages: &[String]) -> Result<(), (&'static str, String)> {
        let is_set =
            [&self.country, &self.region, &self.time_zone, &self.default_language].iter().any(|v| !v.is_empty());
        if !self.is_published() {
            return match is_set {
                true => Err(("site.name", "must be set when any other [site] key is".into())),
                false => Ok(()),
            };
        }
        if self.name.trim() != self.name || self.name.chars().count() > MAX_SITE_TEXT_CHARS {
            return Err((
                "site.name",
                format!("must be at most {MAX_SITE_TEXT_CHARS} characters, without leading or trailing spaces"),
            ));
        }
        if self.region.chars().count() > MAX_SITE_TEXT_CHARS {
            return Err(("site.region", format!("must be at most {MAX_SITE_TEXT_CHARS} characters")));
        }
        if !self.country.is_empty() && !is_country_code(&self.country) {
            return Err((
                "site.country",
                format!("'{}' is not an ISO 3166-1 alpha-2 code such as 'ES' (two capital letters)", self.country),
            ));
        }
        if !self.time_zone.is_empty() && self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "site.time_zone",
                format!("'{}' is not an IANA time zone name such as 'Europe/Madrid'", self.time_zone),
            ));
        }
        if !self.default_language.is_empty() {
            if isolang::Language::from_639_1(&self.default_language).is_none() {
                return Err((
                    "site.default_language",
                    format!("'{}' is not an ISO 639-1 language code such as 'es'", self.default_language),
                ));
            }
            if !languages.is_empty() && !languages.contains(&self.default_language) {
                return Err((
                    "site.default_language",
                    format!("'{}' is not one of instance.languages ({})", self.default_language, languages.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// Two capital ASCII letters. The assigned codes change over time; the
/// shape is what catches a typo such as "Spain" or "es".
fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}
