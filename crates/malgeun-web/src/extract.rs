//! Request extractors that fail with our JSON errors instead of axum's plain-text rejections.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use malgeun_app::AppError;
use malgeun_domain::{ComplexId, DocumentId};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body accepted.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON body: malformed JSON answers `malformed_json` (400), a well-formed body of the wrong
/// shape answers `invalid_request` (422) naming the field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_limited(req.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| {
                AppError::new(
                    malgeun_app::ErrorKind::TooLarge,
                    "request_too_large",
                    "요청이 너무 큽니다.",
                    format!("request body over {MAX_JSON_BYTES} bytes"),
                )
            })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = T::deserialize(&mut de).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                AppError::invalid(
                    "malformed_json",
                    "요청 내용이 올바른 JSON이 아닙니다.",
                    format!("malformed JSON: {e}"),
                )
            } else {
                AppError::invalid(
                    "invalid_request",
                    format!("요청 항목의 형식이 맞지 않습니다: {e}"),
                    format!("invalid request: {e}"),
                )
            }
        })?;
        de.end().map_err(|e| {
            AppError::invalid(
                "malformed_json",
                "요청 내용이 올바른 JSON이 아닙니다.",
                format!("malformed JSON: {e}"),
            )
        })?;
        Ok(Self(value))
    }
}

/// Reads a body up to `limit` bytes; `Err(())` past the limit.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ()> {
    axum::body::to_bytes(body, limit).await.map_err(|_| ())
}

/// The `{complex}` path segment: a malformed id is simply a complex that does not exist.
pub fn complex_id(s: &str) -> Result<ComplexId, ApiError> {
    s.parse()
        .map_err(|_| ApiError(malgeun_app::member::complex_not_found()))
}

/// The `{document}` path segment.
pub fn document_id(s: &str) -> Result<DocumentId, ApiError> {
    s.parse().map_err(|_| {
        ApiError(AppError::not_found(
            "document_not_found",
            "문서",
            "document",
        ))
    })
}

/// Query string parsing with our error.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_from_str(q).map(Query).map_err(|e| {
            ApiError(AppError::invalid(
                "invalid_query",
                format!("주소의 조건 값이 올바르지 않습니다: {e}"),
                format!("invalid query string: {e}"),
            ))
        })
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(q: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(&format!("/?{q}").parse().map_err(|e| format!("{e}"))?)
        .map(|axum::extract::Query(v)| v)
        .map_err(|e| e.body_text())
}
