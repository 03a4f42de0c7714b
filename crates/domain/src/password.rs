//! Password rules and argon2id hashing.
//!
//! Argon2 costs tens of milliseconds of CPU and about 19 MiB by design, so
//! hashing and checking run on tokio's blocking pool, never on the async
//! workers serving other requests, and never while holding a database
//! connection (a burst of sign-ins would otherwise empty the pool). The
//! 19 MiB are mapped for each hash and unmapped after it
//! ([`working_memory`]), and only as many hashes run at once as there are
//! cores.

mod working_memory;

use std::sync::LazyLock;

use argon2::password_hash::{self, Output, ParamsString, Salt, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use tokio::sync::Semaphore;

use self::working_memory::WorkingMemory;
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

/// Hashes running at once. Argon2 is pure CPU work, so more hashes than
/// cores finish no sooner and only hold more memory: a burst of 20
/// sign-ins would otherwise map 380 MiB at once.
static HASH_SLOTS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, usize::from)));

/// Runs argon2 `work` on the blocking pool once a slot is free.
async fn in_hash_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, DomainError> {
    let _slot =
        HASH_SLOTS.acquire().await.map_err(|e| DomainError::Internal(format!("password hashing is shut: {e}")))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| DomainError::Internal(format!("password hashing stopped: {e}")))
}

/// Hashes with argon2id and a random salt; returns a PHC string.
pub async fn hash(password: &str) -> Result<String, DomainError> {
    let password = password.to_owned();
    in_hash_slot(move || hash_now(&password)).await?
}

/// Whether `password` matches the stored PHC hash of an account. With no
/// account (`None`) the password is checked against a hash all the same,
/// and refused: a wrong username then costs the same argon2 work as a
/// wrong password, so the time of the answer does not tell which accounts
/// exist.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    in_hash_slot(move || matches(&password, stored.as_deref())).await.unwrap_or(false)
}

/// Stands in for the hash of an account that does not exist: a real
/// argon2id hash with the parameters every account's hash has.
static NO_ACCOUNT_HASH: LazyLock<String> = LazyLock::new(|| hash_now(&generate()).unwrap_or_default());

fn matches(password: &str, stored: Option<&str>) -> bool {
    let matched = verify_now(password, stored.unwrap_or(&NO_ACCOUNT_HASH));
    matched && stored.is_some()
}

/// The PHC string `Argon2::default().hash_password` makes, computed in
/// working memory of our own.
fn hash_now(password: &str) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = Argon2::default();
    let failed = |e: password_hash::Error| DomainError::Internal(format!("password hashing failed: {e}"));
    let hash = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(argon2.params()).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(argon2_output(&argon2, password, salt.as_salt()).map_err(failed)?),
    };
    Ok(hash.to_string())
}

/// An unreadable hash matches nothing.
fn verify_now(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let argon2 = || -> password_hash::Result<Argon2<'static>> {
        let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
        Ok(Argon2::new(Algorithm::try_from(parsed.algorithm)?, version, Params::try_from(&parsed)?))
    };
    // `Output` compares in constant time.
    argon2().and_then(|argon2| argon2_output(&argon2, password, salt)).is_ok_and(|output| output == expected)
}

/// What argon2 makes of `password` and `salt` with its parameters, in
/// memory unmapped as soon as it is done.
fn argon2_output(argon2: &Argon2, password: &str, salt: Salt) -> password_hash::Result<Output> {
    let mut salt_bytes = [0; Salt::MAX_LENGTH];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let params = argon2.params();
    let mut memory = WorkingMemory::new(params.block_count()).map_err(|_| password_hash::Error::Crypto)?;
    Output::init_with(params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN), |out| {
        Ok(argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut memory)?)
    })
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

    #[test]
    fn hashes_read_the_same_as_the_argon2_crate_s_own() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let ours = hash_now("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(verify_now("correct horse battery", &theirs));
        assert!(!verify_now("wrong horse battery", &theirs));
        assert_eq!(PasswordHash::new(&theirs).unwrap().params, parsed.params);
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
