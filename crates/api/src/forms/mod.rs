//! Request parameters the way Mastodon clients send them, through one
//! parser: a form-encoded body, a query string, the text fields of a
//! multipart form (all with Rack's nested names, see [`tree`]) and a JSON
//! body all become one [`tree::Node`], read into the endpoint's type by one
//! deserializer ([`de`]). Parameters that cannot be read (bad JSON, text
//! where a number is wanted, names that contradict each other) are a 400
//! naming the parameter; whether readable values are acceptable is for
//! the domain to say (422).

mod de;
pub mod tree;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use std::future::Future;
use std::pin::Pin;

use crate::uploads::{self, Upload};
use crate::{ApiError, AppState};
use tree::{Node, Params};

pub use de::parse_bool;

/// Parameters from the body: JSON, form-encoded or multipart (whose files
/// are not wanted here and are dropped), chosen by Content-Type. An empty
/// body parses as an empty form, so every field may be optional.
pub struct Form<T>(pub T);

/// Parameters from the query string, with Rack's nested names.
pub struct Query<T>(pub T);

fn bad_parameters(error: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("invalid parameters: {error}"))
}

/// Reads parameters into the endpoint's type.
fn read<T: DeserializeOwned>(params: Params) -> Result<T, ApiError> {
    T::deserialize(Node::Map(params)).map_err(bad_parameters)
}

/// Parses a form-encoded text (a body or a query string).
pub(crate) fn parse_form_text<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    read(tree::parse_form(text).map_err(bad_parameters)?)
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
    // No parameters, whatever the type: browsers label an empty `fetch`
    // body `text/plain`.
    if body.iter().all(u8::is_ascii_whitespace) {
        return read(Params::new());
    }
    match content_type {
        "application/json" => match serde_json::from_slice::<Node>(body) {
            Ok(Node::Map(params)) => read(params),
            Ok(Node::Null) => read(Params::new()),
            Ok(other) => Err(ApiError::BadRequest(format!(
                "invalid JSON: the body must be an object of named parameters, not {}",
                other.kind()
            ))),
            Err(e) => Err(ApiError::BadRequest(format!("invalid JSON: {e}"))),
        },
        "application/x-www-form-urlencoded" | "" => {
            let text =
                std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("the form is not valid UTF-8".into()))?;
            parse_form_text(text)
        }
        other => Err(ApiError::BadRequest(format!(
            "unsupported Content-Type '{other}': send application/json, application/x-www-form-urlencoded \
             or multipart/form-data"
        ))),
    }
}

type BodyFuture = <Bytes as FromRequest>::Future;

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let with_files = FormWithFiles::<T>::from_request(request, payload);
        Box::pin(async move { Ok(Form(with_files.await?.fields)) })
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
        let config = request.app_data::<web::Data<AppState>>().map(|state| state.ctx.config.clone());
        Box::pin(async move {
            let config = config.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let received = uploads::receive(multipart, &config).await?;
            let params = tree::from_pairs(received.fields).map_err(bad_parameters)?;
            Ok(FormWithFiles { fields: read(params)?, files: received.files })
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
/// (and their opposites) in forms and query strings; empty is unset.
pub fn flexible_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    match Node::deserialize(deserializer)? {
        Node::Null => Ok(None),
        Node::Bool(b) => Ok(Some(b)),
        Node::Number(n) => Ok(Some(n.as_f64() != Some(0.0))),
        Node::Text(text) if text.trim().is_empty() => Ok(None),
        Node::Text(text) => {
            parse_bool(&text).map(Some).ok_or_else(|| D::Error::custom(format!("'{text}' is not a boolean")))
        }
        other => Err(D::Error::custom(format!("expected a boolean, got {}", other.kind()))),
    }
}

/// `expires_in`: seconds as a number or text; null or empty removes the
/// expiry.
pub fn expires_in(value: Option<serde_json::Value>) -> Result<Option<Option<i64>>, ApiError> {
    Ok(match value {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(text)) if text.trim().is_empty() => Some(None),
        Some(value) => {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            let seconds = text
                .trim()
                .parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("expires_in: '{text}' is not a number of seconds")))?;
            Some(Some(seconds))
        }
    })
}

/// A list of ids sent as `field[]=` (`what` names one in the error);
/// anything that is not an id is refused.
pub fn ids(field: &str, what: &str, raw: &[String]) -> Result<Vec<tertulia_core::Id>, ApiError> {
    raw.iter()
        .map(|raw| raw.parse().map_err(|_| ApiError::BadRequest(format!("{field}: '{raw}' is not a {what}"))))
        .collect()
}

/// A list given either as an array (`scopes[]=`, JSON array) or as one
/// string, as `/api/v1/apps` accepts `redirect_uris` both ways.
pub fn string_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Vec::<String>::deserialize(deserializer)
}

/// Nested records (`fields_attributes`, `keywords_attributes`) in each
/// shape clients send them: a list (JSON, or `a[][k]=` in forms), or
/// records keyed by position (`a[0][k]=`, read in the order of the
/// positions, as Rails does). Anything else, such as
/// `fields_attributes=undefined`, counts as not sent, as on Mastodon.
pub fn nested<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<Option<Vec<T>>, D::Error> {
    let records: Vec<Node> = match Node::deserialize(deserializer)? {
        Node::List(items) => items,
        Node::Map(map) => {
            let mut entries: Vec<(Option<usize>, Node)> =
                map.into_iter().map(|(key, node)| (key.parse().ok(), node)).collect();
            if entries.iter().all(|(position, _)| position.is_some()) {
                entries.sort_by_key(|(position, _)| *position);
            }
            entries.into_iter().map(|(_, node)| node).collect()
        }
        _ => return Ok(None),
    };
    let records = records
        .into_iter()
        .enumerate()
        .map(|(position, node)| T::deserialize(node).map_err(|e| D::Error::custom(format!("record {position}: {e}"))))
        .collect::<Result<Vec<T>, D::Error>>()?;
    Ok(Some(records))
}

/// A whole number sent as a JSON number or as text (forms only have text).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Text(String),
}

impl Number {
    /// The number, or a 400 naming `field`.
    pub fn value(&self, field: &str) -> Result<i64, ApiError> {
        match self {
            Number::Int(n) => Ok(*n),
            Number::Text(text) => {
                text.trim().parse().map_err(|_| ApiError::BadRequest(format!("{field}: '{text}' is not a number")))
            }
        }
    }
}

#[cfg(test)]
mod tests;
