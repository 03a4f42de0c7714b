//! `Announcement` (docs.joinmastodon.org/entities/Announcement), and the
//! admin's view of one.

use serde::Serialize;
use tertulia_core::Config;
use tertulia_domain::announcements::{AnnouncementView, Reaction as ReactionView};

use super::timestamp;

#[derive(Debug, Serialize)]
pub struct Announcement {
    pub id: String,
    pub content: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub published_at: String,
    pub updated_at: String,
    /// Whether the reader dismissed it; absent in the admin's view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    pub mentions: Vec<serde_json::Value>,
    pub statuses: Vec<serde_json::Value>,
    pub tags: Vec<serde_json::Value>,
    pub emojis: Vec<serde_json::Value>,
    pub reactions: Vec<Reaction>,
    /// Extension: the site a company-wide announcement comes from (`null`
    /// for this site's own).
    pub origin_site: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
}

/// What admins see besides: the state and schedule.
#[derive(Debug, Serialize)]
pub struct AdminAnnouncement {
    #[serde(flatten)]
    pub announcement: Announcement,
    pub published: bool,
    pub scheduled_at: Option<String>,
    pub company_wide: bool,
    pub created_at: String,
}

fn time(at: chrono::NaiveDateTime) -> String {
    timestamp(at.and_utc())
}

impl Announcement {
    pub fn from_view(view: &AnnouncementView, config: &Config) -> Announcement {
        Announcement {
            id: view.id.to_string(),
            content: view.content_html(config),
            starts_at: view.starts_at.map(time),
            ends_at: view.ends_at.map(time),
            all_day: view.all_day,
            // A draft has no publication time; admins see its creation.
            published_at: time(view.published_at.unwrap_or(view.created_at)),
            updated_at: time(view.updated_at),
            read: view.read,
            mentions: Vec::new(),
            statuses: Vec::new(),
            tags: Vec::new(),
            emojis: Vec::new(),
            reactions: view.reactions.iter().map(Reaction::from_view).collect(),
            origin_site: view.origin_domain.clone(),
        }
    }
}

impl Reaction {
    fn from_view(view: &ReactionView) -> Reaction {
        Reaction { name: view.name.clone(), count: view.count, me: view.me }
    }
}

impl AdminAnnouncement {
    pub fn from_view(view: &AnnouncementView, config: &Config) -> AdminAnnouncement {
        AdminAnnouncement {
            announcement: Announcement::from_view(view, config),
            published: view.published,
            scheduled_at: view.scheduled_at.map(time),
            company_wide: view.company_wide,
            created_at: time(view.created_at),
        }
    }
}
