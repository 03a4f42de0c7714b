//! Password rules and argon2id hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::DomainError;

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// Passwords that meet the length rule but are first in every guessing list.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyui",
    "qwerty123",
    "11111111",
    "iloveyou",
    "abcdefgh",
    "abc12345",
    "letmein1",
    "welcome1",
    "changeme",
    "passw0rd",
    "tertulia",
];

/// Rejects passwords that are too short, too long, common, or equal to the
/// username or e-mail address.
pub fn check_strength(password: &str, username: &str, email: &str) -> Result<(), DomainError> {
    let length = password.chars().count();
    let weak = |reason: String| DomainError::invalid("password", reason);
    if length < MIN_LENGTH {
        return Err(weak(format!("is too short: use at least {MIN_LENGTH} characters")));
    }
    if length > MAX_LENGTH {
        return Err(weak(format!("is too long: use at most {MAX_LENGTH} characters")));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err(weak("is one of the most common passwords: choose another".into()));
    }
    if lower == username.to_lowercase() || lower == email.to_lowercase() {
        return Err(weak("must not be the username or e-mail address".into()));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(weak("must not repeat a single character".into()));
    }
    Ok(())
}

/// A random 20-character password of letters and digits (about 119 bits),
/// for accounts created without one.
pub fn generate() -> String {
    use rand::Rng;
    use rand::distributions::Alphanumeric;
    rand::thread_rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect()
}

/// Hashes with argon2id and a random salt; returns a PHC string.
pub fn hash(password: &str) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a stored PHC hash. An unreadable hash
/// matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for (password, reason) in [
            ("short", "too short"),
            ("password", "common"),
            ("ana_garcia", "username"),
            ("aaaaaaaaaa", "single character"),
        ] {
            let err = check_strength(password, "ana_garcia", "ana@acme.example")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(reason), "{password}: {err}");
        }
        assert!(check_strength(&"x1".repeat(65), "ana", "a@b").is_err());
        assert!(check_strength("correct horse battery", "ana", "ana@acme.example").is_ok());
    }

    #[test]
    fn generated_passwords_pass_the_strength_check() {
        let generated = generate();
        assert_eq!(generated.len(), 20);
        assert!(check_strength(&generated, "ana", "ana@acme.example").is_ok());
        assert_ne!(generated, generate());
    }

    #[test]
    fn hashes_are_salted_argon2id() {
        let first = hash("correct horse battery").unwrap();
        let second = hash("correct horse battery").unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify("correct horse battery", &first));
        assert!(!verify("wrong horse battery", &first));
        assert!(!verify("anything", "not a hash"));
    }
}
