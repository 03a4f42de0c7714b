//! The HTTP client this server uses towards other sites: signed fetches of
//! remote actors and objects, and signed deliveries to their inboxes. Every
//! destination passes the [address guard](crate::address_guard) first.

use std::error::Error as _;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{ACCEPT, CONTENT_TYPE, DATE, HOST, HeaderName, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use url::Url;

use crate::address_guard::{GuardError, GuardedResolver, check_destination};
use crate::signatures::{SignatureError, SignedHeaders, SigningKey, sign_request};

use crate::protocol::ACTIVITY_JSON;
const FETCH_ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
/// Redirects a fetch follows; enough for a moved actor or an http→https hop.
const MAX_REDIRECTS: usize = 3;

/// How the client behaves; usually taken from the `[federation]` configuration.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Limit for a whole request, from connecting to the end of the body.
    pub timeout: Duration,
    /// Largest response body read by [`FederationClient::fetch`].
    pub max_body_bytes: u64,
    /// Development only: permit plain http and private or loopback addresses.
    pub allow_private: bool,
    /// Sent as `User-Agent`; peers use it to see who is asking.
    pub user_agent: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the federation HTTP client cannot start: {0}")]
pub struct ClientSetupError(String);

/// Why a remote document could not be fetched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error(transparent)]
    Refused(#[from] GuardError),
    #[error("the remote object was deleted (HTTP 410 Gone)")]
    Gone,
    #[error("the remote server answered HTTP {0}")]
    Status(u16),
    #[error("the remote server redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    #[error("the remote document is larger than {limit} bytes; raise federation.max_fetch_bytes if it is legitimate")]
    TooLarge { limit: u64 },
    #[error("the remote server did not send a JSON document: {0}")]
    NotJson(String),
    #[error("cannot reach the remote server: {0}")]
    Transport(String),
    #[error(transparent)]
    Signing(#[from] SignatureError),
}

/// What became of one delivery, for the delivery queue to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The inbox accepted the activity (2xx).
    Delivered,
    /// The inbox refused it for good (4xx other than 401, 408 and 429); retrying
    /// the same request would get the same answer.
    Rejected { status: u16 },
    /// This server will never send to that address (plain http, private
    /// address); nothing was sent. Kept apart from `Rejected` because no
    /// remote server answered.
    Refused { reason: String },
    /// A temporary failure (timeout, connection error, 401, 408, 429, 3xx, 5xx):
    /// try again later.
    Retry { reason: String },
}

/// One connection pool for all federation traffic. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FederationClient {
    http: reqwest::Client,
    max_body_bytes: u64,
    allow_private: bool,
}

impl FederationClient {
    pub fn new(settings: ClientSettings) -> Result<Self, ClientSetupError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(settings.user_agent)
            // Redirects are followed by hand: each hop must pass the address
            // guard and be signed for its own URL.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver { allow_private: settings.allow_private })
            .build()
            .map_err(|error| ClientSetupError(describe(&error)))?;
        Ok(FederationClient { http, max_body_bytes: settings.max_body_bytes, allow_private: settings.allow_private })
    }

    /// Fetches an ActivityPub document with a signed GET, following up to
    /// three redirects. The document may come from another URL than `url`:
    /// callers must check that its `id` belongs to the host they trust.
    pub async fn fetch(&self, url: &Url, signer: &SigningKey) -> Result<serde_json::Value, FetchError> {
        let mut target = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            check_destination(&target, self.allow_private).await?;
            let signed = sign_request(signer, "GET", &target, None, Utc::now())?;
            let request = with_signature(self.http.get(target.as_str()), signed).header(ACCEPT, FETCH_ACCEPT);
            let response = request.send().await.map_err(|error| FetchError::Transport(describe(&error)))?;
            match response.status() {
                status if status.is_success() => return self.read_json(response).await,
                status if status.is_redirection() => {
                    target = redirect_target(&target, &response).ok_or(FetchError::Status(status.as_u16()))?;
                }
                StatusCode::GONE => return Err(FetchError::Gone),
                status => return Err(FetchError::Status(status.as_u16())),
            }
        }
        Err(FetchError::TooManyRedirects)
    }

    /// Reads the body chunk by chunk so an oversized or endless answer costs
    /// at most `max_body_bytes` of memory.
    async fn read_json(&self, mut response: Response) -> Result<serde_json::Value, FetchError> {
        let too_large = FetchError::TooLarge { limit: self.max_body_bytes };
        if response.content_length().is_some_and(|length| length > self.max_body_bytes) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| FetchError::Transport(describe(&error)))? {
            if (body.len() + chunk.len()) as u64 > self.max_body_bytes {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|error| FetchError::NotJson(error.to_string()))
    }

    /// Posts an activity to an inbox, signed and with its `Digest`. Does not
    /// follow redirects: a redirected POST may silently turn into a GET.
    pub async fn deliver(&self, inbox: &Url, body: &[u8], signer: &SigningKey) -> DeliveryOutcome {
        match check_destination(inbox, self.allow_private).await {
            Ok(()) => {}
            // DNS trouble passes; a forbidden destination stays forbidden.
            Err(error @ GuardError::Resolve { .. }) => return DeliveryOutcome::Retry { reason: error.to_string() },
            Err(error) => return DeliveryOutcome::Refused { reason: error.to_string() },
        }
        let signed = match sign_request(signer, "POST", inbox, Some(body), Utc::now()) {
            Ok(signed) => signed,
            Err(error) => return DeliveryOutcome::Retry { reason: error.to_string() },
        };
        let request = with_signature(self.http.post(inbox.as_str()), signed)
            .header(CONTENT_TYPE, ACTIVITY_JSON)
            .body(body.to_vec());
        match request.send().await {
            Ok(response) => delivery_outcome(response.status()),
            Err(error) => DeliveryOutcome::Retry { reason: format!("cannot reach the inbox: {}", describe(&error)) },
        }
    }
}

fn delivery_outcome(status: StatusCode) -> DeliveryOutcome {
    let code = status.as_u16();
    if status.is_success() {
        DeliveryOutcome::Delivered
    } else if is_final_refusal(code) {
        DeliveryOutcome::Rejected { status: code }
    } else {
        DeliveryOutcome::Retry { reason: format!("the inbox answered HTTP {code}") }
    }
}

/// Whether a remote server's answer `status` would be the same if asked
/// again: a 4xx other than 401, 408 and 429. 401 passes, as Mastodon
/// assumes: the other side may only have failed to fetch our key for a moment.
pub(crate) fn is_final_refusal(status: u16) -> bool {
    let passing = [StatusCode::UNAUTHORIZED, StatusCode::REQUEST_TIMEOUT, StatusCode::TOO_MANY_REQUESTS];
    StatusCode::from_u16(status).is_ok_and(|status| status.is_client_error() && !passing.contains(&status))
}

fn with_signature(request: RequestBuilder, signed: SignedHeaders) -> RequestBuilder {
    // Host is set explicitly so the value sent is byte for byte the one signed.
    let request = request.header(HOST, signed.host).header(DATE, signed.date);
    let request = match signed.digest {
        Some(digest) => request.header(HeaderName::from_static("digest"), digest),
        None => request,
    };
    request.header(HeaderName::from_static("signature"), signed.signature)
}

fn redirect_target(current: &Url, response: &Response) -> Option<Url> {
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    current.join(location).ok()
}

/// reqwest's own message is "error sending request"; the useful part
/// (connection refused, certificate invalid) is further down the chain.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer within federation.request_timeout_secs".to_owned();
    }
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    message.replace(['\n', '\r'], " ")
}
