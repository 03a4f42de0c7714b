//! The company-wide adoption table. Each site publishes its aggregate
//! counts ([`own_figures`]): numbers only, never a name or an id, and a
//! department or office only from `analytics.min_group_size` people up, so
//! personal data stays in each site's own reports. HQ (any site) pulls
//! them from the sites it follows ([`store_pull`]) and shows one row per
//! site next to its own ([`company_table`]). Definitions: docs/analytics.md.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use tertulia_db::analytics::{self as db, day_key};
use tertulia_db::site_adoption::{self as pulled, SiteDayRow};
use tertulia_db::{Db, DbConn, DbError};

use super::adoption::{self, Grouping, RANGES};
use super::rollup::metric;
use super::{MONTH_DAYS, Window};
use crate::{Context, DomainError};

/// Days a site publishes, up to its today: the longest range.
pub const PUBLISHED_DAYS: i64 = 180;

/// What a site publishes to the sites it federates with, and what they
/// store of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFigures {
    /// The publishing site.
    pub domain: String,
    /// Its `[site] name`.
    pub name: String,
    /// The day the figures end on (the site's today, UTC).
    pub as_of: NaiveDate,
    /// Departments and offices with fewer people are left out.
    pub min_group_size: u32,
    /// Local accounts that are not suspended.
    pub members: i64,
    /// Active on at least one of the last 28 days.
    pub monthly_active: i64,
    /// Active on 10 or more of the last 28 days.
    pub habitual: i64,
    /// Distinct people over each range ending on `as_of`.
    pub ranges: Vec<RangeFigures>,
    /// One entry per day of the last [`PUBLISHED_DAYS`], oldest first.
    pub days: Vec<DayFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeFigures {
    /// 7, 30, 90 or 180.
    pub days: i64,
    pub active: i64,
    pub engaged: i64,
    pub departments: Vec<GroupFigures>,
    pub offices: Vec<GroupFigures>,
}

/// A department or office of at least `min_group_size` people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFigures {
    pub name: String,
    pub members: i64,
    pub active: i64,
    pub engaged: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub active: i64,
    pub engaged: i64,
    pub new_users: i64,
    /// Posts and replies written on the site (boosts are interactions).
    pub statuses: i64,
    pub interactions: i64,
}

/// This site's figures as of `today`, from its own roll-ups.
pub async fn own_figures(ctx: &Context, today: NaiveDate) -> Result<SiteFigures, DomainError> {
    let (domain, name) = (ctx.config.domain.clone(), ctx.config.site.name.clone());
    let min_group_size = ctx.config.analytics.min_group_size;
    Ok(ctx
        .db
        .read(move |conn| {
            let month = Window::ending(today, MONTH_DAYS);
            // Groups below the threshold are left out: few enough people
            // that a count could name one of them.
            let groups = |conn: &mut DbConn, window, grouping| -> Result<Vec<GroupFigures>, DbError> {
                let rows = adoption::rows(conn, window, month, grouping)?;
                Ok(rows
                    .into_iter()
                    .filter(|row| row.members >= i64::from(min_group_size))
                    .map(|row| GroupFigures {
                        name: row.group,
                        members: row.members,
                        active: row.active,
                        engaged: row.engaged,
                    })
                    .collect())
            };
            // Members, monthly actives and habitual users do not depend on
            // the range: any range's row of everyone gives them.
            let mut everyone = adoption::Row::default();
            let mut ranges = Vec::new();
            for &days in RANGES {
                let window = Window::ending(today, days);
                everyone =
                    adoption::rows(conn, window, month, Grouping::Everyone)?.into_iter().next().unwrap_or_default();
                ranges.push(RangeFigures {
                    days,
                    active: everyone.active,
                    engaged: everyone.engaged,
                    departments: groups(conn, window, Grouping::Department)?,
                    offices: groups(conn, window, Grouping::Office)?,
                });
            }
            Ok(SiteFigures {
                days: own_days(conn, Window::ending(today, PUBLISHED_DAYS), &domain)?,
                domain: domain.clone(),
                name: name.clone(),
                as_of: today,
                min_group_size,
                members: everyone.members,
                monthly_active: everyone.monthly_active,
                habitual: everyone.habitual,
                ranges,
            })
        })
        .await?)
}

/// Each day of `window` from the roll-ups.
fn own_days(conn: &mut DbConn, window: Window, here: &str) -> Result<Vec<DayFigures>, DbError> {
    let per_day = |rows: Vec<(String, i64)>| rows.into_iter().collect::<BTreeMap<String, i64>>();
    let summed = |conn: &mut DbConn, metric: &str, subject: Option<&str>| -> Result<BTreeMap<String, i64>, DbError> {
        let mut sums = BTreeMap::new();
        for (day, _, _, value) in db::counts_between(conn, metric, subject, window.from, window.to)? {
            *sums.entry(day).or_default() += value;
        }
        Ok(sums)
    };
    let active = per_day(db::active_per_day(conn, window.from, window.to, false)?);
    let engaged = per_day(db::active_per_day(conn, window.from, window.to, true)?);
    let new_users = summed(conn, metric::NEW_USERS, None)?;
    let statuses = summed(conn, metric::SITES, Some(here))?;
    let interactions = summed(conn, metric::INTERACTIONS, None)?;
    Ok(window
        .days()
        .map(|date| {
            let key = day_key(date);
            let of = |figures: &BTreeMap<String, i64>| figures.get(&key).copied().unwrap_or(0);
            DayFigures {
                date,
                active: of(&active),
                engaged: of(&engaged),
                new_users: of(&new_users),
                statuses: of(&statuses),
                interactions: of(&interactions),
            }
        })
        .collect())
}

/// Why a site's figures could not be pulled, in words for its admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullFailure {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("bad document: {0}")]
    BadDocument(String),
}

/// A site's published document, fetched from `domain`, checked.
pub fn read_published(document: serde_json::Value, domain: &str) -> Result<SiteFigures, PullFailure> {
    let figures: SiteFigures = serde_json::from_value(document)
        .map_err(|error| PullFailure::BadDocument(format!("not the adoption figures Tertulia publishes: {error}")))?;
    if !figures.domain.eq_ignore_ascii_case(domain) {
        return Err(PullFailure::BadDocument(format!("{domain} sent the figures of {}", figures.domain)));
    }
    if figures.days.len() as i64 > PUBLISHED_DAYS {
        return Err(PullFailure::BadDocument(format!(
            "{} days sent; a site publishes at most {PUBLISHED_DAYS}",
            figures.days.len()
        )));
    }
    let counts = [figures.members, figures.monthly_active, figures.habitual].into_iter();
    let ranges = figures.ranges.iter().flat_map(|r| [r.active, r.engaged]);
    let days = figures.days.iter().flat_map(|d| [d.active, d.engaged, d.new_users, d.statuses, d.interactions]);
    if counts.chain(ranges).chain(days).any(|count| count < 0) {
        return Err(PullFailure::BadDocument("a count is negative".into()));
    }
    Ok(figures)
}

/// Stores the outcome of pulling `domain`: its figures, or why it failed
/// (what an earlier pull brought then stays, shown with the error).
pub async fn store_pull(
    db: &Db,
    domain: &str,
    outcome: Result<SiteFigures, PullFailure>,
    now: NaiveDateTime,
) -> Result<(), DomainError> {
    let domain = domain.to_owned();
    match outcome {
        Ok(mut figures) => {
            let rows: Vec<SiteDayRow> = std::mem::take(&mut figures.days)
                .into_iter()
                .map(|day| SiteDayRow {
                    domain: domain.clone(),
                    day: day_key(day.date),
                    active: day.active,
                    engaged: day.engaged,
                    new_users: day.new_users,
                    statuses: day.statuses,
                    interactions: day.interactions,
                })
                .collect();
            let summary = serde_json::to_string(&figures).map_err(|e| DomainError::Internal(e.to_string()))?;
            db.write(move |conn| pulled::store_pulled(conn, &domain, &rows, &summary, now)).await?;
        }
        Err(failure) => {
            let error = failure.to_string();
            db.write(move |conn| pulled::store_failure(conn, &domain, &error, now)).await?;
        }
    }
    Ok(())
}

/// Forgets the pulls of sites other than `followed` (no longer followed).
pub async fn forget_pulls_except(db: &Db, followed: Vec<String>) -> Result<(), DomainError> {
    db.write(move |conn| pulled::forget_except(conn, &followed)).await?;
    Ok(())
}

/// One site's figures over a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub members: i64,
    pub active: i64,
    pub engaged: i64,
    pub new_users: i64,
    pub statuses: i64,
    pub interactions: i64,
    pub monthly_active: i64,
    pub habitual: i64,
}

impl Totals {
    /// `figures` over the last `range` days up to its `as_of`.
    fn of(figures: &SiteFigures, days: &[DayFigures], range: i64) -> Totals {
        let window = Window::ending(figures.as_of, range);
        let days: Vec<&DayFigures> = days.iter().filter(|d| d.date >= window.from && d.date <= window.to).collect();
        let sum = |count: fn(&DayFigures) -> i64| days.iter().map(|d| count(d)).sum();
        let over_range = figures.ranges.iter().find(|r| r.days == range);
        Totals {
            members: figures.members,
            active: over_range.map_or(0, |r| r.active),
            engaged: over_range.map_or(0, |r| r.engaged),
            new_users: sum(|d| d.new_users),
            statuses: sum(|d| d.statuses),
            interactions: sum(|d| d.interactions),
            monthly_active: figures.monthly_active,
            habitual: figures.habitual,
        }
    }

    fn add(&mut self, other: &Totals) {
        self.members += other.members;
        self.active += other.active;
        self.engaged += other.engaged;
        self.new_users += other.new_users;
        self.statuses += other.statuses;
        self.interactions += other.interactions;
        self.monthly_active += other.monthly_active;
        self.habitual += other.habitual;
    }
}

/// One row of the company-wide table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    pub domain: String,
    /// The site's name; its domain until a pull worked.
    pub name: String,
    /// `None` until a pull of the site worked.
    pub totals: Option<Totals>,
    /// The last day the figures cover.
    pub as_of: Option<NaiveDate>,
    /// When the figures were pulled; `None` for this site (read live).
    pub pulled_at: Option<NaiveDateTime>,
    /// Why the last pull failed; the figures are then those of an earlier one.
    pub error: Option<String>,
}

/// Every site over a range: this one first, then the pulled ones by domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyTable {
    pub range: i64,
    pub sites: Vec<SiteRow>,
    /// The sum of every site's figures (each person belongs to one site).
    pub totals: Totals,
}

/// The company-wide table over the last `range` days up to `today`.
pub async fn company_table(ctx: &Context, range: i64, today: NaiveDate) -> Result<CompanyTable, DomainError> {
    adoption::check_range(range)?;
    let own = own_figures(ctx, today).await?;
    let mut sites = vec![SiteRow {
        domain: own.domain.clone(),
        name: own.name.clone(),
        totals: Some(Totals::of(&own, &own.days, range)),
        as_of: Some(own.as_of),
        pulled_at: None,
        error: None,
    }];
    let pulled = ctx.db.read(move |conn| pulled_rows(conn, range)).await?;
    sites.extend(pulled);
    let mut totals = Totals::default();
    for site in &sites {
        if let Some(figures) = &site.totals {
            totals.add(figures);
        }
    }
    Ok(CompanyTable { range, sites, totals })
}

/// A row per site ever pulled (and still followed), by domain.
fn pulled_rows(conn: &mut DbConn, range: i64) -> Result<Vec<SiteRow>, DbError> {
    let mut rows = Vec::new();
    for pull in pulled::all_pulls(conn)? {
        // A summary this site wrote itself reads back; one that does not
        // (written by another version) counts as never pulled.
        let figures = pull.summary.as_deref().and_then(|s| serde_json::from_str::<SiteFigures>(s).ok());
        let (name, totals, as_of) = match figures {
            Some(figures) => {
                let window = Window::ending(figures.as_of, range);
                let days: Vec<DayFigures> = pulled::days_of(conn, &pull.domain, window.from, window.to)?
                    .into_iter()
                    .filter_map(day_figures)
                    .collect();
                (figures.name.clone(), Some(Totals::of(&figures, &days, range)), Some(figures.as_of))
            }
            None => (pull.domain.clone(), None, None),
        };
        rows.push(SiteRow { domain: pull.domain, name, totals, as_of, pulled_at: pull.pulled_at, error: pull.error });
    }
    Ok(rows)
}

fn day_figures(row: SiteDayRow) -> Option<DayFigures> {
    Some(DayFigures {
        date: NaiveDate::parse_from_str(&row.day, "%Y-%m-%d").ok()?,
        active: row.active,
        engaged: row.engaged,
        new_users: row.new_users,
        statuses: row.statuses,
        interactions: row.interactions,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn document() -> Value {
        json!({
            "domain": "es.acme.example", "name": "ACME Spain", "as_of": "2026-12-07", "min_group_size": 5,
            "members": 12, "monthly_active": 9, "habitual": 3,
            "ranges": [{"days": 7, "active": 8, "engaged": 4, "departments": [], "offices": []}],
            "days": [{"date": "2026-12-07", "active": 7, "engaged": 3, "new_users": 1, "statuses": 5,
                      "interactions": 6}],
        })
    }

    fn refusal(document: Value) -> String {
        read_published(document, "es.acme.example").unwrap_err().to_string()
    }

    #[test]
    fn a_published_document_reads_back_and_sums_over_its_range() {
        let figures = read_published(document(), "ES.acme.example").unwrap();
        let totals = Totals::of(&figures, &figures.days, 7);
        let expected = Totals {
            members: 12,
            active: 8,
            engaged: 4,
            new_users: 1,
            statuses: 5,
            interactions: 6,
            monthly_active: 9,
            habitual: 3,
        };
        assert_eq!(totals, expected);
    }

    #[test]
    fn another_site_s_figures_negative_counts_and_other_documents_are_bad_documents() {
        let mut other = document();
        other["domain"] = json!("mx.acme.example");
        assert_eq!(refusal(other), "bad document: es.acme.example sent the figures of mx.acme.example");
        let mut negative = document();
        negative["days"][0]["statuses"] = json!(-1);
        assert_eq!(refusal(negative), "bad document: a count is negative");
        let message = refusal(json!({"type": "Application", "id": "https://es.acme.example/actor"}));
        assert!(message.starts_with("bad document: not the adoption figures Tertulia publishes"), "{message}");
    }
}
