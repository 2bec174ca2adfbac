//! Evidence files (photos before and after, signed documents): which kinds are accepted and
//! how they are recognised — by their content, never by their name.

/// The largest evidence file accepted: 10 MB (a phone photo is 2-6 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// An accepted kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// PDF document.
    Pdf,
}

impl Kind {
    /// The MIME type served with it.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    /// The file extension used when it is downloaded.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// The kind for a stored MIME type.
    pub fn from_content_type(s: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Pdf].into_iter().find(|k| k.content_type() == s)
    }
}

/// Recognises a file by its first bytes (magic numbers); `None` for anything else, whatever
/// its name says.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content_not_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Kind::Png));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
        assert_eq!(sniff(b"MZ\x90\0\x03"), None, "a Windows executable renamed photo.jpg");
        assert_eq!(sniff(b"\x7fELF"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None, "SVG can carry script: refused");
        assert_eq!(sniff(b""), None);
    }
}
