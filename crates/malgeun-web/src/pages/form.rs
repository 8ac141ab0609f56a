//! Form posts from the pages: every state-changing form is `multipart/form-data` (one parser for
//! plain forms and file uploads), read whole into named text values and files.

use axum::extract::{FromRequest, Multipart, Request};
use malgeun_app::{App, AppError};

use super::PageError;

/// An uploaded file from a form.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// File name as the browser sent it.
    pub name: String,
    /// Media type as the browser sent it.
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A posted form: text values in order, and files (empty file inputs are left out).
#[derive(Clone, Debug, Default)]
pub struct PostedForm {
    /// `(name, value)` in the order sent.
    pub values: Vec<(String, String)>,
    /// Files.
    pub files: Vec<UploadedFile>,
}

impl PostedForm {
    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a field, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// Every `(rest, value)` whose name starts with `prefix`.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.values
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
}

fn malformed(detail: impl std::fmt::Display) -> PageError {
    PageError::App(AppError::invalid(
        "malformed_form",
        "보낸 양식을 읽을 수 없습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
        format!("malformed form: {detail}"),
    ))
}

impl FromRequest<App> for PostedForm {
    type Rejection = PageError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let limit = app.limits().max_attachment_bytes;
        let mut multipart = Multipart::from_request(req, app)
            .await
            .map_err(|e| malformed(e.body_text()))?;
        let mut form = PostedForm::default();
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                PageError::App(malgeun_app::documents::too_large(limit))
            } else {
                malformed(e.body_text())
            }
        })? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await.map_err(|e| malformed(e.body_text()))?;
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if bytes.len() as u64 > limit {
                    return Err(PageError::App(malgeun_app::documents::too_large(limit)));
                }
                form.files.push(UploadedFile {
                    name: file_name,
                    media_type,
                    bytes: bytes.to_vec(),
                });
            } else {
                let text = field.text().await.map_err(|e| malformed(e.body_text()))?;
                form.values.push((name, text));
            }
        }
        Ok(form)
    }
}
