//! PDF: the text layer (pdf-extract); a PDF whose pages carry (almost) no text is a scan, and its
//! pages are rendered and read by OCR when OCR is available.

use crate::sink::Budget;
use crate::{Ocr, Rejection};

/// Fewer visible characters than this in the text layer means a scan.
const MIN_TEXT_LAYER: usize = 16;

pub(crate) fn read(bytes: &[u8], budget: &mut Budget, ocr: Option<&Ocr>) -> Result<(), Rejection> {
    let start = budget.len();
    let layer = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    let layer = match layer {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(crate::rejection::malformed(format!("PDF: {e}"))),
        Err(_) => Err(crate::rejection::malformed(
            "PDF: the text-layer reader panicked",
        )),
    };
    match layer {
        Ok(text) => {
            for line in text.lines() {
                let line = line.trim_end();
                if !line.is_empty() {
                    budget.push(line);
                    budget.push_char('\n');
                }
            }
            if budget.visible_since(start) >= MIN_TEXT_LAYER {
                return Ok(());
            }
            match ocr {
                Some(o) => o.pdf(bytes, budget),
                None => Ok(()),
            }
        }
        // The text layer could not be read: poppler may still render the pages.
        Err(e) => match ocr {
            Some(o) => o.pdf(bytes, budget).map_err(|_| e),
            None => Err(e),
        },
    }
}
