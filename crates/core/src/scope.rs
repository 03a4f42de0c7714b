//! OAuth scopes as Mastodon defines them (docs.joinmastodon.org/api/oauth-scopes):
//! top-level `read`, `write`, `follow`, `push`, `profile`, `admin:read`,
//! `admin:write`, and granular forms such as `read:statuses`.

use std::collections::BTreeSet;
use std::fmt;

const TOP_LEVEL: &[&str] = &["read", "write", "follow", "push", "profile", "admin:read", "admin:write"];
const READ_GRANULAR: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE_GRANULAR: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
const ADMIN_GRANULAR: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];
/// The legacy `follow` scope grants these (Mastodon keeps it for old apps).
const FOLLOW_IMPLIES: &[&str] =
    &["read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"];

/// A set of granted scopes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(BTreeSet<String>);

/// A scope name Tertulia does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope '{0}'")]
pub struct UnknownScope(pub String);

fn is_known(scope: &str) -> bool {
    if TOP_LEVEL.contains(&scope) {
        return true;
    }
    match scope.split_once(':') {
        Some(("read", what)) => READ_GRANULAR.contains(&what),
        Some(("write", what)) => WRITE_GRANULAR.contains(&what),
        Some(("admin", rest)) => match rest.split_once(':') {
            Some(("read" | "write", what)) => ADMIN_GRANULAR.contains(&what),
            _ => false,
        },
        _ => false,
    }
}

impl Scopes {
    /// Parses a space- or plus-separated list (`read write`, `read+write`).
    /// An empty list means `read`, as in Mastodon.
    pub fn parse(text: &str) -> Result<Scopes, UnknownScope> {
        let mut set = BTreeSet::new();
        for scope in text.split([' ', '+', ',', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            if !is_known(scope) {
                return Err(UnknownScope(scope.to_owned()));
            }
            set.insert(scope.to_owned());
        }
        if set.is_empty() {
            set.insert("read".to_owned());
        }
        Ok(Scopes(set))
    }

    /// Whether a token with these scopes may use an endpoint that requires
    /// `required` (always a granular scope or a top-level one).
    pub fn allows(&self, required: &str) -> bool {
        if self.0.contains(required) {
            return true;
        }
        if self.0.contains("follow") && FOLLOW_IMPLIES.contains(&required) {
            return true;
        }
        // `read` covers `read:*`; `admin:read` covers `admin:read:*`.
        match required.rsplit_once(':') {
            Some((parent, _)) => self.0.contains(parent),
            None => false,
        }
    }

    /// Whether every scope in `other` is allowed by these scopes: a token
    /// may only ask for what its application registered.
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|scope| self.allows(scope))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined: Vec<&str> = self.iter().collect();
        f.write_str(&joined.join(" "))
    }
}

/// Every scope, for `/.well-known/oauth-authorization-server`.
pub fn all_scopes() -> Vec<String> {
    let mut all: Vec<String> = TOP_LEVEL.iter().map(|s| (*s).to_owned()).collect();
    all.extend(READ_GRANULAR.iter().map(|s| format!("read:{s}")));
    all.extend(WRITE_GRANULAR.iter().map(|s| format!("write:{s}")));
    for level in ["read", "write"] {
        all.extend(ADMIN_GRANULAR.iter().map(|s| format!("admin:{level}:{s}")));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> Scopes {
        Scopes::parse(text).unwrap()
    }

    #[test]
    fn top_level_scopes_cover_their_granular_forms() {
        let granted = scopes("read write:statuses");
        assert!(granted.allows("read:accounts"));
        assert!(granted.allows("write:statuses"));
        assert!(!granted.allows("write:favourites"));
        assert!(!granted.allows("write"));
        assert!(!granted.allows("push"));
    }

    #[test]
    fn follow_grants_follows_blocks_and_mutes_only() {
        let granted = scopes("follow");
        assert!(granted.allows("write:follows") && granted.allows("read:blocks"));
        assert!(!granted.allows("read:statuses"));
    }

    #[test]
    fn admin_scopes_nest_two_levels() {
        let granted = scopes("admin:read");
        assert!(granted.allows("admin:read:accounts"));
        assert!(!granted.allows("admin:write:accounts"));
    }

    #[test]
    fn parsing_accepts_clients_separators_and_rejects_unknown_scopes() {
        assert_eq!(scopes("read+write").to_string(), "read write");
        assert_eq!(scopes("").to_string(), "read");
        assert_eq!(Scopes::parse("read sudo"), Err(UnknownScope("sudo".into())));
        assert!(Scopes::parse("write:nothing").is_err());
        assert!(all_scopes().iter().all(|s| is_known(s)));
    }

    #[test]
    fn a_request_is_covered_only_by_a_wider_grant() {
        assert!(scopes("read write follow").covers(&scopes("read:statuses write")));
        assert!(!scopes("read").covers(&scopes("read write")));
    }
}
