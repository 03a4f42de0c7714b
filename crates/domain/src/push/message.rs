//! What a push says: the fields Mastodon's web push payload carries, so a
//! client's service worker can show the notification without asking the
//! server first.

use tertulia_core::Id;
use tertulia_core::html::to_plain_text;
use tertulia_db::{Db, push};

use crate::notifications::{self, NotificationKind, NotificationView};
use crate::{AccountView, DomainError};

/// Longest body shown, in characters; a push message must stay far below
/// the 4 KiB push services accept.
const BODY_CHARS: usize = 140;

/// One push, ready to encrypt for its subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct PushMessage {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub notification_id: Id,
    pub notification_type: String,
    pub title: String,
    pub body: String,
    /// The sender's avatar; `None` when they have none.
    pub icon: Option<String>,
    pub preferred_locale: String,
}

/// The push of `notification` to `subscription`, or `None` when there is
/// nothing to send any more: the subscription is gone, or the notification
/// was dismissed or is hidden from its recipient (a block or a mute since,
/// a status no longer visible), exactly as the notification list decides.
pub async fn message(db: &Db, subscription: Id, notification: Id) -> Result<Option<PushMessage>, DomainError> {
    let Some((row, account, locale)) = db.run(move |conn| push::find_by_id(conn, subscription.0)).await? else {
        return Ok(None);
    };
    let view = match notifications::get(db, Id(account), notification).await {
        Ok(view) => view,
        Err(DomainError::NotFound(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    Ok(Some(PushMessage {
        endpoint: row.endpoint,
        p256dh: row.key_p256dh,
        auth: row.key_auth,
        notification_id: view.id,
        title: title(view.kind, &name(&view.account)),
        body: truncate(&body(&view)),
        icon: view.account.avatar_url.clone(),
        notification_type: view.kind.to_string(),
        preferred_locale: locale,
    }))
}

fn name(account: &AccountView) -> String {
    if account.display_name.trim().is_empty() { account.username.clone() } else { account.display_name.clone() }
}

fn title(kind: NotificationKind, name: &str) -> String {
    match kind {
        NotificationKind::Mention => format!("{name} mentioned you"),
        NotificationKind::Status => format!("{name} posted"),
        NotificationKind::Reblog => format!("{name} boosted your post"),
        NotificationKind::Follow => format!("{name} followed you"),
        NotificationKind::FollowRequest => format!("{name} asked to follow you"),
        NotificationKind::Favourite => format!("{name} favourited your post"),
        NotificationKind::Poll => format!("{name}'s poll has ended"),
        NotificationKind::Update => format!("{name} edited a post"),
        NotificationKind::Quote => format!("{name} quoted your post"),
        NotificationKind::AdminSignUp => format!("{name} signed up"),
        NotificationKind::AdminReport => format!("{name} filed a report"),
        NotificationKind::ModerationWarning => "A moderator acted on your account".to_owned(),
    }
}

/// The content warning if there is one (never the hidden text), else the
/// status's text, else the sender's bio.
fn body(view: &NotificationView) -> String {
    match &view.status {
        Some(status) if !status.spoiler_text.trim().is_empty() => status.spoiler_text.clone(),
        Some(status) => to_plain_text(&status.content),
        None => to_plain_text(&view.account.note),
    }
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= BODY_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(BODY_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_to_140_characters() {
        assert_eq!(truncate("short"), "short");
        let cut = truncate(&"ñ".repeat(300));
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }
}
