//! The days a report covers.

use chrono::{DateTime, Duration, NaiveDate};

use crate::DomainError;
use crate::error::Invalidity;

/// The longest window a report may cover: a year and a day, so a report
/// "from this day last year" always fits.
const MAX_DAYS: i64 = 367;

/// Days from `from` to `to`, both included, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    /// The window between a client's `start_at` and `end_at`, each a date
    /// (`2026-12-01`) or a date and time (`2026-12-01T00:00:00Z`, whose day
    /// in UTC counts), as Mastodon's admin API takes them.
    pub fn parse(start_at: Option<&str>, end_at: Option<&str>) -> Result<Window, DomainError> {
        let from = parse_day("start_at", start_at)?;
        let to = parse_day("end_at", end_at)?;
        Window::between(from, to)
    }

    pub fn between(from: NaiveDate, to: NaiveDate) -> Result<Window, DomainError> {
        if to < from {
            return Err(DomainError::invalid("end_at", format!("{to} is before start_at {from}")));
        }
        let window = Window { from, to };
        if window.day_count() > MAX_DAYS {
            return Err(DomainError::invalid_as(
                Invalidity::AboveLimit,
                "end_at",
                format!("the window covers {} days; at most {MAX_DAYS} are allowed", window.day_count()),
            ));
        }
        Ok(window)
    }

    /// The last `days` days up to `to`.
    pub fn ending(to: NaiveDate, days: i64) -> Window {
        Window { from: to - Duration::days(days - 1), to }
    }

    /// How many days it covers.
    pub fn day_count(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The window of the same length just before this one.
    pub fn previous(&self) -> Window {
        Window::ending(self.from - Duration::days(1), self.day_count())
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let from = self.from;
        (0..self.day_count()).map(move |offset| from + Duration::days(offset))
    }
}

fn parse_day(field: &'static str, value: Option<&str>) -> Result<NaiveDate, DomainError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| DomainError::blank(field))?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| DateTime::parse_from_rfc3339(value).map(|at| at.naive_utc().date()))
        .map_err(|_| {
            DomainError::invalid(
                field,
                format!("'{value}' is not a date; write it as 2026-12-01 or 2026-12-01T00:00:00Z"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_and_times_both_name_a_day() {
        let window = Window::parse(Some("2026-11-01"), Some("2026-11-30T23:00:00Z")).unwrap();
        assert_eq!(window, Window { from: day("2026-11-01"), to: day("2026-11-30") });
        assert_eq!(window.day_count(), 30);
        assert_eq!(window.previous(), Window { from: day("2026-10-02"), to: day("2026-10-31") });
        assert_eq!(window.days().count(), 30);
    }

    #[test]
    fn missing_reversed_garbled_and_too_long_windows_are_refused_with_the_reason() {
        let message = |start: Option<&str>, end: Option<&str>| Window::parse(start, end).unwrap_err().to_string();
        assert_eq!(message(None, Some("2026-11-01")), "start_at: can't be blank");
        assert_eq!(message(Some("2026-11-02"), Some("2026-11-01")), "end_at: 2026-11-01 is before start_at 2026-11-02");
        assert!(message(Some("yesterday"), Some("2026-11-01")).contains("'yesterday' is not a date"));
        assert!(message(Some("2020-01-01"), Some("2026-11-01")).contains("at most 367 are allowed"));
    }
}
