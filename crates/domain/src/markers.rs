//! Read markers for the home and notifications timelines, shared between
//! a user's clients.

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::{Db, markers};

use crate::DomainError;

/// The timelines that have markers.
pub const TIMELINES: &[&str] = &["home", "notifications"];

#[derive(Debug, Clone)]
pub struct MarkerView {
    pub timeline: String,
    pub last_read_id: Id,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The reader's markers for `timelines` (unknown names are ignored, as
/// Mastodon does).
pub async fn get(db: &Db, reader: Id, timelines: Vec<String>) -> Result<Vec<MarkerView>, DomainError> {
    let rows = db.run(move |conn| markers::find(conn, reader.0, &timelines)).await?;
    Ok(rows
        .into_iter()
        .map(|row| MarkerView {
            timeline: row.timeline,
            last_read_id: Id(row.last_read_id),
            version: row.version,
            updated_at: row.updated_at.and_utc(),
        })
        .collect())
}

/// Moves the given markers and returns them as they now are.
pub async fn save(db: &Db, reader: Id, positions: Vec<(String, Id)>) -> Result<Vec<MarkerView>, DomainError> {
    if let Some((timeline, _)) = positions.iter().find(|(t, _)| !TIMELINES.contains(&t.as_str())) {
        return Err(DomainError::invalid_as(
            crate::Invalidity::Inclusion,
            "timeline",
            format!("'{timeline}' has no marker: use home or notifications"),
        ));
    }
    let names: Vec<String> = positions.iter().map(|(t, _)| t.clone()).collect();
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let now = tertulia_db::now();
            for (timeline, id) in &positions {
                markers::save(conn, reader.0, timeline, id.0, now)?;
            }
            Ok::<_, DomainError>(())
        })
    })
    .await?;
    get(db, reader, names).await
}

/// Position of the notifications marker, if the reader has one.
pub async fn notifications_position(db: &Db, reader: Id) -> Result<Option<Id>, DomainError> {
    let markers = get(db, reader, vec!["notifications".into()]).await?;
    Ok(markers.first().map(|m| m.last_read_id))
}
