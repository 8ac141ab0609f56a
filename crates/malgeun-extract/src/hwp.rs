//! 한글 HWP 5: an OLE compound file whose `FileHeader` says whether the sections are compressed
//! (raw deflate) or locked, and whose `BodyText/SectionN` streams are records; paragraph text is
//! in `PARA_TEXT` records as UTF-16LE with inline controls. No real Hancom-made file was at hand:
//! every field is checked as hostile input.

use std::io::{Cursor, Read};

use crate::Rejection;
use crate::format::HWP_SIGNATURE;
use crate::rejection::malformed;
use crate::sink::{Budget, read_bounded};

/// `HWPTAG_BEGIN` (0x10) + 50: a paragraph's header (a new paragraph starts).
const PARA_HEADER: u32 = 0x10 + 50;
/// `HWPTAG_BEGIN` + 51: a paragraph's text.
const PARA_TEXT: u32 = 0x10 + 51;
/// Most sections read.
const MAX_SECTIONS: usize = 1000;

/// The properties word of the file header.
struct Properties {
    compressed: bool,
    locked: bool,
}

fn properties(file: &mut cfb::CompoundFile<Cursor<&[u8]>>) -> Result<Properties, Rejection> {
    let mut header = Vec::new();
    file.open_stream("/FileHeader")
        .map_err(|e| malformed(format!("HWP FileHeader: {e}")))?
        .take(256)
        .read_to_end(&mut header)
        .map_err(malformed)?;
    if header.len() < 40 || !header.starts_with(HWP_SIGNATURE) {
        return Err(malformed(
            "HWP FileHeader is too short or lacks the signature",
        ));
    }
    let props = u32::from_le_bytes([header[36], header[37], header[38], header[39]]);
    Ok(Properties {
        compressed: props & 1 != 0,
        // Bit 1: password; bit 2: 배포용 (the body is in encrypted ViewText streams).
        locked: props & 0b110 != 0,
    })
}

pub(crate) fn read(bytes: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
    let mut file =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| malformed(format!("OLE: {e}")))?;
    let props = properties(&mut file)?;
    if props.locked {
        return Err(Rejection::Encrypted);
    }
    let mut sections = 0;
    for n in 0..MAX_SECTIONS {
        let path = format!("/BodyText/Section{n}");
        if !file.is_stream(&path) {
            break;
        }
        sections += 1;
        let stream = file
            .open_stream(&path)
            .map_err(|e| malformed(format!("{path}: {e}")))?;
        let data = if props.compressed {
            let raw = read_bounded(stream, budget)?;
            read_bounded(flate2::read::DeflateDecoder::new(&raw[..]), budget)?
        } else {
            read_bounded(stream, budget)?
        };
        records(&data, budget)?;
        if budget.full() {
            break;
        }
    }
    if sections == 0 {
        return Err(malformed("HWP without BodyText/Section0"));
    }
    Ok(())
}

/// Walks a section's records and takes the text of its paragraphs.
fn records(data: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
    let mut at = 0usize;
    while at < data.len() {
        let word = |i: usize| -> Result<u32, Rejection> {
            data.get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| malformed("HWP record header cut short"))
        };
        let header = word(at)?;
        at += 4;
        let tag = header & 0x3FF;
        let mut size = (header >> 20) as usize;
        if size == 0xFFF {
            size = word(at)? as usize;
            at += 4;
        }
        let body = data
            .get(at..at.saturating_add(size))
            .ok_or_else(|| malformed("HWP record runs past its section"))?;
        at += size;
        match tag {
            PARA_HEADER => budget.line_break(),
            PARA_TEXT => para_text(body, budget),
            _ => {}
        }
        if budget.full() {
            break;
        }
    }
    budget.line_break();
    Ok(())
}

/// The text of a `PARA_TEXT` record: UTF-16LE where code units below 32 are controls. Most
/// controls take 8 code units (the control, 6 units of data, the control again); the char
/// controls (0, 10 line break, 13 paragraph end, 24–31 hyphen and spaces) take one.
fn para_text(body: &[u8], budget: &mut Budget) {
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    let mut text = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        match u {
            0 => i += 1,
            10 | 13 => {
                text.push(u16::from(b'\n'));
                i += 1;
            }
            24..=31 => {
                text.push(u16::from(b' '));
                i += 1;
            }
            9 => {
                // Tab: an inline control of 8 units.
                text.push(u16::from(b'\t'));
                i += 8;
            }
            1..=31 => i += 8,
            _ => {
                text.push(u);
                i += 1;
            }
        }
    }
    budget.push(String::from_utf16_lossy(&text).trim_end_matches('\n'));
}
