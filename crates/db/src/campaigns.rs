//! Queries on `campaigns` and `campaign_ideas`. Which posts are ideas, and
//! how an idea's state may change, is decided in
//! `tertulia_domain::campaigns`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{campaign_ideas, campaigns, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// Where an idea stands: moderators move it along.
    pub enum IdeaState("idea state") {
        New = "new",
        UnderReview = "under_review",
        Accepted = "accepted",
        Done = "done",
        Declined = "declined",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: i64,
    pub tag: String,
    pub question: String,
    pub deadline: NaiveDateTime,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &CampaignRow) -> Result<(), DbError> {
    diesel::insert_into(campaigns::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<CampaignRow>, DbError> {
    Ok(campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).optional()?)
}

/// Every campaign, newest first.
pub fn all(conn: &mut DbConn) -> Result<Vec<CampaignRow>, DbError> {
    Ok(campaigns::table.order(campaigns::id.desc()).select(CampaignRow::as_select()).load(conn)?)
}

/// The campaigns on one of `tags` whose deadline is after `at`.
pub fn open_on_tags(conn: &mut DbConn, tags: &[String], at: NaiveDateTime) -> Result<Vec<i64>, DbError> {
    Ok(campaigns::table
        .filter(campaigns::tag.eq_any(tags))
        .filter(campaigns::deadline.gt(at))
        .select(campaigns::id)
        .load(conn)?)
}

/// Makes the status an idea of the campaign, as `new`, unless it is one.
pub fn add_idea(conn: &mut DbConn, campaign_id: i64, status_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    if state_of(conn, campaign_id, status_id)?.is_none() {
        diesel::insert_into(campaign_ideas::table)
            .values((
                campaign_ideas::campaign_id.eq(campaign_id),
                campaign_ideas::status_id.eq(status_id),
                campaign_ideas::state.eq(IdeaState::New),
                campaign_ideas::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The state of the idea, `None` if the status is not an idea of it.
pub fn state_of(conn: &mut DbConn, campaign_id: i64, status_id: i64) -> Result<Option<IdeaState>, DbError> {
    Ok(campaign_ideas::table
        .find((campaign_id, status_id))
        .select(campaign_ideas::state)
        .first::<IdeaState>(conn)
        .optional()?)
}

pub fn set_state(
    conn: &mut DbConn,
    campaign_id: i64,
    status_id: i64,
    state: IdeaState,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(campaign_ideas::table.find((campaign_id, status_id)))
        .set((campaign_ideas::state.eq(state), campaign_ideas::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// A window of the campaign's ideas that are not deleted, most favourited
/// first (newest first among equals), each with its state.
pub fn ranked_ideas(
    conn: &mut DbConn,
    campaign_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<(StatusRow, IdeaState)>, DbError> {
    Ok(campaign_ideas::table
        .inner_join(statuses::table)
        .filter(campaign_ideas::campaign_id.eq(campaign_id))
        .filter(statuses::deleted_at.is_null())
        .order((statuses::favourites_count.desc(), statuses::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((StatusRow::as_select(), campaign_ideas::state))
        .load(conn)?)
}
