//! Mastodon's admin dimensions (docs.joinmastodon.org/methods/admin/dimensions),
//! plus this site's `sites`, `departments` and `offices`: the biggest items
//! of each key over a window, read from the roll-ups.

use std::collections::{BTreeMap, HashMap};

use tertulia_db::analytics as db;
use tertulia_db::{DbConn, DbError};

use super::adoption::{Grouping, group_of};
use super::rollup::metric;
use super::{Window, unknown_key};
use crate::{Context, DomainError};

/// Mastodon's dimensions, then this site's extensions.
pub const KEYS: &[&str] = &[
    "languages",
    "sources",
    "servers",
    "space_usage",
    "software_versions",
    "tag_servers",
    "tag_languages",
    "instance_accounts",
    "instance_languages",
    "sites",
    "departments",
    "offices",
    "tertulia_kudos_given_sites",
    "tertulia_kudos_given_departments",
    "tertulia_kudos_received_sites",
    "tertulia_kudos_received_departments",
];

/// Items per dimension when the client names no `limit`, and the most it may.
pub const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 1000;

/// One requested dimension, with the tag id or domain the `tag_*` and
/// `instance_*` keys are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub key: String,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub key: String,
    /// Biggest first.
    pub data: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub human_key: String,
    /// A number, or a version for `software_versions`.
    pub value: String,
    pub unit: Option<&'static str>,
}

/// The requested dimensions over `window`, each with at most `limit` items.
pub async fn dimensions(
    ctx: &Context,
    requests: Vec<Request>,
    window: Window,
    limit: Option<usize>,
) -> Result<Vec<Dimension>, DomainError> {
    if requests.is_empty() {
        return Err(DomainError::blank("keys"));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(DomainError::invalid("limit", format!("must be from 1 to {MAX_LIMIT}")));
    }
    for request in &requests {
        if !KEYS.contains(&request.key.as_str()) {
            return Err(unknown_key(&request.key, KEYS));
        }
        let about_something = request.key.starts_with("tag_") || request.key.starts_with("instance_");
        if about_something && request.subject.as_deref().is_none_or(str::is_empty) {
            let param = if request.key.starts_with("tag_") { "id" } else { "domain" };
            return Err(DomainError::invalid(
                "keys",
                format!("the dimension {} needs {}[{param}]", request.key, request.key),
            ));
        }
    }
    let here = (ctx.config.domain.clone(), ctx.config.site.name.clone());
    Ok(ctx
        .db
        .read(move |conn| {
            requests
                .iter()
                .map(|request| {
                    let mut data = items(conn, request, window, &here)?;
                    data.sort_by_key(|item| {
                        (std::cmp::Reverse(item.value.parse::<i64>().unwrap_or(0)), item.key.clone())
                    });
                    data.truncate(limit);
                    Ok(Dimension { key: request.key.clone(), data })
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?)
}

fn items(
    conn: &mut DbConn,
    request: &Request,
    window: Window,
    (domain, site_name): &(String, String),
) -> Result<Vec<Item>, DbError> {
    let subject = request.subject.as_deref().unwrap_or_default();
    let summed = |conn: &mut DbConn, metric: &str, subject: Option<&str>, by_detail: bool| {
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for (_, row_subject, detail, value) in db::counts_between(conn, metric, subject, window.from, window.to)? {
            *sums.entry(if by_detail { detail } else { row_subject }).or_default() += value;
        }
        Ok::<_, DbError>(sums.into_iter().map(|(key, value)| plain(key, value)).collect::<Vec<_>>())
    };
    Ok(match request.key.as_str() {
        "languages" => summed(conn, metric::LANGUAGES, None, false)?,
        "sources" => summed(conn, metric::SOURCES, None, false)?,
        "servers" => summed(conn, metric::SERVERS, None, false)?,
        "tag_servers" => summed(conn, metric::TAG_SERVERS, Some(subject), true)?,
        "tag_languages" => summed(conn, metric::TAG_LANGUAGES, Some(subject), true)?,
        "instance_languages" => summed(conn, metric::INSTANCE_LANGUAGES, Some(subject), true)?,
        "sites" => {
            let mut sites = summed(conn, metric::SITES, None, false)?;
            name_sites(conn, &mut sites, domain, site_name)?;
            sites
        }
        "instance_accounts" => db::most_followed_of_domain(conn, subject, MAX_LIMIT as i64)?
            .into_iter()
            .map(|(username, followers)| plain(format!("{username}@{subject}"), i64::from(followers)))
            .collect(),
        "space_usage" => {
            let bytes: i64 = db::local_media_bytes(conn)?.into_iter().sum();
            vec![Item {
                key: "media".into(),
                human_key: "Media files".into(),
                value: bytes.to_string(),
                unit: Some("bytes"),
            }]
        }
        "software_versions" => vec![Item {
            key: "tertulia".into(),
            human_key: "Tertulia".into(),
            value: env!("CARGO_PKG_VERSION").into(),
            unit: None,
        }],
        "departments" => active_by_profile(conn, window, Grouping::Department)?,
        "tertulia_kudos_given_sites" | "tertulia_kudos_received_sites" => {
            let given = request.key == "tertulia_kudos_given_sites";
            let kudos = if given { metric::KUDOS_GIVEN } else { metric::KUDOS_RECEIVED };
            let mut sites = summed(conn, kudos, None, false)?;
            name_sites(conn, &mut sites, domain, site_name)?;
            sites
        }
        "tertulia_kudos_given_departments" => summed(conn, metric::KUDOS_GIVEN, None, true)?,
        "tertulia_kudos_received_departments" => summed(conn, metric::KUDOS_RECEIVED, None, true)?,
        "offices" => active_by_profile(conn, window, Grouping::Office)?,
        _ => Vec::new(),
    })
}

fn plain(key: String, value: i64) -> Item {
    Item { human_key: key.clone(), key, value: value.to_string(), unit: None }
}

/// Names each site item after the site (its `[site]` name), not its domain.
fn name_sites(conn: &mut DbConn, sites: &mut [Item], domain: &str, site_name: &str) -> Result<(), DbError> {
    let others: Vec<String> = sites.iter().map(|s| s.key.clone()).filter(|k| k != domain).collect();
    let names: HashMap<String, String> = db::sites_of_domains(conn, &others)?
        .into_iter()
        .filter_map(|(domain, site)| {
            let site: serde_json::Value = serde_json::from_str(&site?).ok()?;
            Some((domain, site.get("name")?.as_str()?.to_owned()))
        })
        .filter(|(_, name)| !name.is_empty())
        .collect();
    for site in sites {
        let name = if site.key == domain { Some(site_name.to_owned()) } else { names.get(&site.key).cloned() };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            site.human_key = name;
        }
    }
    Ok(())
}

/// Accounts of this site active in the window, by a profile field.
fn active_by_profile(conn: &mut DbConn, window: Window, grouping: Grouping) -> Result<Vec<Item>, DbError> {
    let active: std::collections::HashSet<i64> =
        db::active_days_per_account(conn, window.from, window.to, false)?.into_iter().map(|(id, _)| id).collect();
    let mut groups: BTreeMap<String, i64> = BTreeMap::new();
    for member in db::local_members(conn)?.into_iter().filter(|m| active.contains(&m.account_id)) {
        *groups.entry(group_of(&member.fields, grouping)).or_default() += 1;
    }
    Ok(groups.into_iter().map(|(key, value)| plain(key, value)).collect())
}
