//! Every format gives its text; every limit refuses with its reason; the type comes from the
//! bytes, not the name. The fixtures are built in code (`malgeun_extract::samples`), except the
//! OCR page, rendered once by `tests/data/render-form.sh`.

use malgeun_extract::{Extractor, Format, Limits, Rejection, detect, samples};

const LINES: &[&str] = &[
    "장기수선충당금 사용 내역",
    "승강기 교체 공사 & <견적>",
    "Elevator 2026",
];

fn plain() -> Extractor {
    Extractor::default()
}

fn text_of(bytes: &[u8]) -> (Format, String) {
    let e = plain().extract(bytes).expect("extracted");
    (e.format, e.text)
}

#[track_caller]
fn assert_has_lines(text: &str) {
    for line in LINES {
        assert!(text.contains(line), "`{line}` in:\n{text}");
    }
}

#[test]
fn docx_paragraphs() {
    let (format, text) = text_of(&samples::docx(LINES));
    assert_eq!(format, Format::Docx);
    assert_has_lines(&text);
    assert_eq!(text.lines().count(), 3, "one line per paragraph: {text:?}");
}

#[test]
fn xlsx_shared_strings_and_numbers() {
    let (format, text) = text_of(&samples::xlsx(&[&["항목", "금액"], &["청소비", "1120000"]]));
    assert_eq!(format, Format::Xlsx);
    assert_eq!(text, "항목\t금액\n청소비\t1120000");
}

#[test]
fn hwpx_sections() {
    let (format, text) = text_of(&samples::hwpx(LINES));
    assert_eq!(format, Format::Hwpx);
    assert_has_lines(&text);
}

#[test]
fn hwp_compressed_and_not() {
    for compressed in [true, false] {
        let (format, text) = text_of(&samples::hwp(LINES, compressed));
        assert_eq!(format, Format::Hwp);
        assert_has_lines(&text);
        assert!(
            text.starts_with("\t장기수선"),
            "the tab control became a tab: {text:?}"
        );
    }
}

#[test]
fn pdf_text_layer() {
    let (format, text) = text_of(&samples::pdf_text(LINES));
    assert_eq!(format, Format::Pdf);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for line in LINES {
        let line: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squeezed.contains(&line), "`{line}` in:\n{text}");
    }
}

#[test]
fn plain_text_in_utf8_utf16_and_euc_kr() {
    let text = LINES.join("\n");
    let euc_kr = encoding_rs::EUC_KR.encode(&text).0.into_owned();
    assert!(std::str::from_utf8(&euc_kr).is_err(), "really EUC-KR");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for bytes in [text.as_bytes().to_vec(), euc_kr, utf16, bom] {
        let (format, got) = text_of(&bytes);
        assert_eq!(format, Format::Text);
        assert_eq!(got, text);
    }
}

#[test]
fn plain_zip_reads_its_entries_under_their_names() {
    let zip = samples::zip_of(&[
        ("회의록.docx", &samples::docx(LINES)),
        ("메모.txt", "관리비 메모".as_bytes()),
    ]);
    let (format, text) = text_of(&zip);
    assert_eq!(format, Format::Zip);
    assert_has_lines(&text);
    assert!(
        text.contains("회의록.docx") && text.contains("관리비 메모"),
        "{text}"
    );
}

#[test]
fn the_type_comes_from_the_bytes() {
    let docx = samples::docx(LINES);
    let e = plain()
        .extract(&docx)
        .expect("read as what the bytes are, whatever the upload was called");
    assert_eq!(e.format, Format::Docx);
    assert_eq!(detect(&samples::hwp(LINES, true)), Some(Format::Hwp));
    assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
    assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
    assert_eq!(detect(b"II*\0...."), Some(Format::Tiff));
    // An OLE file that is not HWP (an old .doc) and binary noise are unsupported.
    let mut ole = samples::hwp(LINES, true);
    let at = ole.windows(3).position(|w| w == b"HWP").expect("signature");
    ole[at] = b'X';
    assert_eq!(detect(&ole), None);
    let noise: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert_eq!(plain().extract(&noise), Err(Rejection::Unsupported));
}

#[test]
fn too_large_input_is_refused() {
    let x = Extractor {
        limits: Limits {
            max_input_bytes: 100,
            ..Limits::default()
        },
        ocr: None,
    };
    let r = x.extract(&[b'a'; 101]).unwrap_err();
    assert_eq!(r.code(), "too_large");
    assert!(r.message_ko().contains("너무 커서"), "{}", r.message_ko());
}

#[test]
fn long_text_is_cut_and_marked() {
    let x = Extractor {
        limits: Limits {
            max_text_bytes: 10,
            ..Limits::default()
        },
        ocr: None,
    };
    let e = x
        .extract("가나다라마바사".as_bytes())
        .expect("cut, not refused");
    assert!(e.truncated);
    assert_eq!(e.text, "가나다", "cut on a character boundary");
}

fn small_unpack() -> Extractor {
    Extractor {
        limits: Limits {
            max_unpacked_bytes: 4 * 1024 * 1024,
            ..Limits::default()
        },
        ocr: None,
    }
}

#[test]
fn zip_bomb_is_refused_at_the_unpack_limit() {
    let bomb = samples::zip_bomb(16 * 1024 * 1024);
    assert!(bomb.len() < 100 * 1024, "a bomb: {} bytes", bomb.len());
    let r = small_unpack().extract(&bomb).unwrap_err();
    assert_eq!(r.code(), "unpacked_too_large");
    // Inside a DOCX too: the document part itself is the bomb.
    let mut big = String::from("<w:document xmlns:w=\"w\"><w:body>");
    big.push_str(&"<w:p><w:r><w:t>관리비</w:t></w:r></w:p>".repeat(200_000));
    big.push_str("</w:body></w:document>");
    let docx = samples::zip_of(&[("word/document.xml", big.as_bytes())]);
    let r = small_unpack().extract(&docx).unwrap_err();
    assert_eq!(r.code(), "unpacked_too_large");
}

#[test]
fn nesting_past_the_limit_is_refused() {
    let x = plain();
    let ok = samples::nested_zip("안쪽 문서".as_bytes(), 2);
    assert!(
        x.extract(&ok)
            .expect("two levels")
            .text
            .contains("안쪽 문서")
    );
    let deep = samples::nested_zip("안쪽 문서".as_bytes(), 4);
    let r = x.extract(&deep).unwrap_err();
    assert_eq!(r, Rejection::NestedTooDeep { limit: 3 });
}

#[test]
fn too_many_entries_are_refused() {
    let x = Extractor {
        limits: Limits {
            max_entries: 10,
            ..Limits::default()
        },
        ocr: None,
    };
    let names: Vec<String> = (0..11).map(|i| format!("{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    let r = x.extract(&samples::zip_of(&entries)).unwrap_err();
    assert_eq!(r.code(), "too_many_entries");
}

#[test]
fn deep_xml_is_refused() {
    let mut xml = String::from("<w:document xmlns:w=\"w\">");
    xml.push_str(&"<w:p>".repeat(1000));
    xml.push_str(&"</w:p>".repeat(1000));
    xml.push_str("</w:document>");
    let docx = samples::zip_of(&[("word/document.xml", xml.as_bytes())]);
    let r = plain().extract(&docx).unwrap_err();
    assert_eq!(r.code(), "xml_too_deep");
}

#[test]
fn malformed_and_truncated_files_are_refused() {
    let x = plain();
    for (name, bytes) in samples::all(&LINES.join("\n")) {
        if name.ends_with(".txt") {
            continue;
        }
        // Cut in half: every format notices.
        let cut = &bytes[..bytes.len() / 2];
        match x.extract(cut) {
            Err(r) => assert!(
                ["malformed", "unsupported"].contains(&r.code()),
                "{name} cut in half: {r}"
            ),
            Ok(e) => panic!("{name} cut in half gave text {:?}", e.text),
        }
    }
    // Broken XML inside a DOCX.
    let docx = samples::zip_of(&[("word/document.xml", b"<w:document><w:body><w:p>".as_slice())]);
    assert_eq!(x.extract(&docx).unwrap_err().code(), "malformed");
    // A HWP whose record claims more bytes than its section has.
    let mut hwp = samples::hwp(LINES, false);
    let at = hwp
        .windows(4)
        .position(|w| w == [0x42, 0x00, 0x60, 0x01])
        .expect("PARA_HEADER record");
    hwp[at + 3] = 0x7F;
    assert_eq!(x.extract(&hwp).unwrap_err().code(), "malformed");
}

#[test]
fn locked_hwp_is_refused() {
    let mut hwp = samples::hwp(LINES, true);
    let at = hwp
        .windows(17)
        .position(|w| w == b"HWP Document File")
        .expect("header");
    hwp[at + 36] |= 0b10;
    assert_eq!(plain().extract(&hwp), Err(Rejection::Encrypted));
}

#[test]
fn images_without_ocr_are_refused_with_the_missing_tool() {
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/form.png"))
        .expect("fixture");
    let r = plain().extract(&png).unwrap_err();
    assert_eq!(r.code(), "ocr_unavailable");
    let missing = Extractor {
        limits: Limits::default(),
        ocr: Some(malgeun_extract::Ocr {
            tesseract: "/nonexistent/tesseract".into(),
            ..Default::default()
        }),
    };
    let r = missing.extract(&png).unwrap_err();
    assert_eq!(r.code(), "ocr_unavailable");
    assert!(r.message_ko().contains("설치"), "{}", r.message_ko());
}

#[test]
fn ocr_reads_a_korean_form_page_as_image_and_as_scanned_pdf() {
    if !samples::ocr_or_skip() {
        return;
    }
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/form.png"))
        .expect("fixture");
    let pdf = samples::pdf_scan(&png, 150).expect("8-bit grayscale PNG");
    let x = Extractor::with_ocr();
    for (name, bytes, format) in [
        ("form.png", png, Format::Png),
        ("scan.pdf", pdf, Format::Pdf),
    ] {
        let e = x.extract(&bytes).unwrap_or_else(|r| panic!("{name}: {r}"));
        assert_eq!(e.format, format);
        assert!(e.ocr, "{name} was read by OCR");
        for word in ["관리비", "장기수선충당금", "승강기유지비", "맑은아파트"]
        {
            assert!(e.text.contains(word), "{name}: `{word}` in:\n{}", e.text);
        }
    }
}
