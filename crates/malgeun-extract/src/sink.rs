//! The budget of one extraction: text kept so far (cut at the limit), bytes decompressed so far,
//! OCR pages left.

use std::io::Read;

use crate::{Limits, Rejection};

/// What one file may still use, and the text taken so far.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) limits: Limits,
    text: String,
    truncated: bool,
    unpacked: u64,
    ocr_pages: usize,
    used_ocr: bool,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            limits: limits.clone(),
            text: String::new(),
            truncated: false,
            unpacked: 0,
            ocr_pages: 0,
            used_ocr: false,
        }
    }

    /// Whether the text is full (readers may stop early).
    pub(crate) fn full(&self) -> bool {
        self.truncated
    }

    /// Appends text, cut at the limit (on a character boundary).
    pub(crate) fn push(&mut self, s: &str) {
        if self.truncated {
            return;
        }
        let room = self.limits.max_text_bytes.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            let mut cut = room;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(&s[..cut]);
            self.truncated = true;
        }
    }

    /// Appends a character.
    pub(crate) fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push(c.encode_utf8(&mut buf));
    }

    /// Ends the current line unless the text is empty or already ends one.
    pub(crate) fn line_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push_char('\n');
        }
    }

    /// Counts `n` more decompressed bytes, refusing past the limit.
    pub(crate) fn unpack(&mut self, n: u64) -> Result<(), Rejection> {
        self.unpacked = self.unpacked.saturating_add(n);
        if self.unpacked > self.limits.max_unpacked_bytes {
            return Err(Rejection::UnpackedTooLarge {
                limit: self.limits.max_unpacked_bytes,
            });
        }
        Ok(())
    }

    /// Decompressed bytes still allowed.
    pub(crate) fn unpack_room(&self) -> u64 {
        self.limits.max_unpacked_bytes.saturating_sub(self.unpacked)
    }

    /// Takes up to `wanted` OCR pages from what is left; returns how many may be read.
    pub(crate) fn take_ocr_pages(&mut self, wanted: usize) -> usize {
        let n = wanted.min(self.limits.max_ocr_pages.saturating_sub(self.ocr_pages));
        self.ocr_pages += n;
        if n > 0 {
            self.used_ocr = true;
        }
        n
    }

    /// How many characters other than whitespace the text holds from byte `from` on.
    pub(crate) fn visible_since(&self, from: usize) -> usize {
        self.text
            .get(from..)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    }

    /// Current length of the text in bytes.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// The text (trailing whitespace trimmed), whether it was cut, whether OCR was used.
    pub(crate) fn finish(self) -> (String, bool, bool) {
        let mut text = self.text;
        text.truncate(text.trim_end().len());
        (text, self.truncated, self.used_ocr)
    }
}

/// Reads at most `limit` bytes from `r`, counting them against the budget; refuses when the
/// reader holds more.
pub(crate) fn read_bounded(mut r: impl Read, budget: &mut Budget) -> Result<Vec<u8>, Rejection> {
    let room = budget.unpack_room();
    let mut out = Vec::new();
    let mut limited = (&mut r).take(room.saturating_add(1));
    limited.read_to_end(&mut out).map_err(|e| match e.kind() {
        // The process's memory limit (the child sets one) refused the buffer.
        std::io::ErrorKind::OutOfMemory => Rejection::OutOfMemory { mib: 0 },
        _ => crate::rejection::malformed(e),
    })?;
    budget.unpack(out.len() as u64)?;
    Ok(out)
}
