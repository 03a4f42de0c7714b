//! Reports: someone asks this site's moderators to look at an account and
//! some of its statuses (Mastodon's reports). People here file them
//! ([`file`]), and may have them forwarded to the reported account's site
//! as an ActivityPub `Flag`; other sites' `Flag`s open them too
//! ([`received`]). Either way the site's moderators and admins are
//! notified (`admin.report`). Moderators handle them in [`manage`].

mod manage;
mod view;

use std::collections::HashSet;
use std::hash::Hash;

use tertulia_core::Id;
use tertulia_db::notifications::NotificationKind;
pub use tertulia_db::reports::Category;
use tertulia_db::reports::{self, ReportRow};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, accounts, rules, users};

use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::{Context, DomainError, visibility};
pub use manage::{ReportChanges, assign_to_self, list, reopen, resolve, show, unassign, update};
pub use tertulia_db::reports::ReportFilter;
pub(crate) use view::report_views;
pub use view::{AdminReportView, ReportView};

/// Longest comment a report may carry (Mastodon's limit).
pub const MAX_COMMENT: usize = 1_000;
/// Most statuses one report may name.
pub const MAX_STATUSES: usize = 50;

/// A report as a person here files it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub target: Id,
    pub status_ids: Vec<Id>,
    pub comment: String,
    /// Send it on to the target's site too, if the target is elsewhere.
    pub forward: bool,
    /// `None`: `other`, or `violation` when rules are named.
    pub category: Option<Category>,
    pub rule_ids: Vec<Id>,
}

/// Files `reporter`'s report: the statuses must be the target's and
/// visible to the reporter, the rules this site's. Nothing is stored if
/// any of it is wrong.
pub async fn file(ctx: &Context, reporter: Id, new: NewReport) -> Result<ReportView, DomainError> {
    if reporter == new.target {
        return Err(DomainError::invalid("account_id", "you cannot report yourself"));
    }
    let comment = new.comment.trim().to_owned();
    if comment.chars().count() > MAX_COMMENT {
        return Err(DomainError::too_long("comment", MAX_COMMENT));
    }
    let status_ids = distinct(new.status_ids);
    if status_ids.len() > MAX_STATUSES {
        return Err(DomainError::invalid_as(
            crate::error::Invalidity::AboveLimit,
            "status_ids",
            format!("a report may name at most {MAX_STATUSES} statuses"),
        ));
    }
    let (category, rule_ids) = classify(new.category, distinct(new.rule_ids));
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target) = accounts::find(conn, new.target.0)? else {
                return Err(DomainError::NotFound("account".into()));
            };
            check_statuses(conn, reporter, &target.username, target.id, &status_ids)?;
            check_rules(conn, &rule_ids)?;
            let forwarded = new.forward && target.domain.is_some();
            let row = new_row(reporter, target.id, category, comment, &status_ids, &rule_ids, forwarded);
            let events = open(conn, &row)?;
            if forwarded {
                outbox::record(conn, &Outgoing::ReportForwarded { report: row.id })?;
            }
            let view = report_views(conn, vec![row])?.pop().ok_or(DbError::NotFound)?;
            Ok((view, events))
        })
    })
    .await
}

/// Opens reports from another site's `Flag`, sent by `reporter` (that
/// site's actor): one per local account named or whose statuses are
/// named, with those statuses. What is not on this site is left out.
/// Returns the reports opened.
pub async fn received(
    ctx: &Context,
    reporter: Id,
    accounts_named: Vec<Id>,
    statuses_named: Vec<Id>,
    comment: String,
) -> Result<Vec<Id>, DomainError> {
    let comment: String = comment.trim().chars().take(MAX_COMMENT).collect();
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let named: Vec<StatusRow> = statuses::find_many(conn, &raw(&distinct(statuses_named)))?
                .into_iter()
                .filter(|status| status.local && status.deleted_at.is_none())
                .take(MAX_STATUSES)
                .collect();
            let mut targets = raw(&accounts_named);
            targets.extend(named.iter().map(|status| status.account_id));
            let targets = accounts::local_among(conn, &targets)?;
            let (mut opened, mut events) = (Vec::new(), Vec::new());
            for target in distinct(targets) {
                let theirs: Vec<Id> = named.iter().filter(|s| s.account_id == target).map(|s| Id(s.id)).collect();
                let row = new_row(reporter, target, Category::Other, comment.clone(), &theirs, &[], false);
                events.extend(open(conn, &row)?);
                opened.push(Id(row.id));
            }
            Ok((opened, events))
        })
    })
    .await
}

/// What a forwarded report tells the target's site: who is reported, the
/// URIs of the statuses, and the comment.
pub struct Forward {
    pub target: Id,
    pub status_uris: Vec<String>,
    pub comment: String,
}

/// For the federation outbox: what to put in the `Flag` of `report`;
/// `None` once the report is gone.
pub fn forward_of(conn: &mut DbConn, report: i64) -> Result<Option<Forward>, DbError> {
    let Some(row) = reports::find(conn, report)? else {
        return Ok(None);
    };
    let status_uris = statuses::find_many(conn, &view::ids_of(&row.status_ids))?
        .into_iter()
        .filter(|status| status.account_id == row.target_account_id)
        .map(|status| status.uri)
        .collect();
    Ok(Some(Forward { target: Id(row.target_account_id), status_uris, comment: row.comment }))
}

/// Rules named make a report a `violation` (as Mastodon does, whatever
/// category was asked for); only a violation names rules.
fn classify(category: Option<Category>, rule_ids: Vec<Id>) -> (Category, Vec<Id>) {
    match category {
        _ if !rule_ids.is_empty() => (Category::Violation, rule_ids),
        Some(Category::Violation) => (Category::Violation, rule_ids),
        Some(other) => (other, Vec::new()),
        None => (Category::Other, Vec::new()),
    }
}

/// Each of `status_ids` must be `target`'s and visible to `reporter`
/// (through the one visibility rule): a report cannot reveal statuses.
fn check_statuses(
    conn: &mut DbConn,
    reporter: Id,
    target_name: &str,
    target: i64,
    status_ids: &[Id],
) -> Result<(), DomainError> {
    for id in status_ids {
        let theirs = visibility::find_visible(conn, Some(reporter.0), id.0)?.is_some_and(|s| s.account_id == target);
        if !theirs {
            return Err(DomainError::invalid(
                "status_ids",
                format!("status {id} is not one of {target_name}'s statuses that you can see"),
            ));
        }
    }
    Ok(())
}

/// Each of `rule_ids` must be one of this site's rules.
fn check_rules(conn: &mut DbConn, rule_ids: &[Id]) -> Result<(), DomainError> {
    let known: HashSet<i64> = rules::list(conn)?.into_iter().map(|rule| rule.id).collect();
    match rule_ids.iter().find(|id| !known.contains(&id.0)) {
        Some(unknown) => Err(DomainError::invalid(
            "rule_ids",
            format!("{unknown} is not one of this site's rules (GET /api/v1/instance/rules lists them)"),
        )),
        None => Ok(()),
    }
}

fn new_row(
    reporter: Id,
    target: i64,
    category: Category,
    comment: String,
    status_ids: &[Id],
    rule_ids: &[Id],
    forwarded: bool,
) -> ReportRow {
    let now = tertulia_db::now();
    ReportRow {
        id: Id::generate().0,
        account_id: reporter.0,
        target_account_id: target,
        category,
        comment,
        forwarded,
        status_ids: view::json_of(status_ids),
        rule_ids: view::json_of(rule_ids),
        assigned_account_id: None,
        action_taken_at: None,
        action_taken_by_account_id: None,
        created_at: now,
        updated_at: now,
    }
}

/// Stores `row` and tells the site's moderators and admins, through the
/// usual notification rules. Returns the events to publish.
fn open(conn: &mut DbConn, row: &ReportRow) -> Result<Vec<Event>, DbError> {
    reports::insert(conn, row)?;
    let mut events = Vec::new();
    for staff in users::report_handler_account_ids(conn)? {
        let notification = crate::statuses::new_notification(
            staff,
            row.account_id,
            NotificationKind::AdminReport,
            None,
            format!("ungrouped-report-{}", row.id),
        );
        let notification = tertulia_db::notifications::NotificationRow { report_id: Some(row.id), ..notification };
        events.extend(crate::statuses::notify_with(conn, notification)?);
    }
    Ok(events)
}

/// `ids` without repeats, order kept.
fn distinct<T: Copy + Eq + Hash>(ids: Vec<T>) -> Vec<T> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

fn raw(ids: &[Id]) -> Vec<i64> {
    ids.iter().map(|id| id.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_make_a_violation_and_only_a_violation_names_rules() {
        let rule = vec![Id(7)];
        assert_eq!(classify(Some(Category::Spam), rule.clone()), (Category::Violation, rule.clone()));
        assert_eq!(classify(None, rule.clone()), (Category::Violation, rule));
        assert_eq!(classify(Some(Category::Legal), Vec::new()), (Category::Legal, Vec::new()));
        assert_eq!(classify(None, Vec::new()), (Category::Other, Vec::new()));
    }
}
