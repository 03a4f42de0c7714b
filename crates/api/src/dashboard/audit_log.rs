//! `/admin/audit_log`: who did what, newest first, a page at a time.

use actix_web::{HttpResponse, web};
use maud::html;
use tertulia_core::Id;
use tertulia_domain::audit;
use tertulia_domain::roles::Permission;

use super::{PAGE_SIZE, Refusal, Section, Staff, page, pager, when};
use crate::AppState;
use crate::admin::analytics::READ;
use crate::forms::Query;
use crate::pagination::{Limits, PageParams};

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    Query(page_params): Query<PageParams>,
) -> Result<HttpResponse, Refusal> {
    // The admin API's audit log asks `admin:read` too.
    staff.permitted(READ, Permission::ViewAuditLog)?;
    let page_asked = page_params.page(Limits { default: PAGE_SIZE, max: PAGE_SIZE })?;
    let entries = audit::list(&state.ctx.db, page_asked).await?;
    let keys: Vec<Id> = entries.iter().map(|entry| entry.id).collect();
    let main = html! {
        h1 { "Audit log" }
        @if entries.is_empty() {
            p.muted { "Nothing has been recorded yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "When" }
                    th scope="col" { "Who" }
                    th scope="col" { "Action" }
                    th scope="col" { "On" }
                } }
                tbody {
                    @for entry in &entries {
                        tr {
                            th scope="row" { (when(entry.created_at)) }
                            td { (entry.actor) }
                            td { (entry.action) }
                            td { (entry.target.kind) ": " (entry.target.label) }
                        }
                    }
                }
            }
        }
        (pager("/admin/audit_log", "", &page_asked, &keys))
    };
    Ok(page(&staff, Section::AuditLog, "Audit log", main))
}
