use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::conversations::ConversationView;

use super::{Account, Status};

/// The Mastodon `Conversation` entity: a direct-message thread.
#[derive(Debug, Serialize)]
pub struct Conversation {
    pub id: Id,
    pub unread: bool,
    /// The other participants.
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

impl Conversation {
    pub fn from_view(view: &ConversationView, config: &Config) -> Conversation {
        Conversation {
            id: view.id,
            unread: view.unread,
            accounts: view.accounts.iter().map(|a| Account::from_view(a, config)).collect(),
            last_status: view.last_status.as_ref().map(|s| Status::from_view(s, config)),
        }
    }
}
