//! The physical limit of federation on this machine: how many HTTP
//! Signatures one core makes (one per delivery) and checks (one per
//! received activity) per second. Timed through
//! `tertulia_federation::signatures` itself, key parsing and digest
//! included, so the figures follow whatever our signatures run on
//! (RSA-2048, PKCS#1 v1.5 over SHA-256).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use tertulia_federation::signatures::{self, IncomingRequest, SigningKey};

use crate::BenchError;
use crate::report::{json_line, round, table};

/// How long each operation is timed for.
const TIMED_FOR: Duration = Duration::from_millis(1_500);

/// Operations per second on one core.
#[derive(Debug, Clone, Copy)]
pub struct RsaCost {
    pub signs_per_sec: f64,
    pub verifies_per_sec: f64,
}

/// `tertulia-bench rsa`: prints the figures on their own.
pub async fn run() -> Result<(), BenchError> {
    let cost = measure().await?;
    json_line(&json!({
        "scenario": "rsa",
        "signs_per_sec_per_core": round(cost.signs_per_sec),
        "verifies_per_sec_per_core": round(cost.verifies_per_sec),
        "cores": cores(),
    }));
    table(
        &["RSA-2048, one core", "signs/s", "verifies/s"],
        &[vec![
            "HTTP Signature of an inbox POST".into(),
            format!("{:.0}", cost.signs_per_sec),
            format!("{:.0}", cost.verifies_per_sec),
        ]],
    );
    Ok(())
}

/// Times signing and verifying on one core, off the async runtime.
pub async fn measure() -> Result<RsaCost, BenchError> {
    tokio::task::spawn_blocking(measure_on_this_thread)
        .await
        .map_err(|e| BenchError::Check(format!("the RSA timing stopped: {e}")))?
}

fn measure_on_this_thread() -> Result<RsaCost, BenchError> {
    let failed = |e: signatures::SignatureError| BenchError::Check(format!("HTTP Signatures: {e}"));
    let pair = signatures::generate_keypair().map_err(failed)?;
    let key = SigningKey::from_pem("https://bench.example/users/sender#main-key".into(), &pair.private_pem)
        .map_err(failed)?;
    let inbox = url::Url::parse("https://localhost/inbox").map_err(|e| BenchError::Check(e.to_string()))?;
    let body = br#"{"type":"Create","object":{"type":"Note","content":"Hola"}}"#;
    let sign = || signatures::sign_request(&key, "POST", &inbox, Some(body), Utc::now());
    let signed = sign().map_err(failed)?;
    let headers = BTreeMap::from([
        ("host".to_owned(), signed.host),
        ("date".to_owned(), signed.date),
        ("digest".to_owned(), signed.digest.unwrap_or_default()),
        ("signature".to_owned(), signed.signature),
    ]);
    let request = IncomingRequest::new("POST", "/inbox", &headers, Some(body));
    let params = signatures::parse_signature(&request).map_err(failed)?;
    let verify =
        || signatures::verify_request(&request, &params, &pair.public_pem, Utc::now(), chrono::Duration::hours(1));
    verify().map_err(failed)?;
    let signs_per_sec = rate(|| sign().is_ok());
    let verifies_per_sec = rate(|| verify().is_ok());
    Ok(RsaCost { signs_per_sec, verifies_per_sec })
}

/// Runs `operation` for [`TIMED_FOR`] and returns runs per second.
fn rate(mut operation: impl FnMut() -> bool) -> f64 {
    let started = Instant::now();
    let mut runs = 0u32;
    while started.elapsed() < TIMED_FOR {
        if operation() {
            runs += 1;
        }
    }
    f64::from(runs) / started.elapsed().as_secs_f64()
}

/// Cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
