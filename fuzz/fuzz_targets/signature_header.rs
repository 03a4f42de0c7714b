//! A signed request as another server sends it: the `Signature` header is
//! parsed, then checked against a fixed public key with the clock at the
//! seeds' `Date`. Input: `METHOD target`, `name: value` header lines, and
//! after a blank line the body (none without one).
//!
//! Beyond "no panic": no input verifies, since none was signed with the
//! key's private half (a check skipped by some header combination would).

#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use tertulia_federation::signatures::{IncomingRequest, parse_signature, verify_request};

/// The public half of a key pair whose private half was thrown away.
const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtM33QecO42IOEfD9vet9
2jsrbXxU+itVkKltiXx52fuslyRBkA3OXR/QXSDdiDI0QyJ+UMLz4I41X5RPB3fs
7e62Igzx8XcWDu/LmxfyOzUz6oIzCPY9LIZh7Zvt+iT/geL0KKoqsxurKgCkStcZ
8vxN4qrTkEts+KYV7Afmg2EhhshWd7+eH5CBgxz+zs4lLIAG1btqskZTaBgB8NYp
IS0JgZivP6WEV5Z0V9T7eLCtyBcq3k39BWDR2uGJjLB10N2kB4snoKzkJywnhS2i
znADA/3oTlbXbgrUjgJyB6xMbhdgn4xQOlW4MaQKOKYJmEQU4CejkN9B6sqx8uwI
1QIDAQAB
-----END PUBLIC KEY-----
";

/// The `Date` of the seeds, so their dates are fresh on every run.
static NOW: LazyLock<DateTime<Utc>> = LazyLock::new(|| {
    DateTime::parse_from_rfc2822("Sun, 06 Dec 2026 05:00:00 GMT").map(|t| t.with_timezone(&Utc)).unwrap()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (head, body) = match text.split_once("\n\n") {
        Some((head, body)) => (head, Some(body.as_bytes())),
        None => (text, None),
    };
    let mut lines = head.lines();
    let (method, target) = lines.next().and_then(|line| line.split_once(' ')).unwrap_or(("POST", "/inbox"));
    // Lower-case names, repeated headers joined with ", ", as the routes do.
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        headers
            .entry(name.trim().to_lowercase())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(value.trim());
            })
            .or_insert_with(|| value.trim().to_owned());
    }
    let request = IncomingRequest::new(method, target, &headers, body);
    let Ok(params) = parse_signature(&request) else {
        return;
    };
    let verified = verify_request(&request, &params, PUBLIC_KEY, *NOW, chrono::Duration::hours(12));
    assert!(verified.is_err(), "a request nobody signed was accepted: {params:?}");
});
