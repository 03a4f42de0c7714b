//! The site's community rules: what staff agree to, shown by clients at
//! sign-up and on the server's "about" page. Managed with
//! `tertulia admin rule …`.

use tertulia_core::Id;
use tertulia_db::{Db, rules};

use crate::DomainError;

const MAX_RULE_LENGTH: usize = 300;
const MAX_HINT_LENGTH: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: Id,
    pub text: String,
    pub hint: String,
}

pub async fn list(db: &Db) -> Result<Vec<Rule>, DomainError> {
    let rows = db.run(rules::list).await?;
    Ok(rows.into_iter().map(|r| Rule { id: Id(r.id), text: r.text, hint: r.hint }).collect())
}

/// Adds a rule at the end of the list.
pub async fn add(db: &Db, text: &str, hint: &str) -> Result<Rule, DomainError> {
    let text = text.trim().to_owned();
    let hint = hint.trim().to_owned();
    if text.is_empty() {
        return Err(DomainError::blank("text"));
    }
    if text.chars().count() > MAX_RULE_LENGTH {
        return Err(DomainError::too_long("text", MAX_RULE_LENGTH));
    }
    if hint.chars().count() > MAX_HINT_LENGTH {
        return Err(DomainError::too_long("hint", MAX_HINT_LENGTH));
    }
    let rule = Rule { id: Id::generate(), text, hint };
    let stored = rule.clone();
    db.write(move |conn| rules::add(conn, stored.id.0, &stored.text, &stored.hint, tertulia_db::now())).await?;
    Ok(rule)
}

pub async fn remove(db: &Db, id: Id) -> Result<(), DomainError> {
    db.write(move |conn| rules::remove(conn, id.0)).await.map_err(|e| match e {
        tertulia_db::DbError::NotFound => DomainError::NotFound(format!("rule {id}")),
        other => other.into(),
    })
}
