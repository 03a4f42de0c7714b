//! The audit log: every moderation and admin action, written here and only
//! here (Mastodon's admin action log, `Admin::ActionLog`). Call [`record`]
//! inside the transaction of the action, so an action and its entry are
//! stored together or not at all; [`log`] for an action already committed.

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::audit_log::{self, AuditRow};
use tertulia_db::page::Page;
use tertulia_db::{Db, DbConn, DbError};

use crate::DomainError;
use crate::oauth::SessionUser;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A staff member through the API: their account and username.
    Staff { account: Id, username: String },
    /// Someone with a shell on the server (`tertulia admin …`).
    CommandLine,
    /// The configuration file, whose allowed and blocked domains are
    /// added at start-up.
    Configuration,
}

/// What was acted on: a kind (`account`, `domain_block`, `announcement`,
/// `report`…), its id, and words that still identify it once it is gone
/// (`@bob`, `spam.example`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: String,
    pub id: String,
    pub label: String,
}

impl From<&SessionUser> for Actor {
    fn from(user: &SessionUser) -> Actor {
        Actor::Staff { account: user.account.id, username: user.account.username.clone() }
    }
}

impl Target {
    pub fn new(kind: &str, id: impl ToString, label: impl Into<String>) -> Target {
        Target { kind: kind.to_owned(), id: id.to_string(), label: label.into() }
    }
}

/// One entry, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: Id,
    pub actor_account: Option<Id>,
    /// The actor's username, `command line` or `configuration file`.
    pub actor: String,
    /// A verb such as `suspend`, `create`, `resolve`.
    pub action: String,
    pub target: Target,
    pub created_at: DateTime<Utc>,
}

const COMMAND_LINE: &str = "command line";
const CONFIGURATION: &str = "configuration file";

/// Writes one entry: `actor` did `action` (a verb such as `suspend`) to
/// `target`.
pub fn record(conn: &mut DbConn, actor: &Actor, action: &str, target: &Target) -> Result<(), DbError> {
    let (actor_account_id, actor) = match actor {
        Actor::Staff { account, username } => (Some(account.0), username.clone()),
        Actor::CommandLine => (None, COMMAND_LINE.to_owned()),
        Actor::Configuration => (None, CONFIGURATION.to_owned()),
    };
    audit_log::insert(
        conn,
        &AuditRow {
            id: Id::generate().0,
            actor_account_id,
            actor,
            action: action.to_owned(),
            target_type: target.kind.clone(),
            target_id: target.id.clone(),
            human_identifier: target.label.clone(),
            created_at: tertulia_db::now(),
        },
    )
}

/// [`record`] on its own, for an action whose change is already stored.
pub async fn log(db: &Db, actor: &Actor, action: &'static str, target: Target) -> Result<(), DomainError> {
    let actor = actor.clone();
    db.write(move |conn| record(conn, &actor, action, &target)).await?;
    Ok(())
}

/// One page of entries, newest first.
pub async fn list(db: &Db, page: Page) -> Result<Vec<Entry>, DomainError> {
    let rows = db.read(move |conn| audit_log::page(conn, &page)).await?;
    Ok(rows
        .into_iter()
        .map(|row| Entry {
            id: Id(row.id),
            actor_account: row.actor_account_id.map(Id),
            actor: row.actor,
            action: row.action,
            target: Target { kind: row.target_type, id: row.target_id, label: row.human_identifier },
            created_at: row.created_at.and_utc(),
        })
        .collect())
}
