//! Command-line interface. The help texts are the admin's first manual:
//! keep them concrete.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tertulia",
    version,
    about = "Tertulia: the company microblog, one instance per site, federated over ActivityPub.",
    long_about = "Tertulia: the company microblog, one instance per site, federated over ActivityPub.\n\n\
        Staff sign in with any Mastodon app (Elk, Phanpy, Tusky, Ivory, ...). Each site keeps its own \
        database: an embedded SQLite file by default, or PostgreSQL.\n\n\
        Quick start:\n  tertulia serve                                   start on http://localhost:3000\n  \
        tertulia admin user create --username ana --email ana@acme.example --admin\n\n\
        Settings come from the file given with --config (default ./tertulia.toml if it exists), \
        then from TERTULIA_* environment variables. See docs/configuration.md."
)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./tertulia.toml if present,
    /// otherwise built-in defaults.
    #[arg(long, short = 'c', global = true, env = "TERTULIA_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies pending database migrations first).
    ///
    /// Stops gracefully on Ctrl-C or SIGTERM: requests in progress get a few
    /// seconds to finish.
    Serve,
    /// Apply pending database migrations and exit.
    ///
    /// `serve` does this too; run it alone to upgrade the schema before
    /// starting a new version, or to check that the database is reachable.
    Migrate,
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Administer users from the server's shell.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective values, with
    /// passwords masked. Exits non-zero and names the bad key on error.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create, list and manage local users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the community rules clients show at sign-up and on the
    /// server's "about" page.
    Rule {
        #[command(subcommand)]
        command: RuleCommand,
    },
    /// Groups (FEP-1b12) that staff on every site join by following them
    /// and post to by mentioning them (docs/communities.md).
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Idea campaigns: staff post ideas with the campaign's hashtag and
    /// vote by favouriting (docs/communities.md).
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Announcements shown at the top of everyone's client: write,
    /// schedule, publish, withdraw.
    Announcement {
        #[command(subcommand)]
        command: AnnouncementCommand,
    },
    /// See how delivery to other sites is going, and follow other sites.
    Federation {
        #[command(subcommand)]
        command: FederationCommand,
    },
    /// Show the audit log: who took which moderation or admin action,
    /// newest first.
    Audit {
        /// How many entries to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Adoption analytics (docs/analytics.md).
    Analytics {
        #[command(subcommand)]
        command: AnalyticsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Count the days not yet counted, and today so far, into the daily
    /// roll-ups now, instead of waiting for the running server's hourly run.
    RollUp,
    /// Pull the aggregate adoption counts of every site this site follows
    /// now, instead of waiting for the running server's hourly pull.
    PullSites,
    /// The company-wide table: one row per site (this one and the sites
    /// it follows), with totals.
    Sites {
        /// Days up to today: 7, 30, 90 or 180.
        #[arg(long, default_value_t = 30)]
        range: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Deliveries waiting and given up, and the sites that fail to answer.
    Status,
    /// Receive every public post of another site (e.g. HQ following
    /// es.acme.example), shown in this site's federated timeline. The
    /// running server sends the request; the other site accepts it.
    FollowSite {
        /// The other site's domain, e.g. es.acme.example.
        domain: String,
    },
    /// Stop receiving another site's public posts.
    UnfollowSite { domain: String },
    /// The sites this site follows, and the requests not yet answered.
    Sites,
    /// Let a domain federate with this site (in `federation.mode =
    /// allowlist`). Takes effect at once in every running process.
    Allow { domain: String },
    /// Stop allowing a domain; its queued deliveries are dropped.
    Disallow { domain: String },
    /// Block a domain. `suspend` also drops its queued deliveries and
    /// removes its accounts and posts stored here.
    Block {
        domain: String,
        /// noop (only the flags below), silence or suspend.
        #[arg(long, default_value = "suspend")]
        severity: String,
        /// Do not keep the domain's attachments.
        #[arg(long)]
        reject_media: bool,
        /// Ignore the domain's reports.
        #[arg(long)]
        reject_reports: bool,
        /// Shown to admins only.
        #[arg(long)]
        private_comment: Option<String>,
        /// Shown with the public list of blocks.
        #[arg(long)]
        public_comment: Option<String>,
        /// Show the domain partly starred in the public list of blocks.
        #[arg(long)]
        obfuscate: bool,
    },
    /// Lift a domain's block.
    Unblock { domain: String },
    /// The federation mode, the allowed domains and the blocks.
    List,
    /// ActivityPub relays: servers that pass public posts between the
    /// sites subscribed to them.
    Relays {
        #[command(subcommand)]
        command: RelayCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Subscribe to a relay. This site's public posts (and their edits and
    /// deletions) go to it once it accepts; the public posts it passes on
    /// are checked against their own sites and shown in the federated
    /// timeline. The running server sends the request.
    Add {
        /// For `--protocol mastodon`, the relay's inbox (e.g.
        /// https://relay.example/inbox); for `litepub`, its actor (e.g.
        /// https://relay.example/actor).
        url: String,
        /// mastodon (Mastodon's relay protocol) or litepub (Pleroma and
        /// Akkoma relays).
        #[arg(long, default_value = "mastodon")]
        protocol: String,
    },
    /// Leave a relay (by the URL it was added with); the running server
    /// tells it.
    Remove { url: String },
    /// The relays this site subscribes to, and whether each accepted.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AnnouncementCommand {
    /// Write an announcement: a draft, published with --publish, or
    /// published by the running server at --schedule.
    Create {
        /// The text, e.g. "The Madrid office is closed on Friday".
        text: String,
        #[command(flatten)]
        when: AnnouncementTimes,
        /// Show --starts-at and --ends-at as dates only.
        #[arg(long)]
        all_day: bool,
        /// Publish at once.
        #[arg(long, conflicts_with = "schedule")]
        publish: bool,
        /// Publish at this time (UTC), e.g. 2026-12-24T09:00:00Z.
        #[arg(long, value_parser = parse_time)]
        schedule: Option<chrono::NaiveDateTime>,
        /// Also show it on every site that follows this one as a site.
        #[arg(long)]
        company_wide: bool,
    },
    /// Change an announcement: only what is given changes.
    Edit {
        id: String,
        #[arg(long)]
        text: Option<String>,
        #[command(flatten)]
        when: AnnouncementTimes,
        #[arg(long)]
        all_day: Option<bool>,
        /// Publish it at this time instead (UTC), if it is not published.
        #[arg(long, value_parser = parse_time)]
        schedule: Option<chrono::NaiveDateTime>,
        /// true or false.
        #[arg(long)]
        company_wide: Option<bool>,
    },
    /// Publish a draft or scheduled announcement now.
    Publish { id: String },
    /// Take an announcement back: readers no longer see it.
    Unpublish { id: String },
    /// Delete an announcement for good.
    Delete { id: String },
    /// Every announcement with its id and state.
    List,
}

/// When an announcement's event happens (both optional; UTC).
#[derive(Debug, Args)]
pub struct AnnouncementTimes {
    /// When the event starts, e.g. 2026-12-24T00:00:00Z.
    #[arg(long, value_parser = parse_time)]
    pub starts_at: Option<chrono::NaiveDateTime>,
    /// When the event ends; past it, readers no longer see the announcement.
    #[arg(long, value_parser = parse_time)]
    pub ends_at: Option<chrono::NaiveDateTime>,
}

/// A time given on the command line: RFC 3339 (2026-12-24T09:00:00Z), or
/// without a zone, read as UTC.
fn parse_time(raw: &str) -> Result<chrono::NaiveDateTime, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("'{raw}' is not a date and time; write it as 2026-12-24T09:00:00Z"))
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group, e.g. `tertulia admin group create safety --display-name
    /// "Safety at work" --moderator ana`. Staff join it by following
    /// @NAME@<domain> and post to it by mentioning it.
    Create {
        /// The group's handle: letters, digits and underscores, at most 30
        /// characters.
        name: String,
        /// The name clients show.
        #[arg(long, default_value = "")]
        display_name: String,
        /// A moderator approves each member, and posts for members only
        /// stay among members.
        #[arg(long)]
        private: bool,
        /// What members agree to, shown as the group's profile text.
        #[arg(long, default_value = "")]
        rules: String,
        /// The local user who moderates the group (removes posts and
        /// members).
        #[arg(long, value_name = "USERNAME")]
        moderator: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Open a campaign, e.g. `tertulia admin campaign create cost_ideas
    /// --question "How do we cut travel costs?" --deadline 2027-01-31`.
    /// Public and unlisted posts with #TAG written before the deadline are
    /// its ideas.
    Create {
        /// The hashtag, with or without `#`: letters, digits and underscores.
        tag: String,
        /// What staff are asked for.
        #[arg(long)]
        question: String,
        /// When ideas stop being collected: RFC 3339 (2027-01-31T17:00:00Z)
        /// or a date, meaning the end of that day in UTC.
        #[arg(long)]
        deadline: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Add a rule at the end of the list.
    Add {
        /// The rule, one sentence, e.g. "Be kind to colleagues at every site".
        text: String,
        /// An optional longer explanation.
        #[arg(long, default_value = "")]
        hint: String,
    },
    /// List the rules with their ids.
    List,
    /// Remove a rule by id (see `list`).
    Remove { id: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password or --password-stdin a strong
    /// password is generated and printed once.
    Create {
        /// Handle of the new user: letters, digits and underscores, at most
        /// 30 characters. Their address will be @USERNAME@<domain>.
        #[arg(long)]
        username: String,
        /// E-mail address (used to sign in and for notices).
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// Give the user full administrator rights.
        #[arg(long, conflicts_with = "moderator")]
        admin: bool,
        /// Give the user moderator rights (reports, suspensions).
        #[arg(long)]
        moderator: bool,
    },
    /// List every local user with role and status.
    List {
        /// Print one JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a new password for a user.
    SetPassword {
        /// The user's username.
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Suspend a user: they can no longer sign in, their posts disappear
    /// and other sites are told to drop the account. Reversible.
    Suspend { username: String },
    /// Lift a suspension.
    Unsuspend { username: String },
    /// Give a user a role: user, moderator (people and reports), admin
    /// (everything but the owner's blanket right) or owner.
    Role {
        username: String,
        /// user, moderator, admin or owner.
        role: String,
    },
    /// Record that this user is also @USER@OTHER-SITE (their account on
    /// another site): needed before that account can move here.
    Alias {
        username: String,
        /// The other account, e.g. @luis@es.acme.example.
        #[arg(long)]
        add: String,
    },
    /// Move this user to their new account on another site (which must
    /// list this one as an alias). Followers on every site follow the new
    /// account; this one shows as moved.
    Move {
        username: String,
        /// The new account, e.g. @luis@mx.acme.example.
        #[arg(long)]
        to: String,
    },
    /// Delete a user and everything they posted. Cannot be undone.
    Delete {
        username: String,
        /// Confirm the deletion (required).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct PasswordArgs {
    /// The password (visible in the shell history and process list: prefer
    /// --password-stdin).
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input, e.g.
    /// `printf '%s' "$PW" | tertulia admin user create ... --password-stdin`.
    #[arg(long)]
    pub password_stdin: bool,
}
