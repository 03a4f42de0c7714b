//! Company-wide announcements between sites (documented in
//! `docs/federation.md`, "Company-wide announcements").
//!
//! A site's own actor sends `Create` (first publication) or `Update` (a
//! later change) of a `CompanyAnnouncement`, our extension type, to the
//! sites that follow it as a site, and `Delete` of it when it is
//! unpublished, deleted or no longer company-wide. A site accepts them
//! only from a site actor it follows (the inbox has already checked the
//! HTTP signature and that the signer is the activity's actor), about an
//! announcement on that actor's own site.

use serde_json::{Value, json};
use tertulia_core::{Config, Id};
use tertulia_db::actors::{ActorRow, ActorType};
use tertulia_domain::accounts;
use tertulia_domain::announcements::{self, AnnouncementView, ReceivedAnnouncement};

use crate::activities::document;
use crate::protocol::{self, PUBLIC, id_of, str_of, timestamp, type_of};
use crate::urls::{Urls, host_of};
use crate::{Federation, FederationError};

/// Our extension type for an announcement.
pub(crate) const ANNOUNCEMENT: &str = "CompanyAnnouncement";

/// `body` as a document, its `@context` naming our extension terms (only
/// announcements use them, so other documents stay as they were).
fn announcement_document(body: &Value) -> Value {
    let mut document = document(body);
    if let Some(Value::Array(context)) = document.get_mut("@context") {
        context.push(json!({
            "tertulia": "urn:tertulia:ns#",
            "CompanyAnnouncement": "tertulia:CompanyAnnouncement",
            "allDay": "tertulia:allDay",
        }));
    }
    document
}

/// The URI of this site's announcement `id`.
pub(crate) fn uri(urls: &Urls, id: i64) -> String {
    format!("{}/announcements/{id}", urls.base())
}

/// `Create` (or, once changed after publication, `Update`) of a published
/// company-wide announcement, from the site actor.
pub(crate) fn shown(urls: &Urls, config: &Config, view: &AnnouncementView) -> Value {
    let uri = uri(urls, view.id.0);
    let actor = urls.instance_actor();
    let changed = view.published_at != Some(view.updated_at);
    let object = json!({
        "id": uri,
        "type": ANNOUNCEMENT,
        "attributedTo": actor,
        "to": [PUBLIC],
        "content": view.content_html(config),
        "source": {"content": view.text, "mediaType": "text/plain"},
        "published": view.published_at.map(timestamp),
        "updated": timestamp(view.updated_at),
        "startTime": view.starts_at.map(timestamp),
        "endTime": view.ends_at.map(timestamp),
        "allDay": view.all_day,
    });
    announcement_document(&json!({
        // A new id per change: the receiving inbox drops activities it saw.
        "id": format!("{uri}#shown-{}", view.updated_at.and_utc().timestamp_millis()),
        "type": if changed { "Update" } else { "Create" },
        "actor": actor,
        "to": [PUBLIC],
        "object": object,
    }))
}

/// `Delete` of this site's announcement `id`.
pub(crate) fn withdrawn(urls: &Urls, id: i64) -> Value {
    let uri = uri(urls, id);
    announcement_document(&json!({
        "id": format!("{uri}#withdrawn-{}", tertulia_db::now().and_utc().timestamp_millis()),
        "type": "Delete",
        "actor": urls.instance_actor(),
        "to": [PUBLIC],
        "object": {"id": uri, "type": "Tombstone", "formerType": ANNOUNCEMENT},
    }))
}

/// Whether a received activity's object is an announcement (or, in a
/// `Delete`, was one).
pub(crate) fn is_announcement(object: &Value) -> bool {
    type_of(object) == ANNOUNCEMENT || str_of(object, "formerType") == Some(ANNOUNCEMENT)
}

impl Federation {
    /// Applies a `Create`, `Update` or `Delete` of an announcement from
    /// `actor`.
    pub(crate) async fn announcement_received(
        &self,
        actor: &ActorRow,
        kind: &str,
        object: &Value,
    ) -> Result<(), FederationError> {
        let origin = self.followed_site(actor).await?;
        let uri = id_of(Some(object)).ok_or_else(|| FederationError::invalid("the announcement has no id"))?;
        if host_of(uri).as_deref() != Some(origin.as_str()) {
            return Err(FederationError::Forbidden(format!("announcement {uri} is not on the site of {}", actor.uri)));
        }
        if kind == "Delete" {
            announcements::received_withdrawal(self.ctx(), origin, uri.to_owned()).await?;
            return Ok(());
        }
        let text = object
            .get("source")
            .and_then(|source| str_of(source, "content"))
            .map(str::to_owned)
            .or_else(|| str_of(object, "content").map(tertulia_core::html::to_plain_text))
            .ok_or_else(|| FederationError::invalid("the announcement has no text"))?;
        let received = ReceivedAnnouncement {
            text,
            starts_at: protocol::time_of(object, "startTime"),
            ends_at: protocol::time_of(object, "endTime"),
            all_day: object.get("allDay").and_then(Value::as_bool).unwrap_or(false),
            published_at: protocol::time_of(object, "published").unwrap_or_else(tertulia_db::now),
        };
        announcements::received(self.ctx(), origin, uri.to_owned(), received).await?;
        Ok(())
    }

    /// The domain of `actor` if it is a site actor this site follows as a
    /// site: company-wide announcements come only from those.
    async fn followed_site(&self, actor: &ActorRow) -> Result<String, FederationError> {
        let domain = actor.domain.clone().filter(|_| actor.actor_type == ActorType::Application);
        let Some(domain) = domain else {
            return Err(FederationError::Forbidden(format!(
                "announcements are accepted from site actors only, not from {}",
                actor.uri
            )));
        };
        let followed = accounts::followed_sites(self.db(), Id(self.instance_actor().id)).await?;
        if !followed.iter().any(|(site, following)| *following && *site == domain) {
            return Err(FederationError::Forbidden(format!(
                "this site does not follow {domain} as a site; its announcements are refused"
            )));
        }
        Ok(domain)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn view(published: &str, updated: &str) -> AnnouncementView {
        let at = |t: &str| NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_time(t.parse().unwrap());
        AnnouncementView {
            id: Id(42),
            text: "Record year: thank you all".into(),
            starts_at: None,
            ends_at: Some(at("23:00:00")),
            all_day: false,
            published: true,
            published_at: Some(at(published)),
            scheduled_at: None,
            company_wide: true,
            origin_domain: None,
            created_at: at("04:00:00"),
            updated_at: at(updated),
            read: None,
            reactions: Vec::new(),
        }
    }

    #[test]
    fn the_site_actor_creates_then_updates_then_deletes_the_announcement() {
        let urls = Urls::new("https://hq.acme.example");
        let created = shown(&urls, &Config::default(), &view("05:00:00", "05:00:00"));
        assert_eq!(created["type"], "Create");
        assert_eq!(created["actor"], "https://hq.acme.example/actor");
        let object = &created["object"];
        assert_eq!(
            (&object["id"], &object["type"], &object["source"]["content"], &object["endTime"]),
            (
                &json!("https://hq.acme.example/announcements/42"),
                &json!(ANNOUNCEMENT),
                &json!("Record year: thank you all"),
                &json!("2026-12-07T23:00:00Z")
            )
        );
        assert!(created["@context"].to_string().contains("tertulia:CompanyAnnouncement"));
        assert!(is_announcement(object));

        let edited = shown(&urls, &Config::default(), &view("05:00:00", "06:00:00"));
        assert_eq!(edited["type"], "Update");
        assert_ne!(edited["id"], created["id"], "each change is a new activity");

        let deleted = withdrawn(&urls, 42);
        assert_eq!(deleted["type"], "Delete");
        assert_eq!(deleted["object"]["id"], "https://hq.acme.example/announcements/42");
        assert!(is_announcement(&deleted["object"]));
        assert!(!is_announcement(&json!({"id": "https://hq.acme.example/users/ana/statuses/1", "type": "Tombstone"})));
    }
}
