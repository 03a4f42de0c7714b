//! Reports as the reporter sees them ([`ReportView`]: Mastodon's Report)
//! and as moderators do ([`AdminReportView`]: Mastodon's Admin::Report).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::reports::{Category, ReportRow};
use tertulia_db::users::UserRow;
use tertulia_db::{DbConn, DbError, accounts, rules, users};

use crate::AccountView;
use crate::moderation::{ModeratedAccount, UserState};
use crate::present::{self, Reading};
use crate::rules::Rule;
use crate::statuses::StatusView;

#[derive(Debug, Clone)]
pub struct ReportView {
    pub id: Id,
    pub category: Category,
    pub comment: String,
    pub forwarded: bool,
    pub status_ids: Vec<Id>,
    pub rule_ids: Vec<Id>,
    /// When it was resolved, while it is.
    pub action_taken_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub target: AccountView,
}

#[derive(Debug, Clone)]
pub struct AdminReportView {
    pub report: ReportView,
    pub reporter: ModeratedAccount,
    pub target: ModeratedAccount,
    pub assigned: Option<ModeratedAccount>,
    pub action_taken_by: Option<ModeratedAccount>,
    /// The statuses named, as the reporter may see them (moderators judge
    /// what was reported, no more); those deleted since are left out.
    pub statuses: Vec<StatusView>,
    pub rules: Vec<Rule>,
}

/// Views of `rows`, order kept; a report whose target is gone is left out.
pub(crate) fn report_views(conn: &mut DbConn, rows: Vec<ReportRow>) -> Result<Vec<ReportView>, DbError> {
    let targets: Vec<i64> = rows.iter().map(|row| row.target_account_id).collect();
    let accounts = account_views(conn, &targets)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let target = accounts.get(&row.target_account_id)?.clone();
            Some(report_view(row, target))
        })
        .collect())
}

fn report_view(row: ReportRow, target: AccountView) -> ReportView {
    ReportView {
        id: Id(row.id),
        category: row.category,
        status_ids: ids_of(&row.status_ids).into_iter().map(Id).collect(),
        rule_ids: ids_of(&row.rule_ids).into_iter().map(Id).collect(),
        comment: row.comment,
        forwarded: row.forwarded,
        action_taken_at: row.action_taken_at.map(|at| at.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        target,
    }
}

/// Moderators' views of `rows`, order kept.
pub(crate) fn admin_views(conn: &mut DbConn, rows: Vec<ReportRow>) -> Result<Vec<AdminReportView>, DbError> {
    let involved: Vec<i64> = rows
        .iter()
        .flat_map(|row| {
            [Some(row.account_id), Some(row.target_account_id), row.assigned_account_id, row.action_taken_by_account_id]
        })
        .flatten()
        .collect();
    let accounts = account_views(conn, &involved)?;
    let users: HashMap<i64, UserRow> =
        users::find_by_accounts(conn, &involved)?.into_iter().map(|user| (user.account_id, user)).collect();
    let staff = |id: i64| {
        let user = users.get(&id).cloned().map(UserState::from);
        Some(ModeratedAccount { account: accounts.get(&id)?.clone(), user })
    };
    let site_rules = rules::list(conn)?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(reporter), Some(target)) = (staff(row.account_id), staff(row.target_account_id)) else {
            continue;
        };
        let assigned = row.assigned_account_id.and_then(staff);
        let action_taken_by = row.action_taken_by_account_id.and_then(staff);
        let statuses = present::by_ids(conn, Some(row.account_id), &ids_of(&row.status_ids), Reading::Asked)?;
        let rule_ids = ids_of(&row.rule_ids);
        let rules = site_rules
            .iter()
            .filter(|rule| rule_ids.contains(&rule.id))
            .map(|rule| Rule { id: Id(rule.id), text: rule.text.clone(), hint: rule.hint.clone() })
            .collect();
        let report = report_view(row, target.account.clone());
        views.push(AdminReportView { report, reporter, target, assigned, action_taken_by, statuses, rules });
    }
    Ok(views)
}

fn account_views(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, AccountView>, DbError> {
    Ok(accounts::find_many(conn, ids)?.into_iter().map(|row| (row.id, AccountView::from(row))).collect())
}

/// Ids stored as a JSON array.
pub(crate) fn json_of(ids: &[Id]) -> String {
    serde_json::to_string(&ids.iter().map(|id| id.0).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

/// The ids of a JSON array written by [`json_of`].
pub(crate) fn ids_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}
