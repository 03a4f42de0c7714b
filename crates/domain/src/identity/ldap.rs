//! Sign-in against LDAP or Active Directory (RFC 4511): the service
//! account searches the person's entry (and groups), then a bind as that
//! entry checks the password. Passwords never reach a log line.

use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, ldap_escape};
use tertulia_core::config::{DN_PLACEHOLDER, LdapConfig, USERNAME_PLACEHOLDER};

use super::{ExternalIdentity, IdentityError, role_from_groups};

/// The provider name of LDAP identities in `external_identities`.
pub const PROVIDER: &str = "ldap";

/// `invalidCredentials` (RFC 4511 §4.1.9): a wrong password, or in Active
/// Directory also a locked or expired account.
const INVALID_CREDENTIALS: u32 = 49;

const WRONG_PASSWORD: &str = "wrong username, e-mail address or password";

/// The person whose login and password the directory accepts; `None` when
/// the directory has no entry for the login, so another way of signing in
/// may be tried.
pub async fn authenticate(
    config: &LdapConfig,
    login: &str,
    password: &str,
) -> Result<Option<ExternalIdentity>, IdentityError> {
    // An empty password makes a simple bind "unauthenticated" (RFC 4513
    // §5.1.2), which many servers accept for any DN.
    if password.is_empty() {
        return Err(IdentityError::Denied(WRONG_PASSWORD.into()));
    }
    let step = Duration::from_secs(config.timeout_secs);
    // Each request has its own limit; this bounds the whole conversation
    // (connect, bind, two searches, bind), whatever the server does.
    let whole = step.saturating_mul(6);
    match tokio::time::timeout(whole, converse(config, step, login, password)).await {
        Ok(result) => result,
        Err(_) => Err(unavailable(config, &format!("no complete answer within {} seconds", whole.as_secs()))),
    }
}

async fn converse(
    config: &LdapConfig,
    step: Duration,
    login: &str,
    password: &str,
) -> Result<Option<ExternalIdentity>, IdentityError> {
    let settings = LdapConnSettings::new().set_conn_timeout(step).set_starttls(config.starttls);
    let (connection, mut ldap) = LdapConnAsync::with_settings(settings, &config.url)
        .await
        .map_err(|error| unavailable(config, &format!("cannot connect: {error}")))?;
    ldap3::drive!(connection);
    let service_bind = ldap.with_timeout(step).simple_bind(&config.bind_dn, &config.bind_password).await;
    service_bind.and_then(|result| result.success()).map_err(|error| {
        unavailable(config, &format!("the service account ({}) cannot bind: {error}", config.bind_dn))
    })?;
    let Some(entry) = find_person(&mut ldap, config, step, login).await? else {
        let _ = ldap.unbind().await;
        return Ok(None);
    };
    let groups = groups_of(&mut ldap, config, step, &entry).await?;
    let user_bind = ldap.with_timeout(step).simple_bind(&entry.dn, password).await;
    let _ = ldap.unbind().await;
    match user_bind.and_then(|result| result.success()) {
        Ok(_) => Ok(Some(describe(config, &entry, &groups)?)),
        Err(LdapError::LdapResult { result }) if result.rc == INVALID_CREDENTIALS => {
            Err(IdentityError::Denied(WRONG_PASSWORD.into()))
        }
        Err(LdapError::LdapResult { result }) => {
            tracing::info!(dn = %entry.dn, code = result.rc, "the directory refused a sign-in: {result}");
            Err(IdentityError::Denied(
                "the company directory refused this sign-in (the account may be locked or disabled); ask your IT team"
                    .into(),
            ))
        }
        Err(error) => Err(unavailable(config, &format!("binding as {} failed: {error}", entry.dn))),
    }
}

/// The one entry the user filter finds for `login`.
async fn find_person(
    ldap: &mut Ldap,
    config: &LdapConfig,
    step: Duration,
    login: &str,
) -> Result<Option<SearchEntry>, IdentityError> {
    let filter = config.user_filter.replace(USERNAME_PLACEHOLDER, &ldap_escape(login.trim()));
    let mut attributes: Vec<&str> =
        vec![&config.id_attribute, &config.username_attribute, &config.display_name_attribute, &config.email_attribute];
    attributes.extend(config.field_mappings().into_iter().map(|(_, attribute)| attribute));
    if config.group_base.is_empty() {
        attributes.push(&config.group_attribute);
    }
    let mut entries = search(ldap, config, step, &config.user_base, &filter, attributes).await?;
    match entries.len() {
        0 => Ok(None),
        1 => Ok(entries.pop()),
        found => {
            tracing::warn!(%filter, found, "auth.ldap.user_filter matches several entries for one login");
            Err(IdentityError::Unusable(
                "the company directory has several entries for this login, so it is unclear who you are; ask your \
                 IT team"
                    .into(),
            ))
        }
    }
}

/// The DNs of the person's groups: from a group search when `group_base`
/// is set, otherwise from the entry's own `group_attribute` (`memberOf`).
async fn groups_of(
    ldap: &mut Ldap,
    config: &LdapConfig,
    step: Duration,
    entry: &SearchEntry,
) -> Result<Vec<String>, IdentityError> {
    if config.group_base.is_empty() {
        return Ok(values(entry, &config.group_attribute).to_vec());
    }
    let filter = config.group_filter.replace(DN_PLACEHOLDER, &ldap_escape(entry.dn.as_str()));
    let groups = search(ldap, config, step, &config.group_base, &filter, vec!["1.1"]).await?;
    Ok(groups.into_iter().map(|group| group.dn).collect())
}

async fn search(
    ldap: &mut Ldap,
    config: &LdapConfig,
    step: Duration,
    base: &str,
    filter: &str,
    attributes: Vec<&str>,
) -> Result<Vec<SearchEntry>, IdentityError> {
    let result = ldap.with_timeout(step).search(base, Scope::Subtree, filter, attributes).await;
    let (entries, _) = result
        .and_then(|result| result.success())
        .map_err(|error| unavailable(config, &format!("searching {base} with {filter} failed: {error}")))?;
    Ok(entries.into_iter().map(SearchEntry::construct).collect())
}

fn describe(config: &LdapConfig, entry: &SearchEntry, groups: &[String]) -> Result<ExternalIdentity, IdentityError> {
    let first = |attribute: &str| values(entry, attribute).first().cloned().unwrap_or_default();
    let subject = match values(entry, &config.id_attribute).first() {
        Some(text) => text.clone(),
        // Active Directory's objectGUID is 16 raw bytes.
        None => binary_value(entry, &config.id_attribute).ok_or_else(|| {
            tracing::warn!(dn = %entry.dn, attribute = %config.id_attribute, "directory entry lacks auth.ldap.id_attribute");
            IdentityError::Unusable(
                "your entry in the company directory has no stable id, so no account can be linked to it; ask \
                 your IT team"
                    .into(),
            )
        })?,
    };
    Ok(ExternalIdentity {
        provider: PROVIDER.into(),
        subject,
        username: first(&config.username_attribute),
        display_name: first(&config.display_name_attribute),
        email: first(&config.email_attribute),
        fields: config
            .field_mappings()
            .into_iter()
            .map(|(label, attribute)| (label.to_owned(), first(attribute)))
            .collect(),
        role: role_from_groups(&config.admin_groups, &config.moderator_groups, groups),
    })
}

/// An attribute's text values; attribute names ignore case (RFC 4512 §2.5).
fn values<'a>(entry: &'a SearchEntry, attribute: &str) -> &'a [String] {
    entry.attrs.iter().find(|(name, _)| name.eq_ignore_ascii_case(attribute)).map_or(&[], |(_, v)| v.as_slice())
}

fn binary_value(entry: &SearchEntry, attribute: &str) -> Option<String> {
    let (_, values) = entry.bin_attrs.iter().find(|(name, _)| name.eq_ignore_ascii_case(attribute))?;
    Some(values.first()?.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The directory cannot be used: the details go to the log for IT, the
/// person signing in gets a sentence they can act on.
fn unavailable(config: &LdapConfig, detail: &str) -> IdentityError {
    tracing::error!(url = %config.url, "LDAP sign-in is not working: {detail}");
    IdentityError::Unavailable(
        "the company directory cannot be reached, so signing in is not possible right now; try again in a few \
         minutes, and tell your IT team if it persists"
            .into(),
    )
}
