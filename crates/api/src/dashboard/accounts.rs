//! `/admin/accounts`: accounts with filters, one account, and the actions
//! on it (warn, mark sensitive, disable, silence, suspend) and their undoing,
//! through the same domain calls as the admin API, which audit them.

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;
use tertulia_core::Id;
use tertulia_domain::audit::Actor;
use tertulia_domain::moderation::{self, ModeratedAccount, Reversal};
use tertulia_domain::roles::Permission;

use super::reports::account_name;
use super::session::StaffForm;
use super::sign_in::NoFields;
use super::{PAGE_SIZE, Refusal, Section, Staff, page, pager, post_form, redirect, when};
use crate::admin::accounts::{ActionForm, READ, TextFilters, V2Filters, WRITE};
use crate::forms::Query;
use crate::pagination::{Limits, PageParams};
use crate::statuses::path_id;
use crate::{ApiError, AppState};

/// The statuses staff can filter by, with their labels.
const STATUSES: [(&str, &str); 6] = [
    ("", "Any"),
    ("active", "Active"),
    ("pending", "Waiting for approval"),
    ("disabled", "Disabled"),
    ("silenced", "Limited (silenced)"),
    ("suspended", "Suspended"),
];
const ORIGINS: [(&str, &str); 3] = [("", "Any site"), ("local", "This site"), ("remote", "Other sites")];

/// The actions a moderator can take, with what each does, for the form.
const ACTIONS: [(&str, &str); 5] = [
    ("none", "Warn only: the account keeps working"),
    ("sensitive", "Mark its media as sensitive"),
    ("disable", "Disable sign-in (accounts of this site)"),
    ("silence", "Limit: only its followers see its posts"),
    ("suspend", "Suspend: hide the account and its posts everywhere"),
];

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    Query(page_params): Query<PageParams>,
    Query(filters): Query<V2Filters>,
    Query(texts): Query<TextFilters>,
) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ManageUsers)?;
    let page_asked = page_params.page(Limits { default: PAGE_SIZE, max: PAGE_SIZE })?;
    let status = filters.status.clone().unwrap_or_default();
    let origin = filters.origin.clone().unwrap_or_default();
    let username = texts.username.clone().unwrap_or_default();
    let by_domain = texts.by_domain.clone().unwrap_or_default();
    let found = moderation::list(&state.ctx.db, filters.into_filter(texts)?, page_asked).await?;
    let keys: Vec<Id> = found.iter().map(|m| m.account.id).collect();
    let kept = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("status", &status), ("origin", &origin), ("username", &username), ("by_domain", &by_domain)])
        .finish();
    let main = html! {
        h1 { "Accounts" }
        form.filters method="get" action="/admin/accounts" {
            div { label for="status" { "Status" } (select("status", &STATUSES, &status)) }
            div { label for="origin" { "Site" } (select("origin", &ORIGINS, &origin)) }
            div { label for="username" { "Username contains" } input id="username" name="username" value=(username); }
            div { label for="by_domain" { "Domain" } input id="by_domain" name="by_domain" value=(by_domain); }
            div { button type="submit" { "Filter" } }
        }
        @if found.is_empty() {
            p.muted { "No accounts match." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Account" }
                    th scope="col" { "Role" }
                    th scope="col" { "Status" }
                    th scope="col" { "Joined" }
                } }
                tbody {
                    @for found in &found {
                        tr {
                            th scope="row" { a href={ "/admin/accounts/" (found.account.id) } { (account_name(found)) } }
                            td { @match &found.user { Some(user) => (user.role), None => span.muted { "other site" } } }
                            td { (states(found)) }
                            td { (when(found.account.created_at)) }
                        }
                    }
                }
            }
        }
        (pager("/admin/accounts", &kept, &page_asked, &keys))
    };
    Ok(page(&staff, Section::Accounts, "Accounts", main))
}

fn select(name: &str, options: &[(&str, &str)], chosen: &str) -> Markup {
    html! {
        select id=(name) name=(name) {
            @for (value, label) in options {
                option value=(value) selected[*value == chosen] { (label) }
            }
        }
    }
}

/// What has been done to the account, as labels.
fn states(found: &ModeratedAccount) -> Markup {
    let account = &found.account;
    let user = found.user.as_ref();
    let labels = [
        (account.suspended, "suspended"),
        (account.silenced, "limited"),
        (account.sensitized, "media sensitive"),
        (user.is_some_and(|u| u.disabled), "disabled"),
        (user.is_some_and(|u| !u.approved), "waiting for approval"),
    ];
    html! {
        @for (_, label) in labels.iter().filter(|(set, _)| *set) { span.status.bad { (label) } }
        @if !labels.iter().any(|(set, _)| *set) { span.status { "active" } }
    }
}

/// Which undoing applies to the account as it is now.
fn reversals(found: &ModeratedAccount) -> Vec<(Reversal, &'static str)> {
    let account = &found.account;
    let user = found.user.as_ref();
    [
        (user.is_some_and(|u| !u.approved), Reversal::Approve, "Approve"),
        (user.is_some_and(|u| u.disabled), Reversal::Enable, "Enable sign-in"),
        (account.silenced, Reversal::Unsilence, "Lift the limit"),
        (account.suspended, Reversal::Unsuspend, "Lift the suspension"),
        (account.sensitized, Reversal::Unsensitive, "Stop marking media sensitive"),
    ]
    .into_iter()
    .filter(|(applies, _, _)| *applies)
    .map(|(_, reversal, label)| (reversal, label))
    .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// The report the action will answer, when the moderator came from one.
    #[serde(default)]
    report_id: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ManageUsers)?;
    let found = moderation::get(&state.ctx.db, path_id(&id)?).await?;
    let id = found.account.id;
    let title = format!("@{}", found.account.acct());
    let main = html! {
        h1 { (title) }
        dl.facts {
            dt { "Display name" } dd { (found.account.display_name) }
            dt { "Status" } dd { (states(&found)) }
            @if let Some(user) = &found.user {
                dt { "E-mail" } dd { (user.email) }
                dt { "Role" } dd { (user.role) }
            }
            dt { "Joined" } dd { (when(found.account.created_at)) }
            dt { "Posts" } dd { (found.account.statuses_count) }
            dt { "Profile" } dd { a href=(found.account.url) { (found.account.url) } }
        }
        h2 { "Take action" }
        (post_form(&staff, &format!("/admin/accounts/{id}/action"), "", html! {
            @if let Some(report_id) = &query.report_id { input type="hidden" name="report_id" value=(report_id); }
            fieldset {
                legend { "Action" }
                @for (value, label) in ACTIONS {
                    div {
                        input type="radio" id={ "type-" (value) } name="type" value=(value) checked[value == "none"];
                        " " label.inline for={ "type-" (value) } { (label) }
                    }
                }
            }
            label for="text" { "Warning shown to the account's owner" }
            textarea id="text" name="text" {}
            div.actions { button.danger type="submit" { "Take action" } }
        }))
        @let undo = reversals(&found);
        @if !undo.is_empty() {
            h2 { "Undo" }
            div.actions {
                @for (reversal, label) in undo {
                    (post_form(&staff, &format!("/admin/accounts/{id}/undo/{}", reversal.verb()), "inline", html! {
                        button.secondary type="submit" { (label) }
                    }))
                }
            }
        }
    };
    Ok(page(&staff, Section::Accounts, &title, main))
}

pub async fn act(
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: StaffForm<ActionForm>,
) -> Result<HttpResponse, Refusal> {
    let user = form.staff.permitted(WRITE, Permission::ManageUsers)?;
    let id = path_id(&id)?;
    moderation::act(&state.ctx, Actor::from(user), id, form.fields.into_request()?).await?;
    Ok(redirect(&format!("/admin/accounts/{id}")))
}

pub async fn undo(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: StaffForm<NoFields>,
) -> Result<HttpResponse, Refusal> {
    let (id, verb) = path.into_inner();
    let user = form.staff.permitted(WRITE, Permission::ManageUsers)?;
    let reversal = Reversal::parse(&verb).ok_or_else(|| ApiError::NotFound(format!("'{verb}' cannot be undone")))?;
    let id = path_id(&id)?;
    moderation::undo(&state.ctx.db, Actor::from(user), id, reversal).await?;
    Ok(redirect(&format!("/admin/accounts/{id}")))
}
