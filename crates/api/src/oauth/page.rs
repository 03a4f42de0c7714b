//! The sign-in and consent page: plain HTML that works without JavaScript,
//! with labelled fields for screen readers, and that cannot be framed
//! (the shell, stylesheet and headers are every page's: `crate::web`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use maud::{Markup, html};
use tertulia_core::scope::Scopes;

use crate::web::{self, FormTargets};

/// What a person is told each top-level scope lets the app do.
fn describe_scope(scope: &str) -> String {
    match scope {
        "read" => "Read your posts, timelines, notifications, lists and profile".into(),
        "write" => "Post, reply, favourite, boost and change your profile for you".into(),
        "follow" => "Follow, block and mute accounts for you".into(),
        "push" => "Send you push notifications".into(),
        "profile" => "See your basic profile".into(),
        "admin:read" => "Read moderation and administration data".into(),
        "admin:write" => "Take moderation and administration actions".into(),
        granular => format!("Permission: {granular}"),
    }
}

/// Everything the page shows and carries through the form.
pub struct SignInPage<'a> {
    pub instance_title: &'a str,
    pub app_name: &'a str,
    pub scopes: &'a Scopes,
    /// Hidden fields that carry the request through the POST.
    pub hidden: &'a [(&'a str, &'a str)],
    pub login: &'a str,
    pub error: Option<&'a str>,
    /// The OpenID provider's name, when people may sign in through it.
    pub company_provider: Option<&'a str>,
    /// Whether a username and password may be typed here.
    pub passwords: bool,
}

pub fn sign_in(page: &SignInPage<'_>, status: StatusCode) -> HttpResponse {
    let hidden = html! {
        @for (name, value) in page.hidden {
            input type="hidden" name=(name) value=(value);
        }
    };
    // Fields point at the error for screen readers when there is one.
    let described = page.error.map(|_| "error");
    let main = html! {
        h1 { "Sign in to " (page.instance_title) }
        p { strong { (page.app_name) } " wants to use your account. If you allow it, it can:" }
        ul {
            @for scope in page.scopes.iter() { li { (describe_scope(scope)) } }
        }
        @if let Some(error) = page.error {
            p.error role="alert" id="error" { (error) }
        }
        // Choosing the provider allows the app too, as "Sign in and allow" does.
        @if let Some(provider) = page.company_provider {
            form method="get" action="/oauth/oidc/start" {
                (hidden)
                div.actions {
                    button type="submit" id="company-sign-in" { "Sign in with " (provider) " and allow" }
                }
            }
        }
        form method="post" action="/oauth/authorize" {
            (hidden)
            @if page.passwords {
                label for="login" { "Username or e-mail address" }
                input id="login" name="login" value=(page.login) autocomplete="username" required autofocus
                    aria-describedby=[described];
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required
                    aria-describedby=[described];
            }
            div.actions {
                @if page.passwords {
                    button type="submit" name="decision" value="approve" { "Sign in and allow" }
                }
                button.secondary type="submit" name="decision" value="deny" formnovalidate { "Deny" }
            }
        }
    };
    document(&format!("Sign in to {}", page.instance_title), main, status)
}

/// For apps without a callback: shows the code to copy into the app.
pub fn show_code(instance_title: &str, app_name: &str, code: &str) -> HttpResponse {
    let main = html! {
        h1 { "Authorization code" }
        p { "Copy this code and paste it into " strong { (app_name) } " to finish signing in to " (instance_title) ":" }
        p { code id="code" { (code) } }
        p { "The code works once and expires in a few minutes." }
    };
    document("Authorization code", main, StatusCode::OK)
}

/// A page for requests that cannot be shown a form (unknown app, bad
/// redirect URI): redirecting would send the user somewhere untrusted.
pub fn problem(message: &str, status: StatusCode) -> HttpResponse {
    let main = html! {
        h1 { "This sign-in link does not work" }
        p role="alert" { (message) }
        p { "Go back to the app and start signing in again. If it keeps happening, tell your IT team." }
    };
    document("Sign-in problem", main, status)
}

/// The page in the site's one shell ([`crate::web`]): its stylesheet and
/// security headers, with forms free to lead back to the app.
fn document(title: &str, main: Markup, status: StatusCode) -> HttpResponse {
    web::respond_with(FormTargets::Apps, status, web::document(title, None, main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn markup_in_app_names_and_hidden_fields_is_escaped() {
        let scopes = Scopes::parse("read").expect("a known scope");
        let page = SignInPage {
            instance_title: "Acme",
            app_name: r#"<script>"x"&'y'"#,
            scopes: &scopes,
            hidden: &[("state", r#""><script>"#)],
            login: "",
            error: None,
            company_provider: Some("<b>Contoso</b>"),
            passwords: true,
        };
        let body = actix_web::body::to_bytes(sign_in(&page, StatusCode::OK).into_body()).await.expect("a body");
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("<script>") && !body.contains("<b>"), "{body}");
        assert!(body.contains("&lt;script&gt;&quot;x&quot;&amp;'y'"), "{body}");
        assert!(body.contains(r#"value="&quot;&gt;&lt;script&gt;""#), "{body}");
    }
}
