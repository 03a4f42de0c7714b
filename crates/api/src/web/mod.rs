//! Server-rendered HTML pages: the one document shell, stylesheet and set
//! of security headers that every page of the site is presented with.
//! Markup is written with `maud`, which escapes every value it is given,
//! so text from users (display names, report comments) can never become
//! markup.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use maud::{DOCTYPE, Markup, html};
use tertulia_core::Id;
use tertulia_domain::Page;
use tertulia_domain::trends::Window;

/// Where the stylesheet is served from: a file of its own, because the
/// Content-Security-Policy allows no inline styles.
pub const STYLESHEET_PATH: &str = "/web/style.css";

const STYLESHEET: &str = include_str!("style.css");

/// Pages run no scripts, load nothing from other sites, send forms only to
/// this site and cannot be framed (clickjacking); `base-uri` stops an
/// injected `<base>` from redirecting relative links.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The same for the OAuth sign-in page, whose form is answered with a
/// redirect to the app's own URI (any scheme, such as `com.tapbots.Ivory:`),
/// and browsers apply `form-action` to where a form's answer redirects.
const SIGN_IN_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action *; frame-ancestors 'none'; base-uri 'none'";

/// Where a page's forms may lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTargets {
    /// Only this site's pages.
    ThisSite,
    /// Anywhere: the OAuth sign-in page, which hands the browser to the app.
    Apps,
}

/// A whole HTML document: `header` (the dashboard's navigation, say) above
/// the page's `main` content. Pages without a header (sign-in forms,
/// problems) are a narrow card.
pub fn document(title: &str, header: Option<Markup>, main: Markup) -> Markup {
    shell(title, header, main, None)
}

/// [`document`], for a page about something that also has an ActivityPub
/// document at `activity_url` (a person, a post): tools that start from
/// the page find the document through its `alternate` link.
pub fn document_about(title: &str, header: Option<Markup>, main: Markup, activity_url: &str) -> Markup {
    shell(title, header, main, Some(activity_url))
}

fn shell(title: &str, header: Option<Markup>, main: Markup, activity_url: Option<&str>) -> Markup {
    let header_absent = header.is_none();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                // No icon: without this browsers ask for /favicon.ico, a 404.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(STYLESHEET_PATH);
                @if let Some(url) = activity_url { link rel="alternate" type="application/activity+json" href=(url); }
            }
            body {
                @if let Some(header) = header { (header) }
                main.narrow[header_absent] { (main) }
            }
        }
    }
}

/// The response for a rendered page, with the security headers every
/// page carries. Pages show staff and personal data, so no cache keeps them.
pub fn respond(status: StatusCode, page: Markup) -> HttpResponse {
    respond_with(FormTargets::ThisSite, status, page)
}

/// [`respond`], for a page whose forms may lead to `targets`.
pub fn respond_with(targets: FormTargets, status: StatusCode, page: Markup) -> HttpResponse {
    secured_with(targets, HttpResponse::build(status)).content_type("text/html; charset=utf-8").body(page.into_string())
}

/// Adds the page security headers to a response being built (pages and
/// redirects alike).
pub fn secured(response: HttpResponseBuilder) -> HttpResponseBuilder {
    secured_with(FormTargets::ThisSite, response)
}

fn secured_with(targets: FormTargets, mut response: HttpResponseBuilder) -> HttpResponseBuilder {
    let policy = match targets {
        FormTargets::ThisSite => CONTENT_SECURITY_POLICY,
        FormTargets::Apps => SIGN_IN_POLICY,
    };
    response
        .insert_header(("Content-Security-Policy", policy))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"));
    response
}

/// The links to newer and older pages of a list keyed newest first by
/// `keys`, keeping the page's own filters (`filters`, already a query
/// string without paging parameters).
pub fn pager(path: &str, filters: &str, page: &Page, keys: &[Id]) -> Markup {
    let link = |param: &str, id: Id| {
        let separator = if filters.is_empty() { "" } else { "&" };
        format!("{path}?{filters}{separator}{param}={id}")
    };
    let newer = (page.max_id.is_some() || page.min_id.is_some()).then(|| keys.first()).flatten();
    let older = (keys.len() as i64 >= page.limit).then(|| keys.last()).flatten();
    html! {
        nav.pager aria-label="Pages" {
            @if let Some(id) = newer { a href=(link("min_id", *id)) rel="prev" { "← Newer" } }
            @if let Some(id) = older { a href=(link("max_id", *id)) rel="next" { "Older →" } }
        }
    }
}

/// The links to the previous and next windows of a ranked list shown
/// `window.limit` at a time from `window.offset` (the list has no stable
/// key to page on), given that this window has `shown` entries.
pub fn offset_pager(path: &str, window: &Window, shown: usize, labels: (&str, &str)) -> Markup {
    let (previous, next) = labels;
    html! {
        nav.pager aria-label="Pages" {
            @if window.offset > 0 {
                a href=(format!("{path}?offset={}", (window.offset - window.limit).max(0))) rel="prev" { (previous) }
            }
            @if shown as i64 >= window.limit {
                a href=(format!("{path}?offset={}", window.offset + window.limit)) rel="next" { (next) }
            }
        }
    }
}

/// A date and time as pages show it, in UTC.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A page that explains why a request could not be served.
pub fn problem(status: StatusCode, heading: &str, message: &str, header: Option<Markup>) -> HttpResponse {
    let main = html! {
        h1 { (heading) }
        p role="alert" { (message) }
    };
    respond(status, document(heading, header, main))
}

/// `GET /web/style.css`. It changes only with the binary, so browsers may
/// keep it for an hour.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(STYLESHEET)
}
