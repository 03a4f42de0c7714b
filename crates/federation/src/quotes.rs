//! Quote posts between sites, after FEP-044f ("Consent-respecting quote
//! posts", https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md):
//! a post names the post it quotes in `quote` (also read from `quoteUrl`,
//! `quoteUri` and `_misskey_quote`), and the quoted author's consent in
//! `quoteAuthorization`, a `QuoteAuthorization` object on the quoted
//! author's site naming both posts. Consent is asked with a `QuoteRequest`
//! (the quoting post as its `instrument`), given with an `Accept` whose
//! `result` is the authorization, refused with a `Reject`, and withdrawn by
//! a `Delete` of the authorization. Who may quote is announced in
//! `interactionPolicy.canQuote` (GoToSocial's vocabulary).

use serde_json::Value;
use tertulia_core::Id;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::{DbConn, DbError};
use tertulia_domain::quotes::{self as rules, QuotePolicy, QuoteSeen};

use crate::activities::{self, QUOTE_REQUEST_SUFFIX};
use crate::protocol::{PUBLIC, id_of, type_of, uris};
use crate::urls::{Urls, host_of};
use crate::{Federation, FederationError};

/// The quoted post's id, from the property FEP-044f names or the older
/// ones other software writes.
pub(crate) fn quoted_uri(note: &Value) -> Option<&str> {
    ["quote", "quoteUrl", "quoteUri", "_misskey_quote"].into_iter().find_map(|key| id_of(note.get(key)))
}

/// Who may quote a post, from its `interactionPolicy.canQuote`; `None`
/// when it says nothing. Approval by hand counts as consent to ask.
pub(crate) fn policy_of(note: &Value, followers: Option<&str>) -> Option<QuotePolicy> {
    let can_quote = note.pointer("/interactionPolicy/canQuote")?;
    let mut allowed = uris(can_quote.get("automaticApproval"));
    allowed.extend(uris(can_quote.get("manualApproval")));
    let public = allowed.iter().any(|u| u == PUBLIC || u == "as:Public" || u == "Public");
    Some(if public {
        QuotePolicy::Public
    } else if followers.is_some_and(|f| allowed.iter().any(|u| u == f)) {
        QuotePolicy::Followers
    } else {
        QuotePolicy::Nobody
    })
}

/// The `QuoteAuthorization` this site issued for the quote `quoting`, if
/// it still stands (revoked ones are gone: that is how others check).
pub(crate) fn authorization(conn: &mut DbConn, urls: &Urls, quoting: i64) -> Result<Option<Value>, DbError> {
    let uri = format!("{}/quote_authorizations/{quoting}", urls.base());
    let Some(consent) = rules::standing_consent(conn, quoting, &uri)? else {
        return Ok(None);
    };
    let Some(author) = actors::find(conn, consent.quoted_author)? else {
        return Ok(None);
    };
    Ok(Some(activities::quote_authorization(&uri, &author.uri, &consent.quoting_uri, &consent.quoted_uri)))
}

/// The post our status `status` quotes and its author, whom a
/// `QuoteRequest` goes to.
pub(crate) fn quoted_of(conn: &mut DbConn, status: i64) -> Result<Option<(String, ActorRow)>, DbError> {
    let Some((quoted_uri, Some(author))) = rules::quoted_by(conn, status)? else {
        return Ok(None);
    };
    Ok(actors::find(conn, author)?.map(|author| (quoted_uri, author)))
}

/// Whether an `Accept` or `Reject` answers one of our `QuoteRequest`s.
pub(crate) fn answers_request(object: &Value) -> bool {
    type_of(object) == "QuoteRequest" || id_of(Some(object)).is_some_and(|id| id.ends_with(QUOTE_REQUEST_SUFFIX))
}

impl Federation {
    /// Stores the quote policy and the quote of a remote post just saved
    /// as `status`. The quoted post is fetched if unknown (while `depth`
    /// allows), and the authorization checked on the quoted author's site.
    pub(crate) async fn save_quote(
        &self,
        note: &Value,
        status: Id,
        followers: Option<&str>,
        depth: u32,
    ) -> Result<(), FederationError> {
        if let Some(policy) = policy_of(note, followers) {
            rules::remote_policy(self.db(), status, policy).await?;
        }
        let Some(quoted_uri) = quoted_uri(note) else {
            return Ok(());
        };
        let quoted = match self.known_status(Some(quoted_uri)).await? {
            Some(id) => Some(id),
            None if depth > 0 => match Box::pin(self.status(quoted_uri, depth - 1)).await {
                Ok(id) => Some(id),
                Err(error) => {
                    tracing::info!(quoted = %quoted_uri, %error, "cannot fetch the post a quote quotes");
                    None
                }
            },
            None => None,
        };
        let authorization = match id_of(note.get("quoteAuthorization")) {
            Some(uri) if !self.urls().is_local(uri) => {
                let quoting = id_of(Some(note)).unwrap_or_default();
                match self.check_authorization(uri, quoting, quoted_uri).await {
                    Ok(()) => Some(uri.to_owned()),
                    Err(error) => {
                        tracing::info!(authorization = %uri, %error, "a quote's authorization does not check out");
                        None
                    }
                }
            }
            _ => None,
        };
        let seen = QuoteSeen { quoted_uri: quoted_uri.to_owned(), quoted, authorization };
        Ok(rules::quote_seen(self.db(), status, seen).await?)
    }

    /// Fetches an authorization from the quoted author's site and checks
    /// that it is one, for this quote of that post (FEP-044f).
    async fn check_authorization(&self, uri: &str, quoting: &str, quoted: &str) -> Result<(), FederationError> {
        if host_of(uri) != host_of(quoted) {
            return Err(FederationError::Forbidden(format!("{uri} is not on the site of the quoted post {quoted}")));
        }
        let fetched = self.fetch(uri).await?.document;
        let checks = [
            (type_of(&fetched) == "QuoteAuthorization", "is not a QuoteAuthorization"),
            (id_of(Some(&fetched)) == Some(uri), "has another id"),
            (id_of(fetched.get("interactingObject")) == Some(quoting), "names another quoting post"),
            (id_of(fetched.get("interactionTarget")) == Some(quoted), "names another quoted post"),
            (id_of(fetched.get("attributedTo")).and_then(host_of) == host_of(quoted), "is by someone of another site"),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, why)) => Err(FederationError::Forbidden(format!("authorization {uri} {why}"))),
            None => Ok(()),
        }
    }

    /// A remote account asks to quote one of our posts: the quoting post
    /// (its `instrument`) is stored, and the author's policy answers.
    pub(crate) async fn quote_requested(&self, actor: &ActorRow, activity: &Value) -> Result<(), FederationError> {
        let quoted_uri =
            id_of(activity.get("object")).ok_or_else(|| FederationError::invalid("a QuoteRequest needs an object"))?;
        let Some(quoted) = self.urls().local_status_id(quoted_uri) else {
            return Ok(());
        };
        let instrument =
            activity.get("instrument").ok_or_else(|| FederationError::invalid("a QuoteRequest needs an instrument"))?;
        let depth = self.config().federation.max_reply_depth;
        let quoting = match instrument {
            Value::Object(_) => {
                if id_of(instrument.get("attributedTo")) != Some(actor.uri.as_str()) {
                    return Err(FederationError::Forbidden("a QuoteRequest must carry a post by its sender".into()));
                }
                self.save_post(instrument, depth).await?
            }
            other => {
                let uri =
                    id_of(Some(other)).ok_or_else(|| FederationError::invalid("a QuoteRequest needs an instrument"))?;
                self.status(uri, depth).await?
            }
        };
        let request_uri = id_of(Some(activity)).unwrap_or_default().to_owned();
        let base = self.urls().base().to_owned();
        rules::quote_requested(self.ctx(), base, Id(actor.id), quoting, Id(quoted), request_uri).await?;
        Ok(())
    }

    /// The quoted author answered one of our `QuoteRequest`s.
    pub(crate) async fn quote_answered(
        &self,
        actor: &ActorRow,
        activity: &Value,
        accepted: bool,
    ) -> Result<(), FederationError> {
        let request = id_of(activity.get("object")).unwrap_or_default();
        let Some(quoting) = request.strip_suffix(QUOTE_REQUEST_SUFFIX).and_then(|uri| self.urls().local_status_id(uri))
        else {
            return Ok(());
        };
        let authorization = match (accepted, id_of(activity.get("result"))) {
            (false, _) => None,
            (true, Some(result)) if host_of(result) == host_of(&actor.uri) => Some(result.to_owned()),
            (true, Some(result)) => {
                return Err(FederationError::Forbidden(format!(
                    "authorization {result} is not on the site of {}",
                    actor.uri
                )));
            }
            (true, None) => return Err(FederationError::invalid("an Accept of a QuoteRequest needs a result")),
        };
        Ok(rules::quote_answered(self.ctx(), Id(actor.id), Id(quoting), authorization).await?)
    }

    /// An `Update` of a post may bring its quote's authorization or a new
    /// quote policy. Returns whether it carried either.
    pub(crate) async fn quote_updated(&self, actor: &ActorRow, note: &Value) -> Result<bool, FederationError> {
        let carries = quoted_uri(note).is_some() || note.pointer("/interactionPolicy/canQuote").is_some();
        let Some(uri) = id_of(Some(note)).filter(|_| carries).map(str::to_owned) else {
            return Ok(false);
        };
        let found = tertulia_domain::remote::known_status(self.db(), uri).await?;
        if let Some((status, _)) = found.filter(|(_, author)| author.0 == actor.id) {
            let depth = self.config().federation.max_reply_depth;
            self.save_quote(note, status, actor.followers_url.as_deref(), depth).await?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FOLLOWERS: &str = "https://es.example/users/ana/followers";

    #[test]
    fn quote_policies_are_read_from_can_quote() {
        let policy =
            |can_quote: Value| policy_of(&json!({"interactionPolicy": {"canQuote": can_quote}}), Some(FOLLOWERS));
        assert_eq!(policy(json!({"automaticApproval": PUBLIC})), Some(QuotePolicy::Public));
        assert_eq!(policy(json!({"automaticApproval": ["as:Public"]})), Some(QuotePolicy::Public));
        assert_eq!(policy(json!({"manualApproval": [PUBLIC]})), Some(QuotePolicy::Public));
        assert_eq!(policy(json!({"automaticApproval": [FOLLOWERS]})), Some(QuotePolicy::Followers));
        assert_eq!(policy(json!({"automaticApproval": ["https://es.example/users/ana"]})), Some(QuotePolicy::Nobody));
        assert_eq!(policy_of(&json!({"type": "Note"}), Some(FOLLOWERS)), None);
    }

    #[test]
    fn the_quoted_post_is_read_from_any_of_its_names() {
        for key in ["quote", "quoteUrl", "quoteUri", "_misskey_quote"] {
            assert_eq!(quoted_uri(&json!({key: "https://hq.example/p/1"})), Some("https://hq.example/p/1"), "{key}");
        }
        assert_eq!(quoted_uri(&json!({"type": "Note"})), None);
        assert!(answers_request(&json!({"id": "https://es.example/users/bo/statuses/9#quote-request"})));
        assert!(answers_request(&json!({"type": "QuoteRequest", "id": "https://x/1"})));
        assert!(!answers_request(&json!({"type": "Follow", "id": "https://es.example/follows/3"})));
    }
}
