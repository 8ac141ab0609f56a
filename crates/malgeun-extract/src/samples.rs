//! Small files of every format we read, built in code: the fixtures of the tests and the seeds of
//! the fuzzer (`cargo xtask fuzz`). They carry the structure real files have (a DOCX's
//! `word/document.xml`, a HWP's compressed `BodyText/Section0` records, a PDF's Type0 font with a
//! `ToUnicode` map) and nothing more.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// A zip of `(name, bytes)` entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default())
            .expect("zip entry in memory");
        w.write_all(bytes).expect("write to memory");
    }
    w.finish().expect("zip in memory").into_inner()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A DOCX with one paragraph per line.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                escape(p)
            )
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    zip_of(&[
        ("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
        ("word/document.xml", document.as_bytes()),
    ])
}

/// An XLSX with one sheet: text cells through the shared strings, numbers as values.
pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut shared: Vec<String> = Vec::new();
    let mut sheet = String::new();
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for cell in *row {
            if cell.parse::<f64>().is_ok() {
                sheet.push_str(&format!("<c><v>{cell}</v></c>"));
            } else {
                sheet.push_str(&format!("<c t=\"s\"><v>{}</v></c>", shared.len()));
                shared.push(escape(cell));
            }
        }
        sheet.push_str("</row>");
    }
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let shared_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">{strings}</sst>",
        shared.len()
    );
    let sheet_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{sheet}</sheetData></worksheet>"
    );
    zip_of(&[
        ("xl/workbook.xml", b"<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\"/></sheets></workbook>"),
        ("xl/sharedStrings.xml", shared_xml.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

/// A HWPX (OWPML) with one paragraph per line.
pub fn hwpx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<hp:p><hp:run><hp:t>{}</hp:t></hp:run></hp:p>", escape(p)))
        .collect();
    let section = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <hs:sec xmlns:hs=\"http://www.hancom.co.kr/hwpml/2011/section\" \
         xmlns:hp=\"http://www.hancom.co.kr/hwpml/2011/paragraph\">{body}</hs:sec>"
    );
    zip_of(&[
        ("mimetype", b"application/hwp+zip"),
        (
            "Contents/content.hpf",
            b"<?xml version=\"1.0\"?><opf:package xmlns:opf=\"http://www.idpf.org/2007/opf/\"/>",
        ),
        ("Contents/section0.xml", section.as_bytes()),
    ])
}

/// One HWP record: header (tag, level 0, size) and body.
fn hwp_record(out: &mut Vec<u8>, tag: u32, body: &[u8]) {
    let size = u32::try_from(body.len()).expect("small record");
    if size < 0xFFF {
        out.extend_from_slice(&(tag | (size << 20)).to_le_bytes());
    } else {
        out.extend_from_slice(&(tag | (0xFFF << 20)).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
    }
    out.extend_from_slice(body);
}

/// A HWP 5 document with one paragraph per line, its section raw-deflated when `compressed`.
/// Each paragraph's text ends with the paragraph mark (13), and the first holds a tab (an inline
/// control of 8 code units) to exercise the control skipping.
pub fn hwp(paragraphs: &[&str], compressed: bool) -> Vec<u8> {
    hwp_with_section(&hwp_section(paragraphs), compressed)
}

/// The records of a HWP body section with one paragraph per line (see [`hwp`]).
pub fn hwp_section(paragraphs: &[&str]) -> Vec<u8> {
    let mut section = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        hwp_record(&mut section, 0x10 + 50, &[0u8; 22]);
        let mut units: Vec<u16> = Vec::new();
        if i == 0 {
            units.extend([9u16, 0, 0, 0, 0, 0, 0, 9]);
        }
        units.extend(p.encode_utf16());
        units.push(13);
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        hwp_record(&mut section, 0x10 + 51, &bytes);
    }
    section
}

/// A HWP 5 document whose only body section holds `section` (records), raw-deflated when
/// `compressed`.
pub fn hwp_with_section(section: &[u8], compressed: bool) -> Vec<u8> {
    let stored = if compressed {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(section).expect("deflate to memory");
        e.finish().expect("deflate to memory")
    } else {
        section.to_vec()
    };
    let mut header = vec![0u8; 256];
    header[..crate::format::HWP_SIGNATURE.len()].copy_from_slice(crate::format::HWP_SIGNATURE);
    header[32..36].copy_from_slice(&0x0501_0000u32.to_le_bytes());
    header[36..40].copy_from_slice(&u32::from(compressed).to_le_bytes());
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("OLE in memory");
    file.create_stream("/FileHeader")
        .and_then(|mut s| s.write_all(&header))
        .expect("OLE stream");
    file.create_storage("/BodyText").expect("OLE storage");
    file.create_stream("/BodyText/Section0")
        .and_then(|mut s| s.write_all(&stored))
        .expect("OLE stream");
    file.flush().expect("OLE in memory");
    file.into_inner().into_inner()
}

/// Assembles a PDF from its objects (numbered from 1; the first is the catalog).
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A one-page PDF with a text layer: each line shown in a Type0 font whose character ids are the
/// Unicode code points (Identity-H) and whose `ToUnicode` map says so. No font program is
/// embedded (the text is not meant to be seen, only read).
pub fn pdf_text(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 14 Tf 72 770 Td 18 TL\n");
    let mut chars: Vec<u16> = Vec::new();
    for line in lines {
        let hex: String = line.encode_utf16().map(|u| format!("{u:04X}")).collect();
        chars.extend(line.encode_utf16());
        content.push_str(&format!("<{hex}> Tj T*\n"));
    }
    content.push_str("ET");
    chars.sort_unstable();
    chars.dedup();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for block in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", block.len()));
        for u in block {
            cmap.push_str(&format!("<{u:04X}> <{u:04X}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("", content.as_bytes()),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NanumGothic /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NanumGothic /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 /CIDToGIDMap /Identity >>".to_vec(),
        stream("", cmap.as_bytes()),
        b"<< /Type /FontDescriptor /FontName /NanumGothic /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>".to_vec(),
    ])
}

/// A one-page PDF holding only an image: a scan. `png` must be an 8-bit grayscale or RGB PNG,
/// not interlaced; its compressed data goes into the PDF as is (PDF's PNG predictors read it),
/// and the page is sized for `dpi`. `None` for any other PNG.
pub fn pdf_scan(png: &[u8], dpi: u32) -> Option<Vec<u8>> {
    pdf_scan_pages(png, dpi, 1)
}

/// A scan of `pages` pages (at least one), each the same image ([`pdf_scan`]): a file whose OCR
/// takes many times as long as one page's, on any machine.
pub fn pdf_scan_pages(png: &[u8], dpi: u32, pages: u32) -> Option<Vec<u8>> {
    let pages = pages.max(1);
    let mut at = 8;
    let (mut width, mut height, mut colors) = (0u32, 0u32, 0u32);
    let mut idat = Vec::new();
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let kind = &png[at + 4..at + 8];
        let data = png.get(at + 8..at + 8 + len)?;
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().ok()?);
                height = u32::from_be_bytes(data[4..8].try_into().ok()?);
                let (depth, color, interlace) = (data[8], data[9], data[12]);
                colors = match color {
                    0 => 1,
                    2 => 3,
                    _ => return None,
                };
                if depth != 8 || interlace != 0 {
                    return None;
                }
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let space = if colors == 1 {
        "/DeviceGray"
    } else {
        "/DeviceRGB"
    };
    let (w_pt, h_pt) = (width * 72 / dpi, height * 72 / dpi);
    let content = format!("q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q");
    // Objects 1 and 2 are the catalogue and the page tree, 3 the content every page shows, 4 the
    // image, and the pages follow from 5.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        )
        .into_bytes(),
        stream("", content.as_bytes()),
        stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace {space} \
                 /BitsPerComponent 8 /Filter /FlateDecode \
                 /DecodeParms << /Predictor 15 /Colors {colors} /BitsPerComponent 8 /Columns {width} >>"
            ),
            &idat,
        ),
    ];
    for _ in 0..pages {
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt} {h_pt}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 3 0 R >>").into_bytes());
    }
    Some(pdf_of(&objects))
}

/// A zip bomb: one entry of `bytes` zeros (deflate packs a megabyte of zeros into about a
/// kilobyte).
pub fn zip_bomb(bytes: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "zeros.txt",
        SimpleFileOptions::default().large_file(bytes as u64 > u32::MAX as u64),
    )
    .expect("zip entry in memory");
    let chunk = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        w.write_all(&chunk[..n]).expect("write to memory");
        left -= n;
    }
    w.finish().expect("zip in memory").into_inner()
}

/// `inner` wrapped in `levels` zips, each holding the previous one as `inner.zip`.
pub fn nested_zip(inner: &[u8], levels: usize) -> Vec<u8> {
    let mut bytes = inner.to_vec();
    for _ in 0..levels {
        bytes = zip_of(&[("inner.zip", &bytes)]);
    }
    bytes
}

/// Every format once, with the given Korean and English text: the fuzzer's seeds.
pub fn all(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let lines: Vec<&str> = text.lines().collect();
    let euc_kr = encoding_rs::EUC_KR.encode(text).0.into_owned();
    vec![
        ("utf8.txt", text.as_bytes().to_vec()),
        ("euc-kr.txt", euc_kr),
        ("doc.docx", docx(&lines)),
        ("sheet.xlsx", xlsx(&[&lines, &["1200000", "3.5"]])),
        ("doc.hwpx", hwpx(&lines)),
        ("doc.hwp", hwp(&lines, true)),
        ("plain.hwp", hwp(&lines, false)),
        ("doc.pdf", pdf_text(&lines)),
        (
            "archive.zip",
            zip_of(&[("a.docx", &docx(&lines)), ("b.txt", text.as_bytes())]),
        ),
        ("nested.zip", nested_zip(text.as_bytes(), 2)),
    ]
}

/// Whether the OCR commands run here, for tests: when they do not, prints that the test is
/// skipped and returns `false`, unless `MALGEUN_TEST_OCR=1` (CI) makes that a failure (panics).
pub fn ocr_or_skip() -> bool {
    if crate::Ocr::default().commands_found() {
        return true;
    }
    assert!(
        std::env::var("MALGEUN_TEST_OCR").as_deref() != Ok("1"),
        "MALGEUN_TEST_OCR=1 but tesseract or pdftoppm is missing \
         (apt-get install tesseract-ocr tesseract-ocr-kor poppler-utils)"
    );
    eprintln!("SKIPPED: OCR test (tesseract or pdftoppm is not installed)");
    false
}
