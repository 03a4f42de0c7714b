//! Password rules and argon2id hashing.
//!
//! Argon2 costs tens of milliseconds of CPU and about 19 MiB by design, so
//! hashing and checking run on tokio's blocking pool, never on the async
//! workers serving other requests, and never while holding a database
//! connection (a burst of sign-ins would otherwise empty the pool).

use std::sync::LazyLock;

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
        let reason = format!("is too short: use at least {MIN_LENGTH} characters");
        return Err(DomainError::invalid_as(crate::Invalidity::TooShort, "password", reason));
    }
    if length > MAX_LENGTH {
        let reason = format!("is too long: use at most {MAX_LENGTH} characters");
        return Err(DomainError::invalid_as(crate::Invalidity::TooLong, "password", reason));
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
pub async fn hash(password: &str) -> Result<String, DomainError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| DomainError::Internal(format!("password hashing stopped: {e}")))?
}

/// Whether `password` matches the stored PHC hash of an account. With no
/// account (`None`) the password is checked against a hash all the same,
/// and refused: a wrong username then costs the same argon2 work as a
/// wrong password, so the time of the answer does not tell which accounts
/// exist.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || matches(&password, stored.as_deref())).await.unwrap_or(false)
}

/// Stands in for the hash of an account that does not exist: a real
/// argon2id hash with the parameters every account's hash has.
static NO_ACCOUNT_HASH: LazyLock<String> = LazyLock::new(|| hash_now(&generate()).unwrap_or_default());

fn matches(password: &str, stored: Option<&str>) -> bool {
    let matched = verify_now(password, stored.unwrap_or(&NO_ACCOUNT_HASH));
    matched && stored.is_some()
}

fn hash_now(password: &str) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// An unreadable hash matches nothing.
fn verify_now(password: &str, stored: &str) -> bool {
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

    #[tokio::test]
    async fn hashes_are_salted_argon2id() {
        let first = hash("correct horse battery").await.unwrap();
        let second = hash("correct horse battery").await.unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify("correct horse battery", Some(&first)).await);
        assert!(!verify("wrong horse battery", Some(&first)).await);
        assert!(!verify("anything", Some("not a hash")).await);
    }

    #[tokio::test]
    async fn an_unknown_account_costs_a_full_argon2_check_and_is_refused() {
        // The stand-in is a real argon2id hash made with the parameters of
        // every account's hash, so checking against it is the same work.
        let stand_in = PasswordHash::new(&NO_ACCOUNT_HASH).unwrap();
        let account = hash_now("correct horse battery").unwrap();
        let account = PasswordHash::new(&account).unwrap();
        assert_eq!(stand_in.algorithm, account.algorithm);
        assert_eq!(stand_in.version, account.version);
        assert_eq!(stand_in.params, account.params);
        assert_eq!(stand_in.hash.map(|h| h.len()), account.hash.map(|h| h.len()));
        assert!(!verify("correct horse battery", None).await);
        assert!(!verify("", None).await);
    }
}
