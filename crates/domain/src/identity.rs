//! Company sign-in: the one place where a person known to the company
//! directory becomes, and stays in step with, a local user.
//!
//! A provider (LDAP or OpenID Connect) checks who the person is and describes them as
//! an [`ExternalIdentity`]; [`provision`] links that identity to a local
//! user, creating the account on the first sign-in and, on every sign-in,
//! copying the e-mail address, display name, mapped profile fields and
//! (when the directory decides roles) the role from the directory.

pub mod ldap;
pub mod oidc;

use tertulia_db::users::{self, Role, UserRow};
use tertulia_db::{DbConn, DbError, accounts::AccountRow, external_identities};

use crate::accounts::ProfileUpdate;
use crate::users::{NewUserRequest, validate_email, validate_username};
use crate::{AccountView, Context, DomainError, ProfileField};

/// A person as a company directory describes them, after their sign-in was
/// checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalIdentity {
    /// The provider's name: `ldap`, or the configured OpenID provider's.
    pub provider: String,
    /// The provider's stable id of the person.
    pub subject: String,
    /// The directory's username, before normalising.
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// Mapped profile fields (label, value), in the configured order.
    pub fields: Vec<(String, String)>,
    /// The role the directory's groups give, or `None` when the directory
    /// does not decide roles.
    pub role: Option<Role>,
}

/// Why a company sign-in failed. Every message is written for the person
/// signing in.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A wrong password or a refusal by the directory.
    #[error("{0}")]
    Denied(String),
    /// The directory is unreachable or broken: nobody can sign in through it.
    #[error("{0}")]
    Unavailable(String),
    /// The person is known but cannot become an account here (a taken
    /// username, no e-mail address).
    #[error("{0}")]
    Unusable(String),
    /// An OpenID Connect sign-in came back unknown, expired or used before.
    #[error("{0}")]
    Stale(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<DbError> for IdentityError {
    fn from(error: DbError) -> Self {
        IdentityError::Domain(error.into())
    }
}

/// The role from the person's groups: admin if any group is an admin
/// group, else moderator if any is a moderator group, else user. `None`
/// when no group is mapped, so roles given by hand are kept. Group names
/// (LDAP DNs, OIDC group claims) compare ignoring case, as DNs do.
pub fn role_from_groups(admin_groups: &[String], moderator_groups: &[String], groups: &[String]) -> Option<Role> {
    if admin_groups.is_empty() && moderator_groups.is_empty() {
        return None;
    }
    let member_of = |mapped: &[String]| mapped.iter().any(|m| groups.iter().any(|g| g.eq_ignore_ascii_case(m.trim())));
    Some(if member_of(admin_groups) {
        Role::Admin
    } else if member_of(moderator_groups) {
        Role::Moderator
    } else {
        Role::User
    })
}

/// A directory username as a local one: lower case, with the dots and
/// hyphens companies use (`ana.garcia`, `ana-maria`) turned into
/// underscores, which handles allow.
pub fn normalise_username(directory_username: &str) -> Result<String, IdentityError> {
    let username: String = directory_username
        .trim()
        .chars()
        .map(|c| if c == '.' || c == '-' { '_' } else { c.to_ascii_lowercase() })
        .collect();
    validate_username(&username).map_err(|error| {
        IdentityError::Unusable(format!(
            "your directory username '{directory_username}' cannot be used here ({}); ask your IT team",
            reason_of(&error)
        ))
    })?;
    Ok(username)
}

fn reason_of(error: &DomainError) -> String {
    match error {
        DomainError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The local user of `identity`: linked on an earlier sign-in, or created
/// now; either way brought in step with the directory.
pub async fn provision(ctx: &Context, identity: ExternalIdentity) -> Result<(UserRow, AccountRow), IdentityError> {
    let username = normalise_username(&identity.username)?;
    validate_email(&identity.email).map_err(|_| {
        IdentityError::Unusable(format!(
            "the company directory gives no usable e-mail address for you ('{}'); ask your IT team",
            identity.email
        ))
    })?;
    let base_url = ctx.config.base_url();
    let linked = identity.clone();
    let (user, account) = ctx
        .db
        .run(move |conn| tertulia_db::transaction(conn, |conn| link(conn, &base_url, &username, &linked)))
        .await?;
    let max_fields = ctx.config.limits.max_profile_fields as usize;
    let current = AccountView::from(account.clone());
    let fields = merged_fields(&current.fields, &identity.fields, max_fields);
    // Directories allow longer names than Mastodon shows; the start is kept.
    let display_name: String = identity.display_name.trim().chars().take(crate::accounts::MAX_DISPLAY_NAME).collect();
    let display_name = Some(display_name).filter(|name| !name.is_empty());
    let name_changed = display_name.as_ref().is_some_and(|name| *name != current.display_name);
    let fields_changed = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .ne(current.fields.iter().map(|f| (f.name.as_str(), f.value.as_str())));
    // Only real changes are written: each one is sent to the other sites.
    if name_changed || fields_changed {
        let update = ProfileUpdate {
            display_name: display_name.filter(|_| name_changed),
            fields: fields_changed.then_some(fields),
            ..Default::default()
        };
        crate::accounts::update_profile(ctx, current.id, update).await?;
    }
    let user_id = user.id;
    Ok(ctx.db.run(move |conn| users::find_by_id(conn, user_id)).await?.ok_or(DbError::NotFound)?)
}

/// Links (or finds) the user and writes the e-mail address and role.
fn link(
    conn: &mut DbConn,
    base_url: &str,
    username: &str,
    identity: &ExternalIdentity,
) -> Result<(UserRow, AccountRow), IdentityError> {
    let now = tertulia_db::now();
    let user_id = match external_identities::find_user(conn, &identity.provider, &identity.subject)? {
        Some(user_id) => user_id,
        None => {
            let request = NewUserRequest {
                username: username.to_owned(),
                email: identity.email.clone(),
                password: String::new(),
                role: identity.role.unwrap_or(Role::User),
            };
            // No local password: the directory is where this person signs in.
            let created =
                crate::users::insert(conn, base_url, &request, String::new()).map_err(|error| match &error {
                    DomainError::Invalid { field: "username", .. } => IdentityError::Unusable(format!(
                        "the username '{username}' already belongs to another account on this server, so yours \
                         cannot be created; ask your administrator to rename one of them"
                    )),
                    DomainError::Invalid { field: "email", .. } => taken_email(&identity.email),
                    _ => IdentityError::Domain(error),
                })?;
            external_identities::insert(
                conn,
                &external_identities::ExternalIdentityRow {
                    provider: identity.provider.clone(),
                    subject: identity.subject.clone(),
                    user_id: created.user_id.0,
                    created_at: now,
                },
            )?;
            created.user_id.0
        }
    };
    users::set_directory_facts(conn, user_id, &identity.email, identity.role, now)
        .map_err(|error| if error.is_conflict_on("email") { taken_email(&identity.email) } else { error.into() })?;
    Ok(users::find_by_id(conn, user_id)?.ok_or(DbError::NotFound)?)
}

fn taken_email(email: &str) -> IdentityError {
    IdentityError::Unusable(format!(
        "the e-mail address '{email}' from the company directory already belongs to another account on this \
         server; ask your administrator"
    ))
}

/// The directory's fields first (their values replacing fields of the same
/// name), then the person's own other fields, up to `max` in all.
fn merged_fields(current: &[ProfileField], mapped: &[(String, String)], max: usize) -> Vec<(String, String)> {
    let mapped: Vec<(String, String)> = mapped.iter().filter(|(_, value)| !value.trim().is_empty()).cloned().collect();
    let own = current
        .iter()
        .filter(|field| !mapped.iter().any(|(name, _)| name.eq_ignore_ascii_case(&field.name)))
        .map(|field| (field.name.clone(), field.value.clone()));
    mapped.iter().cloned().chain(own).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn roles_follow_the_highest_mapped_group_and_only_when_groups_are_mapped() {
        let admins = groups(&["cn=Tertulia Admins,ou=groups,dc=acme"]);
        let moderators = groups(&["cn=moderators,ou=groups,dc=acme"]);
        let both = groups(&["cn=moderators,ou=groups,dc=acme", "CN=tertulia admins,OU=groups,DC=acme"]);
        assert_eq!(role_from_groups(&admins, &moderators, &both), Some(Role::Admin));
        assert_eq!(role_from_groups(&admins, &moderators, &both[..1]), Some(Role::Moderator));
        assert_eq!(role_from_groups(&admins, &moderators, &[]), Some(Role::User));
        assert_eq!(role_from_groups(&[], &[], &both), None);
    }

    #[test]
    fn directory_usernames_become_handles_or_a_clear_refusal() {
        assert_eq!(normalise_username(" Ana.Garcia ").ok(), Some("ana_garcia".into()));
        assert_eq!(normalise_username("jean-luc").ok(), Some("jean_luc".into()));
        let refusal = normalise_username("josé").unwrap_err().to_string();
        assert!(refusal.contains("'josé'") && refusal.contains("IT team"), "{refusal}");
    }

    #[test]
    fn directory_fields_come_first_and_replace_their_namesakes() {
        let own = |name: &str, value: &str| ProfileField { name: name.into(), value: value.into(), verified_at: None };
        let current = [own("Pronouns", "she/her"), own("department", "Old")];
        let mapped = vec![("Department".to_owned(), "Sales".to_owned()), ("Title".to_owned(), " ".to_owned())];
        assert_eq!(
            merged_fields(&current, &mapped, 4),
            [("Department".to_owned(), "Sales".to_owned()), ("Pronouns".to_owned(), "she/her".to_owned())]
        );
        assert_eq!(merged_fields(&current, &mapped, 1).len(), 1);
    }
}
