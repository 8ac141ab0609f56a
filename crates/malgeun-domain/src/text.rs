//! Text normalisation at the boundary: everything stored is NFC, trimmed where it is a name.

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises text so that the same Hangul typed on different systems (NFD from macOS) compares
/// and hashes equal.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// NFC-normalises and trims a single-line value (a name, a title); `None` when nothing remains or a
/// control character is present (names end up in ledger lines and registers).
pub fn single_line(s: &str) -> Option<String> {
    let t = nfc(s.trim());
    if t.is_empty() || t.chars().any(char::is_control) {
        None
    } else {
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_hangul_becomes_nfc() {
        let nfd = "\u{1100}\u{1161}"; // 가 decomposed
        assert_eq!(nfc(nfd), "가");
    }

    #[test]
    fn single_line_rejects_empty_and_control() {
        assert_eq!(single_line("  관리소장 "), Some("관리소장".into()));
        assert_eq!(single_line("   "), None);
        assert_eq!(single_line("a\nb"), None);
    }
}
