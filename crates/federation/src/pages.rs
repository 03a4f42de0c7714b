//! The small web pages a browser gets for an actor or a post URL (links
//! in other servers' interfaces and in notifications lead here): who the
//! person is and how to follow them from an app. Only public content is
//! shown; apps are the real interface.

use actix_web::{HttpResponse, web};
use tertulia_core::text::escape_html;
use tertulia_core::visibility::Visibility;
use tertulia_domain::accounts;
use tertulia_domain::statuses::shared;

use crate::{Federation, FederationError};

/// `GET /@{name}`: the profile page.
pub async fn profile(
    federation: web::Data<Federation>,
    name: web::Path<String>,
) -> Result<HttpResponse, FederationError> {
    let name = name.into_inner();
    let lookup = name.clone();
    let account = federation.db().run(move |conn| accounts::local_profile(conn, &lookup)).await?;
    let account = account
        .filter(|a| !a.suspended && a.id.0 != federation.instance_actor().id)
        .ok_or_else(|| FederationError::NotFound(format!("@{name}")))?;
    let domain = &federation.config().domain;
    let handle = format!("@{}@{domain}", account.username);
    let display = if account.display_name.is_empty() { &account.username } else { &account.display_name };
    let body = format!(
        "<h1>{}</h1>\n<p class=\"handle\">{}</p>\n<div class=\"note\">{}</div>\n\
         <p>To follow, search for <strong>{}</strong> in your Mastodon-compatible app.</p>",
        escape_html(display),
        escape_html(&handle),
        account.note,
        escape_html(&handle),
    );
    Ok(page(&format!("{display} ({handle})"), &federation.urls().actor(&account.username), &body))
}

/// `GET /@{name}/{id}`: a public post.
pub async fn post(
    federation: web::Data<Federation>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, FederationError> {
    let (name, id) = path.into_inner();
    let found = federation.db().run(move |conn| shared::one(conn, None, id)).await?;
    let status = found
        .map(|status| status.view)
        .filter(|status| {
            // Anyone may read the page: public and unlisted posts only.
            matches!(status.visibility, Visibility::Public | Visibility::Unlisted)
                && !status.account.suspended
                && status.account.username.eq_ignore_ascii_case(&name)
        })
        .ok_or_else(|| FederationError::NotFound("status".into()))?;
    let author = &status.account;
    let handle = format!("@{}@{}", author.username, federation.config().domain);
    let warning = if status.spoiler_text.is_empty() {
        String::new()
    } else {
        format!("<p class=\"warning\">{}</p>\n", escape_html(&status.spoiler_text))
    };
    let body = format!(
        "<p class=\"author\"><a href=\"{}\">{}</a></p>\n{warning}<div class=\"content\">{}</div>\n<p><time>{}</time></p>",
        escape_html(&federation.urls().profile_page(&author.username)),
        escape_html(&handle),
        status.content,
        status.created_at.format("%Y-%m-%d %H:%M UTC"),
    );
    Ok(page(&format!("Post by {handle}"), &status.uri, &body))
}

/// A complete page. `alternate` is the ActivityPub document of the same
/// thing, for tools that discover it from HTML.
fn page(title: &str, alternate: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         .handle,.author,time{{color:#555}}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape_html(title),
        escape_html(alternate),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:",
        ))
        .insert_header(("x-frame-options", "DENY"))
        .body(html)
}
