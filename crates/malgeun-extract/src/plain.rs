//! Plain text: UTF-8 (with or without a BOM), UTF-16 with a BOM, and EUC-KR/CP949, which older
//! Korean Windows programs still write.

use encoding_rs::{EUC_KR, UTF_16BE, UTF_16LE};

use crate::Rejection;
use crate::sink::Budget;

/// Whether the bytes look like text in one of the encodings we read.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    decode(bytes).is_some()
}

fn decode(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return UTF_16LE
            .decode_without_bom_handling_and_without_replacement(rest)
            .filter(|t| plausible(t));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return UTF_16BE
            .decode_without_bom_handling_and_without_replacement(rest)
            .filter(|t| plausible(t));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return plausible(s).then_some(std::borrow::Cow::Borrowed(s));
    }
    EUC_KR
        .decode_without_bom_handling_and_without_replacement(bytes)
        .filter(|t| plausible(t))
}

/// Text has no NUL and few other control characters (binary data decoded by luck has many).
fn plausible(s: &str) -> bool {
    let mut controls = 0usize;
    let mut chars = 0usize;
    for c in s.chars() {
        chars += 1;
        if c == '\0' {
            return false;
        }
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C') {
            controls += 1;
        }
    }
    controls * 100 <= chars
}

pub(crate) fn read(bytes: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
    let text = decode(bytes).ok_or(Rejection::Unsupported)?;
    for line in text.lines() {
        budget.push(line.trim_end());
        budget.push_char('\n');
        if budget.full() {
            break;
        }
    }
    Ok(())
}
