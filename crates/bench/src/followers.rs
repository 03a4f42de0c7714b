//! Remote followers written straight into a server's database: a thousand
//! followers on other sites without running a thousand actors.

use tertulia_core::Id;
use tertulia_db::actors::RemoteActorFields;
use tertulia_db::social::FollowRow;
use tertulia_db::{Db, DbError, actors, social};

use crate::BenchError;

/// A follower on another site and where deliveries to it go.
pub struct RemoteFollower {
    pub uri: String,
    pub domain: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
}

/// Makes each of `followers` (created, or updated if known) follow the
/// local account `author_uri`; returns the author's id.
pub async fn add_remote_followers(
    db: &Db,
    author_uri: String,
    followers: Vec<RemoteFollower>,
) -> Result<Id, BenchError> {
    db.run(move |conn| {
        let author = actors::find_by_uri(conn, &author_uri)?.ok_or(DbError::NotFound)?;
        let now = tertulia_db::now();
        for follower in followers {
            let username = follower.uri.rsplit('/').next().unwrap_or_default().to_owned();
            let fields =
                RemoteActorFields::person(username, follower.domain, follower.inbox, follower.shared_inbox, now);
            let id = actors::upsert_remote(conn, &follower.uri, &fields)?;
            social::upsert_follow(
                conn,
                &FollowRow {
                    id: Id::generate().0,
                    account_id: id,
                    target_account_id: author.id,
                    show_reblogs: true,
                    notify: false,
                    languages: None,
                    uri: Some(format!("{}#follow", follower.uri)),
                    created_at: now,
                },
            )?;
        }
        Ok::<_, DbError>(Id(author.id))
    })
    .await
    .map_err(BenchError::from)
}
