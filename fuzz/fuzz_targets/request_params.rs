//! Request parameters as a Mastodon client sends them, decoded into the
//! parameter types of real endpoints. The first byte picks the source: `j`
//! a JSON body, `q` a query string, anything else a form-encoded body.
//!
//! Beyond "no panic": whatever is refused is refused with a readable 400,
//! never a 500.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tertulia_api::ApiError;
use tertulia_api::fuzzing::{body_errors, query_errors};

fuzz_target!(|data: &[u8]| {
    let Some((&source, rest)) = data.split_first() else {
        return;
    };
    let errors = match source {
        b'j' => body_errors("application/json", rest),
        b'q' => match std::str::from_utf8(rest) {
            Ok(query) => query_errors(query),
            // actix-web hands extractors the query string as text.
            Err(_) => return,
        },
        _ => body_errors("application/x-www-form-urlencoded", rest),
    };
    for error in errors {
        assert!(matches!(&error, ApiError::BadRequest(message) if !message.is_empty()), "{error:?}");
    }
});
