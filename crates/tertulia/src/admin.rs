//! `tertulia admin …`: user management from the server's shell.

use std::io::BufRead;
use std::sync::Arc;

use tertulia_core::Config;
use tertulia_domain::audit::{self, Actor};
use tertulia_domain::groups::{self, NewGroup};
use tertulia_domain::moderation::{self, AccountAction, ActionRequest, Reversal};
use tertulia_domain::users::{self, NewUserRequest, Role, UserSummary};
use tertulia_domain::{Context, Db, Events, Page, campaigns, rules};

use crate::CliError;
use crate::cli::{
    AdminCommand, AnalyticsCommand, CampaignCommand, GroupCommand, PasswordArgs, RuleCommand, UserCommand,
};

mod analytics;
mod announcements;
mod federation;

pub async fn run(config: &Config, command: AdminCommand) -> Result<(), CliError> {
    // Admin commands work on a fresh database too: bring the schema up to
    // date first, exactly as `serve` would.
    let db = Db::connect(&config.database)?;
    db.migrate()?;
    // Events of a command reach no one: the running server's workers find
    // its changes in the database.
    let ctx = Context::new(db, Events::new(), Arc::new(config.clone()));
    match command {
        AdminCommand::User { command } => user(&ctx, command).await,
        AdminCommand::Rule { command } => rule(&ctx.db, command).await,
        AdminCommand::Group { command } => group(&ctx, command).await,
        AdminCommand::Campaign { command } => campaign(&ctx, command).await,
        AdminCommand::Announcement { command } => announcements::run(&ctx, command).await,
        AdminCommand::Federation { command } => federation::run(&ctx, command).await,
        AdminCommand::Audit { limit } => audit_log(&ctx.db, limit).await,
        AdminCommand::Analytics { command: AnalyticsCommand::RollUp } => roll_up(&ctx).await,
        AdminCommand::Analytics { command: AnalyticsCommand::PullSites } => analytics::pull_sites(&ctx).await,
        AdminCommand::Analytics { command: AnalyticsCommand::Sites { range } } => analytics::sites(&ctx, range).await,
    }
}

/// Prints the newest `limit` entries of the audit log, newest first.
async fn audit_log(db: &Db, limit: i64) -> Result<(), CliError> {
    if limit < 1 {
        return Err(CliError::Usage(format!("--limit must be at least 1, not {limit}")));
    }
    let entries = audit::list(db, Page::first(limit)).await?;
    if entries.is_empty() {
        println!("No moderation or admin actions recorded yet.");
    }
    for entry in entries {
        println!(
            "{}  {:<20}  {:<12}  {} {} ({})",
            entry.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            entry.actor,
            entry.action,
            entry.target.kind,
            entry.target.label,
            entry.target.id,
        );
    }
    Ok(())
}

async fn roll_up(ctx: &Context) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let report = tertulia_domain::analytics::rollup::roll_up(ctx).await?;
    match (report.days.first(), report.days.last()) {
        (Some(first), Some(last)) => println!(
            "Counted {} day(s), {first} to {last}, in {} ms.",
            report.days.len(),
            started.elapsed().as_millis()
        ),
        _ => println!("Nothing to count: this site has no users yet."),
    }
    Ok(())
}

async fn group(ctx: &Context, command: GroupCommand) -> Result<(), CliError> {
    let GroupCommand::Create { name, display_name, private, rules, moderator } = command;
    let moderator = users::find(&ctx.db, &moderator).await?.account.id;
    let new = NewGroup { name, display_name, private, rules, moderator };
    let group = groups::create(ctx, Actor::CommandLine, new).await?;
    let kind = if private { "private group" } else { "group" };
    println!(
        "Created {kind} @{}@{} (id {}). Staff join it by following it and post to it by mentioning it.",
        group.account.username, ctx.config.domain, group.account.id
    );
    Ok(())
}

async fn campaign(ctx: &Context, command: CampaignCommand) -> Result<(), CliError> {
    let CampaignCommand::Create { tag, question, deadline } = command;
    let new = campaigns::NewCampaign { tag, question, deadline, ..campaigns::NewCampaign::default() };
    let campaign = campaigns::create(ctx, campaigns::Organiser::CommandLine, new).await?;
    println!(
        "Opened campaign {} on #{} until {}. Staff post ideas with #{} and vote by favouriting them.",
        campaign.id,
        campaign.tag,
        campaign.deadline.format("%Y-%m-%d %H:%M UTC"),
        campaign.tag
    );
    Ok(())
}

async fn rule(db: &Db, command: RuleCommand) -> Result<(), CliError> {
    match command {
        RuleCommand::Add { text, hint } => {
            let rule = rules::add(db, &text, &hint).await?;
            println!("Added rule {}: {}", rule.id, rule.text);
        }
        RuleCommand::List => {
            let all = rules::list(db).await?;
            if all.is_empty() {
                println!("No rules yet. Add one with: tertulia admin rule add \"Be kind to colleagues\"");
            }
            for rule in all {
                println!("{}  {}", rule.id, rule.text);
            }
        }
        RuleCommand::Remove { id } => {
            let id = id.parse().map_err(|e: tertulia_core::id::InvalidId| CliError::Usage(e.to_string()))?;
            rules::remove(db, id).await?;
            println!("Removed rule {id}.");
        }
    }
    Ok(())
}

async fn user(ctx: &Context, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Create { username, email, password, admin, moderator } => {
            let (password, generated) = match read_password(&password)? {
                Some(given) => (given, false),
                None => (users::generate_password(), true),
            };
            let role = if admin {
                Role::Admin
            } else if moderator {
                Role::Moderator
            } else {
                Role::User
            };
            let user = users::create(ctx, NewUserRequest { username, email, password: password.clone(), role }).await?;
            println!("Created {} @{}@{} <{}>.", user.role, user.account.username, ctx.config.domain, user.email);
            if generated {
                println!("Generated password (shown once): {password}");
            }
        }
        UserCommand::List { json } => print_users(&users::list(&ctx.db).await?, json),
        UserCommand::SetPassword { username, password } => {
            let password = read_password(&password)?
                .ok_or_else(|| CliError::Usage("give the new password with --password or --password-stdin".into()))?;
            users::set_password(&ctx.db, &username, &password).await?;
            println!("Password of {username} changed.");
        }
        UserCommand::Suspend { username } => {
            let account = users::find(&ctx.db, &username).await?.account.id;
            let suspend =
                ActionRequest { action: AccountAction::Suspend, text: String::new(), report_id: None, notify: false };
            moderation::act(ctx, Actor::CommandLine, account, suspend).await?;
            println!("{username} is suspended; the running server tells other sites.");
        }
        UserCommand::Unsuspend { username } => {
            let account = users::find(&ctx.db, &username).await?.account.id;
            moderation::undo(&ctx.db, Actor::CommandLine, account, Reversal::Unsuspend).await?;
            println!("{username} is no longer suspended.");
        }
        UserCommand::Role { username, role } => {
            let role = role.parse::<Role>().map_err(|e| CliError::Usage(e.to_string()))?;
            let user = users::set_role(&ctx.db, Actor::CommandLine, &username, role).await?;
            println!("{} is now {}.", user.account.username, user.role);
        }
        UserCommand::Alias { username, add } => {
            let aliases = federation::connect(ctx).await?.add_alias(&username, &add).await?;
            println!("{username} is also known as: {}", aliases.join(", "));
        }
        UserCommand::Move { username, to } => {
            let target = federation::connect(ctx).await?.move_account(&username, &to).await?;
            println!("{username} moved to {}; the running server tells their followers.", target.uri);
        }
        UserCommand::Delete { username, yes } => {
            if !yes {
                return Err(CliError::Usage(format!(
                    "deleting {username} removes their account and posts for good; add --yes to confirm"
                )));
            }
            let user = users::delete(&ctx.db, &username).await?;
            println!("Deleted {} and everything they owned.", user.account.username);
        }
    }
    Ok(())
}

fn read_password(args: &PasswordArgs) -> Result<Option<String>, CliError> {
    if let Some(password) = &args.password {
        return Ok(Some(password.clone()));
    }
    if !args.password_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage("--password-stdin: standard input was empty".into()));
    }
    Ok(Some(password))
}

fn print_users(users: &[UserSummary], json: bool) {
    if json {
        for user in users {
            let line = serde_json::json!({
                "id": user.account.id,
                "username": user.account.username,
                "email": user.email,
                "role": user.role.as_str(),
                "suspended": user.account.suspended,
                "created_at": user.created_at.to_rfc3339(),
            });
            println!("{line}");
        }
        return;
    }
    if users.is_empty() {
        println!("No users yet. Create one with: tertulia admin user create --username NAME --email ADDRESS --admin");
        return;
    }
    println!("{:<30}  {:<36}  {:<9}  {:<9}  CREATED", "USERNAME", "EMAIL", "ROLE", "STATUS");
    for user in users {
        println!(
            "{:<30}  {:<36}  {:<9}  {:<9}  {}",
            user.account.username,
            user.email,
            user.role.as_str(),
            if user.account.suspended { "suspended" } else { "active" },
            user.created_at.format("%Y-%m-%d %H:%M UTC"),
        );
    }
}
