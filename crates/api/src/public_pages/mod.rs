//! Public, read-only web pages anyone may open without signing in: the
//! site's groups (`/groups`), upcoming events (`/events`), idea campaigns
//! (`/campaigns`) and the recognition a person received (`/@name/kudos`). They show only what an
//! anonymous reader may see, read through the domain's usual reads, and
//! are presented with the shared layout (`crate::web`).

mod campaigns;
mod events;
mod groups;
mod kudos;
mod people;

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use maud::{Markup, html};
use tertulia_domain::{AccountView, accounts};

use crate::web::{document, problem, respond};
use crate::{ApiError, AppState};

/// The routes that do not start with `/@`, for the one URL table.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/groups", web::get().to(groups::index))
        .route("/groups/{name}", web::get().to(groups::show))
        .route("/events", web::get().to(events::index))
        .route("/campaigns", web::get().to(campaigns::index))
        .route("/campaigns/{tag}", web::get().to(campaigns::show));
}

/// The routes under `/@{name}`, registered apart from [`routes`]: each must
/// come before the one after it, and `/@{name}/kudos` before `/@{name}/{id}`.
pub fn person_routes(config: &mut web::ServiceConfig) {
    config
        .route("/@{name}/kudos", web::get().to(kudos::show))
        .route("/@{name}", web::get().to(people::profile))
        .route("/@{name}/{id}", web::get().to(people::post));
}

/// The public pages' sections, in the order the navigation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Groups,
    Events,
    Campaigns,
    /// A page of its own, such as a person's recognition.
    Other,
}

/// A public page: the site's navigation above `main`.
fn page(current: Section, title: &str, main: Markup) -> HttpResponse {
    respond(StatusCode::OK, document(title, Some(header(current)), main))
}

fn header(current: Section) -> Markup {
    let links = [
        (Section::Groups, "/groups", "Groups"),
        (Section::Events, "/events", "Events"),
        (Section::Campaigns, "/campaigns", "Campaigns"),
    ];
    html! {
        header.site {
            nav aria-label="Site" {
                ul {
                    @for (section, path, name) in links {
                        li {
                            @if section == current { a href=(path) aria-current="page" { (name) } }
                            @else { a href=(path) { (name) } }
                        }
                    }
                }
            }
        }
    }
}

/// The account `name` of this site (not suspended): a name with a
/// domain is not found, as the pages show only this site's people.
async fn local_account(state: &AppState, name: &str) -> Result<AccountView, PageError> {
    let domain = &state.ctx.config.domain;
    // The site's own actor is named after the domain; it is not a person.
    if name.contains('@') || name.eq_ignore_ascii_case(domain) {
        return Err(ApiError::NotFound("account not found".into()).into());
    }
    Ok(accounts::lookup(&state.ctx.db, domain, name).await?)
}

/// What a page calls an account: its display name, or its username.
fn display_name(account: &AccountView) -> &str {
    if account.display_name.is_empty() { &account.username } else { &account.display_name }
}

/// Why a public page cannot be shown, answered as a page with the status
/// the API would give.
#[derive(Debug)]
pub struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let header = Some(header(Section::Other));
        if status == StatusCode::NOT_FOUND {
            return problem(
                status,
                "Page not found",
                "Nothing public of that name exists on this site. Check the address, or start from the groups, events or campaigns page.",
                header,
            );
        }
        if status.is_server_error() {
            // The cause is for the logs; the reader is told only that it failed.
            tracing::error!(cause = %self.0, "a public page failed");
            return problem(
                status,
                "Something went wrong",
                "The server could not show this page. Try again in a moment; if it keeps happening, tell your IT team.",
                header,
            );
        }
        problem(status, "This did not work", &self.to_string(), header)
    }
}
