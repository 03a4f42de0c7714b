//! Hashtags a user features on their profile, each with how often and how
//! recently the user posted with it.

use std::collections::HashMap;

use chrono::NaiveDate;
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::statuses::{self, TagRow};
use tertulia_db::{Db, DbConn, DbError, accounts, featured_tags, tags};

use crate::DomainError;
use crate::tags::{TagView, normalise};

/// Most tags one profile features (Mastodon's limit).
pub const MAX_FEATURED_TAGS: usize = 10;
/// Statuses that count towards a featured tag: those its profile shows to
/// anyone (Mastodon counts public and unlisted ones).
const COUNTED_VISIBILITIES: &[Visibility] = &[Visibility::Public, Visibility::Unlisted];
/// Recent statuses looked at for suggestions.
const SUGGESTION_WINDOW: i64 = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct FeaturedTagView {
    pub id: Id,
    pub name: String,
    /// The profile page of the account that features it.
    pub account_url: String,
    pub statuses_count: i64,
    pub last_status_at: Option<NaiveDate>,
}

fn views(conn: &mut DbConn, account: i64, rows: Vec<(i64, TagRow)>) -> Result<Vec<FeaturedTagView>, DbError> {
    let Some(owner) = accounts::find(conn, account)? else {
        return Ok(Vec::new());
    };
    let owner = crate::AccountView::from(owner);
    let tag_ids: Vec<i64> = rows.iter().map(|(_, tag)| tag.id).collect();
    let usage: HashMap<i64, (i64, Option<chrono::NaiveDateTime>)> =
        featured_tags::usage(conn, account, &tag_ids, COUNTED_VISIBILITIES)?
            .into_iter()
            .map(|(tag, count, last)| (tag, (count, last)))
            .collect();
    Ok(rows
        .into_iter()
        .map(|(id, tag)| {
            let (count, last) = usage.get(&tag.id).copied().unwrap_or((0, None));
            FeaturedTagView {
                id: Id(id),
                name: tag.display_name,
                account_url: owner.url.clone(),
                statuses_count: count,
                last_status_at: last.map(|at| at.date()),
            }
        })
        .collect())
}

/// The tags `account` features, oldest first.
pub async fn of_account(db: &Db, account: Id) -> Result<Vec<FeaturedTagView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let rows = featured_tags::of_account(conn, account.0)?;
            views(conn, account.0, rows)
        })
        .await?)
}

/// Features the tag `name` (created if no one used it yet).
pub async fn feature(db: &Db, account: Id, name: &str) -> Result<FeaturedTagView, DomainError> {
    let typed = name.trim().trim_start_matches('#').to_owned();
    let name = normalise(&typed)?;
    // A new tag keeps the case the user typed, for display.
    let display = if typed.to_lowercase() == name { typed } else { name.clone() };
    db.write(move |conn| {
        let tag_id = tags::find_or_create(conn, &name, &display, tertulia_db::now())?;
        let current = featured_tags::of_account(conn, account.0)?;
        if !current.iter().any(|(_, t)| t.id == tag_id) && current.len() >= MAX_FEATURED_TAGS {
            return Err(DomainError::invalid(
                "name",
                format!("you can feature at most {MAX_FEATURED_TAGS} hashtags; remove one first"),
            ));
        }
        let id = featured_tags::insert(conn, account.0, tag_id, tertulia_db::now())?;
        let rows = featured_tags::of_account(conn, account.0)?.into_iter().filter(|(key, _)| *key == id).collect();
        Ok(views(conn, account.0, rows)?.remove(0))
    })
    .await
}

/// Stops featuring, by the featured tag's id.
pub async fn unfeature(db: &Db, account: Id, id: Id) -> Result<(), DomainError> {
    if db.write(move |conn| featured_tags::delete(conn, account.0, id.0)).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound("featured tag".into()))
    }
}

/// `POST /api/v1/tags/:name/feature` (`on`) and `/unfeature`: the tag,
/// as the user now sees it.
pub async fn set_by_name(db: &Db, account: Id, name: &str, on: bool) -> Result<TagView, DomainError> {
    if on {
        feature(db, account, name).await?;
    } else {
        let name = normalise(name)?;
        db.write(move |conn| {
            if let Some(tag) = statuses::find_tags(conn, &[name])?.first() {
                featured_tags::delete_tag(conn, account.0, tag.id)?;
            }
            Ok::<_, DbError>(())
        })
        .await?;
    }
    crate::tags::get(db, Some(account.0), name).await
}

/// Tags the account used most lately and does not feature yet.
pub async fn suggestions(db: &Db, account: Id) -> Result<Vec<TagView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let featured: Vec<i64> =
                featured_tags::of_account(conn, account.0)?.into_iter().map(|(_, t)| t.id).collect();
            let used = featured_tags::most_used(conn, account.0, SUGGESTION_WINDOW, MAX_FEATURED_TAGS as i64 * 2)?;
            let rows: Vec<TagRow> = used
                .into_iter()
                .map(|(tag, _)| tag)
                .filter(|tag| !featured.contains(&tag.id))
                .take(MAX_FEATURED_TAGS)
                .collect();
            crate::tags::build(conn, Some(account.0), rows)
        })
        .await?)
}
