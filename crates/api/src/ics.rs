//! iCalendar (RFC 5545) documents of events. Lines end in CRLF and are
//! folded at 75 octets (section 3.1), texts are escaped (3.3.11), and
//! times are written in UTC (`…Z`, 3.3.5 form 2), so no `VTIMEZONE` is
//! needed. Each event's `UID` is its status's URI: unique everywhere, and
//! the same in every feed and on every refresh. The `ORGANIZER` (3.8.4.3)
//! is the organiser's profile page with their name as `CN`: never their
//! e-mail address, which the feeds, readable by anyone, must not leak.

use chrono::{DateTime, Utc};
use tertulia_domain::calendar::EventView;

/// Longest content line, in octets, without its CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// A `VCALENDAR` named `name` holding `events`, stamped `now`.
pub fn calendar(name: &str, events: &[EventView], now: DateTime<Utc>) -> String {
    let mut document = String::new();
    let mut line = |property: &str, value: &str| {
        fold_into(&mut document, &format!("{property}:{value}"));
    };
    line("BEGIN", "VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", "-//Tertulia//Events//EN");
    line("CALSCALE", "GREGORIAN");
    line("METHOD", "PUBLISH");
    line("X-WR-CALNAME", &text(name));
    for event in events {
        line("BEGIN", "VEVENT");
        line("UID", &text(&event.status.uri));
        line("DTSTAMP", &utc(now));
        line("DTSTART", &utc(event.starts_at));
        line("DTEND", &utc(event.ends_at));
        line("CREATED", &utc(event.status.created_at));
        line("LAST-MODIFIED", &utc(event.status.edited_at.unwrap_or(event.status.created_at)));
        line("SUMMARY", &text(&event.name));
        let organiser = &event.status.account;
        let name = if organiser.display_name.trim().is_empty() { &organiser.username } else { &organiser.display_name };
        // A CAL-ADDRESS value is a URI, written as it is (3.3.3).
        line(&format!("ORGANIZER;CN={}", quoted_parameter(name)), &organiser.url);
        if let Some(location) = &event.location {
            line("LOCATION", &text(location));
        }
        // A URI value (3.3.13) is written as it is, without escaping.
        line("URL", event.url.as_deref().unwrap_or(&event.status.url));
        line("DESCRIPTION", &text(&event.status.text));
        line("END", "VEVENT");
    }
    line("END", "VCALENDAR");
    document
}

/// A DATE-TIME in UTC: `20261215T090000Z`.
fn utc(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped.
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A parameter value as a quoted-string (3.2): double quotes and control
/// characters, which it cannot hold, are left out; colons, semicolons and
/// commas are safe inside the quotes.
fn quoted_parameter(value: &str) -> String {
    let safe: String = value.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{safe}\"")
}

/// Appends `line` with its CRLF, folded so no physical line passes 75
/// octets; a fold never splits a UTF-8 character, and each continuation
/// starts with the one space that unfolding removes.
fn fold_into(document: &mut String, line: &str) {
    let mut room = MAX_LINE_OCTETS;
    for c in line.chars() {
        if c.len_utf8() > room {
            document.push_str("\r\n ");
            room = MAX_LINE_OCTETS - 1;
        }
        document.push(c);
        room -= c.len_utf8();
    }
    document.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut document = String::new();
        fold_into(&mut document, line);
        document
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "ñ".repeat(60));
        let document = folded(&line);
        for physical in document.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= MAX_LINE_OCTETS, "{} octets: {physical}", physical.len());
        }
        assert_eq!(document.replace("\r\n ", ""), format!("{line}\r\n"));
        assert_eq!(folded("VERSION:2.0"), "VERSION:2.0\r\n");
    }

    #[test]
    fn texts_are_escaped() {
        assert_eq!(
            text("Room 4; floor 2, east\\west\r\nbring a laptop"),
            "Room 4\\; floor 2\\, east\\\\west\\nbring a laptop"
        );
        assert_eq!(quoted_parameter("Ana \"la jefa\": RRHH;\nMadrid"), "\"Ana la jefa: RRHH;Madrid\"");
    }
}
