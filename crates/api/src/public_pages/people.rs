//! `/@{name}` and `/@{name}/{id}`: the pages a browser gets for a person of
//! this site and for one of their posts. Links in other servers'
//! interfaces and in notifications lead here (`/users/{name}` and a post's
//! URI send browsers on); apps are the real interface, so the pages say
//! who the person is and how to follow them from one. Only what anyone
//! may read is shown.

use actix_web::{HttpResponse, web};
use maud::{PreEscaped, html};
use tertulia_core::Id;
use tertulia_domain::statuses;

use super::{PageError, Section, display_name, header, local_account};
use crate::web::{document_about, respond, when};
use crate::{ApiError, AppState};

/// `GET /@{name}`.
pub async fn profile(state: web::Data<AppState>, name: web::Path<String>) -> Result<HttpResponse, PageError> {
    let person = local_account(&state, &name).await?;
    let handle = format!("@{}@{}", person.username, state.ctx.config.domain);
    let main = html! {
        h1 { (display_name(&person)) }
        p.muted { (handle) }
        // The domain sanitised the note's HTML when it was saved.
        div { (PreEscaped(&person.note)) }
        p { "To follow, search for " strong { (handle) } " in your Mastodon-compatible app." }
        @if person.kudos_count > 0 {
            p { a href=(format!("/@{}/kudos", person.username)) { "Kudos received: " (person.kudos_count) } }
        }
    };
    let title = format!("{} ({handle})", display_name(&person));
    Ok(respond(
        actix_web::http::StatusCode::OK,
        document_about(&title, Some(header(Section::Other)), main, &person.uri),
    ))
}

/// `GET /@{name}/{id}`: one of the person's own posts (not a boost) that
/// an anonymous reader may see.
pub async fn post(state: web::Data<AppState>, path: web::Path<(String, i64)>) -> Result<HttpResponse, PageError> {
    let (name, id) = path.into_inner();
    let person = local_account(&state, &name).await?;
    let status = statuses::get(&state.ctx.db, None, Id(id)).await?;
    if status.account.id != person.id || status.reblog.is_some() {
        return Err(ApiError::NotFound("status not found".into()).into());
    }
    let handle = format!("@{}@{}", person.username, state.ctx.config.domain);
    let main = html! {
        p { a href=(person.url) { (display_name(&person)) } " " span.muted { (handle) } }
        article {
            @if !status.spoiler_text.is_empty() { p.muted { strong { (status.spoiler_text) } } }
            // The domain sanitised the post's HTML when it was stored.
            div { (PreEscaped(&status.content)) }
            p.muted { time datetime=(status.created_at.to_rfc3339()) { (when(status.created_at)) } }
        }
    };
    let title = format!("Post by {handle}");
    Ok(respond(
        actix_web::http::StatusCode::OK,
        document_about(&title, Some(header(Section::Other)), main, &status.uri),
    ))
}
