//! HTML written on another site (a remote post's `content`, a profile's
//! `summary`), through the sanitizer that cleans it before it is stored,
//! and the plain-text reader used for content warnings and profile fields.
//!
//! Beyond "no panic": what comes out has only the elements and attributes
//! we allow and only http(s)/mailto links, and so does what comes out of
//! cleaning it again (as every Tertulia site a post federates to does),
//! with the same text. Cleaning twice can still nest elements differently:
//! the HTML parser rebuilds mis-nested markup (a list item inside `<code>`)
//! its own way, so "cleaning clean HTML changes nothing" does not hold in
//! general (docs/fuzzing.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use tertulia_core::html;
use tertulia_fuzz::{Markup, check_markup};

/// The sanitizer's elements, and the attributes it keeps (crates/core/src/html.rs)
/// or adds to links (`rel`, `target`).
const SANITIZED: Markup<'static> =
    Markup { tags: &html::ALLOWED_TAGS, attributes: &["href", "title", "start", "reversed", "class", "rel", "target"] };

fuzz_target!(|data: &[u8]| {
    let Ok(dirty) = std::str::from_utf8(data) else {
        return;
    };
    let clean = html::sanitize(dirty);
    if let Err(problem) = check_markup(&clean, &SANITIZED) {
        panic!("{problem} in {clean}");
    }
    let again = html::sanitize(&clean);
    if let Err(problem) = check_markup(&again, &SANITIZED) {
        panic!("{problem} in {again}, cleaned from {clean}");
    }
    assert_eq!(html::to_plain_text(&again), html::to_plain_text(&clean), "cleaning again changed the text");
    std::hint::black_box(html::to_plain_text(dirty));
});
