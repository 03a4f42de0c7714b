//! Request parameters the way Mastodon clients send them: a JSON body, a
//! form-encoded body (with `key[]=` arrays and `key[sub]=` nesting), a
//! multipart form with files, or a query string in the same style. One
//! extractor per source, one error shape (422 with a readable message)
//! for all of them.

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use std::future::Future;
use std::pin::Pin;

use crate::uploads::{self, Upload};
use crate::{ApiError, AppState};

const NESTING_DEPTH: usize = 5;

/// Parameters from the body: JSON or form-encoded, chosen by Content-Type.
/// An empty body parses as an empty form, so every field may be optional.
pub struct Form<T>(pub T);

/// Parameters from the query string, with `key[]=` arrays.
pub struct Query<T>(pub T);

pub(crate) fn parse_form_text<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_qs::Config::new()
        .max_depth(NESTING_DEPTH)
        .use_form_encoding(true)
        .deserialize_str(text)
        .map_err(|e| ApiError::Unprocessable(format!("invalid parameters: {e}")))
}

/// The media type of the request, lower-cased, without parameters.
fn content_type(request: &HttpRequest) -> String {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads a JSON or form-encoded body and parses it.
async fn parse_body<T: DeserializeOwned>(content_type: &str, body: BodyFuture) -> Result<T, actix_web::Error> {
    let body = body.await.map_err(|e| match e.as_response_error().status_code().as_u16() {
        413 => actix_web::Error::from(ApiError::PayloadTooLarge(format!("request body too large: {e}"))),
        _ => e,
    })?;
    Ok(decode_body(content_type, &body)?)
}

/// Parses a received body by its media type (lower case, no parameters).
pub(crate) fn decode_body<T: DeserializeOwned>(content_type: &str, body: &[u8]) -> Result<T, ApiError> {
    match content_type {
        "application/json" => {
            let text = if body.iter().all(u8::is_ascii_whitespace) { &b"{}"[..] } else { body };
            serde_json::from_slice(text).map_err(|e| ApiError::Unprocessable(format!("invalid JSON: {e}")))
        }
        "application/x-www-form-urlencoded" | "" => {
            let text =
                std::str::from_utf8(body).map_err(|_| ApiError::Unprocessable("the form is not valid UTF-8".into()))?;
            parse_form_text(text)
        }
        other => Err(ApiError::Unprocessable(format!(
            "unsupported Content-Type '{other}': send application/json or application/x-www-form-urlencoded"
        ))),
    }
}

type BodyFuture = <Bytes as FromRequest>::Future;

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(request);
        let body = Bytes::from_request(request, payload);
        Box::pin(async move { Ok(Form(parse_body(&content_type, body).await?)) })
    }
}

/// Parameters and uploaded files: a JSON or form-encoded body (no files),
/// or `multipart/form-data`, whose text fields are parsed exactly like a
/// form-encoded body and whose files are streamed to temporary files.
pub struct FormWithFiles<T> {
    pub fields: T,
    pub files: Vec<Upload>,
}

impl<T> FormWithFiles<T> {
    /// Takes the file sent as `field`, if any.
    pub fn take_file(&mut self, field: &str) -> Option<Upload> {
        let position = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.swap_remove(position))
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for FormWithFiles<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(request);
        if content_type != "multipart/form-data" {
            let body = Bytes::from_request(request, payload);
            return Box::pin(async move {
                Ok(FormWithFiles { fields: parse_body(&content_type, body).await?, files: Vec::new() })
            });
        }
        let multipart = actix_multipart::Multipart::new(request.headers(), payload.take());
        let config = request.app_data::<web::Data<AppState>>().map(|state| state.config.clone());
        Box::pin(async move {
            let config = config.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let received = uploads::receive(multipart, &config).await?;
            let mut text = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in &received.fields {
                text.append_pair(name, value);
            }
            Ok(FormWithFiles { fields: parse_form_text(&text.finish())?, files: received.files })
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_form_text(request.query_string()).map(Query).map_err(Into::into))
    }
}

/// Booleans as clients send them: JSON `true`, or `true`/`1`/`on`/`yes`
/// (and their opposites) in forms and query strings.
pub fn flexible_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" => Ok(Some(true)),
                "false" | "0" | "off" | "no" => Ok(Some(false)),
                "" => Ok(None),
                other => Err(E::custom(format!("'{other}' is not a boolean"))),
            }
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(Visitor).map_err(D::Error::custom)
}

/// A list given either as an array (`scopes[]=`, JSON array) or as one
/// string, as `/api/v1/apps` accepts `redirect_uris` both ways.
pub fn string_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match <Option<OneOrMany> as serde::Deserialize>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(one)) => vec![one],
        Some(OneOrMany::Many(many)) => many,
    })
}

/// Nested records (`fields_attributes`, `keywords_attributes`): a list in
/// JSON, or an object keyed by position in forms (`a[0][name]=…`).
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
pub enum Attributes<T> {
    List(Vec<T>),
    Indexed(std::collections::BTreeMap<String, T>),
}

impl<T> Attributes<T> {
    /// The records in the order the client gave them.
    pub fn into_list(self) -> Vec<T> {
        match self {
            Attributes::List(list) => list,
            Attributes::Indexed(map) => {
                let mut entries: Vec<(String, T)> = map.into_iter().collect();
                entries.sort_by_key(|(key, _)| key.parse::<usize>().unwrap_or(usize::MAX));
                entries.into_iter().map(|(_, record)| record).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, Default)]
    struct Sample {
        #[serde(default)]
        types: Vec<String>,
        #[serde(default, deserialize_with = "flexible_bool")]
        only_media: Option<bool>,
        limit: Option<u32>,
        #[serde(default, deserialize_with = "string_or_list")]
        redirect_uris: Vec<String>,
    }

    #[test]
    fn bracket_arrays_numbers_and_loose_booleans_parse_from_forms() {
        let parsed: Sample =
            parse_form_text("types[]=mention&types%5B%5D=favourite&only_media=1&limit=20&redirect_uris=a+b").unwrap();
        assert_eq!(parsed.types, ["mention", "favourite"]);
        assert_eq!(parsed.only_media, Some(true));
        assert_eq!(parsed.limit, Some(20));
        assert_eq!(parsed.redirect_uris, ["a b"]);
    }

    #[test]
    fn json_lists_and_booleans_parse_too() {
        let parsed: Sample =
            serde_json::from_str(r#"{"only_media": false, "redirect_uris": ["x", "y"], "limit": 5}"#).unwrap();
        assert_eq!(parsed.only_media, Some(false));
        assert_eq!(parsed.redirect_uris, ["x", "y"]);
    }

    #[test]
    fn a_bad_number_is_a_readable_422() {
        let error = parse_form_text::<Sample>("limit=lots").unwrap_err();
        assert!(matches!(error, ApiError::Unprocessable(ref m) if m.contains("invalid parameters")), "{error:?}");
    }
}

/// A whole number sent as a JSON number or as text (forms only have text).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Text(String),
}

impl Number {
    /// The number, or a 422 naming `field`.
    pub fn value(&self, field: &str) -> Result<i64, ApiError> {
        match self {
            Number::Int(n) => Ok(*n),
            Number::Text(text) => {
                text.trim().parse().map_err(|_| ApiError::Unprocessable(format!("{field}: '{text}' is not a number")))
            }
        }
    }
}
