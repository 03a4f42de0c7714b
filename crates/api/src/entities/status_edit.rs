use serde::Serialize;
use serde_json::{Value, json};
use tertulia_core::{Config, Id};
use tertulia_domain::statuses::EditView;

use super::{Account, MediaAttachment, timestamp};

/// The Mastodon `StatusEdit` entity: one version of a status.
#[derive(Debug, Serialize)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    /// `{"options": [{"title": …}]}` when the version had a poll.
    pub poll: Option<Value>,
    pub media_attachments: Vec<MediaAttachment>,
    pub emojis: Vec<Value>,
}

impl StatusEdit {
    pub fn from_view(view: &EditView, config: &Config) -> StatusEdit {
        StatusEdit {
            content: view.content.clone(),
            spoiler_text: view.spoiler_text.clone(),
            sensitive: view.sensitive,
            created_at: timestamp(view.created_at),
            account: Account::from_view(&view.account, config),
            poll: view.poll_options.as_ref().map(|options| {
                json!({ "options": options.iter().map(|title| json!({ "title": title })).collect::<Vec<_>>() })
            }),
            media_attachments: view.media.iter().map(|m| MediaAttachment::from_view(m, config)).collect(),
            emojis: Vec::new(),
        }
    }
}

/// The Mastodon `StatusSource` entity: the text as typed, for editing.
#[derive(Debug, Serialize)]
pub struct StatusSource {
    pub id: Id,
    pub text: String,
    pub spoiler_text: String,
}
