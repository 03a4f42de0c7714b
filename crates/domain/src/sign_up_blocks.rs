//! Admin blocks on who may join and sign in (Mastodon's email domain,
//! canonical email and IP blocks, docs.joinmastodon.org/methods/admin/):
//! kept here, and the one answer to "may this address sign up / sign in".

use std::fmt;
use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};
use tertulia_core::Id;
use tertulia_db::Db;
use tertulia_db::sign_up_blocks as store;

pub use tertulia_db::sign_up_blocks::{CanonicalEmailBlockRow, EmailDomainBlockRow, IpBlockRow, IpSeverity};

use crate::{DomainError, Invalidity};

/// Longest host name (RFC 1035 §2.3.4).
const MAX_DOMAIN: usize = 253;

/// Longest comment an IP block keeps.
const MAX_COMMENT: usize = 1_000;

fn not_found(kind: &str) -> DomainError {
    DomainError::NotFound(kind.into())
}

/// The domain of an e-mail address, lower-cased; `None` when there is none
/// (sign-up reports the malformed address itself).
fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    Some(domain.trim_end_matches('.').to_ascii_lowercase()).filter(|d| !d.is_empty())
}

/// Whether `domain` (lower-cased) is a host name as e-mail uses them:
/// dot-separated labels of letters, digits and hyphens (RFC 1035 §2.3.1).
fn is_dns_name(domain: &str) -> bool {
    domain.len() <= MAX_DOMAIN
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `domain` and every domain above it: a block on `spam.example` also
/// covers `mail.spam.example`.
fn domain_and_parents(domain: &str) -> Vec<String> {
    let mut found = vec![domain.to_owned()];
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        found.push(parent.to_owned());
        rest = parent;
    }
    found
}

pub async fn email_domain_blocks(db: &Db) -> Result<Vec<EmailDomainBlockRow>, DomainError> {
    Ok(db.read(store::email_domain_blocks).await?)
}

pub async fn email_domain_block(db: &Db, id: Id) -> Result<EmailDomainBlockRow, DomainError> {
    db.read(move |conn| store::find_email_domain_block(conn, id.0))
        .await?
        .ok_or_else(|| not_found("email domain block"))
}

/// Blocks sign-ups from `domain` and its subdomains.
pub async fn block_email_domain(db: &Db, domain: &str) -> Result<EmailDomainBlockRow, DomainError> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if !is_dns_name(&domain) {
        return Err(DomainError::invalid(
            "domain",
            format!("'{domain}' is not a domain name such as spam.example (no @, scheme, port or path)"),
        ));
    }
    let row = EmailDomainBlockRow { id: Id::generate().0, domain, created_at: tertulia_db::now() };
    let stored = row.clone();
    if !db.write(move |conn| store::insert_email_domain_block(conn, &stored)).await? {
        return Err(DomainError::invalid_as(
            Invalidity::Taken,
            "domain",
            format!("e-mail domain {} is already blocked", row.domain),
        ));
    }
    Ok(row)
}

pub async fn unblock_email_domain(db: &Db, id: Id) -> Result<EmailDomainBlockRow, DomainError> {
    let row = email_domain_block(db, id).await?;
    db.write(move |conn| store::delete_email_domain_block(conn, id.0)).await?;
    Ok(row)
}

/// The SHA-256 hex of `email` in Mastodon's canonical form: lower-case,
/// and in the local part no dots and nothing from a `+` on, so
/// `J.Doe+spam@Example.com` and `jdoe@example.com` are one address.
pub fn canonical_email_hash(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let canonical = match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or_default().replace('.', "");
            format!("{local}@{domain}")
        }
        None => email,
    };
    Sha256::digest(canonical.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

pub async fn canonical_email_blocks(db: &Db) -> Result<Vec<CanonicalEmailBlockRow>, DomainError> {
    Ok(db.read(store::canonical_email_blocks).await?)
}

pub async fn canonical_email_block(db: &Db, id: Id) -> Result<CanonicalEmailBlockRow, DomainError> {
    db.read(move |conn| store::find_canonical_email_block(conn, id.0))
        .await?
        .ok_or_else(|| not_found("canonical email block"))
}

/// What to block: an address, or the hash of one (so staff can block an
/// address without ever storing it).
pub enum BlockedEmail {
    Address(String),
    Hash(String),
}

pub async fn block_canonical_email(db: &Db, blocked: BlockedEmail) -> Result<CanonicalEmailBlockRow, DomainError> {
    let hash = match blocked {
        BlockedEmail::Address(email) => {
            crate::users::validate_email(email.trim())?;
            canonical_email_hash(&email)
        }
        BlockedEmail::Hash(hash) => {
            let hash = hash.trim().to_ascii_lowercase();
            if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(DomainError::invalid(
                    "canonical_email_hash",
                    "must be a SHA-256 hash: 64 hexadecimal digits (or send email instead)",
                ));
            }
            hash
        }
    };
    let row =
        CanonicalEmailBlockRow { id: Id::generate().0, canonical_email_hash: hash, created_at: tertulia_db::now() };
    let stored = row.clone();
    if !db.write(move |conn| store::insert_canonical_email_block(conn, &stored)).await? {
        return Err(DomainError::invalid_as(
            Invalidity::Taken,
            "canonical_email_hash",
            "this e-mail address is already blocked",
        ));
    }
    Ok(row)
}

pub async fn unblock_canonical_email(db: &Db, id: Id) -> Result<CanonicalEmailBlockRow, DomainError> {
    let row = canonical_email_block(db, id).await?;
    db.write(move |conn| store::delete_canonical_email_block(conn, id.0)).await?;
    Ok(row)
}

/// The canonical email blocks `email` falls under.
pub async fn canonical_email_blocks_on(db: &Db, email: &str) -> Result<Vec<CanonicalEmailBlockRow>, DomainError> {
    let hash = canonical_email_hash(email);
    Ok(db.read(move |conn| store::canonical_email_blocks_on(conn, &hash)).await?)
}

/// An address range: a network address (host bits cleared) and its
/// prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Reads `192.0.2.0/24`, `2001:db8::/32` or a single address.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address.parse().ok()?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            return None;
        }
        Some(Cidr { network: mask(address, prefix), prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        address.is_ipv4() == self.network.is_ipv4() && mask(address, self.prefix) == self.network
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// `address` with all but its first `prefix` bits cleared.
fn mask(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let kept = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u32::from(v4) & kept).to_be_bytes())
        }
        IpAddr::V6(v6) => {
            let kept = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u128::from(v6) & kept).to_be_bytes())
        }
    }
}

/// An IP block as asked for; on an update, `None` keeps what is stored.
#[derive(Debug, Default)]
pub struct IpBlockChanges {
    pub ip: Option<String>,
    pub severity: Option<String>,
    pub comment: Option<String>,
    /// Seconds from now; `Some(None)` (an empty value) clears the expiry.
    pub expires_in: Option<Option<i64>>,
}

impl IpBlockChanges {
    fn apply(self, row: &mut IpBlockRow, now: NaiveDateTime) -> Result<(), DomainError> {
        if let Some(ip) = self.ip {
            let cidr = Cidr::parse(&ip).ok_or_else(|| {
                DomainError::invalid("ip", format!("'{ip}' is not an IP address or range such as 192.0.2.0/24"))
            })?;
            row.ip = cidr.to_string();
        }
        if let Some(severity) = self.severity {
            row.severity = severity.parse().map_err(|unknown| DomainError::not_one_of("severity", unknown))?;
        }
        if let Some(comment) = self.comment {
            if comment.chars().count() > MAX_COMMENT {
                return Err(DomainError::too_long("comment", MAX_COMMENT));
            }
            row.comment = comment;
        }
        if let Some(expires_in) = self.expires_in {
            row.expires_at = match expires_in {
                Some(seconds) if seconds <= 0 => {
                    return Err(DomainError::invalid("expires_in", "must be a number of seconds above 0"));
                }
                Some(seconds) => Some(now + Duration::seconds(seconds)),
                None => None,
            };
        }
        row.updated_at = now;
        Ok(())
    }
}

pub async fn ip_blocks(db: &Db) -> Result<Vec<IpBlockRow>, DomainError> {
    Ok(db.read(store::ip_blocks).await?)
}

pub async fn ip_block(db: &Db, id: Id) -> Result<IpBlockRow, DomainError> {
    db.read(move |conn| store::find_ip_block(conn, id.0)).await?.ok_or_else(|| not_found("IP block"))
}

pub async fn create_ip_block(db: &Db, block: IpBlockChanges) -> Result<IpBlockRow, DomainError> {
    if block.ip.as_deref().is_none_or(|ip| ip.trim().is_empty()) {
        return Err(DomainError::blank("ip"));
    }
    if block.severity.as_deref().is_none_or(str::is_empty) {
        return Err(DomainError::blank("severity"));
    }
    let now = tertulia_db::now();
    let mut row = IpBlockRow {
        id: Id::generate().0,
        ip: String::new(),
        severity: IpSeverity::SignUpBlock,
        comment: String::new(),
        expires_at: None,
        created_at: now,
        updated_at: now,
    };
    block.apply(&mut row, now)?;
    let stored = row.clone();
    db.write(move |conn| store::insert_ip_block(conn, &stored)).await?;
    Ok(row)
}

pub async fn update_ip_block(db: &Db, id: Id, changes: IpBlockChanges) -> Result<IpBlockRow, DomainError> {
    let mut row = ip_block(db, id).await?;
    changes.apply(&mut row, tertulia_db::now())?;
    let stored = row.clone();
    db.write(move |conn| store::update_ip_block(conn, &stored)).await?;
    Ok(row)
}

pub async fn delete_ip_block(db: &Db, id: Id) -> Result<IpBlockRow, DomainError> {
    let row = ip_block(db, id).await?;
    db.write(move |conn| store::delete_ip_block(conn, id.0)).await?;
    Ok(row)
}

/// The severities of the unexpired IP blocks covering `address`.
async fn severities_for(db: &Db, address: Option<IpAddr>) -> Result<Vec<IpSeverity>, DomainError> {
    let Some(address) = address else { return Ok(Vec::new()) };
    let now = tertulia_db::now();
    let blocks = db.read(move |conn| store::live_ip_blocks(conn, now)).await?;
    Ok(blocks
        .into_iter()
        .filter(|block| Cidr::parse(&block.ip).is_some_and(|cidr| cidr.contains(address)))
        .map(|block| block.severity)
        .collect())
}

/// How a sign-up that passed the blocks goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Approved,
    /// Staff must approve the new user first.
    Pending,
}

/// Whether someone with `email`, from `address`, may sign up.
pub async fn admit_sign_up(db: &Db, email: &str, address: Option<IpAddr>) -> Result<Admission, DomainError> {
    if let Some(domain) = email_domain(email) {
        let domains = domain_and_parents(&domain);
        let blocked = db.read(move |conn| store::email_domain_blocks_on(conn, &domains)).await?;
        if let Some(block) = blocked.first() {
            return Err(DomainError::invalid(
                "email",
                format!("sign-ups with e-mail addresses at {} are not allowed on this server", block.domain),
            ));
        }
    }
    if !canonical_email_blocks_on(db, email).await?.is_empty() {
        return Err(DomainError::invalid("email", "this e-mail address is not allowed to sign up on this server"));
    }
    let severities = severities_for(db, address).await?;
    if severities.iter().any(|s| matches!(s, IpSeverity::SignUpBlock | IpSeverity::NoAccess)) {
        return Err(DomainError::Forbidden(
            "sign-ups from your network address are not allowed on this server: ask its IT team".into(),
        ));
    }
    if severities.contains(&IpSeverity::SignUpRequiresApproval) {
        return Ok(Admission::Pending);
    }
    Ok(Admission::Approved)
}

/// Refuses sign-in from an address under a `no_access` block.
pub async fn admit_sign_in(db: &Db, address: Option<IpAddr>) -> Result<(), DomainError> {
    if severities_for(db, address).await?.contains(&IpSeverity::NoAccess) {
        return Err(DomainError::Forbidden(
            "sign-in from your network address is not allowed on this server: ask its IT team".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_ignores_case_dots_and_plus_tags() {
        assert_eq!(canonical_email_hash("J.Doe+spam@Example.com"), canonical_email_hash("jdoe@example.com"));
        assert_ne!(canonical_email_hash("jdoe@example.com"), canonical_email_hash("jdoe@example.org"));
        // The SHA-256 of "test@example.com".
        assert_eq!(
            canonical_email_hash("te.st+x@example.com"),
            "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
        );
    }

    #[test]
    fn ranges_are_read_masked_and_matched() {
        let range = Cidr::parse("192.0.2.77/24").unwrap();
        assert_eq!(range.to_string(), "192.0.2.0/24");
        assert!(range.contains("192.0.2.200".parse().unwrap()));
        assert!(range.contains("::ffff:192.0.2.1".parse().unwrap()));
        assert!(!range.contains("192.0.3.1".parse().unwrap()));
        assert_eq!(Cidr::parse("2001:db8::1").unwrap().to_string(), "2001:db8::1/128");
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["", "300.1.1.1/8", "10.0.0.0/33", "10.0.0.0/x", "spam.example"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_email_domain_block_covers_subdomains() {
        assert_eq!(domain_and_parents("mail.spam.example"), ["mail.spam.example", "spam.example", "example"]);
        assert_eq!(email_domain("Ann@Mail.Spam.Example"), Some("mail.spam.example".into()));
        assert_eq!(email_domain("no-at-sign"), None);
        assert!(is_dns_name("mail.spam.example") && is_dns_name("xn--bcher-kva.example"));
        for bad in ["", "spam..example", "spam.example:25", "-spam.example", "a b.example", "ann@spam.example"] {
            assert!(!is_dns_name(bad), "{bad}");
        }
    }
}
