//! What moderators do with reports (Mastodon's admin reports API). Each
//! change takes the acting moderator's account, so permission checks and
//! an audit trail can be added here in one place.

use tertulia_core::Id;
use tertulia_db::page::Page;
use tertulia_db::reports::{self, Category, ReportFilter, ReportRow};
use tertulia_db::{Db, DbConn};

use super::view::{AdminReportView, admin_views, ids_of, json_of};
use super::{check_rules, classify, distinct};
use crate::DomainError;

/// A page of reports, newest first.
pub async fn list(db: &Db, filter: ReportFilter, page: Page) -> Result<Vec<AdminReportView>, DomainError> {
    Ok(db
        .read(move |conn| {
            let rows = reports::page(conn, filter, page)?;
            admin_views(conn, rows)
        })
        .await?)
}

pub async fn show(db: &Db, id: Id) -> Result<AdminReportView, DomainError> {
    db.run(move |conn| {
        let row = find(conn, id)?;
        Ok::<_, DomainError>(admin_views(conn, vec![row])?.pop())
    })
    .await?
    .ok_or_else(|| not_found(id))
}

/// `moderator` takes the report on.
pub async fn assign_to_self(db: &Db, moderator: Id, id: Id) -> Result<AdminReportView, DomainError> {
    change(db, id, move |row| row.assigned_account_id = Some(moderator.0)).await
}

/// Nobody handles the report any more (`moderator` let it go).
pub async fn unassign(db: &Db, _moderator: Id, id: Id) -> Result<AdminReportView, DomainError> {
    change(db, id, |row| row.assigned_account_id = None).await
}

/// `moderator` marks the report handled.
pub async fn resolve(db: &Db, moderator: Id, id: Id) -> Result<AdminReportView, DomainError> {
    change(db, id, move |row| {
        row.action_taken_at = Some(tertulia_db::now());
        row.action_taken_by_account_id = Some(moderator.0);
    })
    .await
}

/// `moderator` opens a resolved report again.
pub async fn reopen(db: &Db, _moderator: Id, id: Id) -> Result<AdminReportView, DomainError> {
    change(db, id, |row| {
        row.action_taken_at = None;
        row.action_taken_by_account_id = None;
    })
    .await
}

/// A new classification; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct ReportChanges {
    pub category: Option<Category>,
    pub rule_ids: Option<Vec<Id>>,
}

/// `moderator` classifies the report again, by the same rule as when it
/// was filed: rules named make it a violation, and only a violation names
/// rules.
pub async fn update(db: &Db, _moderator: Id, id: Id, changes: ReportChanges) -> Result<AdminReportView, DomainError> {
    db.write(move |conn| {
        let mut row = find(conn, id)?;
        let rule_ids = match (changes.rule_ids, changes.category) {
            (Some(rule_ids), _) => distinct(rule_ids),
            // Another category alone drops the rules the report named.
            (None, Some(category)) if category != Category::Violation => Vec::new(),
            (None, _) => ids_of(&row.rule_ids).into_iter().map(Id).collect(),
        };
        let (category, rule_ids) = classify(Some(changes.category.unwrap_or(row.category)), rule_ids);
        check_rules(conn, &rule_ids)?;
        row.category = category;
        row.rule_ids = json_of(&rule_ids);
        save(conn, row)
    })
    .await
}

/// Applies `edit` to the report and stores it.
async fn change(
    db: &Db,
    id: Id,
    edit: impl FnOnce(&mut ReportRow) + Send + 'static,
) -> Result<AdminReportView, DomainError> {
    db.write(move |conn| {
        let mut row = find(conn, id)?;
        edit(&mut row);
        save(conn, row)
    })
    .await
}

fn save(conn: &mut DbConn, mut row: ReportRow) -> Result<AdminReportView, DomainError> {
    row.updated_at = tertulia_db::now();
    reports::update(conn, &row)?;
    let id = Id(row.id);
    admin_views(conn, vec![row])?.pop().ok_or_else(|| not_found(id))
}

fn find(conn: &mut DbConn, id: Id) -> Result<ReportRow, DomainError> {
    reports::find(conn, id.0)?.ok_or_else(|| not_found(id))
}

fn not_found(id: Id) -> DomainError {
    DomainError::NotFound(format!("report {id}"))
}
