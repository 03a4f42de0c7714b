use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::notifications::NotificationView;

use super::{Account, AccountWarning, Report, Status, timestamp};

/// The Mastodon `Notification` entity.
#[derive(Debug, Serialize)]
pub struct Notification {
    pub id: Id,
    #[serde(rename = "type")]
    pub kind: String,
    pub group_key: String,
    pub created_at: String,
    pub account: Account,
    pub status: Option<Status>,
    /// Only on `admin.report` notifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    /// Only on `moderation_warning` notifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation_warning: Option<AccountWarning>,
}

impl Notification {
    pub fn from_view(view: &NotificationView, config: &Config) -> Notification {
        Notification {
            id: view.id,
            kind: view.kind.to_string(),
            group_key: view.group_key.clone(),
            created_at: timestamp(view.created_at),
            account: Account::from_view(&view.account, config),
            status: view.status.as_ref().map(|s| Status::from_view(s, config)),
            report: view.report.as_ref().map(|r| Report::from_view(r, config)),
            moderation_warning: view.moderation_warning.as_ref().map(|w| AccountWarning::from_view(w, config)),
        }
    }
}
