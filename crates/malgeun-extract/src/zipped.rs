//! Zip containers: DOCX, XLSX and HWPX (XML parts in a zip) and plain archives, whose entries are
//! read in turn. Entries are counted, every decompressed byte is counted against the budget (so a
//! zip bomb stops at the limit, whatever sizes its headers claim), and archives inside archives
//! are followed only to the nesting limit.

use std::io::Cursor;

use zip::ZipArchive;
use zip::result::ZipError;

use crate::sink::{Budget, read_bounded};
use crate::xml::{Node, attribute, local, walk};
use crate::{Format, Ocr, Rejection};

type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

fn zip_error(e: ZipError) -> Rejection {
    match e {
        ZipError::UnsupportedArchive(msg) if msg.contains("assword") => Rejection::Encrypted,
        ZipError::InvalidPassword => Rejection::Encrypted,
        e => crate::rejection::malformed(format!("zip: {e}")),
    }
}

fn open<'a>(bytes: &'a [u8], budget: &Budget) -> Result<Archive<'a>, Rejection> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if archive.len() > budget.limits.max_entries {
        return Err(Rejection::TooManyEntries {
            limit: budget.limits.max_entries,
        });
    }
    Ok(archive)
}

/// The bytes of an entry by name (`None` when there is no such entry), counted against the budget.
fn entry(
    archive: &mut Archive<'_>,
    name: &str,
    budget: &mut Budget,
) -> Result<Option<Vec<u8>>, Rejection> {
    let Some(i) = archive.index_for_name(name) else {
        return Ok(None);
    };
    let file = archive.by_index(i).map_err(zip_error)?;
    if file.encrypted() {
        return Err(Rejection::Encrypted);
    }
    read_bounded(file, budget).map(Some)
}

/// Entry names matching `prefix` + number + `suffix`, in number order (sheet2 before sheet10).
fn numbered(archive: &Archive<'_>, prefix: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<(u64, String)> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter_map(|n| {
            let number = n
                .strip_prefix(prefix)?
                .strip_suffix(suffix)?
                .parse::<u64>()
                .ok()?;
            Some((number, n.into_owned()))
        })
        .collect();
    names.sort();
    names.into_iter().map(|(_, n)| n).collect()
}

/// DOCX, XLSX or HWPX.
pub(crate) fn read_office(
    format: Format,
    bytes: &[u8],
    budget: &mut Budget,
) -> Result<(), Rejection> {
    let mut archive = open(bytes, budget)?;
    match format {
        Format::Docx => docx(&mut archive, budget),
        Format::Xlsx => xlsx(&mut archive, budget),
        _ => hwpx(&mut archive, budget),
    }
}

/// Paragraph text of word-processor XML: `t` elements hold text, `p` ends a paragraph, `tab`
/// and line breaks become whitespace. Word and 한글 (OWPML) use the same shape.
fn paragraphs(part: &[u8], budget: &mut Budget, breaks: &[&str]) -> Result<(), Rejection> {
    let max_depth = budget.limits.max_xml_depth;
    let mut in_text = 0usize;
    walk(part, max_depth, |node| {
        match node {
            Node::Start(e) => match local(e).as_str() {
                "t" => in_text += 1,
                "tab" => budget.push_char('\t'),
                name if breaks.contains(&name) => budget.push_char('\n'),
                _ => {}
            },
            Node::End("t") => in_text = in_text.saturating_sub(1),
            Node::End("p") => budget.line_break(),
            Node::End(_) => {}
            Node::Text(t) if in_text > 0 => budget.push(t),
            Node::Text(_) => {}
        }
        !budget.full()
    })?;
    budget.line_break();
    Ok(())
}

fn docx(archive: &mut Archive<'_>, budget: &mut Budget) -> Result<(), Rejection> {
    let document = entry(archive, "word/document.xml", budget)?
        .ok_or_else(|| crate::rejection::malformed("DOCX without word/document.xml"))?;
    paragraphs(&document, budget, &["br", "cr"])?;
    let mut extra = numbered(archive, "word/header", ".xml");
    extra.extend(numbered(archive, "word/footer", ".xml"));
    extra.extend([
        "word/footnotes.xml".to_owned(),
        "word/endnotes.xml".to_owned(),
    ]);
    for name in extra {
        if let Some(part) = entry(archive, &name, budget)? {
            paragraphs(&part, budget, &["br", "cr"])?;
        }
    }
    Ok(())
}

fn hwpx(archive: &mut Archive<'_>, budget: &mut Budget) -> Result<(), Rejection> {
    let sections = numbered(archive, "Contents/section", ".xml");
    if sections.is_empty() {
        return Err(crate::rejection::malformed(
            "HWPX without Contents/section0.xml",
        ));
    }
    for name in sections {
        if let Some(part) = entry(archive, &name, budget)? {
            paragraphs(&part, budget, &["lineBreak"])?;
        }
        if budget.full() {
            break;
        }
    }
    Ok(())
}

fn xlsx(archive: &mut Archive<'_>, budget: &mut Budget) -> Result<(), Rejection> {
    let max_depth = budget.limits.max_xml_depth;
    // Shared strings: one per `si`, the text of its `t` runs (phonetic `rPh` runs left out).
    let mut shared: Vec<String> = Vec::new();
    if let Some(part) = entry(archive, "xl/sharedStrings.xml", budget)? {
        let (mut current, mut in_t, mut in_phonetic) = (String::new(), 0usize, 0usize);
        let room = budget.limits.max_text_bytes;
        let mut total = 0usize;
        walk(&part, max_depth, |node| {
            match node {
                Node::Start(e) => match local(e).as_str() {
                    "t" => in_t += 1,
                    "rPh" => in_phonetic += 1,
                    _ => {}
                },
                Node::End("t") => in_t = in_t.saturating_sub(1),
                Node::End("rPh") => in_phonetic = in_phonetic.saturating_sub(1),
                Node::End("si") => {
                    total += current.len();
                    shared.push(std::mem::take(&mut current));
                }
                Node::End(_) => {}
                Node::Text(t) if in_t > 0 && in_phonetic == 0 && total + current.len() < room => {
                    current.push_str(t);
                }
                Node::Text(_) => {}
            }
            true
        })?;
    }
    for name in numbered(archive, "xl/worksheets/sheet", ".xml") {
        let Some(part) = entry(archive, &name, budget)? else {
            continue;
        };
        let (mut cell_type, mut in_value, mut in_inline) = (String::new(), 0usize, 0usize);
        let mut first_in_row = true;
        walk(&part, max_depth, |node| {
            match node {
                Node::Start(e) => match local(e).as_str() {
                    "c" => {
                        cell_type = attribute(e, "t").unwrap_or_default();
                        if !std::mem::replace(&mut first_in_row, false) {
                            budget.push_char('\t');
                        }
                    }
                    "v" => in_value += 1,
                    "is" => in_inline += 1,
                    _ => {}
                },
                Node::End("v") => in_value = in_value.saturating_sub(1),
                Node::End("is") => in_inline = in_inline.saturating_sub(1),
                Node::End("row") => {
                    budget.line_break();
                    first_in_row = true;
                }
                Node::End(_) => {}
                Node::Text(t) if in_value > 0 => {
                    if cell_type == "s" {
                        let s = t.trim().parse::<usize>().ok().and_then(|i| shared.get(i));
                        budget.push(s.map_or("", String::as_str));
                    } else {
                        budget.push(t);
                    }
                }
                Node::Text(t) if in_inline > 0 => budget.push(t),
                Node::Text(_) => {}
            }
            !budget.full()
        })?;
        budget.line_break();
        if budget.full() {
            break;
        }
    }
    Ok(())
}

/// A plain zip: every entry of a type we read, in archive order, under a line with its name.
pub(crate) fn read_archive(
    bytes: &[u8],
    budget: &mut Budget,
    ocr: Option<&Ocr>,
    depth: usize,
) -> Result<(), Rejection> {
    let max_nesting = budget.limits.max_nesting;
    if depth > max_nesting {
        return Err(Rejection::NestedTooDeep { limit: max_nesting });
    }
    let mut archive = open(bytes, budget)?;
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(zip_error)?;
        if file.is_dir() {
            continue;
        }
        if file.encrypted() {
            return Err(Rejection::Encrypted);
        }
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        let data = read_bounded(file, budget)?;
        let Some(format) = crate::detect(&data) else {
            continue;
        };
        let nested = matches!(
            format,
            Format::Zip | Format::Docx | Format::Xlsx | Format::Hwpx
        );
        if nested && depth + 1 > max_nesting {
            return Err(Rejection::NestedTooDeep { limit: max_nesting });
        }
        budget.line_break();
        budget.push(&name);
        budget.push_char('\n');
        crate::read(format, &data, budget, ocr, depth + 1)?;
        if budget.full() {
            break;
        }
    }
    Ok(())
}
