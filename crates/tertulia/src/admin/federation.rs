//! `tertulia admin federation …`: the delivery queue at a glance,
//! site-level follows, relays, and the federation policy (allows and
//! blocks).

use tertulia_core::Id;
use tertulia_core::stored::UnknownName;
use tertulia_db::relays::{RelayProtocol, RelayRow, RelayState};
use tertulia_db::{Db, delivery, instances};
use tertulia_domain::Context;
use tertulia_domain::audit::Actor;
use tertulia_domain::federation_policy::{self, BlockChanges, Severity};
use tertulia_domain::relays;
use tertulia_federation::{Federation, SiteFollow};

use crate::CliError;
use crate::cli::{FederationCommand, RelayCommand};

/// Failed deliveries listed by `status`.
const RECENT_FAILURES: i64 = 10;

pub async fn run(ctx: &Context, command: FederationCommand) -> Result<(), CliError> {
    match command {
        FederationCommand::Status => status(&ctx.db).await,
        FederationCommand::FollowSite { domain } => {
            let federation = connect(ctx).await?;
            let state = federation.follow_site(&domain).await?;
            println!("{}", describe(&domain, &state));
            Ok(())
        }
        FederationCommand::UnfollowSite { domain } => {
            let federation = connect(ctx).await?;
            federation.unfollow_site(&domain).await?;
            println!("No longer following {domain}; the running server tells it.");
            Ok(())
        }
        FederationCommand::Allow { domain } => {
            let allow = federation_policy::allow(ctx, &Actor::CommandLine, &domain).await?;
            println!(
                "{} may federate with this site (allow {}); running servers apply it within a second.",
                allow.domain, allow.id
            );
            Ok(())
        }
        FederationCommand::Disallow { domain } => {
            let allow = federation_policy::allows(&ctx.db)
                .await?
                .into_iter()
                .find(|allow| allow.domain == domain.to_ascii_lowercase());
            let allow = allow.ok_or_else(|| {
                CliError::Usage(format!("{domain} is not an allowed domain; see `tertulia admin federation list`"))
            })?;
            federation_policy::disallow(ctx, &Actor::CommandLine, Id(allow.id)).await?;
            println!("{domain} is no longer allowed.");
            Ok(())
        }
        FederationCommand::Block {
            domain,
            severity,
            reject_media,
            reject_reports,
            private_comment,
            public_comment,
            obfuscate,
        } => {
            let severity: Severity =
                severity.parse().map_err(|e: UnknownName| CliError::Usage(format!("--severity: {e}")))?;
            let changes = BlockChanges {
                severity: Some(severity),
                reject_media: Some(reject_media),
                reject_reports: Some(reject_reports),
                private_comment,
                public_comment,
                obfuscate: Some(obfuscate),
            };
            let block = federation_policy::block(ctx, &Actor::CommandLine, &domain, changes).await?;
            println!(
                "{} blocked ({}, block {}); running servers apply it within a second.",
                block.domain, block.severity, block.id
            );
            Ok(())
        }
        FederationCommand::Unblock { domain } => {
            let block = federation_policy::blocks(&ctx.db)
                .await?
                .into_iter()
                .find(|block| block.domain == domain.to_ascii_lowercase());
            let block = block.ok_or_else(|| {
                CliError::Usage(format!("{domain} is not blocked; see `tertulia admin federation list`"))
            })?;
            federation_policy::unblock(ctx, &Actor::CommandLine, Id(block.id)).await?;
            println!("{domain} is no longer blocked.");
            Ok(())
        }
        FederationCommand::List => list(ctx).await,
        FederationCommand::Relays { command } => relay_command(ctx, command).await,
        FederationCommand::Sites => {
            let federation = connect(ctx).await?;
            let sites = federation.followed_sites().await?;
            if sites.is_empty() {
                println!("This site follows no other site. Add one with: tertulia admin federation follow-site DOMAIN");
            }
            for (domain, state) in sites {
                println!("{}", describe(&domain, &state));
            }
            Ok(())
        }
    }
}

/// Federation for a command: what it changes is sent by the running
/// server's workers, which read the same database.
pub async fn connect(ctx: &Context) -> Result<Federation, CliError> {
    Ok(Federation::new(ctx.clone()).await?)
}

fn describe(domain: &str, state: &SiteFollow) -> String {
    match state {
        SiteFollow::Following => format!("{domain}: following (its public posts arrive here)"),
        SiteFollow::Requested => format!("{domain}: requested (waiting for {domain} to accept)"),
        SiteFollow::NotFollowing => format!("{domain}: not following"),
    }
}

async fn relay_command(ctx: &Context, command: RelayCommand) -> Result<(), CliError> {
    match command {
        RelayCommand::Add { url, protocol } => {
            let protocol: RelayProtocol =
                protocol.parse().map_err(|e: UnknownName| CliError::Usage(format!("--protocol: {e}")))?;
            let relay = connect(ctx).await?.add_relay(&url, protocol).await?;
            println!("{}", describe_relay(&relay));
        }
        RelayCommand::Remove { url } => {
            let relay = relays::unsubscribe(&ctx.db, url).await?;
            println!("Left the relay at {}; the running server tells it.", relay.inbox_url);
        }
        RelayCommand::List => {
            let relays = relays::all(&ctx.db).await?;
            if relays.is_empty() {
                println!("This site subscribes to no relay. Add one with: tertulia admin federation relays add URL");
            }
            for relay in relays {
                println!("{}", describe_relay(&relay));
            }
        }
    }
    Ok(())
}

fn describe_relay(relay: &RelayRow) -> String {
    let state = match relay.state {
        RelayState::Pending => "requested (waiting for the relay to accept)",
        RelayState::Accepted => "accepted (public posts flow both ways)",
        RelayState::Rejected => "rejected by the relay (remove it, then add it again to ask anew)",
    };
    format!("{} ({}): {state}", relay.inbox_url, relay.protocol)
}

async fn list(ctx: &Context) -> Result<(), CliError> {
    let mode = format!("{:?}", ctx.policy.mode()).to_lowercase();
    println!("Mode: {mode} (federation.mode in the configuration file)");
    for allow in federation_policy::allows(&ctx.db).await? {
        println!("allowed  {}", allow.domain);
    }
    for block in federation_policy::blocks(&ctx.db).await? {
        let mut flags: Vec<&str> = Vec::new();
        flags.extend(block.reject_media.then_some("reject_media"));
        flags.extend(block.reject_reports.then_some("reject_reports"));
        flags.extend(block.obfuscate.then_some("obfuscate"));
        let comment = block.private_comment.map(|c| format!(" ({c})")).unwrap_or_default();
        println!("blocked  {} {} {}{comment}", block.domain, block.severity, flags.join(","));
    }
    Ok(())
}

async fn status(db: &Db) -> Result<(), CliError> {
    let (stats, failing, failed) = db
        .run(|conn| {
            Ok::<_, tertulia_db::DbError>((
                delivery::stats(conn)?,
                instances::failing(conn)?,
                delivery::list_failed(conn, RECENT_FAILURES)?,
            ))
        })
        .await?;
    let oldest = stats.oldest_pending.map(|t| format!(", oldest queued {t} UTC")).unwrap_or_default();
    println!("Deliveries waiting: {}{oldest}", stats.pending);
    println!("Deliveries given up: {}", stats.failed);
    if failing.is_empty() {
        println!("Every known site answers.");
    }
    for site in failing {
        let since = match site.unreachable_since {
            Some(since) => format!("unreachable since {since} UTC, tried hourly"),
            None => "retrying with backoff".to_owned(),
        };
        println!("Site {}: {} failures in a row, {since}", site.domain, site.failure_count);
    }
    for job in failed {
        let error = job.last_error.unwrap_or_default();
        println!("Given up: {} to {}: {error}", job.activity_id, job.inbox_url);
    }
    Ok(())
}
