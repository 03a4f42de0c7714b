//! A signed-in client for end-to-end tests: JSON in, JSON out, with the
//! status code kept for assertions.

use serde_json::Value;

use crate::TestInstance;

/// A client acting with one access token on one instance.
pub struct ApiClient<'a> {
    pub instance: &'a TestInstance,
    pub token: String,
}

/// A response's status, `Link` header and parsed body.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub link: Option<String>,
    pub body: Value,
}

impl ApiResponse {
    /// The body, after asserting a 200.
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "expected 200, got {}: {}", self.status, self.body);
        self.body
    }

    /// The `error` message, after asserting `status`.
    pub fn error(self, status: u16) -> String {
        assert_eq!(self.status, status, "expected {status}: {}", self.body);
        self.body["error"].as_str().unwrap_or_else(|| panic!("no error message in {}", self.body)).to_owned()
    }
}

impl TestInstance {
    /// A client with `token`.
    pub fn api(&self, token: &str) -> ApiClient<'_> {
        ApiClient { instance: self, token: token.to_owned() }
    }
}

impl ApiClient<'_> {
    async fn send(&self, request: reqwest::RequestBuilder) -> ApiResponse {
        let request = if self.token.is_empty() { request } else { request.bearer_auth(&self.token) };
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let link = response.headers().get("link").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response.text().await.expect("body");
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        ApiResponse { status, link, body }
    }

    pub async fn get(&self, path: &str) -> ApiResponse {
        self.send(self.instance.client.get(self.instance.url(path))).await
    }

    pub async fn post(&self, path: &str, body: Value) -> ApiResponse {
        self.send(self.instance.client.post(self.instance.url(path)).json(&body)).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> ApiResponse {
        self.send(self.instance.client.post(self.instance.url(path)).form(form)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> ApiResponse {
        self.send(self.instance.client.put(self.instance.url(path)).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> ApiResponse {
        self.send(self.instance.client.patch(self.instance.url(path)).json(&body)).await
    }

    /// Sends `body` exactly as given, with `content_type`: for forms whose
    /// names a client writes by hand (`a[][k]=`).
    pub async fn send_raw(&self, method: reqwest::Method, path: &str, content_type: &str, body: &str) -> ApiResponse {
        let request = self.instance.client.request(method, self.instance.url(path));
        self.send(request.header("content-type", content_type).body(body.to_owned())).await
    }

    /// Sends text `fields` as `multipart/form-data`, as browsers send forms.
    pub async fn multipart(&self, method: reqwest::Method, path: &str, fields: &[(&str, &str)]) -> ApiResponse {
        let boundary = "tertulia-testrig-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.send_raw(method, path, &format!("multipart/form-data; boundary={boundary}"), &body).await
    }

    pub async fn delete(&self, path: &str) -> ApiResponse {
        self.send(self.instance.client.delete(self.instance.url(path))).await
    }

    /// Posts a status with `text` and optional extra fields, asserting 200.
    pub async fn post_status(&self, text: &str, extra: Value) -> Value {
        let mut body = serde_json::json!({ "status": text });
        if let (Some(target), Some(fields)) = (body.as_object_mut(), extra.as_object()) {
            target.extend(fields.clone());
        }
        self.post("/api/v1/statuses", body).await.ok()
    }

    /// Follows `target_id`, asserting 200; returns the relationship.
    pub async fn follow(&self, target_id: &str) -> Value {
        self.post(&format!("/api/v1/accounts/{target_id}/follow"), serde_json::json!({})).await.ok()
    }

    /// The local id of `@username@<other's domain>`, looked up as a client
    /// does (search with resolve).
    pub async fn resolve(&self, username: &str, other: &TestInstance) -> String {
        let q = format!("@{username}@{}", other.domain);
        let found = self.get(&format!("/api/v2/search?type=accounts&resolve=true&q={q}")).await.ok();
        let account = &found["accounts"][0];
        assert_eq!(account["acct"], format!("{username}@{}", other.domain), "resolving {q}: {found}");
        account["id"].as_str().expect("account id").to_owned()
    }

    /// Follows `target_id` and waits until the follow is accepted (by
    /// another site, for a remote account).
    pub async fn follow_and_wait(&self, target_id: &str) {
        self.follow(target_id).await;
        crate::eventually("the follow to be accepted", || async {
            let relationship = self.get(&format!("/api/v1/accounts/relationships?id[]={target_id}")).await.ok();
            (relationship[0]["following"] == true).then_some(())
        })
        .await;
    }

    /// Uploads a small PNG chart to `/api/v2/media`, asserting 200; returns
    /// the attachment.
    pub async fn upload_png(&self) -> Value {
        let image = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::from(image).write_to(&mut png, image::ImageFormat::Png).expect("encode a PNG");
        let boundary = "tertulia-testrig-png-3f9a";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&png.into_inner());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .instance
            .client
            .post(self.instance.url("/api/v2/media"))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(request).await.ok()
    }

    /// The id of the signed-in account.
    pub async fn account_id(&self) -> String {
        let me = self.get("/api/v1/accounts/verify_credentials").await.ok();
        me["id"].as_str().expect("account id").to_owned()
    }

    /// The ids in a list answer, in order.
    pub async fn ids(&self, path: &str) -> Vec<String> {
        let body = self.get(path).await.ok();
        body.as_array()
            .unwrap_or_else(|| panic!("{path} did not answer a list: {body}"))
            .iter()
            .map(|item| item["id"].as_str().expect("id").to_owned())
            .collect()
    }
}
