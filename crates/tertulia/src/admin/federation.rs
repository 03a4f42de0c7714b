//! `tertulia admin federation …`: the delivery queue at a glance, and
//! site-level follows.

use tertulia_db::{Db, delivery, instances};
use tertulia_domain::Context;
use tertulia_federation::{Federation, SiteFollow};

use crate::CliError;
use crate::cli::FederationCommand;

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
