//! Running a campaign: opening, editing, closing and reopening it, and the
//! one rule on who may: the command line and admins (a role that manages
//! the site's settings) run any campaign; a group's moderators run the
//! campaigns of their group.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tertulia_core::Id;
use tertulia_db::DbConn;
use tertulia_db::campaigns::{self, CampaignRow};

use super::{CampaignView, is_open, not_found};
use crate::audit::{self, Actor, Target};
use crate::oauth::SessionUser;
use crate::roles::{self, Permission, Role};
use crate::{Context, DomainError};

const MAX_TAG: usize = 100;
const MAX_QUESTION: usize = 500;
const MAX_DESCRIPTION: usize = 5000;

/// Who opens or changes a campaign.
#[derive(Debug, Clone)]
pub enum Organiser {
    /// Someone with a shell on the server (`tertulia admin campaign …`).
    CommandLine,
    /// A signed-in person: an admin, or a group's moderator.
    Person { account: Id, username: String, role: Role },
}

impl From<&SessionUser> for Organiser {
    fn from(user: &SessionUser) -> Organiser {
        Organiser::Person { account: user.account.id, username: user.account.username.clone(), role: user.role }
    }
}

impl Organiser {
    pub(super) fn actor(&self) -> Actor {
        match self {
            Organiser::CommandLine => Actor::CommandLine,
            Organiser::Person { account, username, .. } => {
                Actor::Staff { account: *account, username: username.clone() }
            }
        }
    }
}

/// A campaign as it is opened; the deadline is RFC 3339
/// (`2027-01-31T17:00:00Z`) or a date, meaning the end of that day in UTC.
#[derive(Debug, Clone, Default)]
pub struct NewCampaign {
    pub tag: String,
    pub question: String,
    pub deadline: String,
    pub description: String,
    /// The group whose posts are the ideas; `None`: the whole site.
    pub group: Option<Id>,
}

/// What an edit changes; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CampaignChange {
    pub question: Option<String>,
    pub description: Option<String>,
    pub deadline: Option<String>,
}

/// Opens a campaign.
pub async fn create(ctx: &Context, by: Organiser, new: NewCampaign) -> Result<CampaignView, DomainError> {
    let row = CampaignRow {
        id: Id::generate().0,
        tag: checked_tag(&new.tag)?,
        question: checked_question(&new.question)?,
        deadline: checked_deadline(&new.deadline, Utc::now())?,
        created_by: match &by {
            Organiser::Person { account, .. } => Some(account.0),
            Organiser::CommandLine => None,
        },
        created_at: tertulia_db::now(),
        closed_at: None,
        description: checked_description(&new.description)?,
        group_id: new.group.map(|group| group.0),
    };
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                check_organiser(conn, &by, row.group_id)?;
                campaigns::insert(conn, &row)?;
                audit::record(conn, &by.actor(), "create_campaign", &target(&row))?;
                Ok(CampaignView::from(row))
            })
        })
        .await
}

/// Edits an open campaign's question, description or deadline.
pub async fn update(ctx: &Context, by: Organiser, id: Id, change: CampaignChange) -> Result<CampaignView, DomainError> {
    let question = change.question.as_deref().map(checked_question).transpose()?;
    let description = change.description.as_deref().map(checked_description).transpose()?;
    let deadline = change.deadline.as_deref().map(|raw| checked_deadline(raw, Utc::now())).transpose()?;
    organised(ctx, by, id, "update_campaign", move |conn, row| {
        if !is_open(&row) {
            return Err(DomainError::Conflict(format!(
                "campaign #{} has ended, so it can no longer be edited; reopen it first",
                row.tag
            )));
        }
        let question = question.unwrap_or(row.question);
        let description = description.unwrap_or(row.description);
        campaigns::update(conn, row.id, &question, &description, deadline.unwrap_or(row.deadline))?;
        Ok(())
    })
    .await
}

/// Closes an open campaign now: later ideas and votes no longer count.
pub async fn close(ctx: &Context, by: Organiser, id: Id) -> Result<CampaignView, DomainError> {
    organised(ctx, by, id, "close_campaign", |conn, row| {
        if !is_open(&row) {
            return Err(DomainError::Conflict(format!("campaign #{} has already ended", row.tag)));
        }
        campaigns::set_closed(conn, row.id, Some(tertulia_db::now()), row.deadline)?;
        Ok(())
    })
    .await
}

/// Reopens an ended campaign until `deadline`, which is needed when the
/// old one has passed. Votes given while it was closed count again: a
/// campaign counts everything given before it ends.
pub async fn reopen(
    ctx: &Context,
    by: Organiser,
    id: Id,
    deadline: Option<String>,
) -> Result<CampaignView, DomainError> {
    let deadline = deadline.as_deref().map(|raw| checked_deadline(raw, Utc::now())).transpose()?;
    organised(ctx, by, id, "reopen_campaign", move |conn, row| {
        if is_open(&row) {
            return Err(DomainError::Conflict(format!("campaign #{} is open already", row.tag)));
        }
        let deadline = match deadline {
            Some(deadline) => deadline,
            None if row.deadline > tertulia_db::now() => row.deadline,
            None => {
                return Err(DomainError::invalid(
                    "deadline",
                    format!("the deadline of campaign #{} has passed: give a new one to reopen it", row.tag),
                ));
            }
        };
        campaigns::set_closed(conn, row.id, None, deadline)?;
        Ok(())
    })
    .await
}

/// Runs `change` on the campaign `id` in one transaction, once `by` is
/// known to run it, audits it as `action` and returns the campaign as it
/// is then.
async fn organised(
    ctx: &Context,
    by: Organiser,
    id: Id,
    action: &'static str,
    change: impl FnOnce(&mut DbConn, CampaignRow) -> Result<(), DomainError> + Send + 'static,
) -> Result<CampaignView, DomainError> {
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let row = campaigns::find(conn, id.0)?.ok_or_else(not_found)?;
                check_organiser(conn, &by, row.group_id)?;
                audit::record(conn, &by.actor(), action, &target(&row))?;
                change(conn, row)?;
                let changed = campaigns::find(conn, id.0)?.ok_or_else(not_found)?;
                Ok(CampaignView::from(changed))
            })
        })
        .await
}

/// Refuses anyone who may not run a campaign of `group` (`None`: of the
/// whole site). A group must be one of this site's, even for admins.
fn check_organiser(conn: &mut DbConn, by: &Organiser, group: Option<i64>) -> Result<(), DomainError> {
    if let Some(group) = group {
        crate::groups::find_local(conn, Id(group))?;
    }
    let Organiser::Person { account, role, .. } = by else {
        return Ok(());
    };
    if roles::permits(*role, Permission::ManageSettings) {
        return Ok(());
    }
    match group {
        Some(group) => crate::groups::check_moderator_to(conn, Id(group), *account, "run its idea campaigns"),
        None => Err(DomainError::Forbidden(
            "only the site's administrators run campaigns for the whole site; \
             a group's moderators may open one for their group by giving its group_id"
                .into(),
        )),
    }
}

/// Refuses anyone who may not move the ideas of a campaign of `group`
/// (`None`: of the whole site): the site's moderators move any idea, a
/// group's moderators those of their group's campaigns.
pub(super) fn check_idea_mover(conn: &mut DbConn, by: &Organiser, group: Option<i64>) -> Result<(), DomainError> {
    let Organiser::Person { account, role, .. } = by else {
        return Ok(());
    };
    if roles::permits(*role, Permission::ManageReports) {
        return Ok(());
    }
    match group {
        Some(group) => crate::groups::check_moderator_to(conn, Id(group), *account, "move its campaigns' ideas"),
        None => Err(DomainError::Forbidden(
            "only the site's moderators move the ideas of a campaign for the whole site".into(),
        )),
    }
}

fn target(row: &CampaignRow) -> Target {
    Target::new("campaign", row.id, format!("#{}", row.tag))
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

fn checked_description(raw: &str) -> Result<String, DomainError> {
    let description = raw.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(DomainError::too_long("description", MAX_DESCRIPTION));
    }
    Ok(description.to_owned())
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
    fn a_campaign_needs_a_hashtag_a_question_and_a_future_deadline() {
        assert_eq!(checked_tag(" #Cost_Ideas ").unwrap(), "cost_ideas");
        assert!(checked_tag("#").is_err() && checked_tag("two words").is_err());
        assert!(checked_question("  ").is_err());
        assert!(checked_description(&"x".repeat(MAX_DESCRIPTION + 1)).is_err());
        let now = "2027-01-10T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(checked_deadline("2027-01-31", now).unwrap().to_string(), "2027-02-01 00:00:00");
        assert_eq!(checked_deadline("2027-01-31T17:00:00+01:00", now).unwrap().to_string(), "2027-01-31 16:00:00");
        assert!(checked_deadline("2027-01-09", now).is_err());
        assert!(checked_deadline("next friday", now).is_err());
    }
}
