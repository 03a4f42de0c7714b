//! Sites a user does not want to hear from (Mastodon's user domain
//! blocks). What they hide is decided in [`crate::visibility`]; here they
//! are kept, and blocking a site removes the user's followers there.

use tertulia_core::Id;
use tertulia_db::page::Page;
use tertulia_db::{Db, DbError, accounts, domain_blocks, social};

use crate::DomainError;

/// Longest host name (RFC 1035).
const MAX_DOMAIN: usize = 253;

/// A host as stored: lower-cased, without scheme, path or trailing dot.
fn normalise(domain: &str, own_domain: &str) -> Result<String, DomainError> {
    let trimmed = domain.trim();
    let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let host = without_scheme.split('/').next().unwrap_or_default().trim_end_matches('.').to_lowercase();
    let valid = !host.is_empty()
        && host.len() <= MAX_DOMAIN
        && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if !valid {
        return Err(DomainError::invalid("domain", format!("'{trimmed}' is not a domain name")));
    }
    if host == own_domain.to_lowercase() {
        return Err(DomainError::invalid("domain", "you cannot block your own site"));
    }
    Ok(host)
}

/// Blocks `domain` for `actor` and removes the actor's followers there.
pub async fn block(db: &Db, own_domain: &str, actor: Id, domain: &str) -> Result<(), DomainError> {
    let domain = normalise(domain, own_domain)?;
    db.write(move |conn| {
        domain_blocks::insert(conn, actor.0, &domain, tertulia_db::now())?;
        let follower_ids: Vec<i64> = social::follower_ids(conn, actor.0)?.into_iter().map(|(id, _)| id).collect();
        let there = accounts::find_many(conn, &follower_ids)?
            .into_iter()
            .filter(|a| a.domain.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&domain)));
        for follower in there {
            if let Some(follow) = social::find_follow(conn, follower.id, actor.0)? {
                crate::accounts::drop_follower(conn, actor.0, &follower, &follow)?;
            }
            social::take_follow_request(conn, follower.id, actor.0)?;
        }
        Ok::<_, DbError>(())
    })
    .await?;
    Ok(())
}

pub async fn unblock(db: &Db, own_domain: &str, actor: Id, domain: &str) -> Result<(), DomainError> {
    let domain = normalise(domain, own_domain)?;
    Ok(db.run(move |conn| domain_blocks::delete(conn, actor.0, &domain)).await?)
}

/// The actor's blocked domains, each keyed by the block's id.
pub async fn list(db: &Db, actor: Id, page: Page) -> Result<Vec<(Id, String)>, DomainError> {
    let rows = db.run(move |conn| domain_blocks::list(conn, actor.0, page)).await?;
    Ok(rows.into_iter().map(|(key, domain)| (Id(key), domain)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_stored_as_bare_lower_case_hosts() {
        assert_eq!(normalise(" Spam.Example ", "here.example").unwrap(), "spam.example");
        assert_eq!(normalise("https://spam.example/about", "here.example").unwrap(), "spam.example");
        assert!(normalise("", "here.example").is_err());
        assert!(normalise("a b", "here.example").is_err());
        assert!(normalise("HERE.example", "here.example").is_err());
    }
}
