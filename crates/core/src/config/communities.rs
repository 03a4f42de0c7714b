//! `[communities]`: the conventions staff use from any Mastodon client to
//! take part in the company's communities. Recognition: a post with the
//! kudos hashtag thanks the colleagues it mentions (docs/communities.md).

use serde::{Deserialize, Serialize};

/// The name of the read-only profile field that shows how many
/// recognitions a colleague received.
pub const KUDOS_FIELD_NAME: &str = "Kudos";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CommunitiesConfig {
    /// The hashtag, without `#`, that makes a post a recognition of the
    /// colleagues it mentions. Empty: recognitions are not recorded.
    pub kudos_tag: String,
    /// Badges a recognition may carry, each named by a second hashtag in the
    /// post (`#kudos #teamwork @ana`). Other hashtags are just hashtags.
    pub kudos_badges: Vec<String>,
}

impl Default for CommunitiesConfig {
    fn default() -> Self {
        CommunitiesConfig { kudos_tag: "kudos".into(), kudos_badges: Vec::new() }
    }
}

impl CommunitiesConfig {
    /// Checks that the tag and badges are hashtags a post can carry. Errors
    /// name the key at fault.
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        if !self.kudos_tag.is_empty() && !is_hashtag(&self.kudos_tag) {
            return Err(("communities.kudos_tag", hashtag_error(&self.kudos_tag)));
        }
        if let Some(bad) = self.kudos_badges.iter().find(|badge| !is_hashtag(badge)) {
            return Err(("communities.kudos_badges", hashtag_error(bad)));
        }
        if self.kudos_badges.iter().any(|badge| badge.eq_ignore_ascii_case(&self.kudos_tag)) {
            return Err(("communities.kudos_badges", "must not contain communities.kudos_tag itself".into()));
        }
        Ok(())
    }
}

/// Whether `name` reads as one whole hashtag when written after `#`.
fn is_hashtag(name: &str) -> bool {
    crate::text::hashtags(&format!("#{name}")) == [name.to_lowercase()]
}

fn hashtag_error(name: &str) -> String {
    format!("'{name}' is not a hashtag: write it without '#', with letters, digits and '_' only")
}
