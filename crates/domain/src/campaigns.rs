//! Idea campaigns: an admin opens a campaign (a hashtag, a question, a
//! deadline); staff post ideas from any client by using the hashtag; the
//! favourites of an idea are its votes; moderators move each idea through
//! its states and the author is told by a reply that mentions them.
//!
//! Which posts are ideas is decided by [`record`], called where every post
//! is stored, written here (`statuses::publish`, `statuses::edit`) or
//! arriving from another site (`remote::status_received`), as recognitions
//! are (`kudos`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::campaigns::{self, CampaignRow};
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError, accounts};

pub use tertulia_db::campaigns::IdeaState;

use crate::audit::{self, Actor, Target};
use crate::present::{self, Reading};
use crate::statuses::{Checked, NewStatus, StatusView, publish};
use crate::visibility::Viewer;
use crate::{Context, DomainError};

const MAX_TAG: usize = 100;
const MAX_QUESTION: usize = 500;

/// A campaign as an admin opens it; the deadline is RFC 3339
/// (`2027-01-31T17:00:00Z`) or a date, meaning the end of that day in UTC.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub tag: String,
    pub question: String,
    pub deadline: String,
}

#[derive(Debug, Clone)]
pub struct CampaignView {
    pub id: Id,
    /// Lower-case, without `#`.
    pub tag: String,
    pub question: String,
    pub deadline: DateTime<Utc>,
    /// Whether new posts with the hashtag still become ideas.
    pub open: bool,
    pub created_at: DateTime<Utc>,
}

impl From<CampaignRow> for CampaignView {
    fn from(row: CampaignRow) -> CampaignView {
        CampaignView {
            id: Id(row.id),
            tag: row.tag,
            question: row.question,
            deadline: row.deadline.and_utc(),
            open: row.deadline > tertulia_db::now(),
            created_at: row.created_at.and_utc(),
        }
    }
}

/// An idea: its post (whose `favourites_count` is its votes) and state.
#[derive(Debug, Clone)]
pub struct IdeaView {
    pub status: StatusView,
    pub state: IdeaState,
}

/// Makes the post `row` (with lower-cased `tags`) an idea of each campaign
/// on one of its hashtags whose deadline it beats, in the caller's
/// transaction. Only public and unlisted posts are ideas: the whole
/// company may read and vote on them. An edit that adds the hashtag counts
/// from the time of the edit; an edit never takes an idea away, so a
/// moderator's decision on it stays.
pub(crate) fn record(conn: &mut DbConn, row: &StatusRow, tags: &[String]) -> Result<(), DbError> {
    let shown = matches!(row.visibility, Visibility::Public | Visibility::Unlisted);
    if !shown || tags.is_empty() || row.reblog_of_id.is_some() {
        return Ok(());
    }
    let written = row.edited_at.unwrap_or(row.created_at);
    let now = tertulia_db::now();
    for campaign in campaigns::open_on_tags(conn, tags, written)? {
        campaigns::add_idea(conn, campaign, row.id, now)?;
    }
    Ok(())
}

/// Opens a campaign.
pub async fn create(ctx: &Context, by: Actor, new: NewCampaign) -> Result<CampaignView, DomainError> {
    let row = CampaignRow {
        id: Id::generate().0,
        tag: checked_tag(&new.tag)?,
        question: checked_question(&new.question)?,
        deadline: checked_deadline(&new.deadline, Utc::now())?,
        created_by: match &by {
            Actor::Staff { account, .. } => Some(account.0),
            Actor::CommandLine | Actor::Configuration => None,
        },
        created_at: tertulia_db::now(),
    };
    Ok(ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                campaigns::insert(conn, &row)?;
                audit::record(conn, &by, "create_campaign", &Target::new("campaign", row.id, format!("#{}", row.tag)))?;
                Ok::<_, DbError>(CampaignView::from(row))
            })
        })
        .await?)
}

/// Every campaign, newest first.
pub async fn list(db: &Db) -> Result<Vec<CampaignView>, DomainError> {
    let rows = db.read(campaigns::all).await?;
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
    let found = db
        .read(move |conn| {
            let Some(campaign) = campaigns::find(conn, id.0)? else {
                return Ok(None);
            };
            let ranked = campaigns::ranked_ideas(conn, id.0, offset, limit)?;
            let states: Vec<(i64, IdeaState)> = ranked.iter().map(|(row, state)| (row.id, *state)).collect();
            let rows = ranked.into_iter().map(|(row, _)| row).collect();
            let ideas = present::statuses(conn, viewer, rows, Reading::Asked)?
                .into_iter()
                .filter_map(|status| {
                    let (_, state) = states.iter().find(|(id, _)| *id == status.id.0)?;
                    Some(IdeaView { state: *state, status })
                })
                .collect();
            Ok(Some((CampaignView::from(campaign), ideas)))
        })
        .await?;
    found.ok_or_else(not_found)
}

/// All the campaign's ideas `viewer` may see, most voted first: the export.
pub async fn all_ideas(db: &Db, viewer: Viewer, id: Id) -> Result<(CampaignView, Vec<IdeaView>), DomainError> {
    show(db, viewer, id, 0, i64::MAX).await
}

/// Moves an idea to `state`, along new → under_review → accepted → done,
/// or to declined from any state before done; audited. The author is told
/// by a reply from the moderator that mentions them: every client shows
/// it as a mention notification, and it reaches an author on another site
/// as any mention does.
pub async fn move_idea(
    ctx: &Context,
    moderator: Id,
    by: Actor,
    campaign_id: Id,
    status_id: Id,
    state: &str,
) -> Result<IdeaView, DomainError> {
    let wanted: IdeaState = state.trim().parse().map_err(|e| DomainError::not_one_of("state", e))?;
    let config = ctx.config.clone();
    ctx.committed(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let campaign = campaigns::find(conn, campaign_id.0)?.ok_or_else(not_found)?;
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
                audit::record(conn, &by, "update_idea_state", &Target::new("status", idea.id, label))?;
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
                publish(conn, moderator, &Checked::new(&config, request)?)
            })
        })
    .await?;
    let idea = crate::statuses::get(&ctx.db, Some(moderator.0), status_id).await?;
    Ok(IdeaView { status: idea, state: wanted })
}

fn may_move(from: IdeaState, to: IdeaState) -> bool {
    use IdeaState::*;
    matches!(
        (from, to),
        (New, UnderReview) | (UnderReview, Accepted) | (Accepted, Done) | (New | UnderReview | Accepted, Declined)
    )
}

fn not_found() -> DomainError {
    DomainError::NotFound("campaign".into())
}

fn checked_tag(raw: &str) -> Result<String, DomainError> {
    let tag = raw.trim().trim_start_matches('#');
    if tag.is_empty() {
        return Err(DomainError::blank("tag"));
    }
    if tag.chars().count() > MAX_TAG {
        return Err(DomainError::too_long("tag", MAX_TAG));
    }
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(DomainError::invalid(
            "tag",
            format!("'{tag}' is not a hashtag: use letters, digits and underscores only, e.g. cost_ideas"),
        ));
    }
    Ok(tag.to_lowercase())
}

fn checked_question(raw: &str) -> Result<String, DomainError> {
    let question = raw.trim();
    if question.is_empty() {
        return Err(DomainError::blank("question"));
    }
    if question.chars().count() > MAX_QUESTION {
        return Err(DomainError::too_long("question", MAX_QUESTION));
    }
    Ok(question.to_owned())
}

fn checked_deadline(raw: &str, now: DateTime<Utc>) -> Result<NaiveDateTime, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(DomainError::blank("deadline"));
    }
    let deadline = match DateTime::parse_from_rfc3339(raw) {
        Ok(at) => at.with_timezone(&Utc),
        Err(_) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|day| day.succ_opt())
            .map(|next| next.and_time(chrono::NaiveTime::MIN).and_utc())
            .ok_or_else(|| {
                DomainError::invalid(
                    "deadline",
                    format!("'{raw}' is not a time: write it as 2027-01-31T17:00:00Z, or a date such as 2027-01-31 (its end, UTC)"),
                )
            })?,
    };
    if deadline <= now {
        return Err(DomainError::invalid("deadline", format!("{} has already passed", deadline.to_rfc3339())));
    }
    Ok(deadline.naive_utc())
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

    #[test]
    fn a_campaign_needs_a_hashtag_a_question_and_a_future_deadline() {
        assert_eq!(checked_tag(" #Cost_Ideas ").unwrap(), "cost_ideas");
        assert!(checked_tag("#").is_err() && checked_tag("two words").is_err());
        assert!(checked_question("  ").is_err());
        let now = "2027-01-10T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(checked_deadline("2027-01-31", now).unwrap().to_string(), "2027-02-01 00:00:00");
        assert_eq!(checked_deadline("2027-01-31T17:00:00+01:00", now).unwrap().to_string(), "2027-01-31 16:00:00");
        assert!(checked_deadline("2027-01-09", now).is_err());
        assert!(checked_deadline("next friday", now).is_err());
    }
}
