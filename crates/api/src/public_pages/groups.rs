//! `/groups` (this site's groups) and `/groups/{name}` (one group's rules,
//! moderators and the public posts it shared).

use actix_web::{HttpResponse, web};
use maud::{PreEscaped, html};
use tertulia_core::Id;
use tertulia_domain::{AccountStatusFilter, groups, timelines};

use super::{PageError, Section, display_name, local_account, page};
use crate::AppState;
use crate::forms::Query;
use crate::pagination::{PageParams, STATUSES};
use crate::web::{pager, when};

pub async fn index(state: web::Data<AppState>, Query(params): Query<PageParams>) -> Result<HttpResponse, PageError> {
    let page_asked = params.page(STATUSES)?;
    let found = groups::list(&state.ctx.db, page_asked).await?;
    let keys: Vec<Id> = found.iter().map(|group| group.account.id).collect();
    let domain = &state.ctx.config.domain;
    let main = html! {
        h1 { "Groups" }
        p { "To join a group, follow its handle from your app; to post to it, mention it." }
        @if found.is_empty() {
            p.muted { "This site has no groups yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Group" }
                    th scope="col" { "About" }
                    th scope="col" class="number" { "Members" }
                } }
                tbody {
                    @for group in &found {
                        @let account = &group.account;
                        tr {
                            th scope="row" {
                                a href=(format!("/groups/{}", account.username)) { (display_name(account)) }
                                br;
                                a.muted href=(account.url) { "@" (account.username) "@" (domain) }
                                @if account.locked { " " span.status { "private" } }
                            }
                            td { (PreEscaped(&account.note)) }
                            td.number { (account.followers_count) }
                        }
                    }
                }
            }
        }
        (pager("/groups", "", &page_asked, &keys))
    };
    Ok(page(Section::Groups, "Groups", main))
}

pub async fn show(
    state: web::Data<AppState>,
    name: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let account = local_account(&state, &name).await?;
    let group = groups::find(&state.ctx.db, account.id).await?;
    let page_asked = params.page(STATUSES)?;
    // The group's boosts, as an anonymous reader may see them: a private
    // group's are for its members only, so none are shown.
    let shared =
        timelines::account_statuses(&state.ctx.db, None, account.id, AccountStatusFilter::default(), page_asked)
            .await?;
    let keys: Vec<Id> = shared.iter().map(|status| status.id).collect();
    let handle = format!("@{}@{}", account.username, state.ctx.config.domain);
    let title = display_name(&account);
    let main = html! {
        h1 { (title) }
        dl.facts {
            dt { "Handle" } dd { a href=(account.url) { (handle) } }
            dt { "Members" } dd { (account.followers_count) }
            dt { "Joining" } dd { @if account.locked { "A moderator approves each member." } @else { "Open: follow the group to join." } }
        }
        h2 { "Rules" }
        @if group.rules.trim().is_empty() { p.muted { "No rules written yet." } }
        @else { (PreEscaped(&account.note)) }
        h2 { "Moderators" }
        ul {
            @for moderator in &group.moderators {
                li { a href=(moderator.url) { (display_name(moderator)) } " " span.muted { "@" (moderator.acct()) } }
            }
        }
        h2 { "Recent posts" }
        @if shared.is_empty() { p.muted { "No public posts shared yet." } }
        @for boost in &shared {
            @let post = boost.reblog.as_deref().unwrap_or(boost);
            article {
                p {
                    a href=(post.account.url) { (display_name(&post.account)) }
                    " " span.muted { "@" (post.account.acct()) }
                }
                @if !post.spoiler_text.is_empty() { p.notice { (post.spoiler_text) } }
                // The domain sanitised the post's HTML when it was stored.
                blockquote { (PreEscaped(&post.content)) }
                p.muted { a href=(post.url) { time datetime=(post.created_at.to_rfc3339()) { (when(post.created_at)) } } }
            }
        }
        (pager(&format!("/groups/{}", account.username), "", &page_asked, &keys))
    };
    Ok(page(Section::Groups, title, main))
}
