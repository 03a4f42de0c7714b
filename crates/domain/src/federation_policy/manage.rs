//! Changing the policy: domain allows and blocks, from the admin API, the
//! CLI and the configuration file. Each change is one transaction that
//! also applies what the change means for data already here, writes its
//! audit entry (whoever made it), and moves the policy's version so every
//! process reloads.

use tertulia_core::Id;
use tertulia_core::config::{FederationMode, validate_domain};
use tertulia_db::federation_policy::{self, DomainAllowRow, DomainBlockRow, Severity};
use tertulia_db::{Db, DbConn, DbError, accounts, delivery, inbox};

use crate::audit::{self, Actor, Target};
use crate::events::Event;
use crate::{Context, DomainError};

/// What a new block sets or an update changes; `None` keeps the current
/// value (for a new block: Mastodon's defaults, `silence` and no flags).
#[derive(Debug, Clone, Default)]
pub struct BlockChanges {
    pub severity: Option<Severity>,
    pub reject_media: Option<bool>,
    pub reject_reports: Option<bool>,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: Option<bool>,
}

/// Blocks `domain`. A suspension drops its queued deliveries and received
/// activities and removes its stored accounts with their posts and follows.
pub async fn block(
    ctx: &Context,
    actor: &Actor,
    domain: &str,
    changes: BlockChanges,
) -> Result<DomainBlockRow, DomainError> {
    let domain = normalise(domain)?;
    let actor = actor.clone();
    let mut row = DomainBlockRow::new(Id::generate().0, domain, tertulia_db::now());
    apply(&mut row, changes);
    let block = ctx
        .committed(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                if let Some(existing) = federation_policy::find_block_by_domain(conn, &row.domain)? {
                    return Err(DomainError::invalid(
                        "domain",
                        format!("{} is already blocked (block {}); change that block instead", row.domain, existing.id),
                    ));
                }
                federation_policy::insert_block(conn, &row)?;
                audit::record(conn, &actor, "create", &block_target(&row))?;
                let events = enforce_block(conn, &row)?;
                Ok((row, events))
            })
        })
        .await?;
    ctx.policy.refresh(&ctx.db).await?;
    Ok(block)
}

/// Changes block `id`; a change to `suspend` applies it as [`block`] does.
pub async fn update_block(
    ctx: &Context,
    actor: &Actor,
    id: Id,
    changes: BlockChanges,
) -> Result<DomainBlockRow, DomainError> {
    let actor = actor.clone();
    let block = ctx
        .committed(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                let mut row = federation_policy::find_block(conn, id.0)?.ok_or_else(not_found("domain block"))?;
                apply(&mut row, changes);
                row.updated_at = tertulia_db::now();
                federation_policy::update_block(conn, &row)?;
                audit::record(conn, &actor, "update", &block_target(&row))?;
                let events = enforce_block(conn, &row)?;
                Ok((row, events))
            })
        })
        .await?;
    ctx.policy.refresh(&ctx.db).await?;
    Ok(block)
}

/// Lifts block `id`: the limits a silence put on the domain's accounts are
/// lifted. What a suspension removed stays removed: the domain's accounts
/// come back as they are met again.
pub async fn unblock(ctx: &Context, actor: &Actor, id: Id) -> Result<DomainBlockRow, DomainError> {
    let actor = actor.clone();
    let block = ctx
        .db
        .write(move |conn| {
            let row = federation_policy::find_block(conn, id.0)?.ok_or_else(not_found("domain block"))?;
            federation_policy::delete_block(conn, row.id)?;
            audit::record(conn, &actor, "destroy", &block_target(&row))?;
            federation_policy::bump_version(conn)?;
            accounts::unsilence_domain(conn, &row.domain, row.created_at)?;
            Ok::<_, DomainError>(row)
        })
        .await?;
    ctx.policy.refresh(&ctx.db).await?;
    Ok(block)
}

/// Allows `domain` (used in `allowlist` mode); allowing it again returns
/// the existing allow.
pub async fn allow(ctx: &Context, actor: &Actor, domain: &str) -> Result<DomainAllowRow, DomainError> {
    let row = DomainAllowRow { id: Id::generate().0, domain: normalise(domain)?, created_at: tertulia_db::now() };
    let actor = actor.clone();
    let allow = ctx
        .db
        .write(move |conn| {
            if let Some(existing) = federation_policy::find_allow_by_domain(conn, &row.domain)? {
                return Ok::<_, DbError>(existing);
            }
            federation_policy::insert_allow(conn, &row)?;
            audit::record(conn, &actor, "create", &allow_target(&row))?;
            federation_policy::bump_version(conn)?;
            Ok(row)
        })
        .await?;
    ctx.policy.refresh(&ctx.db).await?;
    Ok(allow)
}

/// Removes allow `id`. In `allowlist` mode the domain's queued deliveries
/// and received activities are dropped: they would be refused anyway.
pub async fn disallow(ctx: &Context, actor: &Actor, id: Id) -> Result<DomainAllowRow, DomainError> {
    let drop_queues = ctx.policy.mode() == FederationMode::Allowlist;
    let actor = actor.clone();
    let allow = ctx
        .db
        .write(move |conn| {
            let row = federation_policy::find_allow(conn, id.0)?.ok_or_else(not_found("domain allow"))?;
            federation_policy::delete_allow(conn, row.id)?;
            audit::record(conn, &actor, "destroy", &allow_target(&row))?;
            federation_policy::bump_version(conn)?;
            if drop_queues {
                drop_queued(conn, &row.domain)?;
            }
            Ok::<_, DomainError>(row)
        })
        .await?;
    ctx.policy.refresh(&ctx.db).await?;
    Ok(allow)
}

pub async fn blocks(db: &Db) -> Result<Vec<DomainBlockRow>, DomainError> {
    Ok(db.read(federation_policy::blocks).await?)
}

pub async fn allows(db: &Db) -> Result<Vec<DomainAllowRow>, DomainError> {
    Ok(db.read(federation_policy::allows).await?)
}

pub async fn find_block(db: &Db, id: Id) -> Result<DomainBlockRow, DomainError> {
    db.read(move |conn| federation_policy::find_block(conn, id.0)).await?.ok_or_else(not_found("domain block"))
}

pub async fn find_allow(db: &Db, id: Id) -> Result<DomainAllowRow, DomainError> {
    db.read(move |conn| federation_policy::find_allow(conn, id.0)).await?.ok_or_else(not_found("domain allow"))
}

/// Adds the configuration file's `allowed_domains` and `blocked_domains`
/// (as suspensions) that the database does not have yet. Run at every
/// start, so a domain removed by an admin but still in the file returns.
pub async fn seed(ctx: &Context) -> Result<(), DomainError> {
    let settings = &ctx.config.federation;
    let known_allows = allows(&ctx.db).await?;
    for domain in &settings.allowed_domains {
        if !known_allows.iter().any(|allow| allow.domain.eq_ignore_ascii_case(domain)) {
            allow(ctx, &Actor::Configuration, domain).await?;
        }
    }
    let known_blocks = blocks(&ctx.db).await?;
    for domain in &settings.blocked_domains {
        if !known_blocks.iter().any(|block| block.domain.eq_ignore_ascii_case(domain)) {
            let suspend = BlockChanges { severity: Some(Severity::Suspend), ..BlockChanges::default() };
            block(ctx, &Actor::Configuration, domain, suspend).await?;
        }
    }
    ctx.policy.refresh(&ctx.db).await
}

fn block_target(row: &DomainBlockRow) -> Target {
    Target::new("domain_block", row.id, &row.domain)
}

fn allow_target(row: &DomainAllowRow) -> Target {
    Target::new("domain_allow", row.id, &row.domain)
}

/// A domain as stored: a bare host name (with a port, if any), lower-cased.
fn normalise(domain: &str) -> Result<String, DomainError> {
    let domain = domain.trim().to_ascii_lowercase();
    validate_domain(&domain).map_err(|reason| DomainError::invalid("domain", reason))?;
    Ok(domain)
}

fn apply(row: &mut DomainBlockRow, changes: BlockChanges) {
    let BlockChanges { severity, reject_media, reject_reports, private_comment, public_comment, obfuscate } = changes;
    row.severity = severity.unwrap_or(row.severity);
    row.reject_media = reject_media.unwrap_or(row.reject_media);
    row.reject_reports = reject_reports.unwrap_or(row.reject_reports);
    row.obfuscate = obfuscate.unwrap_or(row.obfuscate);
    // An empty comment clears it.
    if let Some(comment) = private_comment {
        row.private_comment = Some(comment).filter(|c| !c.trim().is_empty());
    }
    if let Some(comment) = public_comment {
        row.public_comment = Some(comment).filter(|c| !c.trim().is_empty());
    }
}

/// Moves the version, limits the domain's accounts for a silence (or lifts
/// the limits when a block changes from silence) and, for a suspension,
/// removes what the domain left here; returns the events for the posts
/// removed.
fn enforce_block(conn: &mut DbConn, block: &DomainBlockRow) -> Result<Vec<Event>, DomainError> {
    federation_policy::bump_version(conn)?;
    if block.severity == Severity::Silence {
        accounts::silence_domain(conn, &block.domain, block.created_at)?;
    } else {
        accounts::unsilence_domain(conn, &block.domain, block.created_at)?;
    }
    if block.severity != Severity::Suspend {
        return Ok(Vec::new());
    }
    drop_queued(conn, &block.domain)?;
    let mut events = Vec::new();
    for account in accounts::ids_on_domain(conn, &block.domain)? {
        events.extend(crate::remote::forget_remote_account(conn, account)?);
    }
    Ok(events)
}

/// Drops the deliveries waiting for `domain` and the activities received
/// from it.
fn drop_queued(conn: &mut DbConn, domain: &str) -> Result<(), DbError> {
    let deliveries = delivery::delete_for_domain(conn, domain)?;
    let activities = inbox::delete_for_domain(conn, domain)?;
    tracing::info!(domain, deliveries, activities, "federation policy: dropped the queues of a domain");
    Ok(())
}

fn not_found(what: &'static str) -> impl FnOnce() -> DomainError {
    move || DomainError::NotFound(what.into())
}
