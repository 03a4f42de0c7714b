//! Local actors: accounts as `Person` (`Service` for bots), the site as
//! `Application`. Mastodon's actor shape:
//! https://docs.joinmastodon.org/spec/activitypub/#as (profile fields as
//! schema.org `PropertyValue`, `featured`, `discoverable`, `indexable`).

use serde::Serialize;
use serde_json::Value;
use tertulia_core::Config;
use tertulia_core::config::SiteIdentity;
use tertulia_db::actors::{ActorRow, ActorType};
use tertulia_domain::AccountView;

use super::document;
use super::note::Tag;
use crate::protocol::timestamp;
use crate::site_identity;
use crate::urls::Urls;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Endpoints {
    shared_inbox: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicKey<'a> {
    id: String,
    owner: &'a str,
    public_key_pem: &'a str,
}

impl PublicKey<'_> {
    fn of<'a>(uri: &'a str, actor: &'a ActorRow) -> PublicKey<'a> {
        PublicKey { id: Urls::key_id(uri), owner: uri, public_key_pem: &actor.public_key_pem }
    }
}

#[derive(Debug, Serialize)]
struct PropertyValue {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    /// HTML, as Mastodon shows it; ours is escaped plain text.
    value: String,
}

#[derive(Debug, Serialize)]
struct Image<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

impl Image<'_> {
    fn of(url: Option<&str>) -> Option<Image<'_>> {
        url.map(|url| Image { kind: "Image", url })
    }
}

/// A local account.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Person<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    preferred_username: &'a str,
    name: &'a str,
    summary: &'a str,
    url: String,
    inbox: String,
    outbox: String,
    followers: String,
    following: String,
    featured: String,
    endpoints: Endpoints,
    manually_approves_followers: bool,
    discoverable: bool,
    indexable: bool,
    published: String,
    attachment: Vec<PropertyValue>,
    tag: Vec<Tag>,
    public_key: PublicKey<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<Image<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Image<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_known_as: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moved_to: Option<String>,
    /// Which of the company's sites the account belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<Value>,
}

impl<'a> Person<'a> {
    /// A local account as the domain shows it (with the account it moved
    /// to, if it did), with its keys and aliases (`actor`); `site` is this
    /// site's identity.
    pub(crate) fn of(urls: &Urls, account: &'a AccountView, actor: &'a ActorRow, site: Option<&SiteIdentity>) -> Self {
        let name = &account.username;
        // The column only ever holds JSON written by the domain.
        let also_known_as: Vec<String> = serde_json::from_str(&actor.also_known_as).unwrap_or_default();
        Person {
            id: &actor.uri,
            kind: if account.group { ActorType::Group } else { ActorType::of_local(account.bot) }.as_str(),
            preferred_username: name,
            name: &account.display_name,
            summary: &account.note,
            url: urls.profile_page(name),
            inbox: urls.inbox(name),
            outbox: urls.outbox(name),
            followers: urls.followers(name),
            following: urls.following(name),
            featured: urls.featured(name),
            endpoints: Endpoints { shared_inbox: urls.shared_inbox() },
            manually_approves_followers: account.locked,
            discoverable: account.discoverable,
            indexable: account.indexable,
            published: timestamp(account.created_at.naive_utc()),
            attachment: account
                .fields
                .iter()
                .map(|f| PropertyValue {
                    kind: "PropertyValue",
                    name: f.name.clone(),
                    value: tertulia_core::text::escape_html(&f.value),
                })
                .collect(),
            tag: Vec::new(),
            public_key: PublicKey::of(&actor.uri, actor),
            icon: Image::of(account.avatar_url.as_deref()),
            image: Image::of(account.header_url.as_deref()),
            also_known_as,
            moved_to: account.moved.as_ref().map(|target| target.uri.clone()),
            site: site.map(site_identity::to_property),
        }
    }
}

/// A local account as a document of its own.
pub(crate) fn person(urls: &Urls, account: &AccountView, actor: &ActorRow, site: Option<&SiteIdentity>) -> Value {
    document(&Person::of(urls, account, actor, site))
}

/// The site's own actor, which signs fetches.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Application<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    preferred_username: &'a str,
    name: &'a str,
    url: String,
    inbox: String,
    outbox: String,
    endpoints: Endpoints,
    manually_approves_followers: bool,
    public_key: PublicKey<'a>,
    /// Which of the company's sites this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<Value>,
}

/// The site's own actor (`Application`).
pub(crate) fn instance_actor(urls: &Urls, config: &Config, actor: &ActorRow) -> Value {
    let uri = urls.instance_actor();
    document(&Application {
        id: &uri,
        kind: ActorType::Application.as_str(),
        preferred_username: &config.domain,
        name: &config.instance.title,
        url: format!("{}/about", urls.base()),
        inbox: format!("{uri}/inbox"),
        outbox: format!("{uri}/outbox"),
        endpoints: Endpoints { shared_inbox: urls.shared_inbox() },
        manually_approves_followers: false,
        public_key: PublicKey::of(&uri, actor),
        site: config.site.is_published().then(|| site_identity::to_property(&config.site)),
    })
}
