//! Paths with a trailing slash or repeated slashes reach the same route as
//! the plain path: Rails, and so Mastodon, ignores them, and clients such
//! as Mastodon.py send a trailing slash. Only such paths are rewritten;
//! actix's `NormalizePath` ran a regular expression over every path (6 %
//! of a home page's instructions, docs/benchmarks.md, "Routing").

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::http::uri::PathAndQuery;
use actix_web::middleware::Next;

/// The middleware: rewrites an untidy path before routing.
pub async fn tidy_path(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(uri) = tidied(request.uri()) {
        request.match_info_mut().get_mut().update(&uri);
        request.head_mut().uri = uri;
    }
    next.call(request).await
}

/// `uri` with its path tidied, or `None` when it is tidy already (or
/// cannot be rebuilt, which the router then answers as it is).
fn tidied(uri: &Uri) -> Option<Uri> {
    let path = tidy(uri.path())?;
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

/// `path` without a trailing slash and with runs of slashes made one, or
/// `None` when there is nothing to change.
fn tidy(path: &str) -> Option<String> {
    let untidy = path.contains("//") || (path.len() > 1 && path.ends_with('/'));
    if !untidy {
        return None;
    }
    let mut tidy = String::with_capacity(path.len());
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        tidy.push('/');
        tidy.push_str(segment);
    }
    if tidy.is_empty() {
        tidy.push('/');
    }
    Some(tidy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trailing_and_repeated_slashes_are_changed() {
        assert_eq!(tidy("/api/v1/timelines/home"), None);
        assert_eq!(tidy("/"), None);
        assert_eq!(tidy("/api/v1/accounts/").as_deref(), Some("/api/v1/accounts"));
        assert_eq!(tidy("//api//v1///statuses//").as_deref(), Some("/api/v1/statuses"));
        assert_eq!(tidy("//").as_deref(), Some("/"));
    }

    #[test]
    fn the_query_is_kept() {
        let uri: Uri = "/api/v1/timelines/home/?limit=5&max_id=9".parse().unwrap();
        assert_eq!(tidied(&uri).unwrap().to_string(), "/api/v1/timelines/home?limit=5&max_id=9");
        let absolute: Uri = "http://hq.example//api/v1/instance".parse().unwrap();
        assert_eq!(tidied(&absolute).unwrap().to_string(), "http://hq.example/api/v1/instance");
    }
}
