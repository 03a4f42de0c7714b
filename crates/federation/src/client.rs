//! The HTTP client this server uses towards other sites: signed fetches of
//! remote actors and objects, and signed deliveries to their inboxes. It is
//! the only way out: every request, and every redirect a fetch follows,
//! first passes [`Destinations::check`] (federation switched on, the site
//! allowed, not this site itself) and then the
//! [address guard](crate::address_guard).

use std::error::Error as _;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{ACCEPT, CONTENT_TYPE, DATE, HOST, HeaderName, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use tertulia_core::config::FederationConfig;
use tertulia_domain::federation_policy::{FederationPolicy, Refusal};
use url::Url;

use crate::address_guard::{GuardError, GuardedResolver, check_destination};
use crate::backoff::retry_after;
use crate::signatures::{SignatureError, SignedHeaders, SigningKey, sign_request};
use crate::urls::{Urls, host_of};

use crate::protocol::ACTIVITY_JSON;
const FETCH_ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
/// Redirects a fetch follows; enough for a moved actor or an http→https hop.
const MAX_REDIRECTS: usize = 3;

/// How the client behaves: the `[federation]` configuration (switch,
/// allowlist, private addresses, timeout, size limit) and who we are.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub federation: FederationConfig,
    /// Which sites may be contacted; consulted on every request.
    pub policy: FederationPolicy,
    /// This site's own URLs: never contacted as if they were another site's.
    pub site: Urls,
    /// Sent as `User-Agent`; peers use it to see who is asking.
    pub user_agent: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the federation HTTP client cannot start: {0}")]
pub struct ClientSetupError(String);

/// Why a site may not be contacted at all, whatever its address. Permanent,
/// like [`GuardError`]: the same URL will be refused again.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SiteRefusal {
    #[error("federation is switched off on this site (federation.enabled = false): nothing is sent to other sites")]
    FederationOff,
    #[error("refusing {url}: {refusal}")]
    NotAllowed { url: String, refusal: Refusal },
    #[error("refusing {url}: it is on this site, not another one")]
    OwnSite { url: String },
}

/// Which sites the client may send requests to.
#[derive(Debug, Clone)]
struct Destinations {
    federation: FederationConfig,
    policy: FederationPolicy,
    site: Urls,
}

impl Destinations {
    /// The one check every outgoing request passes, each redirect included.
    fn check(&self, url: &Url) -> Result<(), SiteRefusal> {
        if !self.federation.enabled {
            return Err(SiteRefusal::FederationOff);
        }
        if self.site.is_local(url.as_str()) {
            return Err(SiteRefusal::OwnSite { url: url.to_string() });
        }
        let host = host_of(url.as_str()).unwrap_or_default();
        match self.policy.check(&host) {
            Ok(_) => Ok(()),
            Err(refusal) => Err(SiteRefusal::NotAllowed { url: url.to_string(), refusal }),
        }
    }
}

/// Why a remote document could not be fetched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error(transparent)]
    NotAllowed(#[from] SiteRefusal),
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

/// A fetched document and the URL that answered with it (after redirects).
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// Whoever the document claims to be must live on this URL's site.
    pub url: Url,
    pub document: serde_json::Value,
}

/// What became of one delivery, for the delivery queue to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The inbox accepted the activity (2xx).
    Delivered,
    /// The inbox refused it for good (4xx other than 401, 408 and 429); retrying
    /// the same request would get the same answer.
    Rejected { status: u16 },
    /// This server will never send to that address (federation off, a site
    /// not allowed, plain http, a private address); nothing was sent. Kept
    /// apart from `Rejected` because no remote server answered.
    Refused { reason: String },
    /// A temporary failure (timeout, connection error, 401, 408, 429, 3xx, 5xx):
    /// try again later, and not before `retry_after` if the inbox said so.
    Retry { reason: String, retry_after: Option<chrono::TimeDelta> },
}

/// One connection pool for all federation traffic. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FederationClient {
    http: reqwest::Client,
    max_body_bytes: u64,
    allow_private: bool,
    destinations: Destinations,
}

impl FederationClient {
    pub fn new(settings: ClientSettings) -> Result<Self, ClientSetupError> {
        let federation = settings.federation;
        let timeout = Duration::from_secs(federation.request_timeout_secs);
        let allow_private = federation.allow_private_addresses;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(settings.user_agent)
            // Redirects are followed by hand: each hop must pass the checks
            // and be signed for its own URL.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver { allow_private })
            .build()
            .map_err(|error| ClientSetupError(describe(&error)))?;
        Ok(FederationClient {
            http,
            max_body_bytes: federation.max_fetch_bytes,
            allow_private,
            destinations: Destinations { federation, policy: settings.policy, site: settings.site },
        })
    }

    /// Fetches an ActivityPub document with a signed GET, following up to
    /// three redirects. The document may come from another URL than `url`:
    /// callers must check that its `id` belongs to the site of
    /// [`Fetched::url`], the one that answered.
    pub async fn fetch(&self, url: &Url, signer: &SigningKey) -> Result<Fetched, FetchError> {
        let mut target = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            self.destinations.check(&target)?;
            check_destination(&target, self.allow_private).await?;
            let signed = sign_request(signer, "GET", &target, None, Utc::now())?;
            let request = with_signature(self.http.get(target.as_str()), signed).header(ACCEPT, FETCH_ACCEPT);
            let response = request.send().await.map_err(|error| FetchError::Transport(describe(&error)))?;
            match response.status() {
                status if status.is_success() => {
                    let document = self.read_json(response).await?;
                    return Ok(Fetched { url: target, document });
                }
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
        if let Err(refusal) = self.destinations.check(inbox) {
            return DeliveryOutcome::Refused { reason: refusal.to_string() };
        }
        match check_destination(inbox, self.allow_private).await {
            Ok(()) => {}
            // DNS trouble passes; a forbidden destination stays forbidden.
            Err(error @ GuardError::Resolve { .. }) => return DeliveryOutcome::retry(error.to_string()),
            Err(error) => return DeliveryOutcome::Refused { reason: error.to_string() },
        }
        let signed = match sign_request(signer, "POST", inbox, Some(body), Utc::now()) {
            Ok(signed) => signed,
            Err(error) => return DeliveryOutcome::retry(error.to_string()),
        };
        let request = with_signature(self.http.post(inbox.as_str()), signed)
            .header(CONTENT_TYPE, ACTIVITY_JSON)
            .body(body.to_vec());
        match request.send().await {
            Ok(response) => delivery_outcome(&response),
            Err(error) => DeliveryOutcome::retry(format!("cannot reach the inbox: {}", describe(&error))),
        }
    }
}

impl DeliveryOutcome {
    /// A temporary failure with no word from the inbox on when to retry.
    pub fn retry(reason: String) -> DeliveryOutcome {
        DeliveryOutcome::Retry { reason, retry_after: None }
    }
}

fn delivery_outcome(response: &Response) -> DeliveryOutcome {
    let status = response.status();
    let code = status.as_u16();
    if status.is_success() {
        DeliveryOutcome::Delivered
    } else if is_final_refusal(code) {
        DeliveryOutcome::Rejected { status: code }
    } else {
        DeliveryOutcome::Retry {
            reason: format!("the inbox answered HTTP {code}"),
            retry_after: retry_after(response.headers(), Utc::now()),
        }
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
