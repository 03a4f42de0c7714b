//! Entry points for the fuzz targets in `fuzz/` (docs/fuzzing.md): request
//! parameters decoded exactly as the extractors of [`crate::forms`] decode
//! them, into the parameter types of real endpoints, chosen to cover every
//! shape clients send (nested `a[0][name]=` and `a[][name]=` records,
//! `key[]=` arrays, loose booleans, numbers as text). The server itself never calls them.

use crate::ApiError;
use crate::forms::{decode_body, parse_form_text};

/// The errors of decoding a body sent with `content_type` (lower case, no
/// parameters) as each endpoint's parameters; one per endpoint refusing it.
pub fn body_errors(content_type: &str, body: &[u8]) -> Vec<ApiError> {
    [
        decode_body::<crate::statuses::StatusForm>(content_type, body).err(),
        decode_body::<crate::accounts::CredentialsForm>(content_type, body).err(),
        decode_body::<crate::filters::FilterForm>(content_type, body).err(),
        decode_body::<crate::oauth::apps::AppForm>(content_type, body).err(),
        decode_body::<crate::oauth::token::TokenForm>(content_type, body).err(),
        decode_body::<crate::polls::VoteForm>(content_type, body).err(),
        decode_body::<crate::push::PushForm>(content_type, body).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The errors of decoding a query string as each endpoint's parameters.
pub fn query_errors(query: &str) -> Vec<ApiError> {
    [
        parse_form_text::<crate::pagination::PageParams>(query).err(),
        parse_form_text::<crate::search::SearchParams>(query).err(),
        parse_form_text::<crate::streaming::StreamParams>(query).err(),
        parse_form_text::<crate::lists::AccountIds>(query).err(),
        parse_form_text::<crate::oauth::authorize::AuthorizeParams>(query).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
