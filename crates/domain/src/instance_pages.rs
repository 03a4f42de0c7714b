//! What the instance publishes besides its description: weekly activity,
//! the privacy policy and the terms of service.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use tertulia_core::{Config, Id};
use tertulia_db::{Db, DbError, stats};

use crate::DomainError;

/// Weeks of activity shown, the current one first (Mastodon's 12).
pub const ACTIVITY_WEEKS: i64 = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct WeekActivity {
    /// Midnight UTC on the Monday the week starts.
    pub week: DateTime<Utc>,
    pub activity: stats::Activity,
}

/// The start of the week `now` is in: Monday, midnight UTC.
fn week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let monday = now.date_naive() - Duration::days(i64::from(now.weekday().num_days_from_monday()));
    monday.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Statuses, sign-ins and registrations per week, this week first.
pub async fn activity(db: &Db, now: DateTime<Utc>) -> Result<Vec<WeekActivity>, DomainError> {
    let this_week = week_start(now);
    Ok(db
        .run(move |conn| {
            (0..ACTIVITY_WEEKS)
                .map(|back| {
                    let start = this_week - Duration::weeks(back);
                    let end = start + Duration::weeks(1);
                    let ids = (Id::lower_bound_at(start).0, Id::lower_bound_at(end).0);
                    let activity = stats::activity_between(conn, (start.naive_utc(), end.naive_utc()), ids)?;
                    Ok(WeekActivity { week: start, activity })
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?)
}

/// A published text: its HTML and the date it took effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub html: String,
    pub date: NaiveDate,
}

/// When the built-in privacy policy was last changed.
const DEFAULT_POLICY_DATE: (i32, u32, u32) = (2026, 12, 6);

/// Plain text as HTML paragraphs: a blank line separates paragraphs, a
/// single line break is kept as `<br>`.
fn paragraphs(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn policy_date(config: &Config) -> NaiveDate {
    config.instance.policies_date.parse().unwrap_or_else(|_| {
        let (y, m, d) = DEFAULT_POLICY_DATE;
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    })
}

/// The privacy policy set in `instance.privacy_policy`, or a short one
/// describing what Tertulia stores when none is set.
pub fn privacy_policy(config: &Config) -> Policy {
    let text = if config.instance.privacy_policy.trim().is_empty() {
        format!(
            "{domain} stores what its users give it to run the service: the account name, \
             e-mail address and password hash; posts, media, follows, favourites, bookmarks, \
             lists and filters; and the time of each sign-in.\n\n\
             Public posts and profiles can be read by anyone and are sent to the other sites \
             that follow them. Followers-only and direct posts are sent only to the sites of \
             the accounts that may read them; the administrators of {domain} and of those \
             sites can read them too.\n\n\
             Deleting a post or an account deletes it here and asks the other sites to do the same.{contact}",
            domain = config.domain,
            contact = if config.instance.contact_email.is_empty() {
                String::new()
            } else {
                format!("\n\nQuestions: {}", config.instance.contact_email)
            }
        )
    } else {
        config.instance.privacy_policy.clone()
    };
    Policy { html: paragraphs(&text), date: policy_date(config) }
}

/// The terms of service set in `instance.terms_of_service`; `None` when
/// none are published (Mastodon then answers 404).
pub fn terms_of_service(config: &Config) -> Option<Policy> {
    let text = config.instance.terms_of_service.trim();
    (!text.is_empty()).then(|| Policy { html: paragraphs(text), date: policy_date(config) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_at_midnight_utc() {
        let sunday = DateTime::parse_from_rfc3339("2026-12-06T20:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(week_start(sunday).to_rfc3339(), "2026-11-30T00:00:00+00:00");
        let monday = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(week_start(monday), monday);
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        assert_eq!(paragraphs("One <b>\nline\n\n\nTwo & more"), "<p>One &lt;b&gt;<br>line</p><p>Two &amp; more</p>");
    }
}
