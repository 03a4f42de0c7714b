//! Mastodon entities as JSON, built from domain views. One file per entity;
//! field names and formats follow docs.joinmastodon.org/entities.

mod account;
mod account_warning;
mod admin_account;
mod announcement;
mod conversation;
mod event;
mod featured_tag;
mod filter;
mod list;
mod media;
mod notification;
mod poll;
mod profile;
mod relationship;
mod report;
mod scheduled_status;
mod status;
mod status_edit;
mod tag;

pub use account::{Account, CredentialAccount};
pub use account_warning::AccountWarning;
pub use admin_account::AdminAccount;
pub use announcement::{AdminAnnouncement, Announcement};
pub use conversation::Conversation;
pub use event::Event;
pub use featured_tag::FeaturedTag;
pub use filter::{Filter, FilterKeyword, FilterResult, FilterStatus, V1Filter};
pub use list::List;
pub use media::MediaAttachment;
pub use notification::Notification;
pub use poll::Poll;
pub use profile::Profile;
pub use relationship::Relationship;
pub use report::{AdminReport, Report};
pub use scheduled_status::ScheduledStatus;
pub use status::Status;
pub use status_edit::{StatusEdit, StatusSource};
pub use tag::Tag;

use chrono::{DateTime, SecondsFormat, Utc};

/// Timestamps as Mastodon writes them: RFC 3339, milliseconds, `Z`.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}
