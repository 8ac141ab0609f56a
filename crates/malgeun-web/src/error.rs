//! Errors as HTTP: every error is JSON `{code, message, message_en, fields?}`; this file holds the
//! one table from error kind to status. A 500 never shows internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use malgeun_app::{AppError, ErrorKind};
use serde_json::json;

/// An error on its way out.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// The status for each kind of error.
pub fn status_of(kind: ErrorKind, code: &str) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        // Input that is not even well-formed is a 400; well-formed but invalid input is a 422.
        ErrorKind::Invalid if matches!(code, "malformed_json" | "malformed_request") => {
            StatusCode::BAD_REQUEST
        }
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind, e.code);
        let mut body = json!({
            "code": e.code,
            "message": e.message_ko,
            "message_en": e.message_en,
        });
        if let Some(fields) = &e.fields {
            body["fields"] = fields
                .errors()
                .iter()
                .map(|f| {
                    json!({
                        "field": f.field,
                        "code": f.code,
                        "message": f.message_ko,
                        "message_en": f.message_en,
                    })
                })
                .collect();
        }
        (status, Json(body)).into_response()
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
