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

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// Timestamps as Mastodon writes them: RFC 3339, milliseconds, `Z`
/// (`2026-12-07T18:05:09.042Z`). Written digit by digit: a timeline page
/// writes a few hundred, and chrono's formatter, which interprets a list of
/// format items for each, was a visible share of a page's CPU.
pub fn timestamp(time: DateTime<Utc>) -> String {
    let nanos = time.nanosecond();
    // Four-digit years and no leap second: every date a status can carry.
    // Anything else keeps chrono's spelling (a sign, a 60th second).
    if !(0..=9999).contains(&time.year()) || nanos >= 1_000_000_000 {
        return time.to_rfc3339_opts(SecondsFormat::Millis, true);
    }
    let mut out = String::with_capacity(24);
    let mut digits = |value: u32, width: u32, then: char| {
        for position in (0..width).rev() {
            let digit = value / 10u32.pow(position) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(then);
    };
    digits(time.year().unsigned_abs(), 4, '-');
    digits(time.month(), 2, '-');
    digits(time.day(), 2, 'T');
    digits(time.hour(), 2, ':');
    digits(time.minute(), 2, ':');
    digits(time.second(), 2, '.');
    digits(nanos / 1_000_000, 3, 'Z');
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

    use super::timestamp;

    #[test]
    fn timestamps_match_chronos_rfc3339_with_milliseconds() {
        let times = [
            Utc.with_ymd_and_hms(2026, 12, 7, 18, 5, 9).unwrap() + chrono::Duration::microseconds(42_999),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap() + chrono::Duration::milliseconds(999),
            Utc.with_ymd_and_hms(12, 3, 4, 5, 6, 7).unwrap(),
            Utc.with_ymd_and_hms(-44, 3, 15, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            // A leap second: chrono writes second 60.
            DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap(),
        ];
        for time in times {
            assert_eq!(timestamp(time), time.to_rfc3339_opts(SecondsFormat::Millis, true), "{time:?}");
        }
        assert_eq!(timestamp(times[0]), "2026-12-07T18:05:09.042Z");
    }
}
