//! `/@{name}/kudos`: the recognition a person of this site received, newest
//! first: who gave it, the badge and the post, for public posts only.

use actix_web::{HttpResponse, web};
use maud::{PreEscaped, html};
use tertulia_core::Id;
use tertulia_domain::kudos;

use super::{PageError, Section, display_name, local_account, page};
use crate::AppState;
use crate::forms::Query;
use crate::pagination::{PageParams, STATUSES};
use crate::web::{pager, when};

pub async fn show(
    state: web::Data<AppState>,
    name: web::Path<String>,
    Query(params): Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let config = &state.ctx.config;
    let person = local_account(&state, &name).await?;
    let page_asked = params.page(STATUSES)?;
    let received = kudos::received(&state.ctx.db, None, person.id, page_asked).await?;
    let keys: Vec<Id> = received.iter().map(|recognition| recognition.status.id).collect();
    let handle = format!("@{}@{}", person.username, config.domain);
    let title = format!("Kudos for {handle}");
    let main = html! {
        h1 { "Kudos for " a href=(person.url) { (display_name(&person)) } }
        p.muted { (handle) " has received " (person.kudos_count) " kudos in all; the public ones are shown here." }
        @if received.is_empty() {
            p.muted { "No public kudos to show." }
        }
        @for recognition in &received {
            @let status = &recognition.status;
            article {
                h2 {
                    "From " a href=(status.account.url) { (display_name(&status.account)) }
                    @if let Some(badge) = &recognition.badge { " " span.status { (badge) } }
                }
                // The domain sanitised the post's HTML when it was stored.
                blockquote { (PreEscaped(&status.content)) }
                p.muted { a href=(status.url) { time datetime=(status.created_at.to_rfc3339()) { (when(status.created_at)) } } }
            }
        }
        (pager(&format!("/@{}/kudos", person.username), "", &page_asked, &keys))
    };
    Ok(page(Section::Other, &title, main))
}
