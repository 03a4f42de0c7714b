//! Message encryption for Web Push: RFC 8291 ("Message Encryption for Web
//! Push") over the `aes128gcm` content coding of RFC 8188, with aws-lc-rs
//! primitives (ECDH P-256, HKDF-SHA-256, AES-128-GCM).
//!
//! One record only: a push message is at most a few hundred bytes, well
//! under the 4,096-byte record size, and push services refuse bodies over
//! 4 KiB anyway (RFC 8030 section 7.2).

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Record size announced in the header (RFC 8188 section 2.1).
const RECORD_SIZE: u32 = 4096;
/// AES-GCM tag and the one-byte padding delimiter of the last record.
const OVERHEAD: usize = 16 + 1;

/// Why a message could not be encrypted for a subscription.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncryptError {
    #[error("the subscription's p256dh key is not a base64url P-256 public key")]
    BadPublicKey,
    #[error("the subscription's auth secret is not 16 bytes of base64url")]
    BadAuthSecret,
    #[error("the push message is {0} bytes; one record holds at most 4,079")]
    TooLong(usize),
    #[error("encryption failed inside the crypto library")]
    Crypto,
}

impl From<aws_lc_rs::error::Unspecified> for EncryptError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        EncryptError::Crypto
    }
}

/// Clients send the keys base64url-encoded, with or without padding; some
/// send standard base64. All are accepted.
fn decode_key(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(trimmed.replace('+', "-").replace('/', "_")).ok()
}

/// Output length for HKDF-Expand.
struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), EncryptError> {
    Salt::new(HKDF_SHA256, salt).extract(ikm).expand(&[info], Len(out.len()))?.fill(out)?;
    Ok(())
}

/// Encrypts `plaintext` for the user agent whose keys are `p256dh` (its
/// ECDH public key) and `auth` (its 16-byte authentication secret), as the
/// body of a request with `Content-Encoding: aes128gcm`.
pub fn encrypt(plaintext: &[u8], p256dh: &str, auth: &str) -> Result<Vec<u8>, EncryptError> {
    let ua_public = decode_key(p256dh).filter(|k| k.len() == 65 && k[0] == 4).ok_or(EncryptError::BadPublicKey)?;
    let auth_secret = decode_key(auth).filter(|k| k.len() == 16).ok_or(EncryptError::BadAuthSecret)?;
    if plaintext.len() + OVERHEAD > RECORD_SIZE as usize {
        return Err(EncryptError::TooLong(plaintext.len()));
    }
    let rng = SystemRandom::new();
    let as_private = EphemeralPrivateKey::generate(&ECDH_P256, &rng)?;
    let as_public = as_private.compute_public_key()?.as_ref().to_vec();
    let ecdh_secret = agree_ephemeral(
        as_private,
        UnparsedPublicKey::new(&ECDH_P256, &ua_public),
        EncryptError::BadPublicKey,
        |secret| Ok(secret.to_vec()),
    )?;

    // RFC 8291 section 3.4: the input keying material binds both public keys.
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&ua_public);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    hkdf(&auth_secret, &ecdh_secret, &key_info, &mut ikm)?;

    // RFC 8188 section 2.2 and 2.3: content key and nonce from a fresh salt.
    let mut salt = [0u8; 16];
    rng.fill(&mut salt)?;
    let mut cek = [0u8; 16];
    hkdf(&salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek)?;
    let mut nonce = [0u8; 12];
    hkdf(&salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce)?;

    // The only record is the last: its padding starts with the 0x02 delimiter.
    let mut record = plaintext.to_vec();
    record.push(2);
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek)?);
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut record)?;

    // Header: salt, record size, key id length and key id (the sender's key).
    let mut body = Vec::with_capacity(16 + 4 + 1 + as_public.len() + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscriber_keys() -> (String, String) {
        let private = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()).unwrap();
        let public = URL_SAFE_NO_PAD.encode(private.compute_public_key().unwrap().as_ref());
        (public, URL_SAFE_NO_PAD.encode([7u8; 16]))
    }

    #[test]
    fn body_has_the_rfc_8188_header_and_one_record() {
        let (p256dh, auth) = subscriber_keys();
        let body = encrypt(b"{\"title\":\"hi\"}", &p256dh, &auth).unwrap();
        assert_eq!(&body[16..20], &4096u32.to_be_bytes());
        assert_eq!(body[20], 65);
        assert_eq!(body[21], 4, "the key id is an uncompressed P-256 point");
        assert_eq!(body.len(), 16 + 4 + 1 + 65 + 14 + 1 + 16);
    }

    #[test]
    fn bad_keys_are_named() {
        let (p256dh, auth) = subscriber_keys();
        assert_eq!(encrypt(b"x", "not a key", &auth), Err(EncryptError::BadPublicKey));
        assert_eq!(encrypt(b"x", &p256dh, "c2hvcnQ"), Err(EncryptError::BadAuthSecret));
        assert_eq!(encrypt(&[0; 4090], &p256dh, &auth), Err(EncryptError::TooLong(4090)));
    }

    #[test]
    fn padded_and_standard_base64_keys_are_accepted() {
        let (p256dh, _) = subscriber_keys();
        let standard = base64::engine::general_purpose::STANDARD.encode([0xfbu8; 16]);
        assert!(encrypt(b"x", &format!("{p256dh}="), &standard).is_ok());
    }
}
