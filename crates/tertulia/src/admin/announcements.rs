//! `tertulia admin announcement …`.

use tertulia_core::Id;
use tertulia_domain::Context;
use tertulia_domain::announcements::{self, AnnouncementForm, AnnouncementView};
use tertulia_domain::audit::Actor;

use crate::CliError;
use crate::cli::AnnouncementCommand;

pub async fn run(ctx: &Context, command: AnnouncementCommand) -> Result<(), CliError> {
    match command {
        AnnouncementCommand::Create { text, when, all_day, publish, schedule, company_wide } => {
            let form = AnnouncementForm {
                text,
                starts_at: when.starts_at,
                ends_at: when.ends_at,
                all_day,
                publish,
                scheduled_at: schedule,
                company_wide,
            };
            let created = announcements::create(ctx, &Actor::CommandLine, form).await?;
            println!("Created announcement {}: {}.", created.id, state(&created));
        }
        AnnouncementCommand::Edit { id, text, when, all_day, schedule, company_wide } => {
            let id = parse_id(&id)?;
            let current = announcements::get(&ctx.db, id).await?;
            let form = AnnouncementForm {
                text: text.unwrap_or(current.text),
                starts_at: when.starts_at.or(current.starts_at),
                ends_at: when.ends_at.or(current.ends_at),
                all_day: all_day.unwrap_or(current.all_day),
                publish: false,
                scheduled_at: schedule.or(current.scheduled_at),
                company_wide: company_wide.unwrap_or(current.company_wide),
            };
            let edited = announcements::edit(ctx, &Actor::CommandLine, id, form).await?;
            println!("Changed announcement {}: {}.", edited.id, state(&edited));
        }
        AnnouncementCommand::Publish { id } => {
            let published = announcements::publish(ctx, &Actor::CommandLine, parse_id(&id)?).await?;
            println!(
                "Announcement {} is {}; the running server shows it to everyone.",
                published.id,
                state(&published)
            );
        }
        AnnouncementCommand::Unpublish { id } => {
            let draft = announcements::unpublish(ctx, &Actor::CommandLine, parse_id(&id)?).await?;
            println!("Announcement {} is {}: readers no longer see it.", draft.id, state(&draft));
        }
        AnnouncementCommand::Delete { id } => {
            let id = parse_id(&id)?;
            announcements::delete(ctx, &Actor::CommandLine, id).await?;
            println!("Deleted announcement {id}.");
        }
        AnnouncementCommand::List => {
            let all = announcements::list_all(&ctx.db).await?;
            if all.is_empty() {
                println!(
                    "No announcements yet. Write one with: tertulia admin announcement create \"The office is closed on Friday\" --publish"
                );
            }
            for announcement in all {
                let first_line = announcement.text.lines().next().unwrap_or_default();
                println!("{}  {:<40}  {first_line}", announcement.id, state(&announcement));
            }
        }
    }
    Ok(())
}

fn parse_id(raw: &str) -> Result<Id, CliError> {
    raw.parse().map_err(|e: tertulia_core::id::InvalidId| CliError::Usage(e.to_string()))
}

/// Where an announcement stands, in a few words.
fn state(announcement: &AnnouncementView) -> String {
    let reach = match (&announcement.origin_domain, announcement.company_wide) {
        (Some(origin), _) => format!(", from {origin}"),
        (None, true) => ", company-wide".to_owned(),
        (None, false) => String::new(),
    };
    let when = match (announcement.published, announcement.scheduled_at) {
        (true, _) => "published".to_owned(),
        (false, Some(at)) => format!("scheduled for {}", at.and_utc().to_rfc3339()),
        (false, None) => "draft".to_owned(),
    };
    format!("{when}{reach}")
}
