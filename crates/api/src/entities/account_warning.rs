//! Mastodon's `AccountWarning`, shown to the warned user in their
//! `moderation_warning` notifications.

use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::moderation::WarningView;

use super::{Account, timestamp};

#[derive(Debug, Serialize)]
pub struct AccountWarning {
    pub id: Id,
    pub action: &'static str,
    pub text: String,
    /// Our actions act on the whole account, never on chosen statuses.
    pub status_ids: Vec<Id>,
    pub target_account: Account,
    pub created_at: String,
    /// This site takes no appeals.
    pub appeal: Option<()>,
}

impl AccountWarning {
    pub fn from_view(view: &WarningView, config: &Config) -> AccountWarning {
        AccountWarning {
            id: view.id,
            action: view.action.as_str(),
            text: view.text.clone(),
            status_ids: Vec::new(),
            target_account: Account::from_view(&view.target, config),
            created_at: timestamp(view.created_at),
            appeal: None,
        }
    }
}
