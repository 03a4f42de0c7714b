//! Requests to other sites: signed GETs of documents and signed POSTs of
//! activities, with the address guard, a timeout and a size limit.
//! Redirects are not followed: a redirect could lead past the address
//! guard, and ActivityPub ids are meant to be fetched where they are.

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;

use crate::address_guard::{self, GuardError};
use crate::protocol::ACTIVITY_JSON;
use crate::signatures::{self, SignatureError, SigningKey};

/// What ActivityPub servers answer documents to.
const ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Refused(#[from] GuardError),
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} is gone (HTTP 410)")]
    Gone { url: String },
    #[error("{url} sent more than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url} did not answer JSON: {reason}")]
    NotJson { url: String, reason: String },
    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("cannot sign the request: {0}")]
    Signing(#[from] SignatureError),
}

/// How a delivery went.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    /// 2xx: done.
    Delivered,
    /// Refused for good: a 4xx other than 401, 408 and 429, or a destination the
    /// address guard forbids (it will not become allowed by waiting).
    Rejected { status: u16 },
    /// Worth trying again later: 408, 429, 5xx, timeouts, network errors.
    Retry { reason: String },
}

/// One HTTP client for all federation traffic of the process.
#[derive(Clone)]
pub struct FederationClient {
    http: reqwest::Client,
    max_body_bytes: u64,
    allow_private: bool,
}

impl FederationClient {
    pub fn new(
        timeout: Duration,
        max_body_bytes: u64,
        allow_private: bool,
        user_agent: String,
    ) -> Result<FederationClient, crate::FederationError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent)
            .build()
            .map_err(|e| crate::FederationError::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(FederationClient { http, max_body_bytes, allow_private })
    }

    /// Signed GET of an ActivityPub document.
    pub async fn fetch(&self, url: &url::Url, signer: &SigningKey) -> Result<Value, FetchError> {
        address_guard::check_destination(url, self.allow_private).await?;
        let signed = signatures::sign_request(signer, "GET", url, None, Utc::now())?;
        let network = |e: reqwest::Error| FetchError::Network { url: url.to_string(), reason: one_line(&e) };
        let mut response = self
            .http
            .get(url.clone())
            .header("accept", ACCEPT)
            .header("host", signed.host)
            .header("date", signed.date)
            .header("signature", signed.signature)
            .send()
            .await
            .map_err(network)?;
        match response.status() {
            status if status.is_success() => {}
            StatusCode::GONE => return Err(FetchError::Gone { url: url.to_string() }),
            status => return Err(FetchError::Status { url: url.to_string(), status: status.as_u16() }),
        }
        if response.content_length().is_some_and(|length| length > self.max_body_bytes) {
            return Err(FetchError::TooLarge { url: url.to_string(), limit: self.max_body_bytes });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if (body.len() + chunk.len()) as u64 > self.max_body_bytes {
                return Err(FetchError::TooLarge { url: url.to_string(), limit: self.max_body_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| FetchError::NotJson { url: url.to_string(), reason: e.to_string() })
    }

    /// Signed POST of an activity to an inbox.
    pub async fn deliver(&self, inbox: &url::Url, body: &[u8], signer: &SigningKey) -> DeliveryOutcome {
        if let Err(refusal) = address_guard::check_destination(inbox, self.allow_private).await {
            return match refusal {
                GuardError::Resolve { .. } => DeliveryOutcome::Retry { reason: refusal.to_string() },
                GuardError::Private { .. } | GuardError::Scheme(_) => DeliveryOutcome::Rejected { status: 0 },
            };
        }
        let signed = match signatures::sign_request(signer, "POST", inbox, Some(body), Utc::now()) {
            Ok(signed) => signed,
            Err(error) => return DeliveryOutcome::Retry { reason: error.to_string() },
        };
        let request = self
            .http
            .post(inbox.clone())
            .header("content-type", ACTIVITY_JSON)
            .header("accept", ACCEPT)
            .header("host", signed.host)
            .header("date", signed.date)
            .header("digest", signed.digest.unwrap_or_default())
            .header("signature", signed.signature)
            .body(body.to_vec());
        match request.send().await {
            Ok(response) => classify(response.status()),
            Err(error) => DeliveryOutcome::Retry { reason: one_line(&error) },
        }
    }
}

/// The outcome an inbox's answer means.
fn classify(status: StatusCode) -> DeliveryOutcome {
    if status.is_success() {
        DeliveryOutcome::Delivered
    } else if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        DeliveryOutcome::Rejected { status: status.as_u16() }
    } else {
        DeliveryOutcome::Retry { reason: format!("the inbox answered HTTP {}", status.as_u16()) }
    }
}

/// reqwest's error with its causes, on one line.
fn one_line(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_answers_map_to_outcomes_as_mastodon_treats_them() {
        assert_eq!(classify(StatusCode::ACCEPTED), DeliveryOutcome::Delivered);
        assert_eq!(classify(StatusCode::FORBIDDEN), DeliveryOutcome::Rejected { status: 403 });
        assert_eq!(classify(StatusCode::GONE), DeliveryOutcome::Rejected { status: 410 });
        for retried in [
            StatusCode::UNAUTHORIZED,
            StatusCode::REQUEST_TIMEOUT,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::BAD_GATEWAY,
        ] {
            assert!(matches!(classify(retried), DeliveryOutcome::Retry { .. }), "{retried}");
        }
    }
}
