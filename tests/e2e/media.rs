//! Media attachments: uploads, their processing and storage, serving the
//! files, descriptions and focal points, attaching to statuses, and
//! profile pictures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, RgbImage};
use serde_json::{Value, json};
use tertulia_testrig::{TestInstance, http_client, openapi};

/// Text that must not survive in a stored file.
const EXIF_SECRET: &[u8] = b"GPS 40.4168N 3.7038W";

fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut bytes = Cursor::new(Vec::new());
    DynamicImage::from(image).write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// A JPEG with an APP1 (EXIF) segment right after the start marker: a
/// big-endian TIFF header, an empty IFD, and a trailing secret.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let jpeg = picture(width, height, ImageFormat::Jpeg);
    let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(EXIF_SECRET);
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[derive(Clone, Copy)]
enum Part<'a> {
    Text(&'a str),
    File { name: &'a str, content_type: &'a str, bytes: &'a [u8] },
}

async fn send_multipart(
    instance: &TestInstance,
    token: &str,
    method: reqwest::Method,
    path: &str,
    parts: &[(&str, Part<'_>)],
) -> (u16, Value) {
    let boundary = "tertulia-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (field, part) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(value) => {
                body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes());
                body.extend_from_slice(value.as_bytes());
            }
            Part::File { name, content_type, bytes } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                         Content-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut request = instance
        .client
        .request(method, instance.url(path))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    read(request).await
}

async fn read(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn upload(
    instance: &TestInstance,
    token: &str,
    name: &str,
    bytes: &[u8],
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut parts = vec![("file", Part::File { name, content_type: "application/octet-stream", bytes })];
    parts.extend(extra.iter().map(|(field, value)| (*field, Part::Text(value))));
    send_multipart(instance, token, reqwest::Method::POST, "/api/v2/media", &parts).await
}

/// Uploads, asserting 200; returns the attachment.
async fn upload_ok(instance: &TestInstance, token: &str, name: &str, bytes: &[u8]) -> Value {
    let (status, body) = upload(instance, token, name, bytes, &[]).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A served file: content type, headers and bytes.
async fn fetch(instance: &TestInstance, url: &str) -> (String, reqwest::header::HeaderMap, Vec<u8>) {
    let response = instance.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    let content_type = headers["content-type"].to_str().unwrap().to_owned();
    (content_type, headers, response.bytes().await.unwrap().to_vec())
}

fn files_under(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() { files_under(&path) } else { vec![path.display().to_string()] }
        })
        .collect()
}

#[tokio::test]
async fn images_are_processed_stored_and_served_without_metadata() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;

    let png = upload_ok(&instance, &ana, "chart.png", &picture(64, 48, ImageFormat::Png)).await;
    openapi::assert_matches(&png, "MediaAttachment");
    assert_eq!(png["type"], "image");
    assert_eq!(png["meta"]["original"]["width"], 64);
    assert_eq!(png["meta"]["original"]["height"], 48);
    assert_eq!(png["meta"]["original"]["size"], "64x48");
    assert!(png["blurhash"].as_str().is_some_and(|h| h.len() > 6), "{png}");
    let (content_type, headers, _) = fetch(&instance, png["url"].as_str().unwrap()).await;
    assert_eq!(content_type, "image/png");
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (preview_type, _, _) = fetch(&instance, png["preview_url"].as_str().unwrap()).await;
    assert_eq!(preview_type, "image/png");

    let photo = jpeg_with_exif(800, 600);
    assert!(photo.windows(EXIF_SECRET.len()).any(|w| w == EXIF_SECRET), "the test file carries EXIF");
    let (status, jpeg) =
        upload(&instance, &ana, "photo.jpg", &photo, &[("description", "Team photo"), ("focus", "0.5,-0.5")]).await;
    assert_eq!(status, 200, "{jpeg}");
    openapi::assert_matches(&jpeg, "MediaAttachment");
    assert_eq!(jpeg["description"], "Team photo");
    assert_eq!(jpeg["meta"]["original"]["width"], 800);
    assert_eq!(jpeg["meta"]["original"]["height"], 600);
    assert_eq!(jpeg["meta"]["small"]["width"], 640);
    assert_eq!(jpeg["meta"]["small"]["height"], 480);
    assert_eq!(jpeg["meta"]["focus"], json!({"x": 0.5, "y": -0.5}));
    assert!(jpeg["url"].as_str().unwrap().starts_with(&format!("{}/media/", instance.base_url)));
    let (content_type, _, original) = fetch(&instance, jpeg["url"].as_str().unwrap()).await;
    assert_eq!(content_type, "image/jpeg");
    assert!(!original.windows(EXIF_SECRET.len()).any(|w| w == EXIF_SECRET), "EXIF data was served");
    assert!(!original.windows(6).any(|w| w == b"Exif\0\0"), "an EXIF segment was served");
    assert_eq!(image::load_from_memory(&original).unwrap().width(), 800);
    let (preview_type, _, preview) = fetch(&instance, jpeg["preview_url"].as_str().unwrap()).await;
    assert_eq!(preview_type, "image/jpeg");
    let preview = image::load_from_memory(&preview).unwrap();
    assert_eq!((preview.width(), preview.height()), (640, 480));

    // v1 answers the same way; the uploader can read it back.
    let (status, v1) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::POST,
        "/api/v1/media",
        &[("file", Part::File { name: "a.png", content_type: "image/png", bytes: &picture(8, 8, ImageFormat::Png) })],
    )
    .await;
    assert_eq!(status, 200, "{v1}");
    let again = instance.api(&ana).get(&format!("/api/v1/media/{}", v1["id"].as_str().unwrap())).await.ok();
    assert_eq!(again["url"], v1["url"]);

    // Nothing outside stored media is served.
    assert_eq!(instance.get("/media/..%2F..%2Fetc%2Fpasswd").await.status(), 404);
    assert_eq!(instance.get("/media/tmp/anything").await.status(), 404);
}

#[tokio::test]
async fn oversized_and_unsupported_uploads_are_refused_and_leave_nothing_behind() {
    let instance = TestInstance::start_with_env(
        support::BINARY,
        &[("TERTULIA_MEDIA_MAX_IMAGE_BYTES", "100000"), ("TERTULIA_MEDIA_MAX_VIDEO_BYTES", "200000")],
    )
    .await;
    let ana = instance.sign_up("ana").await;

    let mut huge = picture(8, 8, ImageFormat::Png);
    huge.resize(150_000, 0);
    let (status, body) = upload(&instance, &ana, "huge.png", &huge, &[]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["error"].as_str().unwrap().contains("100000"), "{body}");

    let (status, body) = upload(&instance, &ana, "notes.png", b"Meeting notes: nothing to see here.", &[]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not supported"), "{body}");

    let media_dir = instance.dir().join("media");
    assert_eq!(files_under(&media_dir), Vec::<String>::new());

    let (status, body) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::POST,
        "/api/v2/media",
        &[("description", Part::Text("no file"))],
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn descriptions_and_focus_change_and_only_the_uploader_sees_the_media() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let media = upload_ok(&instance, &ana, "a.png", &picture(20, 10, ImageFormat::Png)).await;
    let path = format!("/api/v1/media/{}", media["id"].as_str().unwrap());

    let put = |token: &str, body: Value| {
        let request = instance.client.put(instance.url(&path)).bearer_auth(token).json(&body);
        read(request)
    };
    let (status, updated) = put(&ana, json!({"description": "A red square", "focus": "-0.25,1"})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["description"], "A red square");
    assert_eq!(updated["meta"]["focus"], json!({"x": -0.25, "y": 1.0}));
    assert_eq!(updated["meta"]["original"]["width"], 20, "the rest of meta stays");
    let read_back = instance.api(&ana).get(&path).await.ok();
    assert_eq!(read_back["description"], "A red square");

    let (status, body) = put(&ana, json!({"focus": "2,0"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = put(&ana, json!({"description": "x".repeat(1501)})).await;
    assert_eq!(status, 422, "{body}");

    assert_eq!(instance.api(&bruno).get(&path).await.status, 404);
    let (status, _) = put(&bruno, json!({"description": "mine now"})).await;
    assert_eq!(status, 404);
    assert_eq!(instance.api(&ana).get(&path).await.ok()["description"], "A red square");
    assert_eq!(instance.api(&ana).get("/api/v1/media/999999").await.status, 404);
}

#[tokio::test]
async fn statuses_carry_media_and_only_media_lists_them() {
    let instance = support::start().await;
    let (ana, ana_id) = instance.sign_up_with_id("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let first = upload_ok(&instance, &ana, "a.png", &picture(30, 30, ImageFormat::Png)).await;
    let second = upload_ok(&instance, &ana, "b.jpg", &picture(40, 20, ImageFormat::Jpeg)).await;
    let brunos = upload_ok(&instance, &bruno, "c.png", &picture(10, 10, ImageFormat::Png)).await;
    let id = |m: &Value| m["id"].as_str().unwrap().to_owned();

    let text_only = instance.api(&ana).post_status("Just words", json!({})).await;
    let with_media = instance.api(&ana).post_status("", json!({"media_ids": [id(&first), id(&second)]})).await;
    openapi::assert_matches(&with_media, "Status");
    let attached: Vec<&str> =
        with_media["media_attachments"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(attached, [id(&first), id(&second)]);
    assert_eq!(with_media["media_attachments"][0]["url"], first["url"]);
    let fetched = instance.api(&bruno).get(&format!("/api/v1/statuses/{}", id(&with_media))).await.ok();
    assert_eq!(fetched["media_attachments"][1]["meta"]["original"]["width"], 40);

    let refused = instance.api(&ana).post("/api/v1/statuses", json!({"status": "x", "media_ids": [id(&brunos)]})).await;
    assert!(refused.error(422).contains("media_ids"));
    let reused = instance.api(&ana).post("/api/v1/statuses", json!({"status": "x", "media_ids": [id(&first)]})).await;
    reused.error(422);
    let blank = instance.api(&ana).post("/api/v1/statuses", json!({"status": ""})).await;
    blank.error(422);

    // Form-encoded `media_ids[]`.
    let third = upload_ok(&instance, &ana, "d.png", &picture(5, 5, ImageFormat::Png)).await;
    let third_id = id(&third);
    let form =
        instance.api(&ana).post_form("/api/v1/statuses", &[("status", "Form"), ("media_ids[]", &third_id)]).await.ok();
    assert_eq!(form["media_attachments"][0]["id"], third_id.as_str());

    let only_media = instance.api(&bruno).ids(&format!("/api/v1/accounts/{ana_id}/statuses?only_media=true")).await;
    assert_eq!(only_media, [id(&form), id(&with_media)]);
    let everything = instance.api(&bruno).ids(&format!("/api/v1/accounts/{ana_id}/statuses")).await;
    assert!(everything.contains(&id(&text_only)));

    // Deleting keeps the uploads, detached, for redrafting.
    let deleted = instance.api(&ana).delete(&format!("/api/v1/statuses/{}", id(&form))).await.ok();
    assert_eq!(deleted["media_attachments"][0]["id"], third_id.as_str());
    let redraft = instance.api(&ana).post_status("Redraft", json!({"media_ids": [third_id]})).await;
    assert_eq!(redraft["media_attachments"][0]["id"], third_id.as_str());
}

#[tokio::test]
async fn multipart_update_credentials_sets_a_shrunk_avatar() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let before = instance.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    let (status, me) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &[
            ("display_name", Part::Text("Ana García")),
            (
                "avatar",
                Part::File { name: "me.jpg", content_type: "image/jpeg", bytes: &picture(900, 600, ImageFormat::Jpeg) },
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["display_name"], "Ana García");
    let avatar = me["avatar"].as_str().unwrap();
    assert_ne!(avatar, before["avatar"].as_str().unwrap());
    assert!(avatar.starts_with(&format!("{}/media/", instance.base_url)), "{avatar}");
    let (content_type, _, bytes) = fetch(&instance, avatar).await;
    assert_eq!(content_type, "image/jpeg");
    let served = image::load_from_memory(&bytes).unwrap();
    assert!(served.width() <= 400 && served.height() <= 400, "{}x{}", served.width(), served.height());
    assert_eq!(instance.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok()["avatar"], avatar);

    let (status, body) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &[("header", Part::File { name: "h.png", content_type: "image/png", bytes: b"not an image at all" })],
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

/// Phanpy sends its whole profile form: a file input left empty arrives as
/// a part with `filename=""`, no content and `application/octet-stream`.
#[tokio::test]
async fn update_credentials_ignores_file_inputs_left_empty() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let before = instance.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    let nothing = Part::File { name: "", content_type: "application/octet-stream", bytes: b"" };
    let (status, me) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &[
            ("header", nothing),
            ("display_name", Part::Text("Ana (HQ)")),
            ("avatar", nothing),
            ("note", Part::Text("IT")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["display_name"].as_str(), me["note"].as_str()), (Some("Ana (HQ)"), Some("<p>IT</p>")));
    assert_eq!((&me["avatar"], &me["header"]), (&before["avatar"], &before["header"]));
    openapi::assert_matches(&me, "CredentialAccount");
}

#[tokio::test]
async fn uploads_need_a_token_with_write_media() {
    let instance = support::start().await;
    instance.sign_up("ana").await;
    let png = picture(4, 4, ImageFormat::Png);
    let (status, _) = upload(&instance, "", "a.png", &png, &[]).await;
    assert_eq!(status, 401);
    let read_only = instance.token_with_scopes("ana", "read").await;
    let (status, body) = upload(&instance, &read_only, "a.png", &png, &[]).await;
    assert_eq!(status, 403, "{body}");
    let media_only = instance.token_with_scopes("ana", "write:media").await;
    let (status, body) = upload(&instance, &media_only, "a.png", &png, &[]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn video_and_audio_are_stored_as_sent_with_an_optional_thumbnail() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let mut mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    mp4.resize(4096, 7);
    let video = upload_ok(&instance, &ana, "clip.mp4", &mp4).await;
    openapi::assert_matches(&video, "MediaAttachment");
    assert_eq!(video["type"], "video");
    assert_eq!(video["preview_url"], Value::Null);
    let (content_type, _, served) = fetch(&instance, video["url"].as_str().unwrap()).await;
    assert_eq!(content_type, "video/mp4");
    assert_eq!(served, mp4);

    let mut mp3 = b"ID3\x04\0\0\0\0\0\0".to_vec();
    mp3.resize(2048, 0);
    let cover = picture(1000, 1000, ImageFormat::Png);
    let (status, audio) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::POST,
        "/api/v2/media",
        &[
            ("file", Part::File { name: "talk.mp3", content_type: "audio/mpeg", bytes: &mp3 }),
            ("thumbnail", Part::File { name: "cover.png", content_type: "image/png", bytes: &cover }),
        ],
    )
    .await;
    assert_eq!(status, 200, "{audio}");
    assert_eq!(audio["type"], "audio");
    assert_eq!(audio["meta"]["small"]["width"], 640);
    assert!(audio["blurhash"].is_string());
    let (preview_type, _, _) = fetch(&instance, audio["preview_url"].as_str().unwrap()).await;
    assert_eq!(preview_type, "image/png");
    let (content_type, _, _) = fetch(&instance, audio["url"].as_str().unwrap()).await;
    assert_eq!(content_type, "audio/mpeg");
}

#[tokio::test]
async fn only_unattached_uploads_of_the_caller_can_be_deleted_and_their_files_go() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let bruno = instance.sign_up("bruno").await;
    let loose = upload_ok(&instance, &ana, "a.png", &picture(20, 10, ImageFormat::Png)).await;
    let used = upload_ok(&instance, &ana, "b.png", &picture(20, 10, ImageFormat::Png)).await;
    let path = |m: &Value| format!("/api/v1/media/{}", m["id"].as_str().unwrap());
    instance.api(&ana).post_status("", json!({"media_ids": [used["id"]]})).await;
    let media_dir = instance.dir().join("media");
    let files_before = files_under(&media_dir);
    assert_eq!(files_before.len(), 4, "two files and two previews: {files_before:?}");

    instance.api(&bruno).delete(&path(&loose)).await.error(404);
    let refusal = instance.api(&ana).delete(&path(&used)).await.error(422);
    assert!(refusal.contains("in use"), "{refusal}");

    let deleted = instance.api(&ana).delete(&path(&loose)).await.ok();
    openapi::assert_matches(&deleted, "MediaAttachment");
    assert_eq!(deleted["id"], loose["id"]);
    instance.api(&ana).get(&path(&loose)).await.error(404);
    instance.api(&ana).delete(&path(&loose)).await.error(404);
    let files_after = files_under(&media_dir);
    assert_eq!(files_after.len(), 2, "the deleted upload's files are gone: {files_after:?}");
    let stem = format!("/{}", loose["id"].as_str().unwrap());
    assert!(files_after.iter().all(|f| !f.contains(&stem)), "{files_after:?}");
    let (status, _) = read(instance.client.get(loose["url"].as_str().unwrap())).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_public_media_streams_carry_only_statuses_with_attachments() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let client = http_client().build().unwrap();
    let deadline = std::time::Duration::from_secs(10);
    let mut response = tokio::time::timeout(
        deadline,
        client.get(instance.url("/api/v1/streaming/public/local?only_media=true")).send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(response.status(), 200);
    let text_only = instance.api(&ana).post_status("nothing to look at", json!({})).await;
    let media = upload_ok(&instance, &ana, "a.png", &picture(20, 10, ImageFormat::Png)).await;
    let with_media = instance.api(&ana).post_status("look", json!({"media_ids": [media["id"]]})).await;

    // Events arrive in order: had the text-only status been sent, it would
    // come before the one with media.
    let mut received = String::new();
    let first_update = tokio::time::timeout(deadline, async {
        loop {
            let chunk = response.chunk().await.unwrap().expect("stream ended");
            received.push_str(std::str::from_utf8(&chunk).unwrap());
            if let Some(start) = received.find("event: update\ndata: ") {
                let rest = &received[start + "event: update\ndata: ".len()..];
                if let Some(end) = rest.find("\n\n") {
                    return serde_json::from_str::<Value>(&rest[..end]).unwrap();
                }
            }
        }
    })
    .await
    .expect("no update arrived");
    assert_eq!(first_update["id"], with_media["id"], "not {}", text_only["id"]);
    openapi::assert_matches(&first_update, "Status");
}

#[tokio::test]
async fn removing_the_avatar_or_header_brings_back_the_default_picture() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let before = instance.api(&ana).get("/api/v1/accounts/verify_credentials").await.ok();
    let image = picture(600, 200, ImageFormat::Png);
    let (status, me) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &[
            ("avatar", Part::File { name: "me.png", content_type: "image/png", bytes: &image }),
            ("header", Part::File { name: "banner.png", content_type: "image/png", bytes: &image }),
        ],
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_ne!(me["avatar"], before["avatar"]);
    assert_ne!(me["header"], before["header"]);

    let without_avatar = instance.api(&ana).delete("/api/v1/profile/avatar").await.ok();
    openapi::assert_matches(&without_avatar, "CredentialAccount");
    assert_eq!(without_avatar["avatar"], before["avatar"], "the default picture again");
    assert_eq!(without_avatar["header"], me["header"], "the header stays");
    let without_header = instance.api(&ana).delete("/api/v1/profile/header").await.ok();
    assert_eq!(without_header["header"], before["header"]);
    let ana_id = id_of(&without_header);
    let public = instance.api("").get(&format!("/api/v1/accounts/{ana_id}")).await.ok();
    assert_eq!((&public["avatar"], &public["header"]), (&before["avatar"], &before["header"]));
    assert_eq!(instance.api("").delete("/api/v1/profile/avatar").await.status, 401);
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

/// Mastodon 4.6's `/api/v1/profile`: the owner's profile as typed, edited
/// with the same inputs as `update_credentials` (JSON or multipart).
#[tokio::test]
async fn profile_shows_and_edits_the_raw_profile_like_update_credentials() {
    let instance = support::start().await;
    let ana = instance.sign_up("ana").await;
    let api = instance.api(&ana);

    let fresh = api.get("/api/v1/profile").await.ok();
    openapi::assert_matches(&fresh, "Profile");
    assert_eq!(fresh["avatar"], Value::Null, "no avatar uploaded yet: {fresh}");
    assert_eq!(fresh["header_static"], Value::Null);
    assert_eq!(fresh["avatar_description"], "");
    assert_eq!(fresh["attribution_domains"], json!([]));
    for tab in ["show_featured", "show_media", "show_media_replies"] {
        assert_eq!(fresh[tab], true, "{tab} defaults on, as on Mastodon");
    }
    assert_eq!(fresh["id"], api.account_id().await.as_str());

    let note = "I like <b>tags</b> & #rust";
    let edited = api
        .patch(
            "/api/v1/profile",
            json!({
                "note": note,
                "fields_attributes": [{"name": "Site", "value": "<https://example.com>"}],
                "show_media": false,
                "show_featured": "0",
                "hide_collections": true,
                "indexable": false,
                "discoverable": true,
                "attribution_domains": ["News.Example.COM", "blog.example.org", "news.example.com"],
            }),
        )
        .await
        .ok();
    openapi::assert_matches(&edited, "Profile");
    assert_eq!(edited["note"], note, "the bio as typed");
    assert_eq!(edited["fields"][0]["value"], "<https://example.com>");
    assert_eq!((edited["show_media"].clone(), edited["show_featured"].clone()), (json!(false), json!(false)));
    assert_eq!(edited["show_media_replies"], true, "left as it was");
    assert_eq!((edited["indexable"].clone(), edited["discoverable"].clone()), (json!(false), json!(true)));
    assert_eq!(edited["hide_collections"], true);
    assert_eq!(edited["attribution_domains"], json!(["news.example.com", "blog.example.org"]));
    assert_eq!(api.get("/api/v1/profile").await.ok(), edited);

    // The Account shows the rendered note; both endpoints edit one profile.
    let me = api.get("/api/v1/accounts/verify_credentials").await.ok();
    let rendered = me["note"].as_str().unwrap();
    assert!(rendered.contains("&lt;b&gt;") && rendered.contains("/tags/rust"), "{rendered}");
    assert_eq!(me["source"]["note"], note);
    assert_eq!((me["indexable"].clone(), me["source"]["indexable"].clone()), (json!(false), json!(false)));
    assert_eq!(me["source"]["hide_collections"], true);
    api.patch(
        "/api/v1/accounts/update_credentials",
        json!({"display_name": "Ana", "locked": true, "show_media_replies": false}),
    )
    .await
    .ok();
    let profile = api.get("/api/v1/profile").await.ok();
    assert_eq!((profile["display_name"].clone(), profile["locked"].clone()), (json!("Ana"), json!(true)));
    assert_eq!(profile["show_media_replies"], false);

    // Multipart, with an avatar and its description in one request.
    let jpeg = picture(300, 300, ImageFormat::Jpeg);
    let (status, with_avatar) = send_multipart(
        &instance,
        &ana,
        reqwest::Method::PATCH,
        "/api/v1/profile",
        &[
            ("display_name", Part::Text("Ana García")),
            ("avatar_description", Part::Text("Ana, smiling, in a red scarf")),
            ("avatar", Part::File { name: "me.jpg", content_type: "image/jpeg", bytes: &jpeg }),
        ],
    )
    .await;
    assert_eq!(status, 200, "{with_avatar}");
    openapi::assert_matches(&with_avatar, "Profile");
    assert_eq!(with_avatar["display_name"], "Ana García");
    assert_eq!(with_avatar["avatar_description"], "Ana, smiling, in a red scarf");
    let avatar = with_avatar["avatar"].as_str().unwrap();
    assert!(avatar.starts_with(&format!("{}/media/", instance.base_url)), "{avatar}");
    assert_eq!(api.get("/api/v1/accounts/verify_credentials").await.ok()["avatar"], avatar);
    assert_eq!(with_avatar["header"], Value::Null);

    // Refused input changes nothing and says which field is at fault.
    let eleven: Vec<String> = (0..11).map(|n| format!("site{n}.example")).collect();
    let refused = api.patch("/api/v1/profile", json!({"attribution_domains": eleven, "note": "lost?"})).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body["details"]["attribution_domains"].is_array(), "{}", refused.body);
    let refused = api.patch("/api/v1/profile", json!({"header_description": "A mountain"})).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body["details"]["header_description"].is_array(), "{}", refused.body);
    let kept = api.get("/api/v1/profile").await.ok();
    assert_eq!((kept["note"].clone(), kept["attribution_domains"].as_array().unwrap().len()), (json!(note), 2));

    // Scopes: `profile` reads it; writing needs write:accounts.
    let profile_only = instance.token_with_scopes("ana", "profile").await;
    assert_eq!(instance.api(&profile_only).get("/api/v1/profile").await.ok()["display_name"], "Ana García");
    assert_eq!(instance.api(&profile_only).patch("/api/v1/profile", json!({"note": "x"})).await.status, 403);
    assert_eq!(instance.api("").get("/api/v1/profile").await.status, 401);
    assert_eq!(instance.api("").patch("/api/v1/profile", json!({"note": "x"})).await.status, 401);
}
