//! Photos technicians take on site. Only image types a phone camera makes
//! are accepted, and the bytes must be what the declared type says: a file
//! named `.png` that is really HTML is refused, so stored files can be
//! served back without being trusted.

use crate::history::Actor;
use crate::{Invalid, JobId, JobPhotoId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// 10 MiB: a full-resolution phone photo, with room to spare.
pub const PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Webp,
    Heic,
}

impl PhotoType {
    pub const ALL: [PhotoType; 4] = [
        PhotoType::Jpeg,
        PhotoType::Png,
        PhotoType::Webp,
        PhotoType::Heic,
    ];

    pub fn mime(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
            PhotoType::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpg",
            PhotoType::Png => "png",
            PhotoType::Webp => "webp",
            PhotoType::Heic => "heic",
        }
    }

    /// A declared media type, parameters and case ignored.
    pub fn from_mime(raw: &str) -> Option<PhotoType> {
        let mime = raw.split(';').next()?.trim().to_ascii_lowercase();
        match mime.as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(PhotoType::Jpeg),
            "image/png" => Some(PhotoType::Png),
            "image/webp" => Some(PhotoType::Webp),
            "image/heic" | "image/heif" => Some(PhotoType::Heic),
            _ => None,
        }
    }

    /// The type the first bytes of a file show.
    pub fn sniff(bytes: &[u8]) -> Option<PhotoType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoType::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(PhotoType::Webp)
        } else if bytes.len() >= 12
            && &bytes[4..8] == b"ftyp"
            && [
                b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
            ]
            .iter()
            .any(|brand| &bytes[8..12] == *brand)
        {
            Some(PhotoType::Heic)
        } else {
            None
        }
    }
}

const ALLOWED: &str = "must be a JPEG, PNG, WebP or HEIC image";

/// Checks an upload: not empty, not too large, an allowed type whose bytes
/// match what was declared. A missing or generic declared type
/// (`application/octet-stream`) defers to the bytes.
pub fn check_photo(declared: Option<&str>, bytes: &[u8]) -> Result<PhotoType, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::field("file", "is empty"));
    }
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(Invalid::field("file", "is larger than 10 MB"));
    }
    let declared = declared
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.starts_with("application/octet-stream"));
    let sniffed = PhotoType::sniff(bytes);
    match (declared, sniffed) {
        (None, Some(t)) => Ok(t),
        (None, None) => Err(Invalid::field("content_type", ALLOWED)),
        (Some(d), sniffed) => match PhotoType::from_mime(d) {
            None => Err(Invalid::field("content_type", ALLOWED)),
            Some(t) if sniffed == Some(t) => Ok(t),
            Some(t) => Err(Invalid::field(
                "content_type",
                format!("the file is not a {} image", t.extension().to_uppercase()),
            )),
        },
    }
}

/// The name a file is shown and downloaded under: the last path component
/// of what the client sent, letters, digits, dot, dash, underscore and
/// space only. It never becomes part of a storage path.
pub fn clean_file_name(raw: Option<&str>, kind: PhotoType) -> String {
    let last = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(100)
        .collect();
    let trimmed = kept.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        format!("photo.{}", kind.extension())
    } else {
        trimmed.to_string()
    }
}

/// A stored photo's description; the bytes are fetched separately.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobPhoto {
    pub id: JobPhotoId,
    pub job_id: JobId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: Actor,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'];

    fn field(r: Result<PhotoType, Invalid>) -> String {
        r.unwrap_err().0[0].field.clone()
    }

    #[test]
    fn declared_types_must_match_the_bytes() {
        assert_eq!(check_photo(Some("image/png"), PNG), Ok(PhotoType::Png));
        assert_eq!(
            check_photo(Some("IMAGE/JPEG; q=1"), JPEG),
            Ok(PhotoType::Jpeg)
        );
        assert_eq!(check_photo(None, JPEG), Ok(PhotoType::Jpeg));
        assert_eq!(
            check_photo(Some("application/octet-stream"), PNG),
            Ok(PhotoType::Png)
        );
        assert_eq!(field(check_photo(Some("image/png"), JPEG)), "content_type");
        assert_eq!(
            field(check_photo(Some("image/png"), b"<html>")),
            "content_type"
        );
        assert_eq!(field(check_photo(Some("text/html"), PNG)), "content_type");
        assert_eq!(
            field(check_photo(Some("image/gif"), b"GIF89a")),
            "content_type"
        );
        assert_eq!(field(check_photo(None, b"plain text")), "content_type");
    }

    #[test]
    fn webp_and_heic_are_recognised() {
        let webp = b"RIFF\x10\0\0\0WEBPVP8 ";
        assert_eq!(PhotoType::sniff(webp), Some(PhotoType::Webp));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0";
        assert_eq!(check_photo(Some("image/heic"), heic), Ok(PhotoType::Heic));
    }

    #[test]
    fn size_limits() {
        assert_eq!(field(check_photo(Some("image/png"), b"")), "file");
        let mut big = PNG.to_vec();
        big.resize(PHOTO_MAX_BYTES + 1, 0);
        assert_eq!(field(check_photo(Some("image/png"), &big)), "file");
        big.truncate(PHOTO_MAX_BYTES);
        assert!(check_photo(Some("image/png"), &big).is_ok());
    }

    #[test]
    fn file_names_lose_their_paths() {
        let png = PhotoType::Png;
        assert_eq!(clean_file_name(Some("../../etc/passwd"), png), "passwd");
        assert_eq!(clean_file_name(Some("..\\..\\boot.ini"), png), "boot.ini");
        assert_eq!(clean_file_name(Some("/tmp/.."), png), "photo.png");
        assert_eq!(clean_file_name(Some(".hidden.png"), png), "hidden.png");
        assert_eq!(
            clean_file_name(Some("furnace <1>.png"), png),
            "furnace 1.png"
        );
        assert_eq!(clean_file_name(None, PhotoType::Jpeg), "photo.jpg");
    }
}
