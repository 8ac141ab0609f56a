//! The pages' static files, embedded in the binary: the stylesheet, our one script (live table
//! totals, adding table rows) and vendored htmx 2.0.11. Their URLs carry a hash of their content,
//! so browsers may cache them for a year and still see every change.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One embedded file.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
}

const FILES: &[Asset] = &[
    Asset {
        name: "style.css",
        media_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/style.css"),
    },
    Asset {
        name: "malgeun.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/malgeun.js"),
    },
    Asset {
        name: "htmx.min.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/htmx-2.0.11.min.js"),
    },
];

/// The URLs the pages link to, each with its content hash.
#[derive(Debug)]
pub struct AssetUrls {
    /// The stylesheet.
    pub css: String,
    /// Our script.
    pub js: String,
    /// htmx.
    pub htmx: String,
}

fn url(name: &str) -> String {
    let asset = FILES
        .iter()
        .find(|a| a.name == name)
        .expect("every linked asset is embedded");
    let digest = Sha256::digest(asset.body.as_bytes());
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("/assets/{name}?v={short}")
}

/// The asset URLs, computed once.
pub static URLS: LazyLock<AssetUrls> = LazyLock::new(|| AssetUrls {
    css: url("style.css"),
    js: url("malgeun.js"),
    htmx: url("htmx.min.js"),
});

/// The size in bytes of every embedded asset, by name.
pub fn sizes() -> Vec<(&'static str, usize)> {
    FILES.iter().map(|a| (a.name, a.body.len())).collect()
}

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = FILES.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "없는 파일입니다.").into_response();
    };
    let mut res = asset.body.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(asset.media_type));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
