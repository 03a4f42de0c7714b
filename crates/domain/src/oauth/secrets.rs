//! Random secrets and their stored form.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
pub use tertulia_db::oauth::hash_secret as hash;

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `given` is the secret stored as `stored_hash`. The comparison
/// takes the same time wherever the two differ, so timing the answer tells
/// an attacker nothing about the stored value.
pub fn matches_hash(given: &str, stored_hash: &str) -> bool {
    hash(given).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// PKCE S256: BASE64URL(SHA256(verifier)) must equal the challenge.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_example_verifies() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(pkce_s256_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!pkce_s256_matches("other", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }

    #[test]
    fn secrets_are_long_random_and_hashed_to_hex() {
        let a = new_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_secret());
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hash(&a), hash(&a));
    }

    #[test]
    fn a_secret_matches_its_own_hash_only() {
        let secret = new_secret();
        assert!(matches_hash(&secret, &hash(&secret)));
        assert!(!matches_hash(&new_secret(), &hash(&secret)));
        assert!(!matches_hash(&secret, &secret), "the stored form is the hash, never the secret");
        assert!(!matches_hash(&secret, ""));
    }
}
