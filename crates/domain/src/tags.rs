//! Hashtags: their recent use, and following them (statuses with a
//! followed tag reach the follower's home timeline).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use tertulia_core::visibility::Visibility;
use tertulia_core::{Id, text};
use tertulia_db::page::Page;
use tertulia_db::statuses::{self, TagRow};
use tertulia_db::{Db, DbConn, DbError, featured_tags, tags};

use crate::DomainError;
use crate::visibility::Viewer;

/// Days of history shown for a tag, today included.
pub const HISTORY_DAYS: i64 = 7;
/// Statuses whose use of a tag counts towards its history and trends:
/// those anyone on the site may read.
pub(crate) const COUNTED_VISIBILITIES: &[Visibility] = &[Visibility::Public, Visibility::Local];

/// Use of a tag on one day (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct DayUse {
    pub day: NaiveDate,
    pub uses: i64,
    pub accounts: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagView {
    pub id: Id,
    /// Lower-cased.
    pub name: String,
    /// Newest day first.
    pub history: Vec<DayUse>,
    /// Whether the viewer follows it; `None` without a viewer.
    pub following: Option<bool>,
    /// Whether the viewer features it on their profile; `None` without a viewer.
    pub featuring: Option<bool>,
}

/// The start of the history window: midnight UTC, `HISTORY_DAYS - 1` days ago.
pub(crate) fn window_start(now: DateTime<Utc>) -> NaiveDateTime {
    (now.date_naive() - Duration::days(HISTORY_DAYS - 1)).and_time(chrono::NaiveTime::MIN)
}

/// Per-day history of each of `tag_ids` from uses (tag id, account,
/// posted at).
pub(crate) fn histories(
    now: DateTime<Utc>,
    tag_ids: &[i64],
    uses: &[(i64, i64, NaiveDateTime)],
) -> HashMap<i64, Vec<DayUse>> {
    let today = now.date_naive();
    let mut per_day: HashMap<(i64, NaiveDate), (i64, HashSet<i64>)> = HashMap::new();
    for (tag, account, at) in uses {
        let entry = per_day.entry((*tag, at.date())).or_default();
        entry.0 += 1;
        entry.1.insert(*account);
    }
    tag_ids
        .iter()
        .map(|&tag| {
            let days = (0..HISTORY_DAYS)
                .map(|back| {
                    let day = today - Duration::days(back);
                    let (uses, accounts) = per_day.get(&(tag, day)).map_or((0, 0), |(n, a)| (*n, a.len() as i64));
                    DayUse { day, uses, accounts }
                })
                .collect();
            (tag, days)
        })
        .collect()
}

/// Views for tags, with history and (for a viewer) whether they follow them.
pub(crate) fn build(conn: &mut DbConn, viewer: Viewer, rows: Vec<TagRow>) -> Result<Vec<TagView>, DbError> {
    let now = Utc::now();
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let uses = tags::uses_since(conn, Some(&ids), COUNTED_VISIBILITIES, window_start(now))?;
    let mut histories = histories(now, &ids, &uses);
    let followed: HashSet<i64> = match viewer {
        Some(viewer) => tags::following_among(conn, viewer, &ids)?.into_iter().collect(),
        None => HashSet::new(),
    };
    let featured: HashSet<i64> = match viewer {
        Some(viewer) => featured_tags::featured_among(conn, viewer, &ids)?.into_iter().collect(),
        None => HashSet::new(),
    };
    Ok(rows
        .into_iter()
        .map(|row| TagView {
            id: Id(row.id),
            history: histories.remove(&row.id).unwrap_or_default(),
            following: viewer.map(|_| followed.contains(&row.id)),
            featuring: viewer.map(|_| featured.contains(&row.id)),
            name: row.name,
        })
        .collect())
}

/// A valid tag name, lower-cased, or an error naming the problem.
pub(crate) fn normalise(name: &str) -> Result<String, DomainError> {
    let name = name.trim().trim_start_matches('#');
    match text::hashtags(&format!("#{name}")).as_slice() {
        [only] if only.chars().count() == name.chars().count() => Ok(only.clone()),
        _ => Err(DomainError::invalid("name", format!("'{name}' is not a valid hashtag"))),
    }
}

fn not_found() -> DomainError {
    DomainError::NotFound("tag".into())
}

/// A tag by name; not found if no one has used or followed it.
pub async fn get(db: &Db, viewer: Viewer, name: &str) -> Result<TagView, DomainError> {
    let name = normalise(name).map_err(|_| not_found())?;
    db.run(move |conn| {
        let rows = statuses::find_tags(conn, &[name])?;
        Ok::<_, DomainError>(build(conn, viewer, rows)?.pop())
    })
    .await?
    .ok_or_else(not_found)
}

/// Follows (`on`) or unfollows a tag; following creates it if needed.
pub async fn follow(db: &Db, account: Id, name: &str, on: bool) -> Result<TagView, DomainError> {
    let name = normalise(name)?;
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let tag_id = match statuses::find_tags(conn, std::slice::from_ref(&name))?.first() {
                Some(tag) => tag.id,
                None if on => tags::find_or_create(conn, &name, &name, tertulia_db::now())?,
                None => return Ok::<_, DomainError>(None),
            };
            if on {
                tags::follow(conn, account.0, tag_id, tertulia_db::now())?;
            } else {
                tags::unfollow(conn, account.0, tag_id)?;
            }
            let rows = tags::find_many(conn, &[tag_id])?;
            Ok(build(conn, Some(account.0), rows)?.pop())
        })
    })
    .await?
    .ok_or_else(not_found)
}

/// The tags an account follows, each keyed by the follow's id.
pub async fn followed(db: &Db, account: Id, page: Page) -> Result<Vec<(Id, TagView)>, DomainError> {
    db.run(move |conn| {
        let rows = tags::followed(conn, account.0, page)?;
        let keys: Vec<i64> = rows.iter().map(|(key, _)| *key).collect();
        let views = build(conn, Some(account.0), rows.into_iter().map(|(_, tag)| tag).collect())?;
        Ok(keys.into_iter().map(Id).zip(views).collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_counts_uses_and_distinct_accounts_per_day_newest_first() {
        let now = Utc::now();
        let today = now.naive_utc();
        let yesterday = today - Duration::days(1);
        let uses = [(1, 10, today), (1, 10, today), (1, 11, today), (1, 12, yesterday)];
        let history = histories(now, &[1], &uses).remove(&1).unwrap();
        assert_eq!(history.len(), HISTORY_DAYS as usize);
        assert_eq!((history[0].uses, history[0].accounts), (3, 2));
        assert_eq!((history[1].uses, history[1].accounts), (1, 1));
        assert_eq!(history[6].uses, 0);
    }

    #[test]
    fn tag_names_are_validated_and_lower_cased() {
        assert_eq!(normalise("#RustLang").unwrap(), "rustlang");
        assert!(normalise("two words").is_err());
        assert!(normalise("").is_err());
    }
}
