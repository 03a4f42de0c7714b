//! RSA keys and signatures for HTTP Signatures, on aws-lc-rs: its RSA
//! private-key operations are constant-time and blinded, where the `rsa`
//! crate's leak timing (RUSTSEC-2023-0071, enough to recover a key from
//! many measured signatures). Keys travel as PEM: we store PKCS#8 private
//! keys and publish SPKI public keys (`BEGIN PUBLIC KEY`, as Mastodon does),
//! and read the PKCS#1 form (`BEGIN RSA PUBLIC KEY`) that some servers
//! publish too.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use pem_rfc7468::LineEnding;

use super::SignatureError;

/// PEM label of a PKCS#8 private key.
const PRIVATE_KEY: &str = "PRIVATE KEY";
/// PEM label of an SPKI public key.
const PUBLIC_KEY: &str = "PUBLIC KEY";
/// PEM label of a PKCS#1 public key.
const RSA_PUBLIC_KEY: &str = "RSA PUBLIC KEY";

/// A fresh key pair, both halves as PEM.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// PKCS#8 (`BEGIN PRIVATE KEY`).
    pub private_pem: String,
    /// SPKI (`BEGIN PUBLIC KEY`), as actors publish it.
    pub public_pem: String,
}

/// Makes an RSA-2048 key pair, as Mastodon does.
pub fn generate_keypair() -> Result<KeyPair, SignatureError> {
    let cannot = |_| SignatureError::Key("cannot make an RSA key pair".into());
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(cannot)?;
    let private = pair.as_der().map_err(cannot)?;
    let public = pair.public_key().as_der().map_err(cannot)?;
    Ok(KeyPair {
        private_pem: encode_pem(PRIVATE_KEY, private.as_ref())?,
        public_pem: encode_pem(PUBLIC_KEY, public.as_ref())?,
    })
}

/// A private key and the `keyId` that names its public half.
#[derive(Clone)]
pub struct SigningKey {
    key_id: String,
    key: Arc<RsaKeyPair>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// From a PKCS#8 PEM (`BEGIN PRIVATE KEY`), the form we store.
    pub fn from_pem(key_id: String, private_pem: &str) -> Result<SigningKey, SignatureError> {
        let der = decode_pem(private_pem, &[PRIVATE_KEY])?;
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| {
            SignatureError::Key(format!("the private key is not an RSA key of 2,048 to 8,192 bits: {e}"))
        })?;
        Ok(SigningKey { key_id, key: Arc::new(key) })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The RSASSA-PKCS1-v1_5 signature of `message` with SHA-256 (what
    /// HTTP Signatures call `rsa-sha256`).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        // aws-lc-rs ignores the random source for RSA; the API asks for one.
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| SignatureError::Key("signing with the private key failed".into()))?;
        Ok(signature)
    }
}

/// A sender's public key, as its actor document publishes it.
pub struct PublicKey(ParsedPublicKey);

impl PublicKey {
    /// From an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC
    /// KEY`) PEM.
    pub fn from_pem(public_pem: &str) -> Result<PublicKey, SignatureError> {
        let der = decode_pem(public_pem, &[PUBLIC_KEY, RSA_PUBLIC_KEY])?;
        // aws-lc-rs reads an RSA public key in either DER form.
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|e| SignatureError::Key(format!("the public key is not an RSA key: {e}")))?;
        Ok(PublicKey(key))
    }

    /// Checks an `rsa-sha256` signature of `message`. Keys under 2,048 or
    /// over 8,192 bits never match.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        self.0.verify_sig(message, signature).map_err(|_| SignatureError::BadSignature)
    }
}

/// The DER inside `pem`, if its label is one of `labels`.
fn decode_pem(pem: &str, labels: &[&str]) -> Result<Vec<u8>, SignatureError> {
    let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
        .map_err(|e| SignatureError::Key(format!("the key is not readable PEM: {e}")))?;
    if !labels.contains(&label) {
        let expected = labels.iter().map(|l| format!("'BEGIN {l}'")).collect::<Vec<_>>().join(" or ");
        return Err(SignatureError::Key(format!("a 'BEGIN {label}' PEM was given where {expected} is needed")));
    }
    Ok(der)
}

fn encode_pem(label: &str, der: &[u8]) -> Result<String, SignatureError> {
    pem_rfc7468::encode_string(label, LineEnding::LF, der)
        .map_err(|e| SignatureError::Key(format!("cannot write the key as PEM: {e}")))
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::*;

    /// Keys and a signature made with OpenSSL (which Mastodon signs with),
    /// over `MESSAGE`; see tests/fixtures/keys/README.md.
    const OPENSSL_PRIVATE: &str = include_str!("../../tests/fixtures/keys/openssl-private.pem");
    const OPENSSL_SPKI: &str = include_str!("../../tests/fixtures/keys/openssl-public-spki.pem");
    const OPENSSL_PKCS1: &str = include_str!("../../tests/fixtures/keys/openssl-public-pkcs1.pem");
    const OPENSSL_SIGNATURE: &str = include_str!("../../tests/fixtures/keys/openssl-signature.b64");
    const MESSAGE: &[u8] = b"Tertulia fixture message";

    fn openssl_signature() -> Vec<u8> {
        BASE64.decode(OPENSSL_SIGNATURE.trim()).unwrap()
    }

    #[test]
    fn both_public_key_forms_verify_what_openssl_signed() {
        for pem in [OPENSSL_SPKI, OPENSSL_PKCS1] {
            let key = PublicKey::from_pem(pem).unwrap();
            key.verify(MESSAGE, &openssl_signature()).unwrap();
            assert!(matches!(key.verify(b"another message", &openssl_signature()), Err(SignatureError::BadSignature)));
        }
    }

    #[test]
    fn a_pkcs8_key_signs_byte_for_byte_as_openssl_does() {
        let key = SigningKey::from_pem("https://es.example/users/ana#main-key".into(), OPENSSL_PRIVATE).unwrap();
        assert_eq!(key.sign(MESSAGE).unwrap(), openssl_signature());
    }

    #[test]
    fn generated_pairs_are_rsa_2048_and_read_back() {
        let pair = generate_keypair().unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{}", pair.private_pem);
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{}", pair.public_pem);
        let key = SigningKey::from_pem("https://es.example/users/ana#main-key".into(), &pair.private_pem).unwrap();
        assert_eq!(key.key.public_modulus_len() * 8, 2048);
        PublicKey::from_pem(&pair.public_pem).unwrap().verify(MESSAGE, &key.sign(MESSAGE).unwrap()).unwrap();
    }

    #[test]
    fn pem_of_the_wrong_kind_is_refused_with_a_reason() {
        let reason = |result: Result<(), SignatureError>| match result {
            Err(SignatureError::Key(reason)) => reason,
            other => panic!("expected a key problem, got {other:?}"),
        };
        let private_as_public = reason(PublicKey::from_pem(OPENSSL_PRIVATE).map(drop));
        assert!(private_as_public.contains("'BEGIN PRIVATE KEY'"), "{private_as_public}");
        let public_as_private = reason(SigningKey::from_pem("k".into(), OPENSSL_SPKI).map(drop));
        assert!(public_as_private.contains("'BEGIN PUBLIC KEY'"), "{public_as_private}");
        let garbage = reason(PublicKey::from_pem("not a key").map(drop));
        assert!(garbage.contains("not readable PEM"), "{garbage}");
    }
}
