//! `/admin/federation`: the sites this one blocks and allows. Both lists
//! are the company's federation policy, a few dozen entries at most, so
//! they are shown whole.

use actix_web::{HttpResponse, web};
use maud::html;
use tertulia_core::config::FederationMode;
use tertulia_domain::federation_policy;
use tertulia_domain::roles::Permission;

use super::{Refusal, Section, Staff, page};
use crate::AppState;
use crate::admin::domain_blocks::READ;

pub async fn show(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, Refusal> {
    staff.permitted(READ, Permission::ManageFederation)?;
    let blocks = federation_policy::blocks(&state.ctx.db).await?;
    let allows = federation_policy::allows(&state.ctx.db).await?;
    let main = html! {
        h1 { "Federation" }
        p { "Federation mode: " strong { (mode_name(state.ctx.config.federation.mode)) } }
        h2 { "Blocked sites" }
        @if blocks.is_empty() {
            p.muted { "No site is blocked." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Site" }
                    th scope="col" { "Severity" }
                    th scope="col" { "Media refused" }
                    th scope="col" { "Reports refused" }
                    th scope="col" { "Public comment" }
                } }
                tbody {
                    @for block in &blocks {
                        tr {
                            th scope="row" { (block.domain) }
                            td { (block.severity.as_str()) }
                            td { @if block.reject_media { "yes" } @else { "no" } }
                            td { @if block.reject_reports { "yes" } @else { "no" } }
                            td { (block.public_comment.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        h2 { "Allowed sites" }
        @if allows.is_empty() {
            p.muted { "No site is on the allowlist." }
        } @else {
            table {
                thead { tr { th scope="col" { "Site" } th scope="col" { "Allowed since" } } }
                tbody {
                    @for allow in &allows {
                        tr { th scope="row" { (allow.domain) } td { (allow.created_at.format("%Y-%m-%d")) } }
                    }
                }
            }
        }
        p.muted { "Change these with " code { "tertulia admin federation" } " or the admin API (docs/company-network.md)." }
    };
    Ok(page(&staff, Section::Federation, "Federation", main))
}

fn mode_name(mode: FederationMode) -> &'static str {
    match mode {
        FederationMode::Allowlist => "allowlist: only the allowed sites below",
        FederationMode::Blocklist => "blocklist: every site but the blocked ones below",
        FederationMode::Open => "open: every site",
    }
}
