//! Turning a post's plain text into the `content` HTML that Mastodon clients expect.
//!
//! People type posts as plain text, but clients render `content` as HTML and recognise links, mentions and
//! hashtags by the exact markup Mastodon emits (class names, invisible spans), so this module reproduces that
//! markup. It stays pure: looking an account up for a mention is the caller's job, passed in as a closure.
//!
//! Everything that is not a recognised entity is HTML-escaped, so no markup typed in a post reaches the output.

/// Mastodon counts every URL as this many characters, whatever its real length, so that link shorteners give no
/// advantage and clients can predict the count.
const URL_COUNTED_LENGTH: usize = 23;

/// Mastodon shows at most this many characters of a URL after its scheme and hides the rest behind an ellipsis.
const URL_VISIBLE_CHARS: usize = 30;

/// Characters that end a sentence rather than a URL: `see https://a.example.` links to `https://a.example`.
const URL_TRAILING_PUNCTUATION: [char; 6] = ['.', ',', ':', ';', '!', '?'];

/// One piece of a post's text.
///
/// Every variant borrows from the input, so tokenizing allocates only the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text with no entity in it, as typed.
    Text(&'a str),
    /// A link, scheme included, without trailing punctuation.
    Url(&'a str),
    /// `@username` or `@username@domain`, both parts as typed.
    Mention { username: &'a str, domain: Option<&'a str> },
    /// A hashtag's name as typed, without the `#`.
    Hashtag(&'a str),
}

/// Splits plain text into tokens.
///
/// Adjacent plain characters are merged into one `Text`, so rendering and counting see each run once.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut pos = 0;
    while pos < text.len() {
        let found = match text.as_bytes()[pos] {
            b'h' | b'H' => url_at(text, pos),
            b'@' => mention_at(text, pos),
            b'#' => hashtag_at(text, pos),
            _ => None,
        };
        match found {
            Some((token, end)) => {
                if text_start < pos {
                    tokens.push(Token::Text(&text[text_start..pos]));
                }
                tokens.push(token);
                pos = end;
                text_start = end;
            }
            None => pos += text[pos..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if text_start < text.len() {
        tokens.push(Token::Text(&text[text_start..]));
    }
    tokens
}

/// Recognises a URL starting at byte `start`, returning it and the byte where it ends.
fn url_at(text: &str, start: usize) -> Option<(Token<'_>, usize)> {
    let rest = &text[start..];
    let scheme_len = ["https://", "http://"]
        .into_iter()
        .find(|scheme| rest.as_bytes().get(..scheme.len()).is_some_and(|b| b.eq_ignore_ascii_case(scheme.as_bytes())))?
        .len();
    let mut url = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
    // Strip repeatedly: `(see https://a.example/x).` ends with both a period and a closing parenthesis.
    loop {
        if let Some(shorter) = url.strip_suffix(URL_TRAILING_PUNCTUATION) {
            url = shorter;
        } else if url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
            // A `)` without its `(` belongs to the sentence; a balanced one is part of the URL, as in
            // Wikipedia's `Rust_(programming_language)`.
            url = &url[..url.len() - 1];
        } else {
            break;
        }
    }
    (url.len() > scheme_len).then_some((Token::Url(url), start + url.len()))
}

/// Recognises a mention whose `@` is at byte `at`, returning it and the byte where it ends.
fn mention_at(text: &str, at: usize) -> Option<(Token<'_>, usize)> {
    // `ana@acme.example` is an e-mail address and `https://x.example/@ana` a path, not mentions.
    if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '/' | '@')) {
        return None;
    }
    let user_start = at + 1;
    let username = username_prefix(&text[user_start..])?;
    let mut end = user_start + username.len();
    let mut domain = None;
    match text[end..].chars().next() {
        // `@ana@nowhere` names a remote account we cannot locate; mentioning the local `ana` instead would notify
        // the wrong person, so the whole thing stays text.
        Some('@') => {
            let host = domain_prefix(&text[end + 1..])?;
            end += 1 + host.len();
            domain = Some(host);
        }
        // `@anaïs` is not a mention of `ana`, for the same reason.
        Some(c) if c.is_alphanumeric() => return None,
        _ => {}
    }
    Some((Token::Mention { username, domain }, end))
}

/// The longest username at the start of `s`: `[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?`.
///
/// Dots and hyphens are allowed inside because other fediverse software permits them; they may not end the name so
/// that `@ana.` at the end of a sentence mentions `ana`.
fn username_prefix(s: &str) -> Option<&str> {
    let run = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(s.len());
    let name = s[..run].trim_end_matches(['.', '-']);
    name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_').then_some(name)
}

/// The host name, with an optional `:port`, at the start of `s`.
///
/// It needs a dot or a port to count, so that a bare word after a second `@` is not taken for a server; the port is
/// what lets `localhost:3001` work in development.
fn domain_prefix(s: &str) -> Option<&str> {
    let run = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))).unwrap_or(s.len());
    // A trailing dot ends the sentence, not the host.
    let host = s[..run].trim_end_matches(['.', '-']);
    let labels_valid =
        host.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if !labels_valid {
        return None;
    }
    let port = s[host.len()..]
        .strip_prefix(':')
        .map(|after| &after[..after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len())])
        .filter(|digits| digits.parse::<u16>().is_ok());
    let len = host.len() + port.map_or(0, |digits| 1 + digits.len());
    (host.contains('.') || port.is_some()).then_some(&s[..len])
}

/// Recognises a hashtag whose `#` is at byte `at`, returning it and the byte where it ends.
fn hashtag_at(text: &str, at: usize) -> Option<(Token<'_>, usize)> {
    // Only after whitespace or an opening bracket or quote, so that `a#b`, `C#` and URL fragments are not tags.
    if text[..at].chars().next_back().is_some_and(|c| !(c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\''))) {
        return None;
    }
    let rest = &text[at + 1..];
    let name = &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())];
    // `#1` is a number ("issue #1"), not a topic.
    name.chars().any(|c| c.is_alphabetic() || c == '_').then_some((Token::Hashtag(name), at + 1 + name.len()))
}

/// The distinct hashtags in text, lower-cased, in first-seen order (for storage and tag timelines).
///
/// Lower-casing makes `#Rust` and `#rust` one tag, as Mastodon's tag timelines do.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for token in tokenize(text) {
        if let Token::Hashtag(name) = token {
            let name = name.to_lowercase();
            if !tags.contains(&name) {
                tags.push(name);
            }
        }
    }
    tags
}

/// The distinct mentions in text as `(username, Option<domain>)`, in first-seen order, domain lower-cased.
///
/// Usernames are compared without regard to ASCII case, as Mastodon resolves them, so `@Ana @ana` notifies one
/// account once; the first spelling is kept.
pub fn mentions(text: &str) -> Vec<(String, Option<String>)> {
    let mut found: Vec<(String, Option<String>)> = Vec::new();
    for token in tokenize(text) {
        if let Token::Mention { username, domain } = token {
            let domain = domain.map(str::to_ascii_lowercase);
            if !found.iter().any(|(seen, seen_domain)| seen.eq_ignore_ascii_case(username) && *seen_domain == domain) {
                found.push((username.to_owned(), domain));
            }
        }
    }
    found
}

/// How a resolved mention renders: the account's profile URL and the text to show after `@` (username only for
/// local accounts; Mastodon shows the short form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionLink {
    pub url: String,
    pub username: String,
}

/// Renders plain text as HTML.
///
/// `resolve` maps a mention (username as typed, domain lower-cased as in [`mentions`]) to its link, or to `None`:
/// an unknown account stays plain text, escaped, so a typo links nowhere. `tag_base_url` is e.g.
/// `"https://es.acme.example/tags"`; a trailing `/` is ignored.
///
/// Blank lines (possibly holding spaces) separate paragraphs, as Rails' `simple_format` used by Mastodon does.
pub fn render_plain_text(
    text: &str,
    resolve: impl Fn(&str, Option<&str>) -> Option<MentionLink>,
    tag_base_url: &str,
) -> String {
    let text = text.replace("\r\n", "\n");
    let tag_base_url = tag_base_url.trim_end_matches('/');
    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in text.trim().split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }

    let mut html = String::with_capacity(text.len() * 2);
    for lines in paragraphs {
        html.push_str("<p>");
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            for token in tokenize(line) {
                push_token(&mut html, token, &resolve, tag_base_url);
            }
        }
        html.push_str("</p>");
    }
    html
}

/// Appends one token's HTML, in Mastodon's markup.
fn push_token(
    html: &mut String,
    token: Token<'_>,
    resolve: &impl Fn(&str, Option<&str>) -> Option<MentionLink>,
    tag_base_url: &str,
) {
    match token {
        Token::Text(text) => push_escaped(html, text),
        Token::Url(url) => push_url(html, url),
        Token::Mention { username, domain } => {
            let lowered = domain.map(str::to_ascii_lowercase);
            match resolve(username, lowered.as_deref()) {
                Some(link) => {
                    html.push_str(r#"<span class="h-card" translate="no"><a href=""#);
                    push_escaped(html, &link.url);
                    html.push_str(r#"" class="u-url mention">@<span>"#);
                    push_escaped(html, &link.username);
                    html.push_str("</span></a></span>");
                }
                None => {
                    html.push('@');
                    push_escaped(html, username);
                    if let Some(domain) = domain {
                        html.push('@');
                        push_escaped(html, domain);
                    }
                }
            }
        }
        Token::Hashtag(name) => {
            html.push_str(r#"<a href=""#);
            push_escaped(html, tag_base_url);
            html.push('/');
            push_percent_encoded(html, &name.to_lowercase());
            html.push_str(r#"" class="mention hashtag" rel="tag">#<span>"#);
            push_escaped(html, name);
            html.push_str("</span></a>");
        }
    }
}

/// Appends a link with the scheme hidden and, past [`URL_VISIBLE_CHARS`], the tail hidden behind an ellipsis, which
/// is how Mastodon keeps long links from dominating a post while the href stays complete.
fn push_url(html: &mut String, url: &str) {
    // Token::Url always holds `://`; were it missing, the whole URL would simply be shown.
    let (scheme, rest) = url.split_at(url.find("://").map_or(0, |i| i + 3));
    let visible_end = rest.char_indices().nth(URL_VISIBLE_CHARS).map_or(rest.len(), |(i, _)| i);
    let (visible, hidden) = rest.split_at(visible_end);
    html.push_str(r#"<a href=""#);
    push_escaped(html, url);
    html.push_str(r#"" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">"#);
    push_escaped(html, scheme);
    html.push_str(if hidden.is_empty() { r#"</span><span class="">"# } else { r#"</span><span class="ellipsis">"# });
    push_escaped(html, visible);
    html.push_str(r#"</span><span class="invisible">"#);
    push_escaped(html, hidden);
    html.push_str("</span></a>");
}

/// Appends `text` with every byte outside the URL-unreserved set percent-encoded, so non-ASCII tag names give
/// valid hrefs.
fn push_percent_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// Escapes text for HTML (& < > " ').
///
/// Quotes are escaped too, so the result is safe inside attribute values as well as element content.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends escaped text without an intermediate string; rendering calls this for every piece.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Counts characters the way Mastodon does for the length limit: every URL counts as 23 characters, a remote
/// mention `@user@domain` counts only as `@user`; other text counts Unicode scalar values.
///
/// Matching Mastodon matters because clients count locally and refuse to send a post they think is too long.
pub fn countable_length(text: &str) -> usize {
    tokenize(text)
        .into_iter()
        .map(|token| match token {
            Token::Text(text) => text.chars().count(),
            Token::Url(_) => URL_COUNTED_LENGTH,
            Token::Mention { username, .. } => 1 + username.chars().count(),
            Token::Hashtag(name) => 1 + name.chars().count(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAGS: &str = "https://es.acme.example/tags";

    /// Knows a local `ana` and a remote `bob@other.example`; everyone else is unknown.
    fn resolve(username: &str, domain: Option<&str>) -> Option<MentionLink> {
        match (username, domain) {
            ("ana", None) => Some(MentionLink { url: "https://es.acme.example/@ana".into(), username: "ana".into() }),
            ("bob", Some("other.example")) => {
                Some(MentionLink { url: "https://other.example/@bob".into(), username: "bob".into() })
            }
            _ => None,
        }
    }

    fn render(text: &str) -> String {
        render_plain_text(text, resolve, TAGS)
    }

    fn link(url: &str, scheme: &str, shown: &str) -> String {
        format!(
            r#"<a href="{url}" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">{scheme}</span><span class="">{shown}</span><span class="invisible"></span></a>"#
        )
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(render("hola"), "<p>hola</p>");
        assert_eq!(render("uno\ndos"), "<p>uno<br>dos</p>");
        assert_eq!(render("uno\n\n\ndos\ntres"), "<p>uno</p><p>dos<br>tres</p>");
        assert_eq!(render("\r\n  uno\r\ndos\r\n\r\ntres \n"), "<p>uno<br>dos</p><p>tres</p>");
        assert_eq!(render("uno\n  \ndos"), "<p>uno</p><p>dos</p>");
    }

    #[test]
    fn empty_text_renders_nothing() {
        assert_eq!(render(""), "");
        assert_eq!(render(" \n\r\n\t"), "");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape_html(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(
            render("<script>alert('x')</script> & co"),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p>"
        );
    }

    #[test]
    fn url_without_trailing_punctuation() {
        assert_eq!(
            tokenize("mira https://acme.example/a?b=1."),
            [Token::Text("mira "), Token::Url("https://acme.example/a?b=1"), Token::Text(".")]
        );
        assert_eq!(tokenize("http://a.example!?;"), [Token::Url("http://a.example"), Token::Text("!?;")]);
        assert_eq!(
            render("Mira https://acme.example/x, ya."),
            format!("<p>Mira {}, ya.</p>", link("https://acme.example/x", "https://", "acme.example/x"))
        );
    }

    #[test]
    fn parenthesised_url() {
        assert_eq!(
            tokenize("(see https://a.example/x)."),
            [Token::Text("(see "), Token::Url("https://a.example/x"), Token::Text(").")]
        );
        assert_eq!(
            tokenize("(https://en.example/wiki/Rust_(lang))"),
            [Token::Text("("), Token::Url("https://en.example/wiki/Rust_(lang)"), Token::Text(")")]
        );
    }

    #[test]
    fn bare_scheme_is_not_a_url() {
        assert_eq!(tokenize("https:// x"), [Token::Text("https:// x")]);
        assert_eq!(tokenize("http://."), [Token::Text("http://.")]);
    }

    #[test]
    fn url_is_escaped() {
        assert_eq!(
            render(r#"https://a.example/?q=<b>&x="1""#),
            link(
                "https://a.example/?q=&lt;b&gt;&amp;x=&quot;1&quot;",
                "https://",
                "a.example/?q=&lt;b&gt;&amp;x=&quot;1&quot;"
            )
            .replace("<a", "<p><a")
                + "</p>"
        );
    }

    #[test]
    fn long_url_gets_an_ellipsis() {
        let url = "https://www.acme.example/a/very/long/path/that/goes/on";
        assert_eq!(
            render(url),
            format!(
                r#"<p><a href="{url}" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">www.acme.example/a/very/long/p</span><span class="invisible">ath/that/goes/on</span></a></p>"#
            )
        );
        // Exactly 30 characters after the scheme still shows whole.
        let thirty = "http://abcdefghijklmnopqrstuvwxyz.com";
        assert_eq!(render(thirty), format!("<p>{}</p>", link(thirty, "http://", "abcdefghijklmnopqrstuvwxyz.com")));
    }

    #[test]
    fn local_mentions() {
        assert_eq!(tokenize("@ana."), [Token::Mention { username: "ana", domain: None }, Token::Text(".")]);
        assert_eq!(
            render("hola @ana"),
            r#"<p>hola <span class="h-card" translate="no"><a href="https://es.acme.example/@ana" class="u-url mention">@<span>ana</span></a></span></p>"#
        );
        assert_eq!(render("hola @nadie"), "<p>hola @nadie</p>");
    }

    #[test]
    fn remote_mentions() {
        assert_eq!(
            tokenize("@bob@Other.Example: hi"),
            [Token::Mention { username: "bob", domain: Some("Other.Example") }, Token::Text(": hi")]
        );
        assert_eq!(
            render("(@bob@Other.Example)"),
            r#"<p>(<span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span>)</p>"#
        );
        assert_eq!(render("@ana@lejos.example."), "<p>@ana@lejos.example.</p>");
        assert_eq!(
            tokenize("@dev.user@localhost:3001"),
            [Token::Mention { username: "dev.user", domain: Some("localhost:3001") }]
        );
    }

    #[test]
    fn doubtful_mentions_stay_text() {
        assert_eq!(tokenize("@ana@nowhere"), [Token::Text("@ana@nowhere")]);
        assert_eq!(tokenize("@anaïs"), [Token::Text("@anaïs")]);
        assert_eq!(tokenize("@ and @."), [Token::Text("@ and @.")]);
        assert_eq!(tokenize("@ana@acme..example"), [Token::Text("@ana@acme..example")]);
    }

    #[test]
    fn email_address_is_not_a_mention() {
        assert_eq!(tokenize("write to ana@acme.example"), [Token::Text("write to ana@acme.example")]);
        assert_eq!(render("ana@acme.example"), "<p>ana@acme.example</p>");
        assert!(mentions("ana_b@acme.example x/@ana @@ana").is_empty());
    }

    #[test]
    fn hashtags_render_with_encoded_lowercase_href() {
        assert_eq!(
            render("#Año2026"),
            r#"<p><a href="https://es.acme.example/tags/a%C3%B1o2026" class="mention hashtag" rel="tag">#<span>Año2026</span></a></p>"#
        );
        assert_eq!(
            render_plain_text("#Rust", resolve, "https://es.acme.example/tags/"),
            r#"<p><a href="https://es.acme.example/tags/rust" class="mention hashtag" rel="tag">#<span>Rust</span></a></p>"#
        );
    }

    #[test]
    fn hashtag_boundaries() {
        assert_eq!(tokenize("issue #1"), [Token::Text("issue #1")]);
        assert_eq!(tokenize("#_1"), [Token::Hashtag("_1")]);
        assert_eq!(tokenize("a#b C#"), [Token::Text("a#b C#")]);
        assert_eq!(
            tokenize(r##"("#uno) ['#dos]"##),
            [Token::Text("(\""), Token::Hashtag("uno"), Token::Text(") ['"), Token::Hashtag("dos"), Token::Text("]"),]
        );
        assert_eq!(tokenize("#tag.#no"), [Token::Hashtag("tag"), Token::Text(".#no")]);
    }

    #[test]
    fn hashtags_are_distinct_and_lowercased() {
        assert_eq!(hashtags("#Rust y #rust, #Año2026 #1 #RUST #año2026"), ["rust", "año2026"]);
        assert!(hashtags("sin etiquetas").is_empty());
    }

    #[test]
    fn mentions_are_distinct_with_lowercased_domain() {
        assert_eq!(
            mentions("@ana @bob@Other.Example @Ana @bob@other.example @bob"),
            [("ana".to_owned(), None), ("bob".to_owned(), Some("other.example".to_owned())), ("bob".to_owned(), None),]
        );
    }

    #[test]
    fn countable_length_counts_urls_and_remote_mentions_short() {
        assert_eq!(countable_length("año"), 3);
        assert_eq!(countable_length("see https://www.acme.example/a/very/long/path/that/goes/on"), 4 + 23);
        assert_eq!(countable_length("https://a.b"), 23);
        assert_eq!(countable_length("hi @bob@other.example!"), "hi @bob!".len());
        assert_eq!(countable_length("@ana #tag"), 9);
    }

    #[test]
    fn mixed_post() {
        let text = "¡Hola @ana y @bob@other.example!\r\nMirad https://acme.example/blog (y <b>más</b>).\r\n\r\n\r\n#Tertulia #1 a#b @desconocido ana@acme.example";
        let expected = concat!(
            r#"<p>¡Hola <span class="h-card" translate="no"><a href="https://es.acme.example/@ana" class="u-url mention">@<span>ana</span></a></span>"#,
            r#" y <span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span>!<br>"#,
            r#"Mirad <a href="https://acme.example/blog" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="">acme.example/blog</span><span class="invisible"></span></a>"#,
            r#" (y &lt;b&gt;más&lt;/b&gt;).</p>"#,
            r#"<p><a href="https://es.acme.example/tags/tertulia" class="mention hashtag" rel="tag">#<span>Tertulia</span></a>"#,
            r#" #1 a#b @desconocido ana@acme.example</p>"#,
        );
        assert_eq!(render(text), expected);
    }
}
