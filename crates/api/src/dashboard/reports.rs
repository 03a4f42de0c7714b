//! `/admin/reports`: the report queue, one report, and taking it on,
//! resolving or reopening it (through the admin API's own
//! `admin::reports::take`, so each is audited the same way).

use actix_web::{HttpResponse, web};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::moderation::ModeratedAccount;
use tertulia_domain::reports::{self, AdminReportView, ReportFilter};
use tertulia_domain::roles::Permission;

use super::session::StaffForm;
use super::sign_in::NoFields;
use super::{PAGE_SIZE, Refusal, Section, Staff, page, pager, post_form, redirect, when};
use crate::AppState;
use crate::admin::reports::{READ, ReportAction, WRITE, take};
use crate::forms::Query;
use crate::pagination::{Limits, PageParams};
use crate::statuses::path_id;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
    /// `resolved` lists resolved reports; anything else the open ones.
    #[serde(default)]
    show: Option<String>,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ManageReports)?;
    let resolved = query.show.as_deref() == Some("resolved");
    let page_asked = query.page.page(Limits { default: PAGE_SIZE, max: PAGE_SIZE })?;
    let filter = ReportFilter { resolved: Some(resolved), account_id: None, target_account_id: None };
    let views = reports::list(&state.ctx.db, filter, page_asked).await?;
    let keys: Vec<Id> = views.iter().map(|view| view.report.id).collect();
    let (title, other, other_name) = if resolved {
        ("Resolved reports", "", "Open reports")
    } else {
        ("Open reports", "resolved", "Resolved reports")
    };
    let filters = if resolved { "show=resolved" } else { "" };
    let main = html! {
        h1 { (title) }
        p { a href={ "/admin/reports" @if !other.is_empty() { "?show=" (other) } } { "Show " (other_name.to_lowercase()) } }
        @if views.is_empty() {
            p.muted { "No reports here." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Report" }
                    th scope="col" { "About" }
                    th scope="col" { "Filed by" }
                    th scope="col" { "Category" }
                    th scope="col" { "Filed" }
                    th scope="col" { "Assigned to" }
                } }
                tbody {
                    @for view in &views {
                        tr {
                            th scope="row" { a href={ "/admin/reports/" (view.report.id) } { "Report " (view.report.id) } }
                            td { (account_name(&view.target)) }
                            td { (account_name(&view.reporter)) }
                            td { (view.report.category.as_str()) }
                            td { (when(view.report.created_at)) }
                            td { @match &view.assigned { Some(who) => (account_name(who)), None => span.muted { "nobody" } } }
                        }
                    }
                }
            }
        }
        (pager("/admin/reports", filters, &page_asked, &keys))
    };
    Ok(page(&staff, Section::Reports, title, main))
}

pub async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ManageReports)?;
    let view = reports::show(&state.ctx.db, path_id(&id)?).await?;
    let title = format!("Report {}", view.report.id);
    let main = html! {
        h1 { (title) }
        dl.facts {
            dt { "About" } dd { a href={ "/admin/accounts/" (view.target.account.id) } { (account_name(&view.target)) } }
            dt { "Filed by" } dd { (account_name(&view.reporter)) }
            dt { "Category" } dd { (view.report.category.as_str()) }
            dt { "Filed" } dd { (when(view.report.created_at)) }
            dt { "State" } dd {
                @match view.report.action_taken_at {
                    Some(at) => { "Resolved " (when(at)) @if let Some(by) = &view.action_taken_by { " by " (account_name(by)) } }
                    None => "Open",
                }
            }
            dt { "Assigned to" } dd { @match &view.assigned { Some(who) => (account_name(who)), None => "nobody" } }
            @if view.report.forwarded { dt { "Forwarded" } dd { "Yes, to the reported account's site" } }
        }
        h2 { "Comment" }
        @if view.report.comment.is_empty() { p.muted { "No comment." } } @else { blockquote { (view.report.comment) } }
        @if !view.rules.is_empty() {
            h2 { "Rules broken" }
            ul { @for rule in &view.rules { li { (rule.text) } } }
        }
        h2 { "Posts reported" }
        @if view.statuses.is_empty() { p.muted { "None, or deleted since." } }
        @for status in &view.statuses {
            // Sanitized when it was stored (`core::text`), as every client shows it.
            blockquote { (PreEscaped(&status.content)) p.muted { (when(status.created_at)) } }
        }
        h2 { "Actions" }
        (actions(&staff, &view))
    };
    Ok(page(&staff, Section::Reports, &title, main))
}

fn actions(staff: &Staff, view: &AdminReportView) -> Markup {
    let id = view.report.id;
    let mine = view.assigned.as_ref().is_some_and(|who| who.account.id == staff.user().account.id);
    let button = |action: ReportAction, label: &str| {
        post_form(
            staff,
            &format!("/admin/reports/{id}/{}", action.name()),
            "inline",
            html! {
                button type="submit" { (label) }
            },
        )
    };
    html! {
        div.actions {
            @if mine { (button(ReportAction::Unassign, "Unassign")) } @else { (button(ReportAction::AssignToSelf, "Assign to me")) }
            @if view.report.action_taken_at.is_some() { (button(ReportAction::Reopen, "Reopen")) }
            @else { (button(ReportAction::Resolve, "Resolve")) }
            a href={ "/admin/accounts/" (view.target.account.id) "?report_id=" (id) } { "Act on the reported account" }
        }
    }
}

/// `@username` or `@username@site`, with the display name.
pub fn account_name(who: &ModeratedAccount) -> Markup {
    html! {
        "@" (who.account.acct())
        @if !who.account.display_name.is_empty() { " (" (who.account.display_name) ")" }
    }
}

pub async fn act(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: StaffForm<NoFields>,
) -> Result<HttpResponse, Refusal> {
    let (id, action) = path.into_inner();
    let moderator = form.staff.permitted(WRITE, Permission::ManageReports)?;
    let action = ReportAction::parse(&action).ok_or_else(|| crate::ApiError::NotFound("no such action".into()))?;
    let id = path_id(&id)?;
    take(&state, moderator, action, id).await?;
    Ok(redirect(&format!("/admin/reports/{id}")))
}
