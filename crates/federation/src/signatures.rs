//! HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures
//! (revision 12) with `rsa-sha256` (and `hs2019` carrying an RSA key), plus
//! the `Digest` header of RFC 3230 over request bodies.
//!
//! A POST signs `(request-target) host date digest`; a GET signs
//! `(request-target) host date`, as Mastodon's "signed fetch" does.

mod rsa;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use self::rsa::PublicKey;
pub use self::rsa::{KeyPair, SigningKey, generate_keypair};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed: a Signature header is required")]
    Missing,
    #[error("the Signature header cannot be read: {0}")]
    Malformed(String),
    #[error("signature algorithm '{0}' is not supported; use rsa-sha256")]
    UnsupportedAlgorithm(String),
    #[error("the signature must cover the {0} header")]
    HeaderNotSigned(&'static str),
    #[error("the signed header '{0}' is missing from the request")]
    SignedHeaderMissing(String),
    #[error("the Date header is missing or unreadable")]
    DateMissing,
    #[error("the Date header is too far from our clock (more than {0} hours)")]
    StaleDate(i64),
    #[error("a request with a body needs a SHA-256 Digest header")]
    DigestMissing,
    #[error("the Digest header does not match the request body")]
    DigestMismatch,
    #[error("the signature does not match the sender's public key")]
    BadSignature,
    #[error("key problem: {0}")]
    Key(String),
}

/// The headers to add to a signed request.
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    pub host: String,
    pub date: String,
    pub digest: Option<String>,
    pub signature: String,
}

/// `SHA-256=<base64>` of `body`.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// The `Host` value of a URL: the host, and the port when not the default.
fn host_header(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Signs a request to `url`; a `body` makes it carry a Digest.
pub fn sign_request(
    key: &SigningKey,
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<SignedHeaders, SignatureError> {
    let host = host_header(url);
    let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let digest = body.map(digest);
    let mut target = url.path().to_owned();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let mut lines = vec![format!("(request-target): {} {target}", method.to_lowercase())];
    lines.push(format!("host: {host}"));
    lines.push(format!("date: {date}"));
    let mut names = "(request-target) host date".to_owned();
    if let Some(digest) = &digest {
        lines.push(format!("digest: {digest}"));
        names.push_str(" digest");
    }
    let signature = key.sign(lines.join("\n").as_bytes())?;
    let signature = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{}\"",
        key.key_id(),
        BASE64.encode(signature)
    );
    Ok(SignedHeaders { host, date, digest, signature })
}

/// A request as received, for checking its signature.
pub struct IncomingRequest<'a> {
    method: &'a str,
    /// Path and query, as sent.
    target: &'a str,
    /// Header names in lower case; repeated headers joined with ", ".
    headers: &'a BTreeMap<String, String>,
    body: Option<&'a [u8]>,
}

impl<'a> IncomingRequest<'a> {
    pub fn new(
        method: &'a str,
        target: &'a str,
        headers: &'a BTreeMap<String, String>,
        body: Option<&'a [u8]>,
    ) -> IncomingRequest<'a> {
        IncomingRequest { method, target, headers, body }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// The parts of a `Signature` header.
#[derive(Debug, Clone)]
pub struct SignatureParams {
    pub key_id: String,
    /// Signed header names, in order, lower case.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

pub fn parse_signature(request: &IncomingRequest<'_>) -> Result<SignatureParams, SignatureError> {
    let header = request.header("signature").ok_or(SignatureError::Missing)?;
    let mut fields = BTreeMap::new();
    for part in split_params(header) {
        let (name, value) =
            part.split_once('=').ok_or_else(|| SignatureError::Malformed(format!("'{part}' is not name=\"value\"")))?;
        fields.insert(name.trim().to_lowercase(), value.trim().trim_matches('"').to_owned());
    }
    let algorithm = fields.get("algorithm").map(String::as_str).unwrap_or("hs2019");
    if !matches!(algorithm.to_lowercase().as_str(), "rsa-sha256" | "hs2019") {
        return Err(SignatureError::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let key_id = fields.remove("keyid").ok_or_else(|| SignatureError::Malformed("keyId is missing".into()))?;
    let signature =
        fields.remove("signature").ok_or_else(|| SignatureError::Malformed("signature is missing".into()))?;
    let signature = BASE64.decode(signature).map_err(|e| SignatureError::Malformed(format!("signature: {e}")))?;
    let headers = fields
        .get("headers")
        .map(|h| h.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_else(|| vec!["date".to_owned()]);
    Ok(SignatureParams { key_id, headers, signature })
}

/// Splits `a="x",b="y,z"` on the commas outside quotes.
fn split_params(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(header[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(header[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Checks the signature, the date and the digest of `request` against
/// the sender's public key (SPKI or PKCS#1 PEM).
pub fn verify_request(
    request: &IncomingRequest<'_>,
    params: &SignatureParams,
    public_pem: &str,
    now: DateTime<Utc>,
    max_skew: chrono::Duration,
) -> Result<(), SignatureError> {
    let signed = |name: &str| params.headers.iter().any(|h| h == name);
    if !signed("(request-target)") {
        return Err(SignatureError::HeaderNotSigned("(request-target)"));
    }
    if !signed("host") {
        return Err(SignatureError::HeaderNotSigned("host"));
    }
    if !signed("date") {
        return Err(SignatureError::HeaderNotSigned("date"));
    }
    let date = request.header("date").ok_or(SignatureError::DateMissing)?;
    let date = DateTime::parse_from_rfc2822(date).map_err(|_| SignatureError::DateMissing)?;
    if (now - date.with_timezone(&Utc)).abs() > max_skew {
        return Err(SignatureError::StaleDate(max_skew.num_hours()));
    }
    if let Some(body) = request.body {
        if !signed("digest") {
            return Err(SignatureError::HeaderNotSigned("digest"));
        }
        let claimed = request.header("digest").ok_or(SignatureError::DigestMissing)?;
        let expected = digest(body);
        let matches = claimed.split(',').map(str::trim).any(|d| {
            d.split_once('=').is_some_and(|(algorithm, value)| {
                algorithm.eq_ignore_ascii_case("sha-256") && Some(value) == expected.split_once('=').map(|(_, v)| v)
            })
        });
        if !matches {
            return Err(SignatureError::DigestMismatch);
        }
    }
    let mut lines = Vec::with_capacity(params.headers.len());
    for name in &params.headers {
        let value = match name.as_str() {
            "(request-target)" => format!("{} {}", request.method.to_lowercase(), request.target),
            other => {
                request.header(other).ok_or_else(|| SignatureError::SignedHeaderMissing(other.to_owned()))?.to_owned()
            }
        };
        lines.push(format!("{name}: {value}"));
    }
    PublicKey::from_pem(public_pem)?.verify(lines.join("\n").as_bytes(), &params.signature)
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    static PAIR: LazyLock<KeyPair> = LazyLock::new(|| generate_keypair().unwrap());

    fn key() -> SigningKey {
        SigningKey::from_pem("https://es.example/users/ana#main-key".into(), &PAIR.private_pem).unwrap()
    }

    /// The headers a receiver sees for a request signed now.
    fn received(url: &str, body: Option<&[u8]>, at: DateTime<Utc>) -> BTreeMap<String, String> {
        let url = url::Url::parse(url).unwrap();
        let signed = sign_request(&key(), if body.is_some() { "POST" } else { "GET" }, &url, body, at).unwrap();
        let mut headers = BTreeMap::from([
            ("host".to_owned(), signed.host),
            ("date".to_owned(), signed.date),
            ("signature".to_owned(), signed.signature),
        ]);
        if let Some(digest) = signed.digest {
            headers.insert("digest".into(), digest);
        }
        headers
    }

    fn check(
        method: &str,
        target: &str,
        headers: &BTreeMap<String, String>,
        body: Option<&[u8]>,
    ) -> Result<(), SignatureError> {
        let request = IncomingRequest::new(method, target, headers, body);
        let params = parse_signature(&request)?;
        verify_request(&request, &params, &PAIR.public_pem, Utc::now(), chrono::Duration::hours(12))
    }

    #[test]
    fn signed_posts_and_gets_verify() {
        let body = br#"{"type":"Follow"}"#;
        let headers = received("http://localhost:3002/inbox", Some(body), Utc::now());
        check("POST", "/inbox", &headers, Some(body)).unwrap();
        let headers = received("http://localhost:3002/users/luis?page=1", None, Utc::now());
        assert!(!headers.contains_key("digest"), "a GET carries no digest");
        check("GET", "/users/luis?page=1", &headers, None).unwrap();
    }

    #[test]
    fn a_changed_body_path_or_key_is_refused() {
        let body = br#"{"type":"Like"}"#;
        let headers = received("http://localhost:3002/inbox", Some(body), Utc::now());
        assert!(matches!(check("POST", "/inbox", &headers, Some(b"{}")), Err(SignatureError::DigestMismatch)));
        assert!(matches!(check("POST", "/users/x/inbox", &headers, Some(body)), Err(SignatureError::BadSignature)));
        let other = generate_keypair().unwrap();
        let request = IncomingRequest::new("POST", "/inbox", &headers, Some(body));
        let params = parse_signature(&request).unwrap();
        let result = verify_request(&request, &params, &other.public_pem, Utc::now(), chrono::Duration::hours(12));
        assert!(matches!(result, Err(SignatureError::BadSignature)));
    }

    #[test]
    fn stale_dates_missing_digests_and_unsigned_requests_are_refused() {
        let body = b"{}";
        let old = received("http://localhost:3002/inbox", Some(body), Utc::now() - chrono::Duration::hours(13));
        assert!(matches!(check("POST", "/inbox", &old, Some(body)), Err(SignatureError::StaleDate(12))));
        let mut no_digest = received("http://localhost:3002/inbox", Some(body), Utc::now());
        no_digest.remove("digest");
        assert!(matches!(check("POST", "/inbox", &no_digest, Some(body)), Err(SignatureError::DigestMissing)));
        // A GET-style signature (no digest covered) on a POST with a body.
        let get_style = received("http://localhost:3002/inbox", None, Utc::now());
        assert!(matches!(
            check("POST", "/inbox", &get_style, Some(body)),
            Err(SignatureError::HeaderNotSigned("digest"))
        ));
        assert!(matches!(check("GET", "/", &BTreeMap::new(), None), Err(SignatureError::Missing)));
    }

    #[test]
    fn pkcs1_public_keys_and_hs2019_are_accepted() {
        let headers = received("http://localhost:3002/users/luis", None, Utc::now());
        let mut hs2019 = headers.clone();
        hs2019.insert("signature".into(), headers["signature"].replace("rsa-sha256", "hs2019"));
        let request = IncomingRequest::new("GET", "/users/luis", &hs2019, None);
        let params = parse_signature(&request).unwrap();
        let (_, spki) = pem_rfc7468::decode_vec(PAIR.public_pem.as_bytes()).unwrap();
        let public = aws_lc_rs::rsa::PublicKey::from_der(&spki).unwrap();
        let pkcs1 = pem_rfc7468::encode_string("RSA PUBLIC KEY", pem_rfc7468::LineEnding::LF, public.as_ref()).unwrap();
        verify_request(&request, &params, &pkcs1, Utc::now(), chrono::Duration::hours(12)).unwrap();
    }

    /// A key stored before signing moved to aws-lc-rs (made by the `rsa`
    /// crate) signs byte for byte as it did then (PKCS#1 v1.5 is
    /// deterministic), and its published half verifies the result.
    #[test]
    fn keys_stored_by_earlier_versions_sign_as_they_did() {
        let key = SigningKey::from_pem(
            "https://old.example/users/ana#main-key".into(),
            include_str!("../tests/fixtures/keys/tertulia-0.1-private.pem"),
        )
        .unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc);
        let url = url::Url::parse("https://new.example/inbox").unwrap();
        let signed = sign_request(&key, "POST", &url, Some(b"{}"), at).unwrap();
        assert_eq!(signed.signature, include_str!("../tests/fixtures/keys/tertulia-0.1-signature.txt").trim());

        let headers = BTreeMap::from([
            ("host".to_owned(), signed.host),
            ("date".to_owned(), signed.date),
            ("digest".to_owned(), signed.digest.unwrap()),
            ("signature".to_owned(), signed.signature),
        ]);
        let request = IncomingRequest::new("POST", "/inbox", &headers, Some(b"{}"));
        let params = parse_signature(&request).unwrap();
        let public = include_str!("../tests/fixtures/keys/tertulia-0.1-public.pem");
        verify_request(&request, &params, public, at, chrono::Duration::hours(12)).unwrap();
    }

    #[test]
    fn the_header_has_the_fields_every_server_expects() {
        let headers = received("https://mx.example:8443/inbox", Some(b"{}"), Utc::now());
        let signature = &headers["signature"];
        assert!(signature.starts_with(r#"keyId="https://es.example/users/ana#main-key",algorithm="rsa-sha256","#));
        assert!(signature.contains(r#"headers="(request-target) host date digest""#));
        assert_eq!(headers["host"], "mx.example:8443");
    }
}
