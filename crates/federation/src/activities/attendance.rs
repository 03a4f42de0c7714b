//! Answers to events. Friendica sends attendance as `Accept` (going),
//! `TentativeAccept` (maybe) or `Reject` (not going) of the `Event`;
//! Mobilizon as `Join` and `Leave` of it. We send Friendica's three, and
//! Mobilizon's `Leave` when an answer is withdrawn; we read all five.
//! (ActivityStreams vocabulary, https://www.w3.org/TR/activitystreams-vocabulary/#dfn-tentativeaccept.)

use serde::Serialize;
use serde_json::Value;
use tertulia_domain::calendar::Answer;

use super::document;

#[derive(Debug, Serialize)]
struct EventAnswer<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    actor: &'a str,
    to: [&'a str; 1],
    object: &'a str,
}

/// The activity type that says `answer` (`None`: withdrawn).
fn kind_of(answer: Option<Answer>) -> &'static str {
    match answer {
        Some(Answer::Going) => "Accept",
        Some(Answer::Maybe) => "TentativeAccept",
        Some(Answer::NotGoing) => "Reject",
        None => "Leave",
    }
}

/// The answer an activity of type `kind` gives to the event it names:
/// `Some(None)` withdraws one, `None` is no answer at all.
pub(crate) fn answer_of(kind: &str) -> Option<Option<Answer>> {
    match kind {
        "Accept" | "Join" => Some(Some(Answer::Going)),
        "TentativeAccept" => Some(Some(Answer::Maybe)),
        "Reject" => Some(Some(Answer::NotGoing)),
        "Leave" => Some(None),
        _ => None,
    }
}

/// `actor`'s answer to the event `event_uri`, to its organiser. `at`
/// (milliseconds) keeps each answer's id apart from the earlier ones.
pub(crate) fn event_answer(actor: &str, answer: Option<Answer>, event_uri: &str, organiser: &str, at: i64) -> Value {
    document(&EventAnswer {
        id: format!("{actor}#attendance/{at}"),
        kind: kind_of(answer),
        actor,
        to: [organiser],
        object: event_uri,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_we_send_reads_back_as_itself() {
        for answer in Answer::ALL.iter().copied().map(Some).chain([None]) {
            let document = event_answer("https://es.example/users/bruno", answer, "https://hq.example/e/1", "o", 7);
            let kind = document["type"].as_str().unwrap_or_default();
            assert_eq!(answer_of(kind), Some(answer), "{kind}");
        }
        assert_eq!(answer_of("Join"), Some(Some(Answer::Going)));
        assert_eq!(answer_of("Like"), None);
    }
}
