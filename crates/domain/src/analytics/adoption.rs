//! Adoption in the terms of Workplace and Viva Engage: of the people of this
//! site, per site, department or office (their profile fields) or per
//! hashtag, how many were active and engaged over the last 7, 30, 90 or
//! 180 days, how many are monthly actives and how many are habitual.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use tertulia_db::analytics as db;
use tertulia_db::{Db, DbConn, DbError};

use super::rollup::metric;
use super::{HABITUAL_DAYS, MONTH_DAYS, Window};
use crate::DomainError;
use crate::ProfileField;
use crate::error::Invalidity;

/// The ranges offered, in days (those of Workplace's and Viva Engage's reports).
pub const RANGES: &[i64] = &[7, 30, 90, 180];
/// The group of people whose profile lacks the field grouped by.
pub const NOT_SET: &str = "(not set)";
/// The one group when nothing is grouped by.
pub const EVERYONE: &str = "everyone";

/// What people are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Everyone,
    /// The profile field `Site`.
    Site,
    /// The profile field `Department`.
    Department,
    /// The profile field `Office`.
    Office,
    /// The hashtags they posted with in the range.
    Tag,
}

impl Grouping {
    pub const NAMES: &str = "site, department, office, tag";

    /// `by` as a client sends it; none groups nobody apart.
    pub fn parse(by: Option<&str>) -> Result<Grouping, DomainError> {
        Ok(match by.map(str::trim).unwrap_or_default() {
            "" => Grouping::Everyone,
            "site" => Grouping::Site,
            "department" => Grouping::Department,
            "office" => Grouping::Office,
            "tag" => Grouping::Tag,
            other => {
                return Err(DomainError::invalid_as(
                    Invalidity::Inclusion,
                    "by",
                    format!("'{other}' is not one of {}", Grouping::NAMES),
                ));
            }
        })
    }

    /// The profile field it reads, matched without regard to case.
    fn field(self) -> Option<&'static str> {
        match self {
            Grouping::Site => Some("Site"),
            Grouping::Department => Some("Department"),
            Grouping::Office => Some("Office"),
            Grouping::Everyone | Grouping::Tag => None,
        }
    }
}

/// The group of an account with profile fields `fields` (JSON).
pub(crate) fn group_of(fields: &str, grouping: Grouping) -> String {
    let Some(name) = grouping.field() else {
        return EVERYONE.to_owned();
    };
    let fields: Vec<ProfileField> = serde_json::from_str(fields).unwrap_or_default();
    fields
        .into_iter()
        .find(|f| f.name.trim().eq_ignore_ascii_case(name))
        .map(|f| f.value.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| NOT_SET.to_owned())
}

/// One group's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub group: String,
    /// People in the group (for hashtags: who posted with it in the range).
    pub members: i64,
    /// Active at least once in the range.
    pub active: i64,
    /// Engaged at least once in the range.
    pub engaged: i64,
    /// Active at least once in the last 28 days.
    pub monthly_active: i64,
    /// Active on 10 or more of the last 28 days.
    pub habitual: i64,
}

/// Adoption over the last `range` days up to `today`, per group, biggest first.
pub async fn adoption(db: &Db, range: i64, grouping: Grouping, today: NaiveDate) -> Result<Vec<Row>, DomainError> {
    check_range(range)?;
    let window = Window::ending(today, range);
    let month = Window::ending(today, MONTH_DAYS);
    Ok(db.read(move |conn| rows(conn, window, month, grouping)).await?)
}

/// Refuses a range that is not one of [`RANGES`].
pub(crate) fn check_range(range: i64) -> Result<(), DomainError> {
    if RANGES.contains(&range) {
        return Ok(());
    }
    let ranges = RANGES.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    Err(DomainError::invalid_as(Invalidity::Inclusion, "range", format!("'{range}' is not one of {ranges} (days)")))
}

/// Adoption over `window` (monthly actives over `month`), per group.
pub(super) fn rows(conn: &mut DbConn, window: Window, month: Window, grouping: Grouping) -> Result<Vec<Row>, DbError> {
    let days_of = |conn: &mut DbConn, window: Window, engaged: bool| -> Result<HashMap<i64, i64>, DbError> {
        Ok(db::active_days_per_account(conn, window.from, window.to, engaged)?.into_iter().collect())
    };
    let active = days_of(conn, window, false)?;
    let engaged = days_of(conn, window, true)?;
    let monthly = days_of(conn, month, false)?;
    let members = db::local_members(conn)?;
    let mut groups: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    if grouping == Grouping::Tag {
        let local: HashSet<i64> = members.iter().map(|m| m.account_id).collect();
        let mut users_of_tag: BTreeMap<i64, HashSet<i64>> = BTreeMap::new();
        for (_, tag, account, _) in db::counts_between(conn, metric::TAG_ACCOUNTS, None, window.from, window.to)? {
            if let (Ok(tag), Ok(account)) = (tag.parse::<i64>(), account.parse::<i64>())
                && local.contains(&account)
            {
                users_of_tag.entry(tag).or_default().insert(account);
            }
        }
        let ids: Vec<i64> = users_of_tag.keys().copied().collect();
        let names: HashMap<i64, String> = db::tag_names(conn, &ids)?.into_iter().collect();
        for (tag, accounts) in users_of_tag {
            let name = names.get(&tag).map_or_else(|| tag.to_string(), |name| format!("#{name}"));
            groups.entry(name).or_default().extend(accounts);
        }
    } else {
        for member in &members {
            groups.entry(group_of(&member.fields, grouping)).or_default().push(member.account_id);
        }
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(group, accounts)| {
            let count = |keep: &dyn Fn(i64) -> bool| accounts.iter().filter(|&&a| keep(a)).count() as i64;
            Row {
                members: accounts.len() as i64,
                active: count(&|a| active.contains_key(&a)),
                engaged: count(&|a| engaged.contains_key(&a)),
                monthly_active: count(&|a| monthly.contains_key(&a)),
                habitual: count(&|a| monthly.get(&a).is_some_and(|&days| days >= HABITUAL_DAYS)),
                group,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.members.cmp(&a.members).then_with(|| a.group.cmp(&b.group)));
    Ok(rows)
}
