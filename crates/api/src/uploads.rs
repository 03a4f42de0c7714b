//! Multipart bodies: text fields, and files streamed to temporary files in
//! the media directory with the size limit enforced as bytes arrive, so an
//! oversized file is refused without being held in memory or left on disk.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::ResponseError;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::error::InternalError;
use actix_web::http::ConnectionType;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use tempfile::NamedTempFile;
use tertulia_core::Config;
use tertulia_core::config::MediaConfig;
use tertulia_core::media::{MediaType, SNIFF_LEN};
use tokio::io::AsyncWriteExt;

use crate::ApiError;

/// Files accepted in one request (an upload and its thumbnail; an avatar
/// and a header).
const MAX_FILES: usize = 2;

/// A file from a multipart form. The temporary file is deleted when this
/// is dropped.
pub struct Upload {
    pub field: String,
    pub file: NamedTempFile,
}

pub struct Received {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

/// Reads the whole form. A refusal (too large, wrong type) is answered at
/// once and the connection closed after it: the rest of the body, which
/// may be gigabytes a client keeps streaming, is never read.
pub async fn receive(mut multipart: Multipart, config: &Config) -> Result<Received, actix_web::Error> {
    match read_all(&mut multipart, config).await {
        Ok(received) => Ok(received),
        Err(refusal) => Err(refuse_unread(refusal, multipart)),
    }
}

/// The refusal's response, marked `Connection: close`, holding on to the
/// unread body until its last byte is sent. actix-http closes the
/// connection after answering a request whose body is still held unread;
/// a body already dropped it would instead read to the end when chunked,
/// to keep the connection for the next request.
fn refuse_unread(refusal: ApiError, unread: Multipart) -> actix_web::Error {
    let response = refusal.error_response().map_body(|head, body| {
        head.set_connection_type(ConnectionType::Close);
        BoxBody::new(HoldingUnread { body, _unread: unread })
    });
    InternalError::from_response(refusal, response).into()
}

/// A response body that keeps the request's unread body alive until done.
struct HoldingUnread {
    body: BoxBody,
    _unread: Multipart,
}

impl MessageBody for HoldingUnread {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

fn malformed(error: MultipartError) -> ApiError {
    ApiError::BadRequest(format!("invalid multipart form: {error}"))
}

fn internal(error: std::io::Error) -> ApiError {
    ApiError::Internal(format!("storing an upload: {error}"))
}

async fn read_all(multipart: &mut Multipart, config: &Config) -> Result<Received, ApiError> {
    let mut received = Received { fields: Vec::new(), files: Vec::new() };
    let mut text_bytes = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let has_filename = field.content_disposition().and_then(|d| d.get_filename()).is_some();
        let is_text = field.content_type().is_none_or(|mime| mime.essence_str() == "text/plain");
        // A file input left empty: browsers send it as a part with
        // `filename=""`, no content and application/octet-stream (HTML,
        // "constructing the entry list"); web clients such as Phanpy send
        // their whole profile form so. Rack, and so Mastodon, reads it as an
        // empty text parameter, which changes nothing: read it as text here.
        let empty_file_input = field.content_disposition().and_then(|d| d.get_filename()) == Some("");
        if !empty_file_input && (has_filename || !is_text) {
            if received.files.len() >= MAX_FILES {
                return Err(ApiError::invalid(
                    tertulia_domain::Invalidity::AboveLimit,
                    &name,
                    format!("at most {MAX_FILES} files can be sent at once"),
                ));
            }
            let file = receive_file(&mut field, &config.media).await?;
            received.files.push(Upload { field: name, file });
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            text_bytes += chunk.len() as u64;
            if text_bytes > config.limits.max_request_bytes {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the form's text is larger than the {}-byte limit",
                    config.limits.max_request_bytes
                )));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .map_err(|_| ApiError::BadRequest(format!("the field '{name}' is not valid UTF-8")))?;
        received.fields.push((name, value));
    }
    Ok(received)
}

/// Streams one file to a temporary file. The limit is the larger of the
/// image and video limits until the first bytes tell the file's type,
/// then that type's own.
async fn receive_file(field: &mut Field, media: &MediaConfig) -> Result<NamedTempFile, ApiError> {
    let dir = media.dir.join("tmp");
    tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
    let temp = tempfile::Builder::new().prefix("upload-").tempfile_in(&dir).map_err(internal)?;
    let mut out = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(internal)?);
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let mut limit = media.max_image_bytes.max(media.max_video_bytes);
    let mut size = 0;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        if head.len() < SNIFF_LEN {
            head.extend_from_slice(&chunk[..chunk.len().min(SNIFF_LEN - head.len())]);
            if head.len() == SNIFF_LEN {
                limit = media.max_bytes(sniff(&head)?.kind());
            }
        }
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge(format!("the file is larger than the {limit}-byte limit")));
        }
        out.write_all(&chunk).await.map_err(internal)?;
    }
    sniff(&head)?;
    out.flush().await.map_err(internal)?;
    Ok(temp)
}

fn sniff(head: &[u8]) -> Result<MediaType, ApiError> {
    MediaType::sniff(head).ok_or_else(|| tertulia_domain::media::unsupported().into())
}
