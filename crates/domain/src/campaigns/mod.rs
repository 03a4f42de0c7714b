//! Idea campaigns: an admin, or a group's moderator for their group, opens
//! a campaign (a hashtag, a question, a deadline); staff post ideas from
//! any client by using the hashtag; the favourites of an idea, and the
//! votes for the first option of its poll, are its votes; moderators move
//! each idea through its states and the author is told by a reply that
//! mentions them. A campaign ends at its deadline or when it is closed
//! early: later ideas and votes do not count.
//!
//! Which posts are ideas is decided by [`record`], called where every post
//! is stored, written here (`statuses::publish`, `statuses::edit`) or
//! arriving from another site (`remote::status_received`), as recognitions
//! are (`kudos`). Opening and changing campaigns: [`organise`].

mod organise;

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::campaigns::{self, CampaignRow};
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError, accounts};

pub use organise::{CampaignChange, NewCampaign, Organiser, close, create, reopen, update};
pub use tertulia_db::campaigns::IdeaState;
use tertulia_db::campaigns::Reach;

use crate::audit::{self, Target};
use crate::oauth::SessionUser;
use crate::present::{self, Reading};
use crate::statuses::{Checked, NewStatus, StatusView, publish};
use crate::visibility::Viewer;
use crate::{Context, DomainError};

#[derive(Debug, Clone)]
pub struct CampaignView {
    pub id: Id,
    /// Lower-case, without `#`.
    pub tag: String,
    pub question: String,
    pub description: String,
    pub deadline: DateTime<Utc>,
    /// When it was closed before its deadline.
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether new posts with the hashtag still become ideas and new votes
    /// count: neither closed nor past its deadline.
    pub open: bool,
    /// The group whose posts are the ideas; `None`: the whole site.
    pub group: Option<Id>,
    pub created_at: DateTime<Utc>,
}

impl From<CampaignRow> for CampaignView {
    fn from(row: CampaignRow) -> CampaignView {
        let open = is_open(&row);
        CampaignView {
            id: Id(row.id),
            tag: row.tag,
            question: row.question,
            description: row.description,
            deadline: row.deadline.and_utc(),
            closed_at: row.closed_at.map(|at| at.and_utc()),
            open,
            group: row.group_id.map(Id),
            created_at: row.created_at.and_utc(),
        }
    }
}

/// Whether the campaign still takes ideas and counts votes: neither closed
/// early nor past its deadline.
fn is_open(row: &CampaignRow) -> bool {
    row.closed_at.is_none() && row.deadline > tertulia_db::now()
}

/// An idea: its post, its state and its votes, counted up to the end of
/// the campaign (`tertulia_db::campaigns::ranked_ideas`).
#[derive(Debug, Clone)]
pub struct IdeaView {
    pub status: StatusView,
    pub state: IdeaState,
    pub votes: i64,
}

/// Makes the post `row` (with lower-cased `tags`, mentioning `mentioned`)
/// an idea of each campaign on one of its hashtags that had not ended when
/// it was written, in the caller's transaction; for a group's campaign,
/// only posts to the group (those that mention it) are ideas. Only public
/// and unlisted posts are ideas: the whole company may read and vote on
/// them. An edit that adds the hashtag counts from the time of the edit;
/// an edit never takes an idea away, so a moderator's decision on it stays.
pub(crate) fn record(conn: &mut DbConn, row: &StatusRow, tags: &[String], mentioned: &[i64]) -> Result<(), DbError> {
    let shown = matches!(row.visibility, Visibility::Public | Visibility::Unlisted);
    if !shown || tags.is_empty() || row.reblog_of_id.is_some() {
        return Ok(());
    }
    let written = row.edited_at.unwrap_or(row.created_at);
    let now = tertulia_db::now();
    for (campaign, group) in campaigns::open_on_tags(conn, tags, written)? {
        if group.is_none_or(|group| mentioned.contains(&group)) {
            campaigns::add_idea(conn, campaign, row.id, now)?;
        }
    }
    Ok(())
}

/// The campaigns `viewer` may know of: all of them for the site's staff,
/// only those outside private groups for anyone not signed in.
fn reach_of(viewer: Viewer) -> Reach {
    if viewer.is_some() { Reach::Staff } else { Reach::Public }
}

/// The campaigns `viewer` may know of, newest first.
pub async fn list(db: &Db, viewer: Viewer) -> Result<Vec<CampaignView>, DomainError> {
    let rows = db.read(move |conn| campaigns::all(conn, reach_of(viewer))).await?;
    Ok(rows.into_iter().map(CampaignView::from).collect())
}

/// The campaign, and a window of its ideas most voted first, those
/// `viewer` may see (the read pipeline decides).
pub async fn show(
    db: &Db,
    viewer: Viewer,
    id: Id,
    offset: i64,
    limit: i64,
) -> Result<(CampaignView, Vec<IdeaView>), DomainError> {
    let shown = [Visibility::Public, Visibility::Unlisted];
    let found = db
        .read(move |conn| match campaigns::find_within(conn, id.0, reach_of(viewer))? {
            Some(campaign) => ranking(conn, viewer, campaign, &shown, offset, limit).map(Some),
            None => Ok(None),
        })
        .await?;
    found.ok_or_else(not_found)
}

/// The newest campaign on `tag`, and a window of its public ideas most
/// voted first, as anyone may read them on the campaign's web page. A
/// private group's campaigns have no page.
pub async fn public_page(
    db: &Db,
    tag: &str,
    offset: i64,
    limit: i64,
) -> Result<(CampaignView, Vec<IdeaView>), DomainError> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    let found = db
        .read(move |conn| match campaigns::newest_on_tag(conn, &tag, reach_of(None))? {
            Some(campaign) => ranking(conn, None, campaign, &[Visibility::Public], offset, limit).map(Some),
            None => Ok(None),
        })
        .await?;
    found.ok_or_else(not_found)
}

/// A window of the ideas of `campaign` with one of the `shown`
/// visibilities that `viewer` may see, most voted first.
fn ranking(
    conn: &mut DbConn,
    viewer: Viewer,
    campaign: CampaignRow,
    shown: &[Visibility],
    offset: i64,
    limit: i64,
) -> Result<(CampaignView, Vec<IdeaView>), DbError> {
    let ranked = campaigns::ranked_ideas(conn, campaign.id, shown, offset, limit)?;
    let counts: Vec<(i64, IdeaState, i64)> =
        ranked.iter().map(|(row, state, votes)| (row.id, *state, *votes)).collect();
    let rows = ranked.into_iter().map(|(row, _, _)| row).collect();
    let ideas = present::statuses(conn, viewer, rows, Reading::Asked)?
        .into_iter()
        .filter_map(|status| {
            let (_, state, votes) = counts.iter().find(|(id, _, _)| *id == status.id.0)?;
            Some(IdeaView { state: *state, votes: *votes, status })
        })
        .collect();
    Ok((CampaignView::from(campaign), ideas))
}

/// All the campaign's ideas `viewer` may see, most voted first: the export.
pub async fn all_ideas(db: &Db, viewer: Viewer, id: Id) -> Result<(CampaignView, Vec<IdeaView>), DomainError> {
    show(db, viewer, id, 0, i64::MAX).await
}

/// Moves an idea to `state`, along new → under_review → accepted → done,
/// or to declined from any state before done; audited. The site's
/// moderators move any idea, a group's moderators those of their group's
/// campaigns. The author is told by a reply from the `moderator` that
/// mentions them: every client shows it as a mention notification, and it
/// reaches an author on another site as any mention does.
pub async fn move_idea(
    ctx: &Context,
    moderator: &SessionUser,
    campaign_id: Id,
    status_id: Id,
    state: &str,
) -> Result<IdeaView, DomainError> {
    let wanted: IdeaState = state.trim().parse().map_err(|e| DomainError::not_one_of("state", e))?;
    let config = ctx.config.clone();
    let by = Organiser::from(moderator);
    let moderator = moderator.account.id;
    let votes = ctx.committed(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let campaign = campaigns::find(conn, campaign_id.0)?.ok_or_else(not_found)?;
                organise::check_idea_mover(conn, &by, campaign.group_id)?;
                let current = campaigns::state_of(conn, campaign_id.0, status_id.0)?
                    .ok_or_else(|| DomainError::NotFound("idea of this campaign".into()))?;
                if !may_move(current, wanted) {
                    return Err(DomainError::invalid(
                        "state",
                        format!("an idea that is {current} cannot become {wanted}; ideas move new → under_review → accepted → done, or to declined before done"),
                    ));
                }
                campaigns::set_state(conn, campaign_id.0, status_id.0, wanted, tertulia_db::now())?;
                let idea = tertulia_db::statuses::find(conn, status_id.0)?.ok_or_else(not_found)?;
                let author = accounts::find(conn, idea.account_id)?.ok_or_else(not_found)?;
                let label = format!("idea {} of campaign #{}", idea.id, campaign.tag);
                audit::record(conn, &by.actor(), "update_idea_state", &Target::new("status", idea.id, label))?;
                let handle = match &author.domain {
                    Some(domain) => format!("{}@{domain}", author.username),
                    None => author.username.clone(),
                };
                // No hashtag in the reply: it must not become an idea itself.
                let text = format!(
                    "@{handle} your idea for the campaign \"{}\" is now: {}.",
                    campaign.question,
                    wanted.as_str().replace('_', " ")
                );
                let request = NewStatus {
                    text,
                    visibility: Some(Visibility::Unlisted.to_string()),
                    in_reply_to_id: Some(status_id),
                    ..NewStatus::default()
                };
                let (_, events) = publish(conn, moderator, &Checked::new(&config, request)?)?;
                Ok((campaigns::votes_of(conn, campaign_id.0, status_id.0)?, events))
            })
        })
    .await?;
    let idea = crate::statuses::get(&ctx.db, Some(moderator.0), status_id).await?;
    Ok(IdeaView { status: idea, state: wanted, votes })
}

fn may_move(from: IdeaState, to: IdeaState) -> bool {
    use IdeaState::*;
    matches!(
        (from, to),
        (New, UnderReview) | (UnderReview, Accepted) | (Accepted, Done) | (New | UnderReview | Accepted, Declined)
    )
}

pub(crate) fn not_found() -> DomainError {
    DomainError::NotFound("campaign".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideas_move_forward_or_are_declined_before_they_are_done() {
        use IdeaState::*;
        assert!(may_move(New, UnderReview) && may_move(UnderReview, Accepted) && may_move(Accepted, Done));
        assert!(may_move(New, Declined) && may_move(Accepted, Declined));
        assert!(!may_move(New, Accepted) && !may_move(Done, Declined) && !may_move(Declined, New));
        assert!(!may_move(New, New));
    }
}
