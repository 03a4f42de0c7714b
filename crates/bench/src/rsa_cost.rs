//! The physical limit of federation on this machine: how many RSA-2048
//! signatures (one per delivery) and verifications (one per received
//! activity) one core does per second, with the same algorithm
//! (PKCS#1 v1.5 over SHA-256) and crate our HTTP Signatures use.

use std::time::{Duration, Instant};

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::BenchError;

/// How long each operation is timed for.
const TIMED_FOR: Duration = Duration::from_millis(1_500);

/// Operations per second on one core.
#[derive(Debug, Clone, Copy)]
pub struct RsaCost {
    pub signs_per_sec: f64,
    pub verifies_per_sec: f64,
}

/// Times signing and verifying on one core, off the async runtime.
pub async fn measure() -> Result<RsaCost, BenchError> {
    tokio::task::spawn_blocking(measure_on_this_thread)
        .await
        .map_err(|e| BenchError::Check(format!("the RSA timing stopped: {e}")))?
}

fn measure_on_this_thread() -> Result<RsaCost, BenchError> {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
        .map_err(|e| BenchError::Check(format!("cannot make an RSA key: {e}")))?;
    let public = RsaPublicKey::from(&key);
    let message =
        Sha256::digest(b"(request-target): post /inbox\nhost: localhost\ndate: Mon, 23 Nov 2026 00:00:00 GMT");
    let sign = || key.sign(Pkcs1v15Sign::new::<Sha256>(), &message);
    let signature = sign().map_err(|e| BenchError::Check(format!("cannot sign: {e}")))?;
    let signs_per_sec = rate(|| sign().is_ok());
    let verifies_per_sec = rate(|| public.verify(Pkcs1v15Sign::new::<Sha256>(), &message, &signature).is_ok());
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
