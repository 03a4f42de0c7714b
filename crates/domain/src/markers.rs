//! Read markers for the home and notifications timelines, shared between
//! a user's clients.

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::Db;
use tertulia_db::markers::{self, MarkerTimeline};

use crate::DomainError;

#[derive(Debug, Clone)]
pub struct MarkerView {
    pub timeline: MarkerTimeline,
    pub last_read_id: Id,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The reader's markers for `timelines` (unknown names are ignored, as
/// Mastodon does).
pub async fn get(db: &Db, reader: Id, timelines: Vec<String>) -> Result<Vec<MarkerView>, DomainError> {
    let timelines: Vec<MarkerTimeline> = timelines.iter().filter_map(|name| name.parse().ok()).collect();
    read(db, reader, timelines).await
}

async fn read(db: &Db, reader: Id, timelines: Vec<MarkerTimeline>) -> Result<Vec<MarkerView>, DomainError> {
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
    let positions = positions
        .into_iter()
        .map(|(name, id)| match name.parse::<MarkerTimeline>() {
            Ok(timeline) => Ok((timeline, id)),
            Err(unknown) => Err(DomainError::not_one_of("timeline", unknown)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let timelines: Vec<MarkerTimeline> = positions.iter().map(|(timeline, _)| *timeline).collect();
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let now = tertulia_db::now();
            for (timeline, id) in &positions {
                markers::save(conn, reader.0, *timeline, id.0, now)?;
            }
            Ok::<_, DomainError>(())
        })
    })
    .await?;
    read(db, reader, timelines).await
}

/// Position of the notifications marker, if the reader has one.
pub async fn notifications_position(db: &Db, reader: Id) -> Result<Option<Id>, DomainError> {
    let markers = read(db, reader, vec![MarkerTimeline::Notifications]).await?;
    Ok(markers.first().map(|m| m.last_read_id))
}
