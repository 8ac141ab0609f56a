//! Serving attachments to the pages: downloads, and previews of images (PNG, JPEG, GIF, WebP)
//! and PDFs shown inside the document. What a file *is* is read from its first bytes, never taken
//! from the name or the media type the uploader's browser claimed, and only those five types are
//! ever served `inline`; everything else (HTML and SVG above all, which could run script on our
//! origin) is a download under a policy that forbids everything (`default-src 'none'; sandbox`).

use axum::http::header::{
    CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use malgeun_app::documents::AttachmentView;

use super::percent_encode;

/// The policy of a download and of an image preview: nothing may load or run, and a browser that
/// renders it anyway renders it in a sandbox (a unique origin, no script).
pub const LOCKED_CSP: &str = "default-src 'none'; sandbox";

/// The policy of a PDF preview: nothing loads from it, and only our own pages may frame it. (A
/// `sandbox` would stop the browser's PDF viewer.)
pub const PDF_CSP: &str = "default-src 'none'; frame-ancestors 'self'";

/// How the document page previews an attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preview {
    /// An `<img>`.
    Image,
    /// An `<iframe>` with the browser's PDF viewer.
    Pdf,
}

impl Preview {
    /// What the page offers for a file by its stored media type and name; the preview response
    /// checks the bytes again, so a lie here only breaks the preview. SVG is never previewed.
    pub fn of(media_type: &str, name: &str) -> Option<Self> {
        let media = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if media == "image/svg+xml" || ext == "svg" || ext == "svgz" {
            return None;
        }
        match (media.as_str(), ext.as_str()) {
            ("image/png" | "image/jpeg" | "image/gif" | "image/webp", _)
            | (_, "png" | "jpg" | "jpeg" | "gif" | "webp") => Some(Self::Image),
            ("application/pdf", _) | (_, "pdf") => Some(Self::Pdf),
            _ => None,
        }
    }

    /// The `preview` value the template switches on.
    pub fn code(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Pdf => "pdf",
        }
    }
}

/// The media type of a file that may be shown inline, from its signature (magic bytes): PNG,
/// JPEG, GIF, WebP or PDF; `None` for anything else.
pub fn inline_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn common_headers(meta: &AttachmentView, disposition: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{disposition}; filename*=UTF-8''{}",
        percent_encode(&meta.name)
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&meta.sha256) {
        h.insert("x-content-sha256", v);
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h
}

/// An attachment as a download: `attachment`, never sniffed, under [`LOCKED_CSP`]. The stored
/// media type is sent only when it cannot make a browser that ignores `attachment` run anything
/// (HTML, SVG, XML and script types go out as `application/octet-stream`).
pub fn download(meta: &AttachmentView, bytes: Vec<u8>) -> Response {
    let mut h = common_headers(meta, "attachment");
    let media = meta.media_type.to_ascii_lowercase();
    let active = ["html", "xml", "svg", "script", "xhtml"]
        .iter()
        .any(|w| media.contains(w));
    let media_type = if active {
        HeaderValue::from_static("application/octet-stream")
    } else {
        HeaderValue::from_str(&meta.media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"))
    };
    h.insert(CONTENT_TYPE, media_type);
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(LOCKED_CSP),
    );
    (h, bytes).into_response()
}

/// An attachment for the document page's preview: `inline` with the type its bytes show, when
/// they are an image or a PDF; any other file is answered exactly as [`download`].
pub fn preview(meta: &AttachmentView, bytes: Vec<u8>) -> Response {
    let Some(media_type) = inline_type(&bytes) else {
        return download(meta, bytes);
    };
    let mut h = common_headers(meta, "inline");
    h.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
    if media_type == "application/pdf" {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PDF_CSP));
        h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    } else {
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(LOCKED_CSP),
        );
    }
    (h, bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, media_type: &str) -> AttachmentView {
        AttachmentView {
            ordinal: 1,
            name: name.to_owned(),
            size: 0,
            sha256: "ab".repeat(32),
            media_type: media_type.to_owned(),
            extraction: None,
        }
    }

    fn header<'a>(r: &'a Response, name: &str) -> &'a str {
        r.headers()
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or_default())
    }

    #[test]
    fn signatures_decide_what_is_inline() {
        assert_eq!(inline_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(inline_type(b"\xFF\xD8\xFF\xE0"), Some("image/jpeg"));
        assert_eq!(inline_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(inline_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(inline_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(inline_type(b"<svg xmlns="), None);
        assert_eq!(inline_type(b"<!doctype html>"), None);
        assert_eq!(inline_type(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn the_page_previews_images_and_pdfs_but_never_svg() {
        assert_eq!(Preview::of("image/png", "a.bin"), Some(Preview::Image));
        assert_eq!(
            Preview::of("application/octet-stream", "사진.JPG"),
            Some(Preview::Image)
        );
        assert_eq!(Preview::of("application/pdf", "견적서"), Some(Preview::Pdf));
        assert_eq!(Preview::of("image/svg+xml", "a.png"), None);
        assert_eq!(Preview::of("image/png", "a.svg"), None);
        assert_eq!(Preview::of("text/html", "a.html"), None);
    }

    #[test]
    fn an_html_file_claiming_to_be_an_image_is_a_locked_download() {
        let r = preview(
            &meta("사진.png", "image/png"),
            b"<script>alert(1)</script>".to_vec(),
        );
        assert!(header(&r, "content-disposition").starts_with("attachment;"));
        assert_eq!(header(&r, "content-security-policy"), LOCKED_CSP);
        let r = download(&meta("a.svg", "image/svg+xml"), b"<svg/>".to_vec());
        assert_eq!(header(&r, "content-type"), "application/octet-stream");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    }

    #[test]
    fn images_and_pdfs_are_inline_with_the_type_their_bytes_show() {
        let r = preview(
            &meta("도면.bin", "application/octet-stream"),
            b"GIF89a....".to_vec(),
        );
        assert_eq!(header(&r, "content-type"), "image/gif");
        assert!(header(&r, "content-disposition").starts_with("inline;"));
        assert_eq!(header(&r, "content-security-policy"), LOCKED_CSP);
        let r = preview(&meta("견적서.pdf", "application/pdf"), b"%PDF-1.4".to_vec());
        assert_eq!(header(&r, "content-type"), "application/pdf");
        assert_eq!(header(&r, "x-frame-options"), "SAMEORIGIN");
        assert_eq!(header(&r, "content-security-policy"), PDF_CSP);
    }
}
