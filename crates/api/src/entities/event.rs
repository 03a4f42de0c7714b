use serde::Serialize;
use tertulia_core::{Config, Id};
use tertulia_domain::calendar::EventView;

use super::{Status, timestamp};

/// An event (Tertulia's extension): its data, the answers counted, the
/// viewer's own answer, and the status that carries it to every client.
#[derive(Debug, Serialize)]
pub struct Event {
    /// The status's id.
    pub id: Id,
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub timezone: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub attendance: Attendance,
    /// `going`, `maybe`, `not_going`, or null.
    pub own_answer: Option<&'static str>,
    pub status: Status,
}

#[derive(Debug, Serialize)]
pub struct Attendance {
    pub going: i64,
    pub maybe: i64,
    pub not_going: i64,
}

impl Event {
    pub fn from_view(view: &EventView, config: &Config) -> Event {
        Event {
            id: view.status.id,
            name: view.name.clone(),
            start_time: timestamp(view.starts_at),
            end_time: timestamp(view.ends_at),
            timezone: view.timezone.clone(),
            location: view.location.clone(),
            url: view.url.clone(),
            attendance: Attendance {
                going: view.attendance.going,
                maybe: view.attendance.maybe,
                not_going: view.attendance.not_going,
            },
            own_answer: view.own_answer.map(|answer| answer.as_str()),
            status: Status::from_view(&view.status, config),
        }
    }
}
