//! `[auth]`: who may sign in, and against which company directory or
//! OpenID provider. See docs/identity.md for examples (Active Directory,
//! OpenLDAP, Microsoft Entra ID, Keycloak, Google Workspace).

use serde::{Deserialize, Serialize};

/// The placeholder in `auth.ldap.user_filter` replaced by the login, escaped.
pub const USERNAME_PLACEHOLDER: &str = "{username}";
/// The placeholder in `auth.ldap.group_filter` replaced by the user's DN, escaped.
pub const DN_PLACEHOLDER: &str = "{dn}";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Whether accounts may sign in with a password stored here. Turn it
    /// off when every person signs in through the company directory.
    pub local_passwords: bool,
    pub ldap: LdapConfig,
    pub oidc: OidcConfig,
}

/// LDAP or Active Directory sign-in: a service account finds the person's
/// entry, then a bind as that entry checks the password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LdapConfig {
    /// `ldap://host:389` or `ldaps://host:636`; empty turns LDAP off.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// Seconds to wait for the directory to connect or answer one request.
    pub timeout_secs: u64,
    /// The service account that searches (empty: anonymous search).
    pub bind_dn: String,
    pub bind_password: String,
    /// Where people's entries are searched (the whole subtree).
    pub user_base: String,
    /// Finds a person's entry; `{username}` is replaced by the login as typed.
    pub user_filter: String,
    /// The attribute holding a stable id of the entry, kept to recognise the
    /// person after a rename (`entryUUID`; Active Directory: `objectGUID`).
    pub id_attribute: String,
    /// The attribute that becomes the local username (`uid`; Active
    /// Directory: `sAMAccountName`).
    pub username_attribute: String,
    pub display_name_attribute: String,
    pub email_attribute: String,
    /// Profile fields filled from the directory, each written
    /// `"Label=attribute"`, e.g. `"Department=department"`.
    pub profile_fields: Vec<String>,
    /// The attribute of the person's entry listing their groups' DNs
    /// (`memberOf`); used when `group_base` is empty.
    pub group_attribute: String,
    /// Where groups are searched; when set, groups come from this search
    /// instead of `group_attribute`.
    pub group_base: String,
    /// Finds the person's groups; `{dn}` is replaced by their entry's DN.
    pub group_filter: String,
    /// DNs of the groups whose members are admins here. When this and
    /// `moderator_groups` are both empty, the directory does not decide roles.
    pub admin_groups: Vec<String>,
    pub moderator_groups: Vec<String>,
}

/// OpenID Connect sign-in: the sign-in page offers "Sign in with
/// <name>", which sends the person to the company's provider.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL, exactly as its discovery document gives
    /// it; empty turns OpenID Connect off.
    pub issuer: String,
    /// The name on the sign-in button: "Sign in with {name}".
    pub name: String,
    /// This server's registration at the provider.
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked for; `openid` is required.
    pub scopes: Vec<String>,
    /// Seconds to wait for the provider to answer one request.
    pub timeout_secs: u64,
    /// The claim that becomes the local username; an e-mail address or
    /// user principal name gives its part before the `@`.
    pub username_claim: String,
    pub display_name_claim: String,
    pub email_claim: String,
    /// Profile fields filled from claims, each written `"Label=claim"`.
    pub profile_fields: Vec<String>,
    /// The claim listing the person's groups.
    pub groups_claim: String,
    /// Group names (as the groups claim gives them) whose members are
    /// admins here. When this and `moderator_groups` are both empty, the
    /// provider does not decide roles.
    pub admin_groups: Vec<String>,
    pub moderator_groups: Vec<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { local_passwords: true, ldap: LdapConfig::default(), oidc: OidcConfig::default() }
    }
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer: String::new(),
            name: "your company account".into(),
            client_id: String::new(),
            client_secret: String::new(),
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            timeout_secs: 10,
            username_claim: "preferred_username".into(),
            display_name_claim: "name".into(),
            email_claim: "email".into(),
            profile_fields: vec!["Department=department".into(), "Title=title".into(), "Office=office".into()],
            groups_claim: "groups".into(),
            admin_groups: Vec::new(),
            moderator_groups: Vec::new(),
        }
    }
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            url: String::new(),
            starttls: false,
            timeout_secs: 5,
            bind_dn: String::new(),
            bind_password: String::new(),
            user_base: String::new(),
            user_filter: "(&(objectClass=person)(uid={username}))".into(),
            id_attribute: "entryUUID".into(),
            username_attribute: "uid".into(),
            display_name_attribute: "displayName".into(),
            email_attribute: "mail".into(),
            profile_fields: vec![
                "Department=department".into(),
                "Title=title".into(),
                "Office=physicalDeliveryOfficeName".into(),
            ],
            group_attribute: "memberOf".into(),
            group_base: String::new(),
            group_filter: "(&(objectClass=groupOfNames)(member={dn}))".into(),
            admin_groups: Vec::new(),
            moderator_groups: Vec::new(),
        }
    }
}

impl LdapConfig {
    pub fn is_enabled(&self) -> bool {
        !self.url.is_empty()
    }

    /// The `(label, attribute)` pairs of `profile_fields`, in order.
    pub fn field_mappings(&self) -> Vec<(&str, &str)> {
        field_mappings(&self.profile_fields)
    }
}

impl OidcConfig {
    pub fn is_enabled(&self) -> bool {
        !self.issuer.is_empty()
    }

    /// The `(label, claim)` pairs of `profile_fields`, in order.
    pub fn field_mappings(&self) -> Vec<(&str, &str)> {
        field_mappings(&self.profile_fields)
    }
}

fn field_mappings(entries: &[String]) -> Vec<(&str, &str)> {
    entries.iter().filter_map(|entry| split_mapping(entry)).collect()
}

fn split_mapping(entry: &str) -> Option<(&str, &str)> {
    let (label, source) = entry.split_once('=')?;
    let (label, source) = (label.trim(), source.trim());
    (!label.is_empty() && !source.is_empty()).then_some((label, source))
}

impl AuthConfig {
    /// Checks what the types alone cannot; the error names the key at fault.
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        if !self.local_passwords && !self.ldap.is_enabled() && !self.oidc.is_enabled() {
            return Err((
                "auth.local_passwords",
                "cannot be false while no company sign-in (auth.ldap.url or auth.oidc.issuer) is configured: \
                 nobody could sign in"
                    .into(),
            ));
        }
        if self.ldap.is_enabled() {
            self.ldap.validate()?;
        }
        if self.oidc.is_enabled() {
            self.oidc.validate()?;
        }
        Ok(())
    }
}

impl LdapConfig {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let scheme = self.url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("ldap") => {}
            Some("ldaps") if self.starttls => {
                return Err(("auth.ldap.starttls", "must be false with an ldaps:// URL, which is TLS already".into()));
            }
            Some("ldaps") => {}
            _ => return Err(("auth.ldap.url", format!("'{}' must start with ldap:// or ldaps://", self.url))),
        }
        if self.timeout_secs == 0 {
            return Err(("auth.ldap.timeout_secs", "must be greater than 0".into()));
        }
        if self.user_base.trim().is_empty() {
            return Err((
                "auth.ldap.user_base",
                "must name where people's entries are, e.g. 'ou=people,dc=acme,dc=example'".into(),
            ));
        }
        if !self.user_filter.contains(USERNAME_PLACEHOLDER) {
            return Err((
                "auth.ldap.user_filter",
                format!("must contain {USERNAME_PLACEHOLDER}, where the login goes"),
            ));
        }
        if !self.group_base.is_empty() && !self.group_filter.contains(DN_PLACEHOLDER) {
            return Err((
                "auth.ldap.group_filter",
                format!("must contain {DN_PLACEHOLDER}, where the person's DN goes"),
            ));
        }
        for (key, value) in [
            ("auth.ldap.id_attribute", &self.id_attribute),
            ("auth.ldap.username_attribute", &self.username_attribute),
            ("auth.ldap.email_attribute", &self.email_attribute),
        ] {
            if value.trim().is_empty() {
                return Err((key, "must name a directory attribute".into()));
            }
        }
        if let Some(bad) = self.profile_fields.iter().find(|entry| split_mapping(entry).is_none()) {
            return Err(("auth.ldap.profile_fields", format!("'{bad}' must be written \"Label=attribute\"")));
        }
        Ok(())
    }
}

impl OidcConfig {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let issuer = url::Url::parse(&self.issuer)
            .map_err(|error| ("auth.oidc.issuer", format!("'{}' is not a URL: {error}", self.issuer)))?;
        // Sign-in answers cross the network in the clear over http: only a
        // provider on this same machine (as in tests) may use it.
        let loopback = matches!(issuer.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match issuer.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err((
                    "auth.oidc.issuer",
                    format!("'{}' must start with https:// (http:// only for a provider on localhost)", self.issuer),
                ));
            }
        }
        if self.client_id.trim().is_empty() {
            return Err(("auth.oidc.client_id", "must be this server's client id at the OpenID provider".into()));
        }
        if !self.scopes.iter().any(|scope| scope == "openid") {
            return Err(("auth.oidc.scopes", "must include \"openid\", which makes the sign-in OpenID Connect".into()));
        }
        if self.timeout_secs == 0 {
            return Err(("auth.oidc.timeout_secs", "must be greater than 0".into()));
        }
        for (key, value) in [
            ("auth.oidc.name", &self.name),
            ("auth.oidc.username_claim", &self.username_claim),
            ("auth.oidc.email_claim", &self.email_claim),
        ] {
            if value.trim().is_empty() {
                return Err((key, "must not be empty".into()));
            }
        }
        if let Some(bad) = self.profile_fields.iter().find(|entry| split_mapping(entry).is_none()) {
            return Err(("auth.oidc.profile_fields", format!("'{bad}' must be written \"Label=claim\"")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ldap(url: &str) -> AuthConfig {
        AuthConfig {
            ldap: LdapConfig { url: url.into(), user_base: "ou=people,dc=acme".into(), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn ldap_settings_are_checked_with_the_key_at_fault() {
        assert!(ldap("ldap://dc1:389").validate().is_ok());
        assert!(ldap("LDAPS://dc1").validate().is_ok());
        assert_eq!(ldap("http://dc1").validate().unwrap_err().0, "auth.ldap.url");
        let mut both = ldap("ldaps://dc1");
        both.ldap.starttls = true;
        assert_eq!(both.validate().unwrap_err().0, "auth.ldap.starttls");
        let mut no_placeholder = ldap("ldap://dc1");
        no_placeholder.ldap.user_filter = "(uid=ana)".into();
        assert_eq!(no_placeholder.validate().unwrap_err().0, "auth.ldap.user_filter");
        let mut bad_field = ldap("ldap://dc1");
        bad_field.ldap.profile_fields = vec!["Department".into()];
        assert_eq!(bad_field.validate().unwrap_err().0, "auth.ldap.profile_fields");
    }

    #[test]
    fn local_passwords_can_only_be_turned_off_with_a_directory() {
        let off = AuthConfig { local_passwords: false, ..Default::default() };
        assert_eq!(off.validate().unwrap_err().0, "auth.local_passwords");
        let mut with_ldap = ldap("ldap://dc1");
        with_ldap.local_passwords = false;
        assert!(with_ldap.validate().is_ok());
    }

    fn oidc(issuer: &str) -> AuthConfig {
        AuthConfig {
            local_passwords: false,
            oidc: OidcConfig { issuer: issuer.into(), client_id: "tertulia".into(), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn oidc_settings_are_checked_and_http_is_for_loopback_only() {
        assert!(oidc("https://login.microsoftonline.com/tenant/v2.0").validate().is_ok());
        assert!(oidc("http://127.0.0.1:8080").validate().is_ok(), "local passwords may be off with OIDC alone");
        assert!(oidc("http://localhost:8080/realms/acme").validate().is_ok());
        assert!(oidc("http://[::1]:8080").validate().is_ok());
        assert_eq!(oidc("http://sso.acme.example").validate().unwrap_err().0, "auth.oidc.issuer");
        assert_eq!(oidc("sso.acme.example").validate().unwrap_err().0, "auth.oidc.issuer");
        let mut no_client = oidc("https://sso.acme.example");
        no_client.oidc.client_id = " ".into();
        assert_eq!(no_client.validate().unwrap_err().0, "auth.oidc.client_id");
        let mut no_openid = oidc("https://sso.acme.example");
        no_openid.oidc.scopes = vec!["profile".into()];
        assert_eq!(no_openid.validate().unwrap_err().0, "auth.oidc.scopes");
        let mut bad_field = oidc("https://sso.acme.example");
        bad_field.oidc.profile_fields = vec!["Office".into()];
        assert_eq!(bad_field.validate().unwrap_err().0, "auth.oidc.profile_fields");
    }

    #[test]
    fn profile_fields_keep_their_order() {
        let config =
            LdapConfig { profile_fields: vec!["Office = l".into(), "Title=title".into()], ..Default::default() };
        assert_eq!(config.field_mappings(), [("Office", "l"), ("Title", "title")]);
    }
}
