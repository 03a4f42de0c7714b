use serde::Serialize;
use tertulia_core::visibility::Visibility;
use tertulia_core::{Config, Id};
use tertulia_domain::scheduled::ScheduledView;

use super::{MediaAttachment, timestamp};

/// The Mastodon `ScheduledStatus` entity.
#[derive(Debug, Serialize)]
pub struct ScheduledStatus {
    pub id: Id,
    pub scheduled_at: String,
    pub params: ScheduledParams,
    pub media_attachments: Vec<MediaAttachment>,
}

/// Its `params`: the post as it will be published. Mastodon writes the
/// numeric ids here as JSON numbers, and so do we.
#[derive(Debug, Serialize)]
pub struct ScheduledParams {
    pub text: String,
    pub poll: Option<PollParams>,
    pub media_ids: Option<Vec<String>>,
    pub sensitive: Option<bool>,
    pub spoiler_text: Option<String>,
    pub visibility: &'static str,
    /// Site-only posts, as on statuses: `visibility` says `public`.
    pub local_only: bool,
    pub in_reply_to_id: Option<i64>,
    pub language: Option<String>,
    pub application_id: Option<i64>,
    /// Always null: a status is scheduled once.
    pub scheduled_at: Option<String>,
    pub idempotency: Option<String>,
    pub with_rate_limit: bool,
}

#[derive(Debug, Serialize)]
pub struct PollParams {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl ScheduledStatus {
    pub fn from_view(view: &ScheduledView, config: &Config) -> ScheduledStatus {
        let params = &view.params;
        let visibility = params.visibility.parse().unwrap_or(Visibility::Public);
        ScheduledStatus {
            id: view.id,
            scheduled_at: timestamp(view.scheduled_at.and_utc()),
            params: ScheduledParams {
                text: params.text.clone(),
                poll: params.poll.as_ref().map(|poll| PollParams {
                    options: poll.options.clone(),
                    expires_in: poll.expires_in,
                    multiple: poll.multiple,
                    hide_totals: poll.hide_totals,
                }),
                media_ids: Some(params.media_ids.iter().map(i64::to_string).collect())
                    .filter(|ids: &Vec<String>| !ids.is_empty()),
                sensitive: Some(params.sensitive),
                spoiler_text: params.spoiler_text.clone(),
                visibility: match visibility {
                    Visibility::Local => "public",
                    other => other.as_str(),
                },
                local_only: visibility == Visibility::Local,
                in_reply_to_id: params.in_reply_to_id,
                language: params.language.clone(),
                application_id: view.application_id.map(|id| id.0),
                scheduled_at: None,
                idempotency: params.idempotency.clone(),
                with_rate_limit: false,
            },
            media_attachments: view.media.iter().map(|m| MediaAttachment::from_view(m, config)).collect(),
        }
    }

    pub fn list(views: &[ScheduledView], config: &Config) -> Vec<ScheduledStatus> {
        views.iter().map(|view| ScheduledStatus::from_view(view, config)).collect()
    }
}
