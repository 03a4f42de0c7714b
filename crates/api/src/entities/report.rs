//! Reports as Mastodon renders them: `Report` for the reporter and in
//! `admin.report` notifications, `Admin::Report` (with `Admin::Account`)
//! for moderators.

use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::moderation::ModeratedAccount;
use tertulia_domain::reports::{AdminReportView, ReportView};

use super::{Account, AdminAccount, Status, timestamp};

/// Mastodon's `Report`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub id: Id,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: &'static str,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub status_ids: Vec<Id>,
    pub rule_ids: Vec<Id>,
    pub target_account: Account,
}

impl Report {
    pub fn from_view(view: &ReportView, config: &Config) -> Report {
        Report {
            id: view.id,
            action_taken: view.action_taken_at.is_some(),
            action_taken_at: view.action_taken_at.map(timestamp),
            category: view.category.as_str(),
            comment: view.comment.clone(),
            forwarded: view.forwarded,
            created_at: timestamp(view.created_at),
            status_ids: view.status_ids.clone(),
            rule_ids: view.rule_ids.clone(),
            target_account: Account::from_view(&view.target, config),
        }
    }
}

/// Mastodon's `Admin::Report`.
#[derive(Debug, Serialize)]
pub struct AdminReport {
    pub id: Id,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: &'static str,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub updated_at: String,
    pub account: AdminAccount,
    pub target_account: AdminAccount,
    pub assigned_account: Option<AdminAccount>,
    pub action_taken_by_account: Option<AdminAccount>,
    pub statuses: Vec<Status>,
    pub rules: Vec<Rule>,
}

/// Mastodon's `Rule`.
#[derive(Debug, Serialize)]
pub struct Rule {
    pub id: Id,
    pub text: String,
    pub hint: String,
}

impl AdminReport {
    pub fn from_view(view: &AdminReportView, config: &Config) -> AdminReport {
        let report = &view.report;
        let staff = |account: &ModeratedAccount| AdminAccount::from_view(account, config);
        AdminReport {
            id: report.id,
            action_taken: report.action_taken_at.is_some(),
            action_taken_at: report.action_taken_at.map(timestamp),
            category: report.category.as_str(),
            comment: report.comment.clone(),
            forwarded: report.forwarded,
            created_at: timestamp(report.created_at),
            updated_at: timestamp(report.updated_at),
            account: staff(&view.reporter),
            target_account: staff(&view.target),
            assigned_account: view.assigned.as_ref().map(staff),
            action_taken_by_account: view.action_taken_by.as_ref().map(staff),
            statuses: view.statuses.iter().map(|status| Status::from_view(status, config)).collect(),
            rules: view
                .rules
                .iter()
                .map(|rule| Rule { id: rule.id, text: rule.text.clone(), hint: rule.hint.clone() })
                .collect(),
        }
    }
}
