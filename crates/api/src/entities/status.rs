use serde::Serialize;
use serde_json::Value;
use tertulia_core::visibility::Visibility;
use tertulia_core::{Config, Id};
use tertulia_domain::quotes::{QuotePolicy, QuoteView};
use tertulia_domain::statuses::StatusView;

use super::{Account, FilterResult, MediaAttachment, Poll, timestamp};

/// The Mastodon `Status` entity.
#[derive(Debug, Serialize)]
pub struct Status {
    pub id: Id,
    pub uri: String,
    pub url: Option<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub account: Account,
    pub content: String,
    /// Mastodon has no site-only visibility; clients get `public` plus
    /// `local_only: true`, the convention of Mastodon forks that have it.
    pub visibility: &'static str,
    pub local_only: bool,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub language: Option<String>,
    pub in_reply_to_id: Option<Id>,
    pub in_reply_to_account_id: Option<Id>,
    pub reblog: Option<Box<Status>>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub muted: bool,
    pub pinned: bool,
    pub media_attachments: Vec<MediaAttachment>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<Value>,
    pub filtered: Vec<FilterResult>,
    pub card: Option<Value>,
    pub poll: Option<Poll>,
    pub application: Option<Value>,
    pub quote: Option<Quote>,
    pub quote_approval: QuoteApproval,
    pub quotes_count: i64,
    /// The source text: only in the answer to a delete (for redrafting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Mastodon's `Quote` (with the quoted status) or, inside a quoted
/// status, `ShallowQuote` (its id only).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Quote {
    Full { state: &'static str, quoted_status: Option<Box<Status>> },
    Shallow { state: &'static str, quoted_status_id: Option<Id> },
}

impl Quote {
    fn from_view(view: &QuoteView, config: &Config) -> Quote {
        if view.shallow {
            Quote::Shallow { state: view.state, quoted_status_id: view.quoted_id }
        } else {
            Quote::Full {
                state: view.state,
                quoted_status: view.quoted.as_ref().map(|q| Box::new(Status::from_view(q, config))),
            }
        }
    }
}

/// Mastodon's `QuoteApproval`: who may quote, and whether the viewer may.
/// Approval is never manual here.
#[derive(Debug, Serialize)]
pub struct QuoteApproval {
    pub automatic: Vec<&'static str>,
    pub manual: Vec<&'static str>,
    pub current_user: &'static str,
}

impl QuoteApproval {
    fn from_view(view: &tertulia_domain::quotes::QuoteApproval) -> QuoteApproval {
        let automatic = match view.policy {
            QuotePolicy::Public => vec!["public"],
            QuotePolicy::Followers => vec!["followers"],
            QuotePolicy::Nobody => Vec::new(),
        };
        let current_user = if view.viewer_allowed { "automatic" } else { "denied" };
        QuoteApproval { automatic, manual: Vec::new(), current_user }
    }
}

#[derive(Debug, Serialize)]
pub struct Mention {
    pub id: Id,
    pub username: String,
    pub url: String,
    pub acct: String,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

impl Status {
    pub fn from_view(view: &StatusView, config: &Config) -> Status {
        let base = config.base_url();
        Status {
            id: view.id,
            uri: view.uri.clone(),
            url: Some(view.url.clone()).filter(|_| view.reblog.is_none()),
            created_at: timestamp(view.created_at),
            edited_at: view.edited_at.map(timestamp),
            account: Account::from_view(&view.account, config),
            content: view.content.clone(),
            visibility: match view.visibility {
                Visibility::Local => "public",
                other => other.as_str(),
            },
            local_only: view.visibility == Visibility::Local,
            sensitive: view.sensitive,
            spoiler_text: view.spoiler_text.clone(),
            language: view.language.clone(),
            in_reply_to_id: view.in_reply_to_id,
            in_reply_to_account_id: view.in_reply_to_account_id,
            reblog: view.reblog.as_ref().map(|original| Box::new(Status::from_view(original, config))),
            replies_count: view.replies_count,
            reblogs_count: view.reblogs_count,
            favourites_count: view.favourites_count,
            favourited: view.favourited,
            reblogged: view.reblogged,
            bookmarked: view.bookmarked,
            muted: view.muted,
            pinned: view.pinned,
            media_attachments: view.media.iter().map(|m| MediaAttachment::from_view(m, config)).collect(),
            mentions: view
                .mentions
                .iter()
                .map(|m| Mention { id: m.id, username: m.username.clone(), url: m.url.clone(), acct: m.acct() })
                .collect(),
            tags: view
                .tags
                .iter()
                .map(|(name, _)| Tag { name: name.clone(), url: format!("{base}/tags/{name}") })
                .collect(),
            emojis: Vec::new(),
            filtered: view.filtered.iter().map(FilterResult::from_view).collect(),
            card: None,
            poll: view.poll.as_ref().map(Poll::from_view),
            application: None,
            quote: view.quote.as_ref().map(|q| Quote::from_view(q, config)),
            quote_approval: QuoteApproval::from_view(&view.quote_approval),
            quotes_count: view.quotes_count,
            text: None,
        }
    }

    /// Renders a list, as every timeline does.
    pub fn list(views: &[StatusView], config: &Config) -> Vec<Status> {
        views.iter().map(|v| Status::from_view(v, config)).collect()
    }
}
