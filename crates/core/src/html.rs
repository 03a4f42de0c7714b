//! HTML written on other sites. Remote posts and profiles arrive as HTML
//! that anyone on the internet could have written: before it is stored it
//! is reduced to the small set of tags Mastodon clients render, so a remote
//! post can never inject scripts, styles or tracking into our clients.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The elements remote HTML keeps: the ones Mastodon clients render.
pub const ALLOWED_TAGS: [&str; 17] =
    ["p", "br", "a", "span", "strong", "b", "em", "i", "u", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li"];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags(ALLOWED_TAGS)
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("ol", ["start", "reversed"])
        // Classes clients style: mentions, hashtags, Mastodon's
        // shortened-link markup, and the `RE:` line of a quote that clients
        // showing the quote hide.
        .allowed_classes(
            [
                ("a", ["mention", "hashtag", "u-url", "status-link", "unhandled-link"].as_slice()),
                ("span", ["h-card", "invisible", "ellipsis", "mention", "hashtag"].as_slice()),
                ("p", ["quote-inline"].as_slice()),
            ]
            .into_iter()
            .map(|(tag, classes)| (tag, classes.iter().copied().collect::<HashSet<_>>()))
            .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank");
    builder
});

/// `html` with only the tags, attributes and link schemes clients render.
pub fn sanitize(html: &str) -> String {
    keep_pre_newline(CLEANER.clean(html).to_string())
}

/// An HTML parser drops the new line right after `<pre>`, and the
/// serializer does not write one back, so `<pre>\n\ncode` came out as
/// `<pre>\ncode`, which a browser shows without its first line: each
/// cleaning (here, then again on every site a post federates to) lost a
/// line. Writing the dropped new line back keeps what readers see and makes
/// cleaning clean HTML change nothing. (`<pre>` is always written without
/// attributes, and `<` in text is always escaped, so the match is exact.)
fn keep_pre_newline(clean: String) -> String {
    if clean.contains("<pre>\n") { clean.replace("<pre>\n", "<pre>\n\n") } else { clean }
}

/// Whether `link` is an `http` or `https` URL with a host: the only kind of
/// link (profile page, avatar, header, post page) another site's value may
/// become in our clients. Anything else (`javascript:`, `data:`) would run or
/// load in the reader's browser when a client renders it as a link or image.
pub fn is_web_link(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// The text of `html` without markup, paragraphs and line breaks kept as
/// new lines: what search indexes and what "edit" would show.
pub fn to_plain_text(html: &str) -> String {
    let with_breaks = html.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n").replace("</p>", "\n\n");
    let text_only = ammonia::Builder::empty().clean(&with_breaks).to_string();
    let decoded = text_only
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_links_with_a_host_are_web_links() {
        for link in ["https://es.example/@ana", "http://localhost:3001/a.png", "HTTPS://ES.EXAMPLE/"] {
            assert!(is_web_link(link), "{link}");
        }
        for link in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "vbscript:x",
            "file:///etc/passwd",
            "https:",
            "/relative/path",
            "",
        ] {
            assert!(!is_web_link(link), "{link}");
        }
    }

    #[test]
    fn scripts_styles_and_handlers_are_removed() {
        let dirty =
            r#"<p onclick="x()">Hi <script>alert(1)</script><img src=x onerror=y><b style="color:red">there</b></p>"#;
        assert_eq!(sanitize(dirty), "<p>Hi <b>there</b></p>");
    }

    #[test]
    fn mentions_and_hashtags_keep_their_markup_and_links_are_made_safe() {
        let html = r#"<p><span class="h-card"><a href="https://es.example/@ana" class="u-url mention evil">@<span>ana</span></a></span> <a href="javascript:alert(1)">x</a></p>"#;
        let clean = sanitize(html);
        assert!(clean.contains(r#"class="u-url mention""#), "{clean}");
        assert!(clean.contains(r#"<span class="h-card">"#), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains(r#"rel="nofollow noopener noreferrer""#), "{clean}");
    }

    #[test]
    fn a_blank_first_line_in_pre_survives_cleaning_again_and_again() {
        // Found by fuzzing (fuzz/ remote_html): the second cleaning lost it.
        let once = sanitize("<pre>\n\nfn main() {}</pre>");
        assert_eq!(once, "<pre>\n\nfn main() {}</pre>");
        assert_eq!(sanitize(&once), once);
        assert_eq!(sanitize("<pre>\nfn main() {}</pre>"), "<pre>fn main() {}</pre>");
    }

    #[test]
    fn plain_text_keeps_lines_and_decodes_entities() {
        assert_eq!(to_plain_text("<p>Fish &amp; chips<br>tonight</p><p>#food</p>"), "Fish & chips\ntonight\n\n#food");
    }
}
