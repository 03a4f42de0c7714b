//! Parameters and errors as Mastodon clients send and expect them: Rack's
//! nested form names (with and without positions), multipart forms, JSON,
//! 400 for what cannot be read and 422 with per-field details for what
//! breaks a rule; the OAuth userinfo claims, application ids, and filters
//! at Mastodon's paths, v1 included. Shapes are checked against the
//! Mastodon OpenAPI description.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use tertulia_testrig::{ApiResponse, TestInstance, openapi};

const FORM: &str = "application/x-www-form-urlencoded";

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Asserts a 422 shaped like Mastodon's validation errors, naming `field`
/// with `code`; answers the description.
fn validation_error(response: ApiResponse, field: &str, code: &str) -> String {
    assert_eq!(response.status, 422, "{}", response.body);
    openapi::assert_matches(&response.body, "ValidationError");
    let message = response.body["error"].as_str().unwrap();
    assert!(message.starts_with("Validation failed: ") && message.contains(field), "{message}");
    let detail = &response.body["details"][field][0];
    assert_eq!(detail["error"], code, "{}", response.body);
    detail["description"].as_str().unwrap().to_owned()
}

/// Asserts a 400 whose message names `parameter`.
fn unreadable(response: ApiResponse, parameter: &str) {
    assert_eq!(response.status, 400, "{}", response.body);
    openapi::assert_matches(&response.body, "Error");
    let message = response.body["error"].as_str().unwrap();
    assert!(message.contains(parameter), "'{parameter}' not in: {message}");
}

#[tokio::test]
async fn nested_records_are_read_with_and_without_positions_from_forms_json_and_multipart() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);

    // Without positions: a repeated key starts the next record, as in Rack.
    let unindexed = api
        .post_form(
            "/api/v2/filters",
            &[
                ("title", "Food"),
                ("context[]", "home"),
                ("context[]", "public"),
                ("keywords_attributes[][keyword]", "spam"),
                ("keywords_attributes[][whole_word]", "true"),
                ("keywords_attributes[][keyword]", "eggs"),
                ("keywords_attributes[][whole_word]", "false"),
            ],
        )
        .await
        .ok();
    openapi::assert_matches(&unindexed, "Filter");
    let keywords: Vec<(&str, bool)> = unindexed["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["keyword"].as_str().unwrap(), k["whole_word"].as_bool().unwrap()))
        .collect();
    assert_eq!(keywords, [("spam", true), ("eggs", false)]);
    assert_eq!(unindexed["context"], json!(["home", "public"]));

    // The same names written by hand, brackets unescaped, with positions.
    let body =
        "title=Raw&context[]=thread&keywords_attributes[1][keyword]=second&keywords_attributes[0][keyword]=first";
    let indexed = api.send_raw(Method::POST, "/api/v2/filters", FORM, body).await.ok();
    let words: Vec<&str> =
        indexed["keywords"].as_array().unwrap().iter().map(|k| k["keyword"].as_str().unwrap()).collect();
    assert_eq!(words, ["first", "second"]);

    // Profile fields, unindexed, then a scalar where records are expected
    // (as some web clients send): ignored, the fields stay.
    let path = "/api/v1/accounts/update_credentials";
    let fields = [
        ("fields_attributes[][name]", "Department"),
        ("fields_attributes[][value]", "IT"),
        ("fields_attributes[][name]", "Site"),
        ("fields_attributes[][value]", "Madrid"),
    ];
    let form: String = fields.iter().map(|(k, v)| format!("{k}={v}&")).collect();
    let me = api.send_raw(Method::PATCH, path, FORM, &form).await.ok();
    openapi::assert_matches(&me, "CredentialAccount");
    assert_eq!(me["fields"][1]["name"], "Site");
    assert_eq!(me["fields"][1]["value"], "Madrid");
    let me = api.send_raw(Method::PATCH, path, FORM, "fields_attributes=undefined&note=On+call").await.ok();
    assert_eq!(me["fields"].as_array().unwrap().len(), 2, "the scalar is ignored: {me}");
    assert_eq!(me["source"]["note"], "On call");
    let me = api.patch(path, json!({"fields_attributes": "undefined", "display_name": "Ana"})).await.ok();
    assert_eq!(me["fields"].as_array().unwrap().len(), 2);
    assert_eq!(me["display_name"], "Ana");

    // Multipart text fields go through the same parser.
    let me = api
        .multipart(
            Method::PATCH,
            path,
            &[
                ("display_name", "Ana M."),
                ("fields_attributes[0][name]", "Team"),
                ("fields_attributes[0][value]", "Ops"),
                ("locked", "1"),
            ],
        )
        .await
        .ok();
    assert_eq!(me["display_name"], "Ana M.");
    assert_eq!(me["fields"][0]["name"], "Team");
    assert_eq!(me["locked"], true);
    let filter = api
        .multipart(
            Method::POST,
            "/api/v2/filters",
            &[("title", "Multi"), ("context[]", "home"), ("keywords_attributes[][keyword]", "multipart")],
        )
        .await
        .ok();
    assert_eq!(filter["keywords"][0]["keyword"], "multipart");
}

#[tokio::test]
async fn sign_up_accepts_multipart_and_reports_each_field_at_fault() {
    let instance =
        TestInstance::start_with_env(support::BINARY, &[("TERTULIA_INSTANCE_REGISTRATIONS_OPEN", "true")]).await;
    let app_token = instance.app_token("read write").await;
    let app = instance.api(&app_token);
    let mut fields = vec![
        ("username", "newbie"),
        ("email", "newbie@acme.example"),
        ("password", "a long enough secret"),
        ("locale", "en"),
    ];
    let refused = app.multipart(Method::POST, "/api/v1/accounts", &fields).await;
    let description = validation_error(refused, "agreement", "ERR_ACCEPTED");
    assert!(description.contains("accepted"), "{description}");

    fields.push(("agreement", "true"));
    let token = app.multipart(Method::POST, "/api/v1/accounts", &fields).await.ok();
    openapi::assert_matches(&token, "Token");
    let me = instance.api(token["access_token"].as_str().unwrap()).get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me.ok()["username"], "newbie");

    let again = app.multipart(Method::POST, "/api/v1/accounts", &fields).await;
    validation_error(again, "username", "ERR_TAKEN");
    let mut weak = fields.clone();
    weak[0] = ("username", "other");
    weak[1] = ("email", "other@acme.example");
    weak[2] = ("password", "short");
    validation_error(app.multipart(Method::POST, "/api/v1/accounts", &weak).await, "password", "ERR_TOO_SHORT");
}

#[tokio::test]
async fn unreadable_parameters_are_400_and_broken_rules_422_with_details() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);

    unreadable(api.send_raw(Method::POST, "/api/v1/statuses", "application/json", "{\"status\": ").await, "JSON");
    unreadable(api.get("/api/v1/timelines/home?limit=lots").await, "limit");
    unreadable(
        api.post("/api/v2/filters", json!({"title": "x", "context": ["home"], "expires_in": "soon"})).await,
        "expires_in",
    );
    unreadable(api.post_form("/api/v1/statuses", &[("status", "x"), ("status[a]", "y")]).await, "status");
    unreadable(api.post("/api/v1/statuses", json!({"status": "x", "sensitive": "maybe"})).await, "sensitive");
    let nested =
        api.post_form("/api/v2/filters", &[("title", "x"), ("keywords_attributes[][whole_word]", "perhaps")]).await;
    unreadable(nested, "keywords_attributes");

    validation_error(api.post("/api/v2/filters", json!({"context": ["home"]})).await, "title", "ERR_BLANK");
    let refusal = api.post("/api/v2/filters", json!({"title": "x", "context": ["nowhere"]})).await;
    assert!(validation_error(refusal, "context", "ERR_INCLUSION").contains("nowhere"));
    let long = "x".repeat(501);
    validation_error(api.post("/api/v1/statuses", json!({"status": long})).await, "status", "ERR_TOO_LONG");
    validation_error(api.post("/api/v1/statuses", json!({"status": " "})).await, "status", "ERR_BLANK");
    validation_error(api.post("/api/v1/lists", json!({"title": ""})).await, "title", "ERR_BLANK");
    assert!(api.get("/api/v1/timelines/home").await.ok().as_array().unwrap().is_empty(), "nothing was posted");
    unreadable(api.send_raw(Method::POST, "/api/v1/statuses", "text/plain", "status=hi").await, "Content-Type");

    // Browsers label an empty fetch body text/plain: no parameters.
    let status = api.post_status("hello", json!({})).await;
    let favourite = format!("/api/v1/statuses/{}/favourite", id(&status));
    let favourited = api.send_raw(Method::POST, &favourite, "text/plain;charset=UTF-8", "").await.ok();
    assert_eq!(favourited["favourited"], true);

    // A 422 no field is at fault for still has `details`.
    let app_token = instance.app_token("read write").await;
    let app_only = instance.api(&app_token).get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(app_only.status, 422, "{}", app_only.body);
    openapi::assert_matches(&app_only.body, "ValidationError");
    assert_eq!(app_only.body["details"], json!({}));
}

#[tokio::test]
async fn userinfo_claims_and_application_ids_are_served() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;

    let metadata = instance.get_json("/.well-known/oauth-authorization-server").await;
    openapi::assert_matches(&metadata, "DiscoverOauthServerConfigurationResponse");
    assert_eq!(metadata["userinfo_endpoint"], instance.url("/oauth/userinfo"));

    let me = instance.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    for method in [Method::GET, Method::POST] {
        let claims = instance.api(&ana).send_raw(method, "/oauth/userinfo", FORM, "").await.ok();
        assert_eq!(claims["iss"], instance.url("/"));
        assert_eq!(claims["preferred_username"], "ana");
        assert_eq!(claims["name"], me["display_name"]);
        assert_eq!(claims["profile"], me["url"]);
        assert_eq!(claims["picture"], me["avatar"]);
        assert!(claims["sub"].as_str().unwrap().ends_with("/users/ana"), "{claims}");
    }
    assert_eq!(instance.api("").get("/oauth/userinfo").await.status, 401);
    let poster = instance.token_with_scopes("ana", "write:statuses").await;
    assert_eq!(instance.api(&poster).get("/oauth/userinfo").await.status, 403);
    let profile_only = instance.token_with_scopes("ana", "profile").await;
    instance.api(&profile_only).get("/oauth/userinfo").await.ok();

    let created = instance
        .api("")
        .post(
            "/api/v1/apps",
            json!({"client_name": "Phanpy", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"}),
        )
        .await
        .ok();
    openapi::assert_matches(&created, "CredentialApplication");
    let token = instance.app_token("read").await;
    let verified = instance.api(&token).get("/api/v1/apps/verify_credentials").await.ok();
    openapi::assert_matches(&verified, "Application");
    assert_eq!(verified["name"], "Test rig");
    assert!(verified.get("client_secret").is_none(), "{verified}");
    assert_ne!(verified["id"], created["id"], "each app its own id");
}

#[tokio::test]
async fn filter_keywords_and_statuses_live_at_mastodons_paths_and_v1_filters_map_onto_them() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let api = instance.api(&ana);
    let status = api.post_status("the quarterly numbers are out", json!({})).await;

    let filter = api.post("/api/v2/filters", json!({"title": "Work", "context": ["home"]})).await.ok();
    let keywords = format!("/api/v2/filters/{}/keywords", id(&filter));
    let keyword = api.post(&keywords, json!({"keyword": "quarterly"})).await.ok();
    openapi::assert_matches(&keyword, "FilterKeyword");
    let keyword_path = format!("/api/v2/filters/keywords/{}", id(&keyword));
    openapi::assert_matches(&api.get(&keyword_path).await.ok(), "FilterKeyword");
    assert_eq!(api.put(&keyword_path, json!({"whole_word": false})).await.ok()["whole_word"], false);
    assert_eq!(api.get(&keywords).await.ok().as_array().unwrap().len(), 1);
    let statuses = format!("/api/v2/filters/{}/statuses", id(&filter));
    let filtered = api.post(&statuses, json!({"status_id": status["id"]})).await.ok();
    openapi::assert_matches(&filtered, "FilterStatus");
    let status_path = format!("/api/v2/filters/statuses/{}", id(&filtered));
    assert_eq!(api.get(&status_path).await.ok()["status_id"], status["id"]);
    assert_eq!(api.get(&statuses).await.ok().as_array().unwrap().len(), 1);
    assert_eq!(instance.api(&bruno).get(&keyword_path).await.status, 404);
    for old in
        [format!("/api/v2/filter_keywords/{}", id(&keyword)), format!("/api/v2/filter_statuses/{}", id(&filtered))]
    {
        assert_eq!(api.get(&old).await.status, 404, "{old} is gone");
    }
    api.delete(&status_path).await.ok();
    assert_eq!(api.get(&status_path).await.status, 404);
    api.delete(&keyword_path).await.ok();
    assert_eq!(api.get(&keyword_path).await.status, 404);

    // v1: a filter per keyword.
    let v1 = api
        .post_form(
            "/api/v1/filters",
            &[("phrase", "standup"), ("context[]", "home"), ("irreversible", "true"), ("whole_word", "true")],
        )
        .await
        .ok();
    openapi::assert_matches(&v1, "V1Filter");
    assert_eq!((v1["phrase"].as_str(), v1["irreversible"].as_bool()), (Some("standup"), Some(true)));
    let v1_path = format!("/api/v1/filters/{}", id(&v1));
    assert_eq!(api.get(&v1_path).await.ok(), v1);
    let v2 = api.get("/api/v2/filters").await.ok();
    let holder = v2.as_array().unwrap().iter().find(|f| f["keywords"][0]["id"] == v1["id"]).unwrap().clone();
    assert_eq!((holder["title"].as_str(), holder["filter_action"].as_str()), (Some("standup"), Some("hide")));

    let changed = api
        .put(&v1_path, json!({"phrase": "stand-up", "context": ["home", "thread"], "irreversible": false}))
        .await
        .ok();
    openapi::assert_matches(&changed, "V1Filter");
    assert_eq!(changed["phrase"], "stand-up");
    assert_eq!(changed["context"], json!(["home", "thread"]));
    assert_eq!(changed["irreversible"], false);

    // With a second keyword, the filter's own settings are v2's business.
    api.post(&format!("/api/v2/filters/{}/keywords", id(&holder)), json!({"keyword": "retro"})).await.ok();
    validation_error(api.put(&v1_path, json!({"context": ["public"]})).await, "phrase", "ERR_INVALID");
    assert_eq!(api.put(&v1_path, json!({"phrase": "daily"})).await.ok()["phrase"], "daily");
    validation_error(api.post("/api/v1/filters", json!({"context": ["home"]})).await, "phrase", "ERR_BLANK");
    assert_eq!(instance.api(&bruno).get(&v1_path).await.status, 404);
    assert_eq!(instance.api(&bruno).delete(&v1_path).await.status, 404);

    assert_eq!(api.delete(&v1_path).await.ok(), json!({}));
    assert_eq!(api.get(&v1_path).await.status, 404);
    let left = api.get(&format!("/api/v2/filters/{}", id(&holder))).await.ok();
    assert_eq!(left["keywords"][0]["keyword"], "retro", "the filter keeps its other keyword");
    let retro_v1 = format!("/api/v1/filters/{}", id(&left["keywords"][0]));
    api.delete(&retro_v1).await.ok();
    assert_eq!(api.get(&format!("/api/v2/filters/{}", id(&holder))).await.status, 404, "an emptied filter goes");
}
