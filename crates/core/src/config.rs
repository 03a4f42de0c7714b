//! Configuration: defaults, the TOML file, then `TERTULIA_*` environment
//! variables, in that order of precedence (later wins).
//!
//! Every key has an environment name made of its path in upper case joined
//! by `_`: `database.url` is `TERTULIA_DATABASE_URL`. Unknown keys and
//! unknown `TERTULIA_*` variables are rejected, so a typo never silently
//! falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod auth;
mod communities;
mod database_url;
mod env;
mod site;

pub use auth::{AuthConfig, DN_PLACEHOLDER, LdapConfig, OidcConfig, USERNAME_PLACEHOLDER};
pub use communities::{CommunitiesConfig, KUDOS_FIELD_NAME};
pub use database_url::DatabaseBackend;
pub use site::{MAX_SITE_TEXT_CHARS, SITE_FIELD_NAME, SiteIdentity};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "tertulia.toml";
/// The shortest home timeline allowed: one page at a client's largest
/// `limit`.
const MIN_HOME_TIMELINE_LENGTH: u32 = 40;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Public host name (and port, if not 443/80) of this instance, as it
    /// appears in handles: `ana@<domain>`. Never change it once federating.
    pub domain: String,
    /// Scheme of public URLs. `https` in production; `http` only for a
    /// laptop or a test rig.
    pub protocol: Protocol,
    /// Address and port the HTTP server listens on.
    pub bind: SocketAddr,
    pub database: DatabaseConfig,
    pub media: MediaConfig,
    pub instance: InstanceConfig,
    /// Which of the company's sites this is (name, country, region, time
    /// zone, language), shown to staff and to the other sites.
    pub site: SiteIdentity,
    pub limits: LimitsConfig,
    pub oauth: OAuthConfig,
    /// Local passwords and company sign-in (LDAP).
    pub auth: AuthConfig,
    pub rate_limits: RateLimitsConfig,
    pub federation: FederationConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
    pub analytics: AnalyticsConfig,
    /// Conventions for groups, events and recognition (docs/communities.md).
    pub communities: CommunitiesConfig,
    /// Which hashtags may trend (docs/moderation.md, "Trends").
    pub trends: TrendsConfig,
}

/// Review of trending hashtags.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrendsConfig {
    /// `false`: a hashtag trends unless a moderator rejected it. `true`:
    /// only hashtags a moderator approved trend.
    pub require_review: bool,
}

/// Adoption analytics (docs/analytics.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsConfig {
    /// The fewest people a department or office must have for this site
    /// to publish its figures to the sites it federates with: below that,
    /// an "active" count could point at one colleague.
    pub min_group_size: u32,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        AnalyticsConfig { min_group_size: 5 }
    }
}

/// Where `/metrics` (Prometheus text format) is served; off unless one
/// of the two is set (docs/metrics.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A separate address for `/metrics` alone, e.g. `127.0.0.1:9464`, so
    /// the figures stay off the public address. Empty: not served apart.
    pub listen: String,
    /// A secret the scraper sends as `Authorization: Bearer <token>`.
    /// Without `listen`, it serves `/metrics` on the main address behind
    /// it; with `listen`, that address asks for it too. Empty: no token.
    pub token: String,
}

/// The shortest `metrics.token` accepted: guessing one must be hopeless.
const MIN_METRICS_TOKEN_CHARS: usize = 16;

impl MetricsConfig {
    /// The separate address, if one is set (checked at load).
    pub fn listen_address(&self) -> Option<SocketAddr> {
        self.listen.parse().ok()
    }

    /// Whether `/metrics` is on the main address (behind the token).
    pub fn on_main_address(&self) -> bool {
        self.listen.is_empty() && !self.token.is_empty()
    }

    fn validate(&self) -> Result<(), (&'static str, String)> {
        if !self.listen.is_empty() && self.listen_address().is_none() {
            return Err((
                "metrics.listen",
                format!("'{}' is not an address and port such as 127.0.0.1:9464", self.listen),
            ));
        }
        if !self.token.is_empty() && self.token.chars().count() < MIN_METRICS_TOKEN_CHARS {
            return Err((
                "metrics.token",
                format!(
                    "must be at least {MIN_METRICS_TOKEN_CHARS} characters (for example from `openssl rand -hex 24`)"
                ),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Http,
    Https,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (or a plain path) or `postgres://user:pass@host/db`.
    pub url: String,
    /// Connections kept open in the pool.
    pub pool_size: u32,
    /// Seconds to wait for a free connection before a request fails.
    pub connect_timeout_secs: u64,
    /// SQLite only: memory, in MiB, that all of the process's connections
    /// share for cached pages and statements.
    pub sqlite_cache_mib: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Directory holding uploaded files and their previews.
    pub dir: PathBuf,
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct InstanceConfig {
    /// Name shown by clients, e.g. "ACME Spain".
    pub title: String,
    /// One-paragraph description shown on the sign-in screen of clients.
    pub description: String,
    /// Address staff can write to for help. Empty: none published.
    pub contact_email: String,
    /// Username of the account shown as the instance contact. Empty: the
    /// first admin.
    pub contact_username: String,
    /// Whether anyone may sign up through the API. Company sites usually
    /// create accounts with `tertulia admin user create` or single sign-on.
    pub registrations_open: bool,
    /// ISO 639-1 codes of the languages staff write in.
    pub languages: Vec<String>,
    /// Privacy policy, plain text (a blank line between paragraphs).
    /// Empty: a short built-in one.
    pub privacy_policy: String,
    /// Terms of service, plain text. Empty: none published.
    pub terms_of_service: String,
    /// `YYYY-MM-DD` on which the policy and terms took effect. Empty: the
    /// date of the built-in policy.
    pub policies_date: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Characters allowed in one post.
    pub max_status_chars: u32,
    /// Attachments allowed on one post.
    pub max_media_attachments: u32,
    /// Profile fields (Department, Site, Skills, ...) per account.
    pub max_profile_fields: u32,
    /// Largest accepted request body other than media uploads, in bytes.
    pub max_request_bytes: u64,
    /// Posts kept in each person's home timeline; older entries are
    /// trimmed every few minutes (the posts stay on profiles, in tag
    /// timelines and in search).
    pub home_timeline_length: u32,
    /// Streaming connections (WebSocket or server-sent events) open at the
    /// same time from one IP address.
    pub streaming_connections_per_ip: u32,
    /// Streaming connections open at the same time in all; each holds a
    /// socket, so keep this under the process's open-file limit.
    pub streaming_connections: u32,
    /// How far ahead a post must be scheduled, in seconds (Mastodon: five
    /// minutes). Lower only for tests.
    pub min_schedule_delay_secs: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthConfig {
    /// Allow the OAuth `password` grant (username and password sent
    /// straight to /oauth/token). Scripts and terminal clients use it; turn
    /// it off where only browser sign-in, or single sign-on, is wanted.
    pub allow_password_grant: bool,
    /// Minutes an authorization code stays valid between sign-in and the
    /// app exchanging it for a token.
    pub code_lifetime_minutes: u32,
}

/// Request limits per five-minute window, as Mastodon counts them. Each
/// answer carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`; past the
/// limit the server answers 429 with `Retry-After`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitsConfig {
    pub enabled: bool,
    /// Requests per five minutes for one access token.
    pub per_token: u32,
    /// Requests per five minutes from one IP address without a token.
    pub per_ip: u32,
    /// Sign-in attempts (`/oauth/token`, the sign-in form) per five minutes
    /// from one IP address: slows down password guessing.
    pub sign_in_per_ip: u32,
    /// Activities accepted per five minutes from one remote host, counted
    /// after their signature is verified, so one site cannot flood the
    /// inbox queue. Senders are told to retry later (429).
    pub inbox_per_host: u32,
    /// The longest an account's password check is held back after
    /// repeated wrong passwords for it, from any address. The delay grows
    /// with the failures and never passes this, so the right password
    /// always gets in; 0 turns the delay off.
    pub sign_in_max_delay_secs: u32,
    /// Requests per five minutes from one IP address to the routes other
    /// sites call: inboxes, actors, posts, collections, WebFinger, NodeInfo.
    pub server_per_ip: u32,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed.
    /// Requests from anywhere else are counted by their own address.
    pub trusted_proxies: Vec<String>,
}

/// ActivityPub: how this site talks to the company's other sites.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// Exchange posts, follows and the rest with other sites at all.
    pub enabled: bool,
    /// Which other sites this site federates with: `allowlist` (only the
    /// allowed domains: the company default), `blocklist` (any domain not
    /// suspended by a domain block) or `open` (any domain; blocks are kept
    /// but not enforced).
    pub mode: FederationMode,
    /// Domains allowed at every start (added to the domain allows admins
    /// manage), e.g. `["hq.acme.example", "mx.acme.example"]`.
    pub allowed_domains: Vec<String>,
    /// Domains suspended at every start (added to the domain blocks
    /// admins manage, with severity `suspend`).
    pub blocked_domains: Vec<String>,
    /// Who may read `GET /api/v1/instance/domain_blocks`.
    pub show_domain_blocks: Audience,
    /// Who may read `GET /api/v1/instance/peers`.
    pub show_peers: Audience,
    /// Require a valid HTTP signature on every GET of actors, posts and
    /// collections ("authorized fetch"), so followers-only posts are only
    /// served to servers that can prove who asks.
    pub authorized_fetch: bool,
    /// DEVELOPMENT AND TESTS ONLY. Allows plain `http://`, `localhost:PORT`
    /// domains and private or loopback addresses, so several instances on
    /// one machine can federate. Never enable it on a server others reach:
    /// it lets remote servers make this one fetch internal addresses.
    pub allow_private_addresses: bool,
    /// How far a signed request's `Date` may be from our clock, in hours.
    pub signature_max_skew_hours: u32,
    /// Deliveries sent at the same time, over all remote sites.
    pub delivery_workers: u32,
    /// Deliveries sent at the same time to one remote host.
    pub deliveries_per_host: u32,
    /// Days a failing delivery is retried before it is given up.
    pub delivery_max_age_days: u32,
    /// Senders whose received activities are applied at the same time (one
    /// sender's activities are always applied one after the other, in
    /// order). One remote host gets at most half of them.
    pub inbox_workers: u32,
    /// Seconds one received activity may take to apply (with the fetches
    /// it needs) before it is abandoned and retried later.
    pub inbox_activity_timeout_secs: u64,
    /// Seconds to wait for a remote server, per request.
    pub request_timeout_secs: u64,
    /// Largest remote document (actor, post, collection page) fetched, in bytes.
    pub max_fetch_bytes: u64,
    /// How many parents of a reply are fetched to complete a thread.
    pub max_reply_depth: u32,
}

/// See [`FederationConfig::mode`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    Allowlist,
    Blocklist,
    Open,
}

/// Who may read a page about the site's federation.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Anyone, signed in or not.
    All,
    /// Signed-in users of this site.
    Users,
    Nobody,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A level (`error`, `warn`, `info`, `debug`, `trace`) or a
    /// `tracing` filter such as `info,tertulia_db=debug`.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: "localhost:3000".into(),
            protocol: Protocol::Http,
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database: DatabaseConfig::default(),
            media: MediaConfig::default(),
            instance: InstanceConfig::default(),
            site: SiteIdentity::default(),
            limits: LimitsConfig::default(),
            oauth: OAuthConfig::default(),
            auth: AuthConfig::default(),
            rate_limits: RateLimitsConfig::default(),
            federation: FederationConfig::default(),
            log: LogConfig::default(),
            metrics: MetricsConfig::default(),
            analytics: AnalyticsConfig::default(),
            communities: CommunitiesConfig::default(),
            trends: TrendsConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://./data/tertulia.db".into(),
            pool_size: 8,
            connect_timeout_secs: 10,
            sqlite_cache_mib: 8,
        }
    }
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            dir: PathBuf::from("./data/media"),
            max_image_bytes: 16 * 1024 * 1024,
            max_video_bytes: 100 * 1024 * 1024,
        }
    }
}

impl MediaConfig {
    /// The largest upload accepted for files of this kind.
    pub fn max_bytes(&self, kind: crate::media::MediaKind) -> u64 {
        match kind {
            crate::media::MediaKind::Image => self.max_image_bytes,
            crate::media::MediaKind::Video | crate::media::MediaKind::Audio => self.max_video_bytes,
        }
    }
}

impl Default for InstanceConfig {
    fn default() -> Self {
        InstanceConfig {
            title: "Tertulia".into(),
            description: "A Tertulia site: the company conversation, federated between sites.".into(),
            contact_email: String::new(),
            contact_username: String::new(),
            registrations_open: false,
            languages: vec!["en".into()],
            privacy_policy: String::new(),
            terms_of_service: String::new(),
            policies_date: String::new(),
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_status_chars: 500,
            max_media_attachments: 4,
            max_profile_fields: 4,
            max_request_bytes: 1024 * 1024,
            home_timeline_length: 800,
            streaming_connections_per_ip: 50,
            streaming_connections: 1000,
            min_schedule_delay_secs: 300,
        }
    }
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig { allow_password_grant: true, code_lifetime_minutes: 10 }
    }
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        RateLimitsConfig {
            enabled: true,
            per_token: 300,
            per_ip: 300,
            sign_in_per_ip: 25,
            inbox_per_host: 3000,
            sign_in_max_delay_secs: 10,
            server_per_ip: 3000,
            trusted_proxies: vec!["127.0.0.1".into(), "::1".into()],
        }
    }
}

impl Default for FederationConfig {
    fn default() -> Self {
        FederationConfig {
            enabled: true,
            mode: FederationMode::Allowlist,
            allowed_domains: Vec::new(),
            blocked_domains: Vec::new(),
            show_domain_blocks: Audience::Users,
            show_peers: Audience::Users,
            authorized_fetch: true,
            allow_private_addresses: false,
            signature_max_skew_hours: 12,
            delivery_workers: 8,
            deliveries_per_host: 4,
            delivery_max_age_days: 7,
            inbox_workers: 4,
            inbox_activity_timeout_secs: 60,
            request_timeout_secs: 10,
            max_fetch_bytes: 1024 * 1024,
            max_reply_depth: 8,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { level: "info".into(), format: LogFormat::Text }
    }
}

/// Why the configuration could not be used. Each message names the file,
/// key or variable at fault, for an admin reading a failed start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
}

/// The effective configuration and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The file that was read, if any.
    pub file: Option<PathBuf>,
    /// Names of the `TERTULIA_*` variables that overrode a value.
    pub env_overrides: Vec<String>,
}

impl Config {
    /// Loads defaults, then `file` (or `./tertulia.toml` if it exists and no
    /// file was named), then overrides from `env`, and validates the result.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<LoadedConfig, ConfigError> {
        let mut merged = toml::Table::try_from(Config::default())
            .map_err(|e| ConfigError::Invalid { key: "(defaults)".into(), message: e.to_string() })?;
        let file = match file {
            Some(path) => Some(path.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.exists()),
        };
        if let Some(path) = &file {
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError::Syntax {
                path: path.clone(),
                message: describe_syntax_error(&text, &e),
            })?;
            merge(&mut merged, table);
        }
        let env_overrides = env::apply(&mut merged, env)?;
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
            ConfigError::Invalid { key: e.path().to_string(), message: first_line(e.inner().message()) }
        })?;
        config.validate()?;
        Ok(LoadedConfig { config, file, env_overrides })
    }

    /// Checks what the types alone cannot.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid { key: key.into(), message };
        validate_domain(&self.domain).map_err(|m| invalid("domain", m))?;
        DatabaseBackend::from_url(&self.database.url).map_err(|m| invalid("database.url", m))?;
        if !(1..=256).contains(&self.database.pool_size) {
            return Err(invalid("database.pool_size", "must be between 1 and 256".into()));
        }
        if !(1..=65_536).contains(&self.database.sqlite_cache_mib) {
            return Err(invalid("database.sqlite_cache_mib", "must be between 1 and 65536 (MiB)".into()));
        }
        if !self.instance.policies_date.is_empty()
            && chrono::NaiveDate::parse_from_str(&self.instance.policies_date, "%Y-%m-%d").is_err()
        {
            return Err(invalid("instance.policies_date", "must be a date written YYYY-MM-DD, or empty".into()));
        }
        if self.instance.title.trim().is_empty() {
            return Err(invalid("instance.title", "must not be empty".into()));
        }
        self.site.validate(&self.instance.languages).map_err(|(key, message)| invalid(key, message))?;
        if self.limits.home_timeline_length < MIN_HOME_TIMELINE_LENGTH {
            return Err(invalid(
                "limits.home_timeline_length",
                format!("must be at least {MIN_HOME_TIMELINE_LENGTH} (one page of a client's timeline)"),
            ));
        }
        let positive = [
            ("limits.max_status_chars", u64::from(self.limits.max_status_chars)),
            ("limits.max_media_attachments", u64::from(self.limits.max_media_attachments)),
            ("limits.max_request_bytes", self.limits.max_request_bytes),
            ("limits.streaming_connections_per_ip", u64::from(self.limits.streaming_connections_per_ip)),
            ("limits.streaming_connections", u64::from(self.limits.streaming_connections)),
            ("media.max_image_bytes", self.media.max_image_bytes),
            ("media.max_video_bytes", self.media.max_video_bytes),
            ("oauth.code_lifetime_minutes", u64::from(self.oauth.code_lifetime_minutes)),
            ("rate_limits.per_token", u64::from(self.rate_limits.per_token)),
            ("rate_limits.per_ip", u64::from(self.rate_limits.per_ip)),
            ("rate_limits.sign_in_per_ip", u64::from(self.rate_limits.sign_in_per_ip)),
            ("rate_limits.inbox_per_host", u64::from(self.rate_limits.inbox_per_host)),
            ("rate_limits.server_per_ip", u64::from(self.rate_limits.server_per_ip)),
            ("federation.signature_max_skew_hours", u64::from(self.federation.signature_max_skew_hours)),
            ("federation.delivery_workers", u64::from(self.federation.delivery_workers)),
            ("federation.deliveries_per_host", u64::from(self.federation.deliveries_per_host)),
            ("federation.delivery_max_age_days", u64::from(self.federation.delivery_max_age_days)),
            ("federation.inbox_workers", u64::from(self.federation.inbox_workers)),
            ("federation.inbox_activity_timeout_secs", self.federation.inbox_activity_timeout_secs),
            ("federation.request_timeout_secs", self.federation.request_timeout_secs),
            ("federation.max_fetch_bytes", self.federation.max_fetch_bytes),
            ("analytics.min_group_size", u64::from(self.analytics.min_group_size)),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(invalid(key, "must be greater than 0".into()));
        }
        if let Some(bad) = self.rate_limits.trusted_proxies.iter().find(|p| p.parse::<std::net::IpAddr>().is_err()) {
            return Err(invalid("rate_limits.trusted_proxies", format!("'{bad}' is not an IP address")));
        }
        for (key, domains) in [
            ("federation.allowed_domains", &self.federation.allowed_domains),
            ("federation.blocked_domains", &self.federation.blocked_domains),
        ] {
            if let Some(bad) = domains.iter().find(|d| validate_domain(d).is_err()) {
                return Err(invalid(key, format!("'{bad}' is not a bare host name such as 'mx.acme.example'")));
            }
        }
        self.metrics.validate().map_err(|(key, message)| invalid(key, message))?;
        self.auth.validate().map_err(|(key, message)| invalid(key, message))?;
        self.communities.validate().map_err(|(key, message)| invalid(key, message))?;
        if self.log.level.trim().is_empty() {
            return Err(invalid("log.level", "must not be empty".into()));
        }
        Ok(())
    }

    /// Base URL of this instance, e.g. `https://es.acme.example`.
    pub fn base_url(&self) -> String {
        let scheme = match self.protocol {
            Protocol::Http => "http",
            Protocol::Https => "https",
        };
        format!("{scheme}://{}", self.domain)
    }

    /// Base URL of the streaming API (WebSocket), e.g. `wss://es.acme.example`.
    pub fn streaming_url(&self) -> String {
        let scheme = match self.protocol {
            Protocol::Http => "ws",
            Protocol::Https => "wss",
        };
        format!("{scheme}://{}", self.domain)
    }

    /// The configuration as TOML with secrets masked, for `config check`.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = database_url::redact(&self.database.url);
        // Secrets are replaced by one mark, so `config check` output can be
        // shared in a support ticket.
        for secret in [&mut shown.metrics.token, &mut shown.auth.ldap.bind_password, &mut shown.auth.oidc.client_secret]
        {
            if !secret.is_empty() {
                *secret = "********".into();
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render configuration: {e}\n"))
    }
}

/// Checks that `domain` is a bare host name, with a port if any, as the
/// `domain` key and other sites' domains are written; the error says why
/// not.
pub fn validate_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("must not be empty".into());
    }
    if domain.contains("://") || domain.contains('/') {
        return Err(format!("'{domain}' must be a bare host name such as 'es.acme.example' (no scheme, no path)"));
    }
    let url =
        url::Url::parse(&format!("http://{domain}/")).map_err(|e| format!("'{domain}' is not a host name: {e}"))?;
    if url.host_str().is_none() || url.username() != "" {
        return Err(format!("'{domain}' is not a host name"));
    }
    Ok(())
}

/// toml appends the key path on further lines; the key is already named.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().trim().to_owned()
}

/// One line: where the error is and what is wrong (toml's own rendering
/// spans several lines with a source excerpt).
fn describe_syntax_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_owned(),
    }
}

/// Overlays `overlay` onto `base`, descending into tables so a file may set
/// one key of a section and keep the other defaults.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(overlay_table)) => {
                merge(base_table, overlay_table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests;
