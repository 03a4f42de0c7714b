//! Mastodon's admin retention (docs.joinmastodon.org/methods/admin/retention):
//! of the people who joined in each day or month of a window, how many
//! were active in that period and in each later one.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use tertulia_db::analytics as db;
use tertulia_db::{Db, DbError};

use super::Window;
use crate::DomainError;
use crate::error::Invalidity;

/// The size of a cohort's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Day,
    Month,
}

impl Frequency {
    pub fn parse(text: Option<&str>) -> Result<Frequency, DomainError> {
        match text.map(str::trim).unwrap_or_default() {
            "day" => Ok(Frequency::Day),
            "month" => Ok(Frequency::Month),
            "" => Err(DomainError::blank("frequency")),
            other => Err(DomainError::invalid_as(
                Invalidity::Inclusion,
                "frequency",
                format!("'{other}' is not one of day, month"),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Frequency::Day => "day",
            Frequency::Month => "month",
        }
    }

    /// The start of the period `day` falls in.
    fn period_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Frequency::Day => day,
            Frequency::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn next(self, period: NaiveDate) -> NaiveDate {
        match self {
            Frequency::Day => period + chrono::Duration::days(1),
            Frequency::Month => period + Months::new(1),
        }
    }
}

/// The people who joined in one period, and how many of them were active
/// in each period from it to the end of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub period: NaiveDate,
    pub frequency: Frequency,
    /// Joined in the period.
    pub size: i64,
    /// (period, active of the cohort, active ÷ size, 0 for an empty cohort).
    pub data: Vec<(NaiveDate, i64, f64)>,
}

/// One cohort per period of `window`.
pub async fn retention(db: &Db, window: Window, frequency: Frequency) -> Result<Vec<Cohort>, DomainError> {
    let periods: Vec<NaiveDate> = {
        let mut periods = vec![frequency.period_of(window.from)];
        while let Some(&last) = periods.last()
            && frequency.next(last) <= window.to
        {
            periods.push(frequency.next(last));
        }
        periods
    };
    let start = periods[0];
    Ok(db
        .read(move |conn| {
            let mut cohorts: BTreeMap<NaiveDate, Vec<i64>> = periods.iter().map(|p| (*p, Vec::new())).collect();
            for member in db::local_members(conn)? {
                let joined = member.created_at.date();
                if (start..=window.to).contains(&joined) {
                    cohorts.entry(frequency.period_of(joined)).or_default().push(member.account_id);
                }
            }
            let members: Vec<i64> = cohorts.values().flatten().copied().collect();
            let mut active_in: HashSet<(i64, NaiveDate)> = HashSet::new();
            for (account, day) in db::active_days_of(conn, &members, start, window.to)? {
                if let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                    active_in.insert((account, frequency.period_of(day)));
                }
            }
            Ok::<_, DbError>(
                cohorts
                    .into_iter()
                    .map(|(period, accounts)| {
                        let size = accounts.len() as i64;
                        let data = periods
                            .iter()
                            .filter(|later| **later >= period)
                            .map(|&later| {
                                let value =
                                    accounts.iter().filter(|a| active_in.contains(&(**a, later))).count() as i64;
                                let rate = if size == 0 { 0.0 } else { value as f64 / size as f64 };
                                (later, value, rate)
                            })
                            .collect();
                        Cohort { period, frequency, size, data }
                    })
                    .collect(),
            )
        })
        .await?)
}
