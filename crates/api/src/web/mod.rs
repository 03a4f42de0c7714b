//! Server-rendered HTML pages: the one document shell, stylesheet and set
//! of security headers that every page of the site is presented with.
//! Markup is written with `maud`, which escapes every value it is given,
//! so text from users (display names, report comments) can never become
//! markup.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use maud::{DOCTYPE, Markup, html};

/// Where the stylesheet is served from: a file of its own, because the
/// Content-Security-Policy allows no inline styles.
pub const STYLESHEET_PATH: &str = "/web/style.css";

const STYLESHEET: &str = include_str!("style.css");

/// Pages run no scripts, load nothing from other sites, send forms only to
/// this site and cannot be framed (clickjacking); `base-uri` stops an
/// injected `<base>` from redirecting relative links.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A whole HTML document: `header` (the dashboard's navigation, say) above
/// the page's `main` content.
pub fn document(title: &str, header: Option<Markup>, main: Markup) -> Markup {
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
            }
            body {
                @if let Some(header) = header { (header) }
                main { (main) }
            }
        }
    }
}

/// The response for a rendered page, with the security headers every
/// page carries. Pages show staff and personal data, so no cache keeps them.
pub fn respond(status: StatusCode, page: Markup) -> HttpResponse {
    secured(HttpResponse::build(status)).content_type("text/html; charset=utf-8").body(page.into_string())
}

/// Adds the page security headers to a response being built (pages and
/// redirects alike).
pub fn secured(mut response: HttpResponseBuilder) -> HttpResponseBuilder {
    response
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"));
    response
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
