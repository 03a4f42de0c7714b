//! The file types accepted as media, recognised by their first bytes
//! (magic numbers), never by the name or type a client claims.

/// What a file is shown as in Mastodon's `MediaAttachment.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum MediaKind {
    Image,
    Video,
    Audio,
}

impl MediaKind {
    pub const ALL: [MediaKind; 3] = [MediaKind::Image, MediaKind::Video, MediaKind::Audio];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }
}

impl std::str::FromStr for MediaKind {
    type Err = crate::stored::UnknownName;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        MediaKind::ALL.into_iter().find(|kind| kind.as_str() == name).ok_or_else(|| crate::stored::UnknownName {
            kind: "media kind",
            name: name.to_owned(),
            expected: "image, video or audio",
        })
    }
}

#[cfg(feature = "diesel")]
crate::text_column!(MediaKind);

/// One supported file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    Webm,
    Mp3,
    Ogg,
}

/// Bytes needed to recognise every supported type.
pub const SNIFF_LEN: usize = 12;

impl MediaType {
    pub const ALL: [MediaType; 8] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Gif,
        MediaType::Webp,
        MediaType::Mp4,
        MediaType::Webm,
        MediaType::Mp3,
        MediaType::Ogg,
    ];

    /// The type of a file starting with `head` (at least [`SNIFF_LEN`]
    /// bytes, or the whole file if shorter); `None` if unsupported.
    pub fn sniff(head: &[u8]) -> Option<MediaType> {
        let starts = |magic: &[u8]| head.starts_with(magic);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(MediaType::Gif)
        } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
            Some(MediaType::Webp)
        } else if head.get(4..8) == Some(b"ftyp") {
            Some(MediaType::Mp4)
        } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(MediaType::Webm)
        } else if starts(b"OggS") {
            Some(MediaType::Ogg)
        } else if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
            // An ID3 tag, or straight into an MPEG audio frame header.
            Some(MediaType::Mp3)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Webp => "image/webp",
            MediaType::Mp4 => "video/mp4",
            MediaType::Webm => "video/webm",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Ogg => "audio/ogg",
        }
    }

    /// The file name extension files of this type are stored with.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Gif => "gif",
            MediaType::Webp => "webp",
            MediaType::Mp4 => "mp4",
            MediaType::Webm => "webm",
            MediaType::Mp3 => "mp3",
            MediaType::Ogg => "ogg",
        }
    }

    /// The type of a stored file, from the extension it was stored with.
    pub fn from_extension(extension: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|t| t.extension() == extension)
    }

    pub fn kind(self) -> MediaKind {
        match self {
            MediaType::Jpeg | MediaType::Png | MediaType::Gif | MediaType::Webp => MediaKind::Image,
            MediaType::Mp4 | MediaType::Webm => MediaKind::Video,
            MediaType::Mp3 | MediaType::Ogg => MediaKind::Audio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_their_bytes() {
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\r"), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE1]), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(MediaType::sniff(b"\0\0\0\x18ftypmp42"), Some(MediaType::Mp4));
        assert_eq!(MediaType::sniff(b"ID3\x04"), Some(MediaType::Mp3));
        assert_eq!(MediaType::sniff(b"hello, this is text"), None);
        assert_eq!(MediaType::sniff(b""), None);
    }

    #[test]
    fn extensions_round_trip() {
        for t in MediaType::ALL {
            assert_eq!(MediaType::from_extension(t.extension()), Some(t));
        }
    }
}
