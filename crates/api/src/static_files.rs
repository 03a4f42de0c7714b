//! Built-in images: the avatar and header shown for accounts without one.

use actix_web::HttpResponse;
use actix_web::http::header::{CacheControl, CacheDirective, ContentType};

pub const MISSING_AVATAR_PATH: &str = "/avatars/original/missing.png";
pub const MISSING_HEADER_PATH: &str = "/headers/original/missing.png";

const MISSING_AVATAR: &[u8] = include_bytes!("../assets/avatar-missing.png");
const MISSING_HEADER: &[u8] = include_bytes!("../assets/header-missing.png");

pub async fn missing_avatar() -> HttpResponse {
    png(MISSING_AVATAR)
}

pub async fn missing_header() -> HttpResponse {
    png(MISSING_HEADER)
}

fn png(bytes: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::png())
        .insert_header(CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]))
        .body(bytes)
}
