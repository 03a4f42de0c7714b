//! The admin dashboard under `/admin`: server-rendered pages for the
//! site's moderators and administrators (docs/moderation.md, "The
//! dashboard"). Each page asks for the permission its admin API endpoint
//! asks for and calls the same domain functions, so what staff may do,
//! and what the audit log records, is the same in both.

mod accounts;
mod audit_log;
mod federation;
mod overview;
mod reports;
mod session;
mod sign_in;

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, web};
use maud::{Markup, html};
use tertulia_domain::roles::{self, Permission};

use crate::ApiError;
use crate::web::{document, problem, respond, secured};
pub use crate::web::{pager, when};
pub use session::Staff;

/// The dashboard's routes, for the one URL table (`routes.rs`).
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/admin", web::get().to(overview::show))
        .route("/admin/exports/adoption", web::get().to(overview::export))
        .route("/admin/sign_in", web::get().to(sign_in::show))
        .route("/admin/sign_in", web::post().to(sign_in::submit))
        .route("/admin/sign_out", web::post().to(sign_in::sign_out))
        .route("/admin/reports", web::get().to(reports::index))
        .route("/admin/reports/{id}", web::get().to(reports::show))
        .route("/admin/reports/{id}/{action}", web::post().to(reports::act))
        .route("/admin/accounts", web::get().to(accounts::index))
        .route("/admin/accounts/{id}", web::get().to(accounts::show))
        .route("/admin/accounts/{id}/action", web::post().to(accounts::act))
        .route("/admin/accounts/{id}/undo/{reversal}", web::post().to(accounts::undo))
        .route("/admin/audit_log", web::get().to(audit_log::index))
        .route("/admin/federation", web::get().to(federation::show));
}

/// Why a dashboard request gets no page of its own: not signed in (sent
/// to the sign-in page), a form that did not come from the dashboard, or
/// an error of the admin API's kinds, each shown as a page with its status.
#[derive(Debug)]
pub enum Refusal {
    SignIn,
    CrossSite,
    StaleForm,
    Failed(ApiError),
}

impl<E: Into<ApiError>> From<E> for Refusal {
    fn from(error: E) -> Self {
        Refusal::Failed(error.into())
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SignIn => f.write_str("sign in to use the dashboard"),
            Refusal::CrossSite => f.write_str(
                "This form was sent from another site. For your safety the dashboard only accepts forms sent from its own pages.",
            ),
            Refusal::StaleForm => f.write_str(
                "This form is out of date or did not come from your dashboard session, so nothing was changed. Reload the page and try again.",
            ),
            Refusal::Failed(error) => error.fmt(f),
        }
    }
}

impl ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        match self {
            Refusal::SignIn => StatusCode::SEE_OTHER,
            Refusal::CrossSite | Refusal::StaleForm => StatusCode::FORBIDDEN,
            Refusal::Failed(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Refusal::SignIn => redirect(sign_in::PATH),
            Refusal::Failed(error) if status.is_server_error() => {
                // The cause is for the logs; the person is told only that it failed.
                tracing::error!(cause = %error, "a dashboard page failed");
                problem(
                    status,
                    "Something went wrong",
                    "The server could not show this page. Try again in a moment; if it keeps happening, tell your IT team.",
                    None,
                )
            }
            Refusal::Failed(_) if status == StatusCode::FORBIDDEN => {
                problem(status, "Not allowed", &self.to_string(), None)
            }
            _ => problem(status, "This did not work", &self.to_string(), None),
        }
    }
}

/// A 303 to `path`: after a form, the browser loads the page anew with GET.
pub fn redirect(path: &str) -> HttpResponse {
    secured(HttpResponse::SeeOther()).insert_header((LOCATION, path)).finish()
}

/// Rows per dashboard page: a screenful.
pub const PAGE_SIZE: i64 = 25;

/// A form that posts to `action` with the session's form token: the one
/// way dashboard pages make forms.
pub fn post_form(staff: &Staff, action: &str, class: &str, fields: Markup) -> Markup {
    html! {
        form method="post" action=(action) class=(class) {
            input type="hidden" name="csrf" value=(staff.form_token());
            (fields)
        }
    }
}

/// The dashboard's sections, in the order the navigation shows them, each
/// with the permission its page needs: a link is shown only to those who
/// may follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Reports,
    Accounts,
    AuditLog,
    Federation,
}

impl Section {
    const ALL: [Section; 5] =
        [Section::Overview, Section::Reports, Section::Accounts, Section::AuditLog, Section::Federation];

    fn link(self) -> (&'static str, &'static str, Permission) {
        match self {
            Section::Overview => ("/admin", "Adoption", Permission::ViewDashboard),
            Section::Reports => ("/admin/reports", "Reports", Permission::ManageReports),
            Section::Accounts => ("/admin/accounts", "Accounts", Permission::ManageUsers),
            Section::AuditLog => ("/admin/audit_log", "Audit log", Permission::ViewAuditLog),
            Section::Federation => ("/admin/federation", "Federation", Permission::ManageFederation),
        }
    }
}

/// A dashboard page: the navigation, who is signed in and the sign-out
/// button above `main`.
pub fn page(staff: &Staff, current: Section, title: &str, main: Markup) -> HttpResponse {
    let user = staff.user();
    let header = html! {
        header.site {
            nav aria-label="Dashboard" {
                ul {
                    @for section in Section::ALL {
                        @let (path, name, permission) = section.link();
                        @if roles::permits(user.role, permission) {
                            li {
                                @if section == current { a href=(path) aria-current="page" { (name) } }
                                @else { a href=(path) { (name) } }
                            }
                        }
                    }
                }
            }
            div.who {
                span { "Signed in as @" (user.account.username) " (" (user.role) ")" }
                (post_form(staff, sign_in::SIGN_OUT_PATH, "inline", html! {
                    button.secondary type="submit" { "Sign out" }
                }))
            }
        }
    };
    respond(StatusCode::OK, document(title, Some(header), main))
}
