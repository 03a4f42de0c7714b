//! `GET|POST /admin/sign_in` and `POST /admin/sign_out`. The password is
//! checked by the same function as the OAuth sign-in page and the password
//! grant (company directory first, then local passwords), with the same
//! slowing of guesses and the same IP blocks.

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use serde::Deserialize;
use tertulia_domain::oauth::{self, OAuthError};
use tertulia_domain::sign_up_blocks;

use super::session::{StaffForm, cleared_cookie, same_origin, session_cookie};
use super::{Refusal, redirect};
use crate::AppState;
use crate::forms::Form;
use crate::web::{document, problem, respond, secured};

pub const PATH: &str = "/admin/sign_in";
pub const SIGN_OUT_PATH: &str = "/admin/sign_out";

#[derive(Debug, Default, Deserialize)]
pub struct Credentials {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    form(&state, "", None, StatusCode::OK)
}

pub async fn submit(
    state: web::Data<AppState>,
    request: HttpRequest,
    Form(credentials): Form<Credentials>,
) -> Result<HttpResponse, Refusal> {
    // No session yet, so no form token: only the origin check guards
    // against another site signing a browser in to an account of its own.
    if !same_origin(&request, &state.ctx.config) {
        return Err(Refusal::CrossSite);
    }
    if let Err(refused) = sign_up_blocks::admit_sign_in(&state.ctx.db, state.proxies.ip_of(&request)).await {
        return Ok(problem(StatusCode::FORBIDDEN, "Sign-in refused", &refused.to_string(), None));
    }
    match oauth::open_staff_session(&state.ctx, &state.sign_ins, &credentials.login, &credentials.password).await {
        Ok(issued) => Ok(secured(HttpResponse::SeeOther())
            .insert_header((SET_COOKIE, session_cookie(&state.ctx.config, &issued.access_token)))
            .insert_header(("Location", "/admin"))
            .finish()),
        Err(OAuthError::AccessDenied(message)) => {
            Ok(form(&state, &credentials.login, Some(&message), StatusCode::UNAUTHORIZED))
        }
        // The form stays, so the person can try again once the directory is back.
        Err(OAuthError::TemporarilyUnavailable(message)) => {
            Ok(form(&state, &credentials.login, Some(&message), StatusCode::SERVICE_UNAVAILABLE))
        }
        Err(other) => Err(other.into()),
    }
}

/// Nothing but the form token.
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

pub async fn sign_out(state: web::Data<AppState>, form: StaffForm<NoFields>) -> Result<HttpResponse, Refusal> {
    oauth::close_staff_session(&state.ctx.db, form.staff.token_id()).await?;
    let mut response = redirect(PATH);
    if let Ok(cleared) = cleared_cookie(&state.ctx.config).parse() {
        response.headers_mut().insert(SET_COOKIE, cleared);
    }
    Ok(response)
}

fn form(state: &AppState, login: &str, error: Option<&str>, status: StatusCode) -> HttpResponse {
    let title = format!("Sign in to the dashboard of {}", state.ctx.config.instance.title);
    let main = html! {
        h1 { (title) }
        p { "For this site's moderators and administrators. Use the same username or e-mail address and password as for the apps." }
        @if let Some(error) = error { p.error role="alert" id="error" { (error) } }
        form method="post" action=(PATH) {
            label for="login" { "Username or e-mail address" }
            input id="login" name="login" value=(login) autocomplete="username" required autofocus
                aria-describedby=[error.map(|_| "error")];
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required
                aria-describedby=[error.map(|_| "error")];
            div.actions { button type="submit" { "Sign in" } }
        }
    };
    respond(status, document(&title, None, main))
}
