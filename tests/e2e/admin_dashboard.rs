//! The admin dashboard end to end, as a browser uses it: signing in (and
//! who is refused), the security headers, a moderator working a report
//! through the forms (which the admin API and the audit log then show),
//! pages outside the moderator's permissions, forged and cross-site forms
//! refused with nothing changed, escaping of hostile names, sign-out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tertulia_testrig::{TEST_PASSWORD, TestInstance, http_client};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A browser without JavaScript: it keeps the session cookie by hand and
/// follows no redirects, so each answer can be checked.
struct Browser<'a> {
    site: &'a TestInstance,
    client: reqwest::Client,
    cookie: Option<String>,
}

/// A page as received: status, `Location`, body.
struct Page {
    status: StatusCode,
    location: Option<String>,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(site: &'a TestInstance) -> Self {
        let client = http_client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { site, client, cookie: None }
    }

    async fn read(&self, request: reqwest::RequestBuilder) -> Page {
        let request = match &self.cookie {
            Some(cookie) => request.header(COOKIE, cookie),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers.get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
        Page { status, location, headers, body: response.text().await.unwrap() }
    }

    async fn get(&self, path: &str) -> Page {
        self.read(self.client.get(self.site.url(path))).await
    }

    /// A form sent as a browser sends one from the dashboard: with this
    /// site's `Origin` and `Sec-Fetch-Site: same-origin`.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_from(path, form, &self.site.url(""), "same-origin").await
    }

    async fn post_from(&self, path: &str, form: &[(&str, &str)], origin: &str, fetch_site: &str) -> Page {
        let request = self
            .client
            .post(self.site.url(path))
            .header("Origin", origin)
            .header("Sec-Fetch-Site", fetch_site)
            .form(form);
        self.read(request).await
    }

    /// Signs in; keeps the cookie when it works.
    async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let page = self.post("/admin/sign_in", &[("login", login), ("password", password)]).await;
        if let Some(set) = page.headers.get(SET_COOKIE) {
            let set = set.to_str().unwrap().to_owned();
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        page
    }

    /// The form token on the page at `path`.
    async fn form_token(&self, path: &str) -> String {
        let page = self.get(path).await;
        let (_, rest) = page.body.split_once(r#"name="csrf" value=""#).expect("a form token on the page");
        rest.split('"').next().unwrap().to_owned()
    }
}

async fn report(site: &TestInstance, token: &str, id: &str) -> Value {
    site.api(token).get(&format!("/api/v1/admin/reports/{id}")).await.ok()
}

#[tokio::test]
async fn staff_sign_in_and_work_reports_through_safe_forms() {
    let hq = support::start().await;
    hq.create_user("boss", &["--admin"]).await;
    hq.create_user("mod", &["--moderator"]).await;
    let boss = hq.token_with_scopes("boss", ADMIN_SCOPES).await;
    let (ana, _) = hq.sign_up_with_id("ana").await;
    let (mallory, mallory_id) = hq.sign_up_with_id("mallory").await;
    let hostile = r#"<script>alert("x")</script>"#;
    hq.api(&mallory).patch("/api/v1/accounts/update_credentials", json!({"display_name": hostile})).await.ok();
    let filed = hq.api(&ana).post("/api/v1/reports", json!({"account_id": mallory_id, "comment": "spam"})).await.ok();
    let report_id = filed["id"].as_str().unwrap().to_owned();

    // Signed out, every page leads to the sign-in form, which carries the
    // security headers.
    let mut browser = Browser::new(&hq);
    let page = browser.get("/admin/reports").await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/sign_in")));
    let page = browser.get("/admin/sign_in").await;
    assert_eq!(page.status, StatusCode::OK);
    let header = |name: &str| page.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("content-security-policy").as_deref(), Some(CSP));
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"));
    assert!(page.body.contains(r#"<label for="login">"#), "{}", page.body);
    let style = browser.get("/web/style.css").await;
    assert_eq!(style.headers.get("content-type").unwrap(), "text/css; charset=utf-8");

    // A wrong password, a person without a staff role, and a sign-in form
    // posted from another site are all refused, with no session.
    let page = browser.sign_in("mod", "not the password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("wrong username, e-mail address or password"), "{}", page.body);
    let page = browser.sign_in("ana", TEST_PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("moderators and administrators"), "{}", page.body);
    let page = browser
        .post_from(
            "/admin/sign_in",
            &[("login", "mod"), ("password", TEST_PASSWORD)],
            "http://evil.example",
            "cross-site",
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.headers.get(SET_COOKIE).is_none());
    assert!(browser.cookie.is_none());

    // The moderator signs in, by e-mail address, with a cookie scripts
    // cannot read and other sites' requests do not carry.
    let page = browser.sign_in("mod@acme.example", TEST_PASSWORD).await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/admin")), "{}", page.body);
    let set_cookie = page.headers.get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let overview = browser.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert!(overview.body.contains("/admin/exports/adoption?range=30"), "{}", overview.body);
    let csv = browser.get("/admin/exports/adoption?range=30&by=&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.body.starts_with("group,members,active,engaged,monthly_active,habitual"), "{}", csv.body);

    // The report queue names the reported account, its hostile display
    // name shown as text, never as markup.
    let queue = browser.get("/admin/reports").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains(&format!("/admin/reports/{report_id}")), "{}", queue.body);
    assert!(queue.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "{}", queue.body);
    assert!(!queue.body.contains("<script>"), "{}", queue.body);
    let accounts = browser.get("/admin/accounts?origin=local&username=mall").await;
    assert!(accounts.body.contains(&format!("/admin/accounts/{mallory_id}")), "{}", accounts.body);
    assert!(!accounts.body.contains("@ana"), "the filter leaves ana out: {}", accounts.body);

    // A page that needs a permission moderators lack is a 403 page, and
    // its link is not offered.
    let federation = browser.get("/admin/federation").await;
    assert_eq!(federation.status, StatusCode::FORBIDDEN);
    assert!(federation.body.contains("manage_federation"), "{}", federation.body);
    assert!(!queue.body.contains(r#"href="/admin/federation""#));

    // Forged forms change nothing: without the token, with another
    // token, or sent from another site with the right one.
    let token = browser.form_token(&format!("/admin/reports/{report_id}")).await;
    let resolve = format!("/admin/reports/{report_id}/resolve");
    let forged = [
        browser.post(&resolve, &[]).await,
        browser.post(&resolve, &[("csrf", "forged")]).await,
        browser.post_from(&resolve, &[("csrf", &token)], "http://evil.example", "cross-site").await,
        browser.post_from(&resolve, &[("csrf", &token)], &hq.url(""), "cross-site").await,
    ];
    for page in forged {
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert_eq!(page.headers.get("content-type").unwrap(), "text/html; charset=utf-8");
    }
    assert_eq!(report(&hq, &boss, &report_id).await["action_taken"], false, "a forged form resolved the report");

    // The real form resolves it: the admin API shows it, and the audit
    // log names the moderator.
    let page = browser.post(&resolve, &[("csrf", &token)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some(format!("/admin/reports/{report_id}").as_str()));
    let resolved = report(&hq, &boss, &report_id).await;
    assert_eq!(resolved["action_taken"], true, "{resolved}");
    assert_eq!(resolved["action_taken_by_account"]["username"], "mod", "{resolved}");
    let log = hq.api(&boss).get("/api/v1/admin/audit_log").await.ok();
    assert_eq!((log[0]["actor"].as_str(), log[0]["action"].as_str()), (Some("mod"), Some("resolve")), "{log}");
    let shown = browser.get("/admin/audit_log").await;
    assert!(shown.body.contains("resolve"), "{}", shown.body);

    // An account action through its form, audited like the API's.
    let token = browser.form_token(&format!("/admin/accounts/{mallory_id}")).await;
    let action = format!("/admin/accounts/{mallory_id}/action");
    let page = browser.post(&action, &[("csrf", &token), ("type", "silence"), ("text", "Please stop")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let moderated = hq.api(&boss).get(&format!("/api/v1/admin/accounts/{mallory_id}")).await.ok();
    assert_eq!(moderated["silenced"], true, "{moderated}");
    let page = browser.post(&action, &[("csrf", &token), ("type", "explode")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("type:"), "{}", page.body);

    // Signing out ends the session on the server, not just in the browser.
    let session = browser.cookie.clone();
    let page = browser.post("/admin/sign_out", &[("csrf", &token)]).await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/sign_in")));
    browser.cookie = session;
    let page = browser.get("/admin/reports").await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/sign_in")));
}
