//! What the fuzz targets check beyond "no panic": HTML that reaches
//! clients carries only the markup we allow, read the way a browser reads
//! it, so a post can never run script in a reader's client.

/// The elements and attributes a piece of HTML may use.
pub struct Markup<'a> {
    pub tags: &'a [&'a str],
    pub attributes: &'a [&'a str],
}

/// Schemes a link may use; anything else (`javascript:`, `data:`,
/// `vbscript:`…) could run code or smuggle content when clicked.
const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The character references our serialisers write: `&` always starts one
/// of these, so an attribute is read here exactly as a browser reads it.
const REFERENCES: [(&str, &str); 6] =
    [("&amp;", "&"), ("&quot;", "\""), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", "\u{a0}")];

/// Checks that every tag in `html` is allowed by `markup` and every link
/// has an allowed scheme; the error names the first thing that is not.
pub fn check_markup(html: &str, markup: &Markup<'_>) -> Result<(), String> {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag = &rest[open + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name_end = tag.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        if !markup.tags.contains(&name.as_str()) {
            return Err(format!("element <{name}> is not allowed"));
        }
        rest = check_attributes(&name, &tag[name_end..], markup)?;
    }
    Ok(())
}

/// Reads the attributes of element `name` up to its `>` and returns what
/// follows the tag.
fn check_attributes<'h>(name: &str, mut rest: &'h str, markup: &Markup<'_>) -> Result<&'h str, String> {
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if let Some(after) = rest.strip_prefix('>') {
            return Ok(after);
        }
        if rest.is_empty() {
            return Err(format!("<{name}> is not closed"));
        }
        let attribute_end =
            rest.find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/').unwrap_or(rest.len());
        let attribute = rest[..attribute_end].to_ascii_lowercase();
        if !markup.attributes.contains(&attribute.as_str()) {
            return Err(format!("attribute {attribute} on <{name}> is not allowed"));
        }
        rest = &rest[attribute_end..];
        let Some(quoted) = rest.strip_prefix("=\"") else {
            continue;
        };
        let value_end = quoted.find('"').ok_or_else(|| format!("{attribute} on <{name}> has no closing quote"))?;
        let value = decode_references(&quoted[..value_end])?;
        if attribute == "href" {
            check_link(&value)?;
        }
        rest = &quoted[value_end + 1..];
    }
}

/// An attribute value as the browser sees it; an `&` that starts anything
/// but the references our serialisers write is refused, since a browser
/// would decode it into something this check did not see.
fn decode_references(value: &str) -> Result<String, String> {
    let mut decoded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        let (reference, text) = REFERENCES
            .iter()
            .find(|(reference, _)| rest[amp..].starts_with(reference))
            .ok_or_else(|| format!("unexpected character reference in attribute value '{value}'"))?;
        decoded.push_str(text);
        rest = &rest[amp + reference.len()..];
    }
    decoded.push_str(rest);
    Ok(decoded)
}

/// Refuses a link whose scheme is not allowed, reading it as the URL
/// standard does: surrounding spaces and controls dropped, tabs and new
/// lines removed anywhere (`java\tscript:` is `javascript:`).
fn check_link(href: &str) -> Result<(), String> {
    let trimmed = href.trim_matches(|c: char| c <= ' ');
    let url: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let scheme_end = url.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')));
    let scheme = match scheme_end {
        Some(end) if end > 0 && url[end..].starts_with(':') && url.starts_with(|c: char| c.is_ascii_alphabetic()) => {
            url[..end].to_ascii_lowercase()
        }
        // No scheme: a link relative to the page, which stays on our site.
        _ => return Ok(()),
    };
    if LINK_SCHEMES.contains(&scheme.as_str()) { Ok(()) } else { Err(format!("link '{href}' uses scheme {scheme}:")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINKS: Markup<'static> = Markup { tags: &["p", "a"], attributes: &["href", "class"] };

    #[test]
    fn allowed_markup_passes() {
        check_markup(r#"<p>a &lt;b&gt; <a href="https://x.example/?a=1&amp;b=2" class="u">x</a></p>"#, &LINKS).unwrap();
        check_markup(r#"<a href="/tags/rust">#rust</a><a href="mailto:a@x.example">m</a>"#, &LINKS).unwrap();
    }

    #[test]
    fn scripts_handlers_and_bad_links_are_caught() {
        assert!(check_markup("<script>alert(1)</script>", &LINKS).is_err());
        assert!(check_markup(r#"<p onclick="x()">"#, &LINKS).is_err());
        assert!(check_markup(r#"<a href=" java&#9;script:alert(1)">"#, &LINKS).is_err());
        assert!(check_markup("<a href=\"java\tscript:alert(1)\">", &LINKS).is_err());
        assert!(check_markup(r#"<a href="JavaScript:alert(1)">"#, &LINKS).is_err());
        assert!(check_markup(r#"<a href="data:text/html,x">"#, &LINKS).is_err());
        assert!(check_markup("<!-- x -->", &LINKS).is_err());
        assert!(check_markup("<p", &LINKS).is_err());
    }
}
