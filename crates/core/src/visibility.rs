//! Who a status is for.

use std::fmt;
use std::str::FromStr;

/// Mastodon's four visibilities plus `Local`: site-only posts that never
/// leave this instance and are shown only to its signed-in users.
///
/// In JSON (the outbox's records) it is its name, read back strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
    Local,
}

/// A visibility name Tertulia does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a visibility (public, unlisted, private, direct or local)")]
pub struct UnknownVisibility(pub String);

impl Visibility {
    pub const ALL: [Visibility; 5] =
        [Visibility::Public, Visibility::Unlisted, Visibility::Private, Visibility::Direct, Visibility::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
            Visibility::Local => "local",
        }
    }

    /// Whether it may leave this site at all: site-only posts never do.
    pub fn federates(self) -> bool {
        self != Visibility::Local
    }

    /// Whether others may boost it: only statuses anyone may already see.
    pub fn is_boostable(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted | Visibility::Local)
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = UnknownVisibility;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "private" => Visibility::Private,
            "direct" => Visibility::Direct,
            "local" => Visibility::Local,
            other => return Err(UnknownVisibility(other.to_owned())),
        })
    }
}

impl From<Visibility> for &'static str {
    fn from(visibility: Visibility) -> Self {
        visibility.as_str()
    }
}

impl TryFrom<String> for Visibility {
    type Error = UnknownVisibility;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        name.parse()
    }
}

#[cfg(feature = "diesel")]
crate::text_column!(Visibility);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Visibility::ALL {
            assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
        }
        assert!("secret".parse::<Visibility>().is_err());
    }

    #[test]
    fn json_holds_the_name_and_refuses_an_unknown_one() {
        for v in Visibility::ALL {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            assert_eq!(serde_json::from_str::<Visibility>(&json).unwrap(), v);
        }
        let error = serde_json::from_str::<Visibility>("\"secret\"").unwrap_err();
        assert!(error.to_string().contains("'secret' is not a visibility"), "{error}");
    }
}
