//! Checking a username (or e-mail address) and password, for the sign-in
//! page and the password grant, against the company directory or local
//! passwords.
//!
//! Guessing is slowed per account, whatever address the guesses come from:
//! each check that has not yet succeeded counts as a failure for the
//! account, and once an account has [`FREE_FAILURES`] in the current
//! 15-minute window, every further check of it waits first: half a second,
//! doubling with each failure, up to `rate_limits.sign_in_max_delay_secs`.
//! It is a delay, never a refusal: whoever knows the password gets in after
//! at most that long, however many guesses strangers are making, so the
//! delay cannot be used to lock a person out. What bounds the guesses
//! themselves is the per-address sign-in limit (in the API's rate limiter)
//! and each guess holding a connection for the delay; a right password
//! clears the account's count.

use std::time::Duration;

use tertulia_core::config::RateLimitsConfig;
use tertulia_core::window_counters::WindowCounters;
use tertulia_db::accounts::AccountRow;
use tertulia_db::users::{self, UserRow};

use super::OAuthError;
use crate::identity::{self, IdentityError};
use crate::{Context, password};

/// Failures an account may have in a window before checks are delayed: a
/// person mistyping a few times never waits.
const FREE_FAILURES: u32 = 5;
const FIRST_DELAY: Duration = Duration::from_millis(500);
const FAILURE_WINDOW_SECS: u32 = 15 * 60;
/// Accounts and unknown logins whose failures are remembered; past this
/// the ones with the fewest are forgotten (see `WindowCounters`).
const MAX_TRACKED: usize = 100_000;

/// Failed password checks per account, shared by every request.
#[derive(Debug)]
pub struct SignInThrottle {
    failures: WindowCounters<Login>,
    max_delay: Duration,
}

/// Whose failures a check counts against: the account when the login
/// names one (so its username and e-mail address share the count), the
/// login as typed otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Login {
    Account(i64),
    Unknown(String),
}

impl SignInThrottle {
    pub fn new(config: &RateLimitsConfig) -> SignInThrottle {
        let max_delay_secs = if config.enabled { config.sign_in_max_delay_secs } else { 0 };
        SignInThrottle {
            failures: WindowCounters::new(FAILURE_WINDOW_SECS, MAX_TRACKED),
            max_delay: Duration::from_secs(u64::from(max_delay_secs)),
        }
    }

    /// The wait before a check, after `failures` unsuccessful ones.
    fn delay(&self, failures: u32) -> Duration {
        let Some(beyond_free) = failures.checked_sub(FREE_FAILURES) else {
            return Duration::ZERO;
        };
        FIRST_DELAY.saturating_mul(2u32.saturating_pow(beyond_free)).min(self.max_delay)
    }
}

/// The user whose username or e-mail and password match, or the refusal to
/// show. The company directory (`auth.ldap`) is asked first; when it does
/// not sign the person in, local passwords are checked, if
/// `auth.local_passwords` allows them. Every wrong combination gets the
/// same message, and an unknown login costs the same argon2 work as a
/// wrong password, so neither the answer nor its timing reveals which
/// local accounts exist.
pub(super) async fn check_credentials(
    ctx: &Context,
    throttle: &SignInThrottle,
    login: &str,
    password: &str,
) -> Result<UserRow, OAuthError> {
    let login = login.trim().to_owned();
    let lookup = login.clone();
    let found = ctx
        .db
        .run(move |conn| {
            if lookup.contains('@') {
                users::find_by_email(conn, &lookup)
            } else {
                users::find_by_username(conn, &lookup)
            }
        })
        .await?;
    let key = match &found {
        Some((user, _)) => Login::Account(user.id),
        None => Login::Unknown(login.to_lowercase()),
    };
    // Counted before the check, so guesses sent at the same moment each
    // see the ones before them and wait longer.
    let earlier = throttle.failures.try_add(&key, u32::MAX, chrono::Utc::now().timestamp()).count - 1;
    tokio::time::sleep(throttle.delay(earlier)).await;
    let (user, account) = match directory_sign_in(ctx, &login, password).await {
        Ok(Some(signed_in)) => signed_in,
        Err(error @ (IdentityError::Unusable(_) | IdentityError::Domain(_))) => return Err(error.into()),
        // Unknown to the directory, refused by it, or unreachable: a local
        // password may still sign in (a local admin while the directory is
        // down), and otherwise the directory's answer stands.
        outcome => match local_sign_in(ctx, found, password).await {
            Some(signed_in) => signed_in,
            None => {
                return Err(match outcome {
                    Err(error) => error.into(),
                    Ok(_) => OAuthError::AccessDenied(WRONG_CREDENTIALS.into()),
                });
            }
        },
    };
    throttle.failures.remove(&key);
    refuse_inactive(&user, &account)?;
    Ok(user)
}

/// Whichever way a person signed in, a suspended or disabled account gets
/// no code.
fn refuse_inactive(user: &UserRow, account: &AccountRow) -> Result<(), OAuthError> {
    if account.suspended_at.is_some() {
        return Err(OAuthError::AccessDenied("this account is suspended; contact your administrator".into()));
    }
    if user.disabled {
        return Err(OAuthError::AccessDenied("this account is disabled; contact your administrator".into()));
    }
    Ok(())
}

/// A person the company's OpenID provider signed in, provisioned and
/// allowed to sign in here. Only [`company_sign_in`] makes one.
#[derive(Debug, Clone)]
pub struct CompanySignIn(pub(super) UserRow);

/// Finishes an OpenID Connect sign-in (see [`identity::oidc`]): the app
/// request it was started for, and the person, ready for
/// [`super::authorize`].
pub async fn company_sign_in(
    ctx: &Context,
    state: &str,
    answer: identity::oidc::ProviderAnswer,
) -> Result<(String, CompanySignIn), OAuthError> {
    let (app_request, person) = identity::oidc::finish(ctx, state, answer).await?;
    let (user, account) = identity::provision(ctx, person).await?;
    refuse_inactive(&user, &account)?;
    Ok((app_request, CompanySignIn(user)))
}

const WRONG_CREDENTIALS: &str = "wrong username, e-mail address or password";

/// The user the company directory signs in, provisioned; `None` when no
/// directory is configured or it does not know the login.
async fn directory_sign_in(
    ctx: &Context,
    login: &str,
    password: &str,
) -> Result<Option<(UserRow, AccountRow)>, IdentityError> {
    if !ctx.config.auth.ldap.is_enabled() {
        return Ok(None);
    }
    match identity::ldap::authenticate(&ctx.config.auth.ldap, login, password).await? {
        Some(person) => identity::provision(ctx, person).await.map(Some),
        None => Ok(None),
    }
}

/// The local user whose stored password this is, when local passwords
/// are allowed.
async fn local_sign_in(
    ctx: &Context,
    found: Option<(UserRow, AccountRow)>,
    password: &str,
) -> Option<(UserRow, AccountRow)> {
    if !ctx.config.auth.local_passwords {
        return None;
    }
    let stored = found.as_ref().map(|(user, _)| user.password_hash.as_str());
    let matched = password::verify(password, stored).await;
    found.filter(|_| matched)
}

impl From<IdentityError> for OAuthError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Denied(message) | IdentityError::Unusable(message) => OAuthError::AccessDenied(message),
            IdentityError::Unavailable(message) => OAuthError::TemporarilyUnavailable(message),
            IdentityError::Stale(message) => OAuthError::InvalidRequest(message),
            IdentityError::Domain(error) => OAuthError::Domain(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max_delay_secs: u32) -> SignInThrottle {
        SignInThrottle::new(&RateLimitsConfig { sign_in_max_delay_secs: max_delay_secs, ..Default::default() })
    }

    #[test]
    fn the_delay_starts_after_a_few_failures_doubles_and_stops_at_the_maximum() {
        let throttle = throttle(10);
        let delays: Vec<u64> = (0..12).map(|f| throttle.delay(f).as_millis() as u64).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
        assert_eq!(throttle.delay(u32::MAX), Duration::from_secs(10), "never past the maximum");
    }

    #[test]
    fn no_delay_when_turned_off_or_when_rate_limits_are_off() {
        assert_eq!(throttle(0).delay(50), Duration::ZERO);
        let off = SignInThrottle::new(&RateLimitsConfig { enabled: false, ..Default::default() });
        assert_eq!(off.delay(50), Duration::ZERO);
    }
}
