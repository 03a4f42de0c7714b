use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::tags::TagView;

/// The Mastodon `Tag` entity.
#[derive(Debug, Serialize)]
pub struct Tag {
    pub id: Id,
    pub name: String,
    pub url: String,
    pub history: Vec<TagHistory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featuring: Option<bool>,
}

/// One day of a tag's use; Mastodon sends the numbers as strings.
#[derive(Debug, Serialize)]
pub struct TagHistory {
    /// Midnight UTC, as a UNIX timestamp.
    pub day: String,
    pub uses: String,
    pub accounts: String,
}

impl Tag {
    pub fn from_view(view: &TagView, config: &Config) -> Tag {
        Tag {
            id: view.id,
            name: view.name.clone(),
            url: format!("{}/tags/{}", config.base_url(), view.name),
            history: view
                .history
                .iter()
                .map(|day| TagHistory {
                    day: day.day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp().to_string(),
                    uses: day.uses.to_string(),
                    accounts: day.accounts.to_string(),
                })
                .collect(),
            following: view.following,
            featuring: view.featuring,
        }
    }

    pub fn list(views: &[TagView], config: &Config) -> Vec<Tag> {
        views.iter().map(|v| Tag::from_view(v, config)).collect()
    }
}
