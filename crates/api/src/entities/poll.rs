use serde::Serialize;
use serde_json::Value;
use tertulia_core::Id;
use tertulia_domain::polls::PollView;

use super::timestamp;

/// The Mastodon `Poll` entity.
#[derive(Debug, Serialize)]
pub struct Poll {
    pub id: Id,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: i64,
    pub options: Vec<PollOption>,
    pub emojis: Vec<Value>,
    /// Only for a signed-in viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}

#[derive(Debug, Serialize)]
pub struct PollOption {
    pub title: String,
    /// Null while the author hides the totals and the poll is open.
    pub votes_count: Option<i64>,
}

impl Poll {
    pub fn from_view(view: &PollView) -> Poll {
        Poll {
            id: view.id,
            expires_at: view.expires_at.map(timestamp),
            expired: view.expired,
            multiple: view.multiple,
            votes_count: view.votes_count,
            voters_count: view.voters_count,
            options: view
                .options
                .iter()
                .map(|(title, votes_count)| PollOption { title: title.clone(), votes_count: *votes_count })
                .collect(),
            emojis: Vec::new(),
            voted: view.own_votes.as_ref().map(|votes| !votes.is_empty()),
            own_votes: view.own_votes.clone(),
        }
    }
}
