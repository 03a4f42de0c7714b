use serde::Serialize;
use serde_json::Value;
use tertulia_core::{Config, Id};
use tertulia_domain::media::{self, MediaView};

/// The Mastodon `MediaAttachment` entity.
#[derive(Debug, Serialize)]
pub struct MediaAttachment {
    pub id: Id,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: Value,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

impl MediaAttachment {
    pub fn from_view(view: &MediaView, config: &Config) -> MediaAttachment {
        let url = view.file_path.as_deref().map(|path| media::url(config, path));
        MediaAttachment {
            id: view.id,
            kind: view.kind.as_str().into(),
            // Mastodon's `url` is the remote file when it was never copied.
            url: url.or_else(|| view.remote_url.clone()),
            preview_url: view.preview_path.as_deref().map(|path| media::url(config, path)),
            remote_url: view.remote_url.clone(),
            preview_remote_url: None,
            text_url: None,
            meta: view.meta.clone(),
            description: view.description.clone(),
            blurhash: view.blurhash.clone(),
        }
    }
}
