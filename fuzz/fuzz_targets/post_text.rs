//! A post's plain text as a local user types it: tokenized into links,
//! mentions and hashtags, counted, and rendered as the HTML clients show.
//!
//! Beyond "no panic": the tokens are the text, cut and nothing lost; the
//! rendered HTML has only the markup the renderer writes and only http(s)
//! links; tags and mentions come out distinct, tags lower-cased.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tertulia_core::text::{self, MentionLink, Token};
use tertulia_fuzz::{Markup, check_markup};

/// What `render_plain_text` writes, and nothing else.
const RENDERED: Markup<'static> =
    Markup { tags: &["p", "br", "a", "span"], attributes: &["href", "class", "rel", "target", "translate"] };

/// Every mention resolves, so the linked form is rendered too.
fn resolve(username: &str, domain: Option<&str>) -> Option<MentionLink> {
    let site = domain.unwrap_or("es.example");
    Some(MentionLink { url: format!("https://{site}/@{username}"), username: username.to_owned() })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut rebuilt = String::with_capacity(text.len());
    for token in text::tokenize(text) {
        match token {
            Token::Text(plain) | Token::Url(plain) => rebuilt.push_str(plain),
            Token::Mention { username, domain } => {
                rebuilt.push('@');
                rebuilt.push_str(username);
                if let Some(domain) = domain {
                    rebuilt.push('@');
                    rebuilt.push_str(domain);
                }
            }
            Token::Hashtag(name) => {
                rebuilt.push('#');
                rebuilt.push_str(name);
            }
        }
    }
    assert_eq!(rebuilt, text, "the tokens are not the text");

    let html = text::render_plain_text(text, resolve, "https://es.example/tags");
    if let Err(problem) = check_markup(&html, &RENDERED) {
        panic!("{problem} in {html}");
    }

    let tags = text::hashtags(text);
    for (i, tag) in tags.iter().enumerate() {
        assert!(!tag.is_empty() && *tag == tag.to_lowercase(), "tag '{tag}'");
        assert!(!tags[..i].contains(tag), "tag '{tag}' twice");
    }
    let mentions = text::mentions(text);
    for (i, (name, domain)) in mentions.iter().enumerate() {
        let same =
            |(seen, seen_domain): &(String, Option<String>)| seen.eq_ignore_ascii_case(name) && seen_domain == domain;
        assert!(!mentions[..i].iter().any(same), "mention {name} twice");
    }
    std::hint::black_box(text::countable_length(text));
});
