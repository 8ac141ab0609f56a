//! Which type a file is, from its bytes: magic numbers, then the entries of a zip or the streams
//! of an OLE compound file. The name is never trusted.

use std::io::Cursor;

/// A type text can be taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// PDF (text layer, else OCR of the rendered pages).
    Pdf,
    /// 한글 HWP 5 (OLE compound file).
    Hwp,
    /// 한글 HWPX (OWPML in a zip).
    Hwpx,
    /// Word DOCX.
    Docx,
    /// Excel XLSX.
    Xlsx,
    /// Another zip archive: its entries are read in turn.
    Zip,
    /// Plain text (UTF-8, UTF-16 with a BOM, EUC-KR/CP949).
    Text,
    /// PNG image (OCR).
    Png,
    /// JPEG image (OCR).
    Jpeg,
    /// TIFF image (OCR).
    Tiff,
}

impl Format {
    /// A short stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Hwp => "hwp",
            Self::Hwpx => "hwpx",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
            Self::Zip => "zip",
            Self::Text => "text",
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Tiff => "tiff",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Pdf,
            Self::Hwp,
            Self::Hwpx,
            Self::Docx,
            Self::Xlsx,
            Self::Zip,
            Self::Text,
            Self::Png,
            Self::Jpeg,
            Self::Tiff,
        ]
        .into_iter()
        .find(|f| f.code() == code)
    }
}

const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
pub(crate) const HWP_SIGNATURE: &[u8] = b"HWP Document File";

/// The type of a file from its bytes, or `None` when it is none we read.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(1024)];
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some(Format::Tiff);
    }
    // PDF readers accept the header anywhere in the first kilobyte.
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(zip_kind(bytes));
    }
    if bytes.starts_with(OLE) {
        return is_hwp(bytes).then_some(Format::Hwp);
    }
    crate::plain::is_text(bytes).then_some(Format::Text)
}

/// Which kind of zip: HWPX, DOCX, XLSX by their entries, else a plain archive.
fn zip_kind(bytes: &[u8]) -> Format {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Unreadable: the archive reader reports why.
        return Format::Zip;
    };
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("Contents/section0.xml") || has("Contents/content.hpf") {
        Format::Hwpx
    } else if has("word/document.xml") {
        Format::Docx
    } else if has("xl/workbook.xml") {
        Format::Xlsx
    } else {
        Format::Zip
    }
}

/// Whether an OLE compound file is a HWP 5 document (its `FileHeader` stream starts with the
/// signature).
fn is_hwp(bytes: &[u8]) -> bool {
    let Ok(mut file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(stream) = file.open_stream("/FileHeader") else {
        return false;
    };
    let mut head = Vec::new();
    use std::io::Read;
    stream
        .take(HWP_SIGNATURE.len() as u64)
        .read_to_end(&mut head)
        .is_ok()
        && head == HWP_SIGNATURE
}
