//! Text from attachments (첨부파일 본문 추출): PDF text layers, HWP 5, HWPX, DOCX, XLSX and plain
//! text (UTF-8, UTF-16, EUC-KR/CP949), and OCR of images and scanned PDFs through the `tesseract`
//! and `pdftoppm` commands. Pure apart from those commands: no database, no clock.
//!
//! The type is detected from the bytes (magic numbers, the entries of a zip, the streams of an OLE
//! compound file), never from the name alone. Every input is treated as hostile: sizes, the
//! decompressed total, zip entries, archive nesting, XML depth, OCR pages and the output text are
//! bounded, and a file that breaks a limit or does not parse is refused with a [`Rejection`] (a
//! stable code and a Korean message). A panic inside a parser becomes a rejection too. What cannot
//! be bounded in process (time, memory) is bounded by running this in a child process (the
//! `malgeun extract-file` command).

mod format;
mod hwp;
mod ocr;
mod pdf;
mod plain;
mod rejection;
pub mod samples;
mod sink;
mod xml;
mod zipped;

pub use format::{Format, detect};
pub use ocr::Ocr;
pub use rejection::Rejection;

use sink::Budget;

/// Limits on one file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Largest input in bytes.
    pub max_input_bytes: u64,
    /// Most text kept, in bytes (more is cut and marked truncated, not refused).
    pub max_text_bytes: usize,
    /// Most bytes decompressed in all (zip entries, HWP sections): the zip-bomb bound.
    pub max_unpacked_bytes: u64,
    /// Most entries in one zip.
    pub max_entries: usize,
    /// Deepest archive nesting (a zip inside a zip is depth 2).
    pub max_nesting: usize,
    /// Deepest XML element nesting.
    pub max_xml_depth: usize,
    /// Most pages (or images) read by OCR per file.
    pub max_ocr_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 50 * 1024 * 1024,
            max_text_bytes: 1024 * 1024,
            max_unpacked_bytes: 200 * 1024 * 1024,
            max_entries: 10_000,
            max_nesting: 3,
            max_xml_depth: 256,
            max_ocr_pages: 20,
        }
    }
}

/// Text taken from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    /// The detected type.
    pub format: Format,
    /// The text (lines separated by `\n`).
    pub text: String,
    /// Whether the text was cut at [`Limits::max_text_bytes`].
    pub truncated: bool,
    /// Whether (some of) the text came from OCR.
    pub ocr: bool,
}

/// An extractor: limits and, when OCR is wanted, where its commands are.
#[derive(Clone, Debug, Default)]
pub struct Extractor {
    /// Limits per file.
    pub limits: Limits,
    /// OCR commands; `None` leaves images unread (refused as [`Rejection::OcrUnavailable`]) and
    /// PDFs without a text layer empty.
    pub ocr: Option<Ocr>,
}

impl Extractor {
    /// An extractor with the default limits and OCR by the `tesseract` and `pdftoppm` on `PATH`.
    pub fn with_ocr() -> Self {
        Self {
            limits: Limits::default(),
            ocr: Some(Ocr::default()),
        }
    }

    /// The text of a file, or why there is none. The type comes from the bytes (a file's name
    /// is not trusted, so it is not asked for). Never panics: a parser's panic is refused as
    /// malformed.
    pub fn extract(&self, bytes: &[u8]) -> Result<Extracted, Rejection> {
        if bytes.len() as u64 > self.limits.max_input_bytes {
            return Err(Rejection::TooLarge {
                limit: self.limits.max_input_bytes,
            });
        }
        let format = detect(bytes).ok_or(Rejection::Unsupported)?;
        let mut budget = Budget::new(&self.limits);
        let ocr = self.ocr.as_ref();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read(format, bytes, &mut budget, ocr, 1)
        }))
        .unwrap_or_else(|panic| {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a parser panicked".to_owned());
            Err(Rejection::Malformed { detail })
        });
        result?;
        let (text, truncated, used_ocr) = budget.finish();
        Ok(Extracted {
            format,
            text,
            truncated,
            ocr: used_ocr,
        })
    }
}

/// Reads one (possibly nested) file of a known format into the budget's text.
fn read(
    format: Format,
    bytes: &[u8],
    budget: &mut Budget,
    ocr: Option<&Ocr>,
    depth: usize,
) -> Result<(), Rejection> {
    match format {
        Format::Text => plain::read(bytes, budget),
        Format::Pdf => pdf::read(bytes, budget, ocr),
        Format::Hwp => hwp::read(bytes, budget),
        Format::Docx | Format::Xlsx | Format::Hwpx => zipped::read_office(format, bytes, budget),
        Format::Zip => zipped::read_archive(bytes, budget, ocr, depth),
        Format::Png | Format::Jpeg | Format::Tiff => match ocr {
            Some(o) => o.image(format, bytes, budget),
            None => Err(Rejection::OcrUnavailable {
                tool: "tesseract".to_owned(),
            }),
        },
    }
}
