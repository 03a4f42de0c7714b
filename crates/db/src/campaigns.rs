//! Queries on `campaigns` and `campaign_ideas`. Which posts are ideas, and
//! how an idea's state may change, is decided in
//! `tertulia_domain::campaigns`.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamp};
use tertulia_core::visibility::Visibility;

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
    pub closed_at: Option<NaiveDateTime>,
    pub description: String,
    pub group_id: Option<i64>,
}

/// When the campaign `campaigns` ends: when it was closed early, else its
/// deadline (a campaign is closed only before its deadline, so this is the
/// earlier of the two). The one rule for what still counts: ideas written
/// and votes given before this moment.
const ENDS_AT: &str = "COALESCE(campaigns.closed_at, campaigns.deadline)";

fn ends_at() -> SqlLiteral<Timestamp> {
    sql(ENDS_AT)
}

/// The votes of the idea `statuses` in the campaign `campaigns`: its
/// favourites, plus the votes for the first option of its poll (the
/// option that backs the idea), each given before the campaign ended.
fn votes() -> SqlLiteral<BigInt> {
    sql(&format!(
        "((SELECT COUNT(*) FROM favourites \
            WHERE favourites.status_id = statuses.id AND favourites.created_at < {ENDS_AT}) \
        + (SELECT COUNT(*) FROM poll_votes JOIN polls ON polls.id = poll_votes.poll_id \
            WHERE polls.status_id = statuses.id AND poll_votes.choice = 0 \
            AND poll_votes.created_at < {ENDS_AT}))"
    ))
}

pub fn insert(conn: &mut DbConn, row: &CampaignRow) -> Result<(), DbError> {
    diesel::insert_into(campaigns::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<CampaignRow>, DbError> {
    Ok(campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).optional()?)
}

/// Which campaigns a list includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every campaign: for the site's signed-in staff.
    Staff,
    /// Those anyone may know of: a private group's campaigns are its
    /// members' business.
    Public,
}

/// The campaigns within `reach`, unless `Reach::Staff`: those of no group
/// or of a group anyone may join.
fn within(reach: Reach) -> campaigns::BoxedQuery<'static, <DbConn as Connection>::Backend> {
    let query = campaigns::table.into_boxed();
    match reach {
        Reach::Staff => query,
        Reach::Public => query.filter(sql::<Bool>(
            "(campaigns.group_id IS NULL \
             OR campaigns.group_id IN (SELECT accounts.id FROM accounts WHERE NOT accounts.locked))",
        )),
    }
}

/// The campaign `id`, if it is within `reach`.
pub fn find_within(conn: &mut DbConn, id: i64, reach: Reach) -> Result<Option<CampaignRow>, DbError> {
    Ok(within(reach).filter(campaigns::id.eq(id)).select(CampaignRow::as_select()).first(conn).optional()?)
}

/// The campaigns within `reach`, newest first.
pub fn all(conn: &mut DbConn, reach: Reach) -> Result<Vec<CampaignRow>, DbError> {
    Ok(within(reach).order(campaigns::id.desc()).select(CampaignRow::as_select()).load(conn)?)
}

/// The newest campaign on `tag` within `reach`: a hashtag may be used
/// again once its campaign has ended.
pub fn newest_on_tag(conn: &mut DbConn, tag: &str, reach: Reach) -> Result<Option<CampaignRow>, DbError> {
    Ok(within(reach)
        .filter(campaigns::tag.eq(tag.to_owned()))
        .order(campaigns::id.desc())
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()?)
}

/// The campaigns on one of `tags` that had not ended at `at`, with the
/// group each is limited to.
pub fn open_on_tags(conn: &mut DbConn, tags: &[String], at: NaiveDateTime) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    Ok(campaigns::table
        .filter(campaigns::tag.eq_any(tags))
        .filter(ends_at().gt(at))
        .select((campaigns::id, campaigns::group_id))
        .load(conn)?)
}

/// Changes what an organiser may edit.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    question: &str,
    description: &str,
    deadline: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(campaigns::table.find(id))
        .set((
            campaigns::question.eq(question),
            campaigns::description.eq(description),
            campaigns::deadline.eq(deadline),
        ))
        .execute(conn)?;
    Ok(())
}

/// Closes the campaign at `at`, or reopens it (`None`) until `deadline`.
pub fn set_closed(
    conn: &mut DbConn,
    id: i64,
    at: Option<NaiveDateTime>,
    deadline: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(campaigns::table.find(id))
        .set((campaigns::closed_at.eq(at), campaigns::deadline.eq(deadline)))
        .execute(conn)?;
    Ok(())
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

/// An idea as ranked: its post, state and votes.
pub type RankedIdea = (StatusRow, IdeaState, i64);

/// A window of the campaign's ideas that are not deleted and have one of
/// the `shown` visibilities, most voted first (newest first among equals),
/// each with its state and votes.
pub fn ranked_ideas(
    conn: &mut DbConn,
    campaign_id: i64,
    shown: &[Visibility],
    offset: i64,
    limit: i64,
) -> Result<Vec<RankedIdea>, DbError> {
    Ok(campaign_ideas::table
        .inner_join(statuses::table)
        .inner_join(campaigns::table)
        .filter(campaign_ideas::campaign_id.eq(campaign_id))
        .filter(statuses::deleted_at.is_null())
        .filter(statuses::visibility.eq_any(shown.to_vec()))
        .order((votes().desc(), statuses::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((StatusRow::as_select(), campaign_ideas::state, votes()))
        .load(conn)?)
}

/// The votes of one idea of the campaign (0 if it is none).
pub fn votes_of(conn: &mut DbConn, campaign_id: i64, status_id: i64) -> Result<i64, DbError> {
    let found = campaign_ideas::table
        .inner_join(statuses::table)
        .inner_join(campaigns::table)
        .filter(campaign_ideas::campaign_id.eq(campaign_id))
        .filter(campaign_ideas::status_id.eq(status_id))
        .select(votes())
        .first(conn)
        .optional()?;
    Ok(found.unwrap_or(0))
}
