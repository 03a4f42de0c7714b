//! The sign-in and consent page: plain HTML that works without JavaScript,
//! with labelled fields for screen readers, and that cannot be framed
//! (the shell, stylesheet and headers are every page's: `crate::web`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use maud::PreEscaped;
use tertulia_core::scope::Scopes;

use crate::web::{self, FormTargets};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

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
    let scopes: String =
        page.scopes.iter().map(|s| format!("<li>{}</li>", escape(&describe_scope(s)))).collect::<Vec<_>>().join("");
    let hidden: String = page
        .hidden
        .iter()
        .map(|(name, value)| format!(r#"<input type="hidden" name="{}" value="{}">"#, escape(name), escape(value)))
        .collect();
    let error = page
        .error
        .map(|e| format!(r#"<p class="error" role="alert" id="error">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let described = if page.error.is_some() { r#" aria-describedby="error""# } else { "" };
    // Choosing the provider allows the app too, as "Sign in and allow" does.
    let company = page
        .company_provider
        .map(|name| {
            format!(
                r#"<form method="get" action="/oauth/oidc/start">
{hidden}
<div class="actions"><button type="submit" id="company-sign-in">Sign in with {name} and allow</button></div>
</form>"#,
                name = escape(name)
            )
        })
        .unwrap_or_default();
    let passwords = if page.passwords {
        format!(
            r#"<label for="login">Username or e-mail address</label>
<input id="login" name="login" value="{login}" autocomplete="username" required autofocus{described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}>
"#,
            login = escape(page.login)
        )
    } else {
        String::new()
    };
    let approve = if page.passwords {
        r#"<button type="submit" name="decision" value="approve">Sign in and allow</button>"#
    } else {
        ""
    };
    let body = format!(
        r#"<h1>Sign in to {title}</h1>
<p><strong>{app}</strong> wants to use your account. If you allow it, it can:</p>
<ul>{scopes}</ul>
{error}
{company}
<form method="post" action="/oauth/authorize">
{hidden}
{passwords}<div class="actions">
{approve}
<button type="submit" name="decision" value="deny" formnovalidate class="secondary">Deny</button>
</div>
</form>"#,
        title = escape(page.instance_title),
        app = escape(page.app_name),
    );
    document(&format!("Sign in to {}", page.instance_title), &body, status)
}

/// For apps without a callback: shows the code to copy into the app.
pub fn show_code(instance_title: &str, app_name: &str, code: &str) -> HttpResponse {
    let body = format!(
        r#"<h1>Authorization code</h1>
<p>Copy this code and paste it into <strong>{app}</strong> to finish signing in to {title}:</p>
<p><code id="code">{code}</code></p>
<p>The code works once and expires in a few minutes.</p>"#,
        app = escape(app_name),
        title = escape(instance_title),
        code = escape(code),
    );
    document("Authorization code", &body, StatusCode::OK)
}

/// A page for requests that cannot be shown a form (unknown app, bad
/// redirect URI): redirecting would send the user somewhere untrusted.
pub fn problem(message: &str, status: StatusCode) -> HttpResponse {
    let body = format!(
        r#"<h1>This sign-in link does not work</h1>
<p role="alert">{}</p>
<p>Go back to the app and start signing in again. If it keeps happening, tell your IT team.</p>"#,
        escape(message)
    );
    document("Sign-in problem", &body, status)
}

/// The page in the site's one shell ([`crate::web`]): its stylesheet and
/// security headers, with forms free to lead back to the app.
fn document(title: &str, body: &str, status: StatusCode) -> HttpResponse {
    // `body` is built above with every value escaped.
    let page = web::document(title, None, PreEscaped(body.to_owned()));
    web::respond_with(FormTargets::Apps, status, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_app_names_is_escaped() {
        assert_eq!(escape(r#"<script>"x"&'y'"#), "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;");
    }
}
