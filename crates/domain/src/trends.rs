//! Trends over a sliding window of the last days: the tags most people
//! use, and the statuses with the most favourites and boosts. Moderators
//! approve or reject tags and statuses as trends (docs/moderation.md,
//! "Trends").

use std::collections::{HashMap, HashSet};
use tertulia_core::visibility::Visibility;

use chrono::Utc;
use tertulia_core::Id;
use tertulia_db::statuses::{StatusRow, TagRow, TrendReviews};
use tertulia_db::tags::TrendReviewRow;
use tertulia_db::{Db, DbConn, DbError, statuses, tags as tag_queries};

use crate::DomainError;
use crate::audit::{self, Actor, Target};
use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::tags::{self, COUNTED_VISIBILITIES, TagView};
use crate::visibility::Viewer;

/// Which slice of a trend list to return.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// A moderator's decision on a hashtag or status as a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approved,
    Rejected,
    Unreviewed,
}

impl Review {
    /// `trendable`: the decision, if a moderator made one.
    fn decided(trendable: Option<bool>) -> Review {
        match trendable {
            None => Review::Unreviewed,
            Some(true) => Review::Approved,
            Some(false) => Review::Rejected,
        }
    }

    fn of(row: &TrendReviewRow) -> Review {
        Review::decided(row.reviewed_at.map(|_| row.trendable))
    }

    /// Whether a tag or status may appear in the public trends. `require_review` is
    /// `[trends] require_review`: then an unreviewed tag waits for approval.
    pub fn may_trend(self, require_review: bool) -> bool {
        match self {
            Review::Approved => true,
            Review::Rejected => false,
            Review::Unreviewed => !require_review,
        }
    }
}

/// A tag as moderators see it.
#[derive(Debug, Clone)]
pub struct ReviewedTag {
    pub tag: TagView,
    pub review: Review,
    /// Whether people may post with it.
    pub usable: bool,
}

/// Tags used by the most distinct accounts in the window (ties: most
/// uses, then name) that may trend publicly, with their history.
pub async fn tags(db: &Db, viewer: Viewer, window: Window, require_review: bool) -> Result<Vec<TagView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let ranked = ranked_tags(conn)?;
            let reviews = reviews(conn, &ranked)?;
            let trending = ranked.into_iter().filter(|tag| reviews[&tag.id].0.may_trend(require_review));
            tags::build(conn, viewer, page(trending, window))
        })
        .await?)
}

/// The tags in use in the window, ranked as in [`tags`] but whatever their
/// review, for moderators to approve or reject.
pub async fn tags_for_review(db: &Db, viewer: Viewer, window: Window) -> Result<Vec<ReviewedTag>, DomainError> {
    Ok(db
        .run(move |conn| {
            let ranked = page(ranked_tags(conn)?.into_iter(), window);
            reviewed(conn, viewer, ranked)
        })
        .await?)
}

/// A moderator approves (`approve`) or rejects a tag as a trend; audited.
pub async fn review_tag(
    db: &Db,
    actor: &Actor,
    viewer: Viewer,
    id: Id,
    approve: bool,
) -> Result<ReviewedTag, DomainError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let tag = tag_queries::review_trend(conn, id.0, approve, tertulia_db::now())?
            .ok_or_else(|| DomainError::NotFound("tag".into()))?;
        let action = if approve { "approve" } else { "reject" };
        audit::record(conn, &actor, action, &Target::new("tag", id, format!("#{}", tag.name)))?;
        Ok::<_, DomainError>(reviewed(conn, viewer, vec![tag])?.remove(0))
    })
    .await
}

/// Every tag used in the window, most distinct accounts first (ties: most
/// uses, then name).
fn ranked_tags(conn: &mut DbConn) -> Result<Vec<TagRow>, DbError> {
    let uses = tag_queries::uses_since(conn, None, COUNTED_VISIBILITIES, tags::window_start(Utc::now()))?;
    let mut per_tag: HashMap<i64, (HashSet<i64>, usize)> = HashMap::new();
    for (tag, account, _) in uses {
        let entry = per_tag.entry(tag).or_default();
        entry.0.insert(account);
        entry.1 += 1;
    }
    let found = tag_queries::find_many(conn, &per_tag.keys().copied().collect::<Vec<_>>())?;
    let mut ranked: Vec<_> = found
        .into_iter()
        .map(|tag| {
            let (accounts, uses) = per_tag.get(&tag.id).map_or((0, 0), |(a, n)| (a.len(), *n));
            (accounts, uses, tag)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.name.cmp(&b.2.name)));
    Ok(ranked.into_iter().map(|(_, _, tag)| tag).collect())
}

fn page<T>(ranked: impl Iterator<Item = T>, window: Window) -> Vec<T> {
    ranked.skip(usize::try_from(window.offset).unwrap_or(0)).take(usize::try_from(window.limit).unwrap_or(0)).collect()
}

/// Each tag's review and whether it is usable, by tag id.
fn reviews(conn: &mut DbConn, rows: &[TagRow]) -> Result<HashMap<i64, (Review, bool)>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|tag| tag.id).collect();
    Ok(tag_queries::trend_reviews(conn, &ids)?.iter().map(|row| (row.id, (Review::of(row), row.usable))).collect())
}

fn reviewed(conn: &mut DbConn, viewer: Viewer, rows: Vec<TagRow>) -> Result<Vec<ReviewedTag>, DbError> {
    let reviews = reviews(conn, &rows)?;
    Ok(tags::build(conn, viewer, rows)?
        .into_iter()
        .map(|tag| {
            let (review, usable) = reviews[&tag.id.0];
            ReviewedTag { tag, review, usable }
        })
        .collect())
}

/// Public statuses of the window with the most favourites plus boosts
/// that may trend publicly: the rule of [`Review::may_trend`], applied by
/// the query so that the page is cut after it.
pub async fn statuses(
    db: &Db,
    viewer: Viewer,
    window: Window,
    require_review: bool,
) -> Result<Vec<StatusView>, DomainError> {
    let reviews = if require_review { TrendReviews::Approved } else { TrendReviews::NotRejected };
    Ok(db
        .run(move |conn| {
            let ranked = ranked_statuses(conn, reviews, window)?;
            present::statuses(conn, viewer, ranked, Reading::Public)
        })
        .await?)
}

/// The statuses ranked as in [`statuses`] but whatever their review, for
/// moderators to approve or reject.
pub async fn statuses_for_review(db: &Db, viewer: Viewer, window: Window) -> Result<Vec<StatusView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let ranked = ranked_statuses(conn, TrendReviews::Any, window)?;
            present::statuses(conn, viewer, ranked, Reading::Public)
        })
        .await?)
}

/// A moderator approves (`approve`) or rejects a status as a trend; audited.
pub async fn review_status(
    db: &Db,
    actor: &Actor,
    viewer: Viewer,
    id: Id,
    approve: bool,
) -> Result<StatusView, DomainError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = statuses::find(conn, id.0)?;
        // Only a status the moderator can see may be reviewed.
        let view = present::statuses(conn, viewer, row.into_iter().collect(), Reading::Public)?
            .pop()
            .ok_or_else(|| DomainError::NotFound("status".into()))?;
        statuses::review_trend(conn, id.0, approve, tertulia_db::now())?;
        let action = if approve { "approve" } else { "reject" };
        audit::record(conn, &actor, action, &Target::new("status", id, view.url.clone()))?;
        Ok::<_, DomainError>(view)
    })
    .await
}

/// Every public status of the window with favourites or boosts, most of
/// both first.
fn ranked_statuses(conn: &mut DbConn, reviews: TrendReviews, window: Window) -> Result<Vec<StatusRow>, DbError> {
    let since = (Utc::now() - chrono::Duration::days(tags::HISTORY_DAYS)).naive_utc();
    statuses::most_engaged_since(conn, &[Visibility::Public], since, reviews, window.limit, window.offset)
}
