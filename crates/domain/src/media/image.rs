//! Still images: decoding with a size guard, re-encoding (which drops EXIF
//! and other metadata), previews and blurhashes.

use std::io::BufWriter;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use serde_json::{Value, json};
use tertulia_core::media::MediaType;

use crate::DomainError;

/// Most pixels an image may have (Mastodon's `image_matrix_limit`).
pub const IMAGE_MATRIX_LIMIT: u64 = 16_777_216;
/// JPEG quality of re-encoded photos: visually lossless, much smaller than 100.
const JPEG_QUALITY: u8 = 90;
/// Blurhash detail (Mastodon's choice) and the size it is computed from.
const BLURHASH_COMPONENTS: (u32, u32) = (4, 4);
const BLURHASH_SOURCE_SIZE: u32 = 32;

fn unreadable(error: impl std::fmt::Display) -> DomainError {
    DomainError::invalid("file", format!("the image could not be read: {error}"))
}

fn format_of(media_type: MediaType) -> Result<ImageFormat, DomainError> {
    match media_type {
        MediaType::Jpeg => Ok(ImageFormat::Jpeg),
        MediaType::Png => Ok(ImageFormat::Png),
        MediaType::Gif => Ok(ImageFormat::Gif),
        MediaType::Webp => Ok(ImageFormat::WebP),
        other => Err(DomainError::invalid("file", format!("{} is not an image", other.mime()))),
    }
}

/// Decodes an image, turned upright as its EXIF orientation says (the tag
/// itself is lost on re-encoding). Refuses images over the pixel limit
/// before decoding them, so a small file cannot claim a huge canvas.
pub fn decode(path: &Path, media_type: MediaType) -> Result<DynamicImage, DomainError> {
    let mut reader = ImageReader::open(path).map_err(unreadable)?;
    reader.set_format(format_of(media_type)?);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > IMAGE_MATRIX_LIMIT {
        return Err(DomainError::invalid(
            "file",
            format!("the image is {width}×{height}: at most {IMAGE_MATRIX_LIMIT} pixels are accepted"),
        ));
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The image shrunk to fit `max_width`×`max_height`, keeping its shape;
/// a copy of smaller images.
pub fn fit(image: &DynamicImage, (max_width, max_height): (u32, u32)) -> DynamicImage {
    if image.width() <= max_width && image.height() <= max_height {
        return image.clone();
    }
    image.resize(max_width, max_height, FilterType::Lanczos3)
}

/// Writes `image` to `path` in the given format, with no metadata.
pub fn encode(image: &DynamicImage, media_type: MediaType, path: &Path) -> Result<(), DomainError> {
    let failed = |e: &dyn std::fmt::Display| DomainError::Internal(format!("writing {}: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut writer = BufWriter::new(file);
    let result = match media_type {
        // JPEG has no alpha channel; the encoder refuses RGBA.
        MediaType::Jpeg => {
            JpegEncoder::new_with_quality(&mut writer, JPEG_QUALITY).encode_image(&DynamicImage::from(image.to_rgb8()))
        }
        // The GIF and WebP encoders take 8-bit RGBA only.
        MediaType::Gif | MediaType::Webp => {
            DynamicImage::from(image.to_rgba8()).write_to(&mut writer, format_of(media_type)?)
        }
        other => image.write_to(&mut writer, format_of(other)?),
    };
    result.map_err(|e| failed(&e))?;
    std::io::Write::flush(&mut writer).map_err(|e| failed(&e))
}

/// Mastodon's `meta.original` / `meta.small` entry.
pub fn details(image: &DynamicImage) -> Value {
    let (width, height) = (image.width(), image.height());
    json!({
        "width": width,
        "height": height,
        "size": format!("{width}x{height}"),
        "aspect": f64::from(width) / f64::from(height.max(1)),
    })
}

/// A short text clients paint as a blurred placeholder while loading.
pub fn blurhash(image: &DynamicImage) -> Option<String> {
    let small = image.thumbnail(BLURHASH_SOURCE_SIZE, BLURHASH_SOURCE_SIZE).to_rgba8();
    let (x, y) = BLURHASH_COMPONENTS;
    blurhash::encode(x, y, small.width(), small.height(), small.as_raw()).ok()
}
