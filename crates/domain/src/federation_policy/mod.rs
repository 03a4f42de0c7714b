//! The one home of the rule "may this site federate with host X, and how".
//!
//! The rule combines `federation.mode` (from the configuration) with the
//! domain allows and domain blocks admins manage (in the database, seeded
//! from the configuration at start). Every path that talks to another site
//! asks [`FederationPolicy::check`]: the inbox and signed-fetch signature
//! check, outgoing deliveries and fetches, resolving and WebFinger lookups.
//!
//! Each process holds the rules in memory, so a check costs a lock and a
//! lookup. They stay current through a version number bumped in the
//! transaction of every change: the process that made the change reloads at
//! once, and every other process (servers, and CLI commands, which join no
//! cluster) notices the new version within [`RELOAD_INTERVAL`]. One query of
//! one row per second per process is cheaper than a missed change.

mod manage;

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use tertulia_core::config::{FederationConfig, FederationMode};
use tertulia_db::Db;
use tertulia_db::federation_policy;
pub use tertulia_db::federation_policy::{DomainAllowRow, DomainBlockRow, Severity};

pub use manage::{
    BlockChanges, allow, allows, block, blocks, disallow, find_allow, find_block, seed, unblock, update_block,
};

use crate::{Context, DomainError};

/// How often a process checks whether the policy changed elsewhere.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// The policy of this process. Cheap to clone: clones share the rules.
#[derive(Debug, Clone)]
pub struct FederationPolicy {
    mode: FederationMode,
    rules: Arc<RwLock<Arc<Rules>>>,
}

/// The allows and blocks as of one version.
#[derive(Debug)]
struct Rules {
    /// `None` until first loaded.
    version: Option<i64>,
    /// Lower-cased host names.
    allows: HashSet<String>,
    blocks: Vec<DomainBlockRow>,
}

/// What a domain block still lets through for a host this site federates
/// with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// `silence`, with the block's date: its accounts are limited (their
    /// posts reach only those who follow them), dated so that lifting the
    /// block lifts only the limits it set.
    pub silenced_since: Option<NaiveDateTime>,
    /// Its attachments are not kept.
    pub reject_media: bool,
    /// Its reports are ignored.
    pub reject_reports: bool,
}

/// Why this site does not federate with a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{host} is not on this site's federation allowlist (federation.mode = allowlist); \
         an admin can admit it with `tertulia admin federation allow {host}`"
    )]
    NotAllowed { host: String },
    #[error("{host} is suspended by this site's domain block on {domain}")]
    Suspended { host: String, domain: String },
}

impl FederationPolicy {
    /// The policy of the configuration alone: its mode, with its
    /// `allowed_domains` and `blocked_domains` (as suspensions), until
    /// [`refresh`](Self::refresh) loads the database's allows and blocks.
    pub fn new(config: &FederationConfig) -> FederationPolicy {
        let now = tertulia_db::now();
        let suspension = |domain: &String| DomainBlockRow {
            severity: Severity::Suspend,
            ..DomainBlockRow::new(0, domain.to_ascii_lowercase(), now)
        };
        let rules = Rules {
            version: None,
            allows: config.allowed_domains.iter().map(|domain| domain.to_ascii_lowercase()).collect(),
            blocks: config.blocked_domains.iter().map(suspension).collect(),
        };
        FederationPolicy { mode: config.mode, rules: Arc::new(RwLock::new(Arc::new(rules))) }
    }

    pub fn mode(&self) -> FederationMode {
        self.mode
    }

    fn rules(&self) -> Arc<Rules> {
        self.rules.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether this site federates with `host` (with its port, if any), and
    /// with which limits.
    pub fn check(&self, host: &str) -> Result<Limits, Refusal> {
        let host = host.to_ascii_lowercase();
        let rules = self.rules();
        let block = rules.blocks.iter().find(|block| covers(&block.domain, &host));
        if self.mode == FederationMode::Open {
            return Ok(Limits::default());
        }
        if let Some(block) = block.filter(|block| block.severity == Severity::Suspend) {
            return Err(Refusal::Suspended { host, domain: block.domain.clone() });
        }
        if self.mode == FederationMode::Allowlist && !rules.allows.contains(&host) {
            return Err(Refusal::NotAllowed { host });
        }
        Ok(block.map_or_else(Limits::default, |block| Limits {
            silenced_since: (block.severity == Severity::Silence).then_some(block.created_at),
            reject_media: block.reject_media,
            reject_reports: block.reject_reports,
        }))
    }

    /// Whether `host` may federate with this site at all.
    pub fn allows(&self, host: &str) -> bool {
        self.check(host).is_ok()
    }

    /// The domain blocks in force, oldest first.
    pub fn blocks(&self) -> Vec<DomainBlockRow> {
        self.rules().blocks.clone()
    }

    /// Loads the rules if they changed since this process last loaded them.
    pub async fn refresh(&self, db: &Db) -> Result<(), DomainError> {
        let held = self.rules().version;
        let current = db.read(federation_policy::version).await?;
        if held == Some(current) {
            return Ok(());
        }
        let rules = db
            .read(|conn| {
                Ok(Rules {
                    version: Some(federation_policy::version(conn)?),
                    allows: federation_policy::allows(conn)?.into_iter().map(|allow| allow.domain).collect(),
                    blocks: federation_policy::blocks(conn)?,
                })
            })
            .await?;
        tracing::info!(version = ?rules.version, allows = rules.allows.len(), blocks = rules.blocks.len(), "federation policy loaded");
        *self.rules.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(rules);
        Ok(())
    }

    /// Keeps the rules current until `shutdown` turns true (see the module
    /// documentation).
    pub async fn keep_current(self, db: Db, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(RELOAD_INTERVAL);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
            if let Err(error) = self.refresh(&db).await {
                tracing::warn!(%error, "federation policy: cannot check for changes; keeping the rules in force");
            }
        }
    }
}

/// The sites this site knows (through their accounts) and federates with:
/// `/api/v1/instance/peers`.
pub async fn peers(ctx: &Context) -> Result<Vec<String>, DomainError> {
    let known = ctx.db.read(tertulia_db::accounts::remote_domains).await?;
    Ok(known.into_iter().filter(|domain| ctx.policy.allows(domain)).collect())
}

/// The SHA-256 of a domain, hex-encoded: how Mastodon lets others check a
/// block whose domain is shown obfuscated.
pub fn digest(domain: &str) -> String {
    Sha256::digest(domain.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `domain` as shown to the public when its block says `obfuscate`: every
/// other letter of the part before the top-level domain starred, as in
/// Mastodon (`ba*.ex*****e.com`).
pub fn obfuscated(domain: &str) -> String {
    let cut = domain.rfind('.').unwrap_or(domain.len());
    let (name, top) = domain.split_at(cut);
    let starred: String = name.chars().enumerate().map(|(i, c)| if c == '.' || i % 2 == 0 { c } else { '*' }).collect();
    format!("{starred}{top}")
}

/// Whether a block on `domain` covers `host`: the domain itself and its
/// subdomains, as in Mastodon.
fn covers(domain: &str, host: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests;
