//! `tertulia admin analytics pull-sites` and `sites`: HQ's company-wide
//! adoption table from the shell (docs/analytics.md).

use tertulia_domain::Context;
use tertulia_domain::analytics::company::{self, Totals};

use crate::CliError;
use crate::admin::federation::connect;

/// Pulls every followed site's figures now; fails if any site failed, so a
/// script sees it.
pub async fn pull_sites(ctx: &Context) -> Result<(), CliError> {
    let outcomes = connect(ctx).await?.pull_site_adoption().await?;
    if outcomes.is_empty() {
        println!("This site follows no other site; see `tertulia admin federation follow-site`.");
    }
    let mut failed = 0;
    for (site, outcome) in &outcomes {
        match outcome {
            Ok(()) => println!("{site}: pulled"),
            Err(error) => {
                failed += 1;
                println!("{site}: {error}");
            }
        }
    }
    if failed > 0 {
        return Err(CliError::Usage(format!("{failed} of {} site(s) could not be pulled", outcomes.len())));
    }
    Ok(())
}

/// Prints the company-wide table over the last `range` days.
pub async fn sites(ctx: &Context, range: i64) -> Result<(), CliError> {
    let today = tertulia_db::now().date();
    let table = company::company_table(ctx, range, today).await?;
    println!(
        "{:<28} {:>8} {:>7} {:>8} {:>6} {:>9} {:>12} {:>8} {:>9}  pulled",
        format!("site (last {range} days)"),
        "members",
        "active",
        "engaged",
        "new",
        "statuses",
        "interactions",
        "monthly",
        "habitual"
    );
    for site in &table.sites {
        let pulled = match (&site.pulled_at, &site.error) {
            (_, Some(error)) => format!("FAILED: {error}"),
            (Some(at), None) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            (None, None) => "this site".to_owned(),
        };
        println!("{}  {pulled}", line(&format!("{} ({})", site.name, site.domain), site.totals.as_ref()));
    }
    println!("{}", line("all sites", Some(&table.totals)));
    Ok(())
}

fn line(label: &str, totals: Option<&Totals>) -> String {
    let Some(t) = totals else {
        return format!("{label:<28} {:>8}", "no figures yet");
    };
    format!(
        "{label:<28} {:>8} {:>7} {:>8} {:>6} {:>9} {:>12} {:>8} {:>9}",
        t.members, t.active, t.engaged, t.new_users, t.statuses, t.interactions, t.monthly_active, t.habitual
    )
}
