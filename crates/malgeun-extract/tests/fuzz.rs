//! Fuzzing of every extractor on the stable toolchain: a mutation loop over the samples of every
//! format (`malgeun_extract::samples`), for a bounded time. Mutations work on the bytes of the file
//! and, for containers, on what is inside them (the XML of a DOCX, XLSX or HWPX is mutated and
//! zipped again, a HWP section's records are mutated and wrapped again), so the parsers behind
//! the checksums are reached too.
//!
//! It fails when our code panics (a panic inside a dependency is caught by the extractor and
//! refused as malformed: counted and reported, not a failure, since the product survives it),
//! when one input runs longer than [`HANG`], when an answer breaks a limit, or when the process
//! dies (stack overflow, abort). The failing input is written to `target/fuzz-failure.bin`.
//!
//! `cargo test -p malgeun-extract --test fuzz` runs it for 3 seconds; set
//! `MALGEUN_FUZZ_SECONDS=N` for longer (CI: 90) and `MALGEUN_FUZZ_SEED` to replay a run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use malgeun_extract::{Extractor, Limits, samples};

/// Longest one input may take.
const HANG: Duration = Duration::from_secs(10);

/// A small, fast pseudo-random generator (SplitMix64); the seed is printed so a run can be
/// replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xFF",
    b"\x7F",
    b"\x80",
    b"\xFF\xFF\xFF\xFF",
    b"\0\0\0\0",
    b"<",
    b">",
    b"&#0;",
    b"&amp;",
    b"<w:p>",
    b"</w:t>",
    b"<hp:t>",
    b"obj",
    b"endobj",
    b"stream",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"R",
    b"9999999999",
    b"-1",
    b"PK\x03\x04",
    b"\xD0\xCF\x11\xE0",
];

/// One random change of the bytes.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, others: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(8) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = rng.next() as u8;
        }
        2 => {
            let word = INTERESTING[rng.below(INTERESTING.len())];
            let i = rng.below(len + 1);
            data.splice(i..i, word.iter().copied());
        }
        3 if len > 0 => {
            let i = rng.below(len);
            let n = rng.below((len - i).min(256) + 1);
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            let i = rng.below(len);
            let n = rng.below((len - i).min(512) + 1);
            let chunk = data[i..i + n].to_vec();
            let at = rng.below(len + 1);
            data.splice(
                at..at,
                chunk.into_iter().cycle().take(n * (1 + rng.below(8))),
            );
        }
        5 if len > 0 => data.truncate(rng.below(len)),
        6 if !others.is_empty() => {
            let other = &others[rng.below(others.len())];
            if !other.is_empty() {
                let i = rng.below(other.len());
                let n = rng.below((other.len() - i).min(1024) + 1);
                let at = rng.below(len + 1);
                data.splice(at..at, other[i..i + n].iter().copied());
            }
        }
        _ => {
            let word = INTERESTING[rng.below(INTERESTING.len())];
            if len >= word.len() {
                let i = rng.below(len - word.len() + 1);
                data[i..i + word.len()].copy_from_slice(word);
            }
        }
    }
}

/// Wraps a container's mutated inside into the container again.
type Wrap = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// The seeds: every sample file, plus the insides of the containers with a way to wrap them
/// again.
struct Seeds {
    files: Vec<Vec<u8>>,
    inner: Vec<(Vec<u8>, Wrap)>,
}

fn seeds() -> Seeds {
    let text = "장기수선충당금 사용 내역\n승강기 교체 공사 & <견적>\nElevator 2026 관리비";
    let lines: Vec<&str> = text.lines().collect();
    let mut files: Vec<Vec<u8>> = samples::all(text).into_iter().map(|(_, b)| b).collect();
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/form.png"))
        .expect("fixture");
    files.push(samples::pdf_scan(&png, 150).expect("scan"));
    files.push(png[..2000].to_vec());
    let docx_xml = format!(
        "<w:document xmlns:w=\"w\"><w:body>{}</w:body></w:document>",
        lines
            .iter()
            .map(|l| format!("<w:p><w:r><w:t>{l}</w:t><w:tab/></w:r></w:p>"))
            .collect::<String>()
    );
    let hwpx_xml = format!(
        "<hs:sec xmlns:hs=\"s\" xmlns:hp=\"p\">{}</hs:sec>",
        lines
            .iter()
            .map(|l| format!("<hp:p><hp:run><hp:t>{l}</hp:t></hp:run></hp:p>"))
            .collect::<String>()
    );
    let sheet = "<worksheet><sheetData><row><c t=\"s\"><v>0</v></c><c><v>12</v></c><c t=\"inlineStr\"><is><t>청소비</t></is></c></row></sheetData></worksheet>";
    let shared = "<sst><si><t>관리비</t><rPh><t>x</t></rPh></si></sst>";
    let inner: Vec<(Vec<u8>, Wrap)> = vec![
        (
            docx_xml.into_bytes(),
            Box::new(|x: &[u8]| samples::zip_of(&[("word/document.xml", x)])),
        ),
        (
            hwpx_xml.into_bytes(),
            Box::new(|x: &[u8]| {
                samples::zip_of(&[
                    ("mimetype", b"application/hwp+zip".as_slice()),
                    ("Contents/section0.xml", x),
                ])
            }),
        ),
        (
            sheet.as_bytes().to_vec(),
            Box::new(move |x: &[u8]| {
                samples::zip_of(&[
                    ("xl/workbook.xml", b"<workbook/>".as_slice()),
                    ("xl/sharedStrings.xml", shared.as_bytes()),
                    ("xl/worksheets/sheet1.xml", x),
                ])
            }),
        ),
        (
            samples::hwp_section(&lines),
            Box::new(|x: &[u8]| samples::hwp_with_section(x, true)),
        ),
        (
            samples::hwp_section(&lines),
            Box::new(|x: &[u8]| samples::hwp_with_section(x, false)),
        ),
    ];
    Seeds { files, inner }
}

#[test]
fn every_extractor_survives_mutated_input() {
    let seconds: u64 = std::env::var("MALGEUN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("MALGEUN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("fuzz: {seconds} s, MALGEUN_FUZZ_SEED={seed}");
    let limits = Limits {
        max_unpacked_bytes: 16 * 1024 * 1024,
        max_text_bytes: 256 * 1024,
        ..Limits::default()
    };
    let extractor = Extractor {
        limits: limits.clone(),
        ocr: None,
    };
    let failure_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-failure.bin");

    // Panics: where each came from. Ours fail the run; a dependency's are counted.
    let ours: Arc<Mutex<Vec<String>>> = Arc::default();
    let theirs: Arc<Mutex<std::collections::BTreeMap<String, u64>>> = Arc::default();
    {
        let (ours, theirs) = (ours.clone(), theirs.clone());
        std::panic::set_hook(Box::new(move |info| {
            let at = info
                .location()
                .map_or_else(|| "?".to_owned(), |l| format!("{}:{}", l.file(), l.line()));
            if at.contains("malgeun-extract/src") {
                ours.lock().unwrap().push(format!("{at}: {info}"));
            } else {
                *theirs.lock().unwrap().entry(at).or_default() += 1;
            }
        }));
    }

    // The watchdog: an input that runs too long is saved and the process stopped.
    let started = Arc::new(AtomicU64::new(0));
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let epoch = Instant::now();
    {
        let (started, current, failure_path) =
            (started.clone(), current.clone(), failure_path.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let at = started.load(Ordering::Relaxed);
                if at != 0 && epoch.elapsed().as_millis() as u64 > at + HANG.as_millis() as u64 {
                    let bytes = current
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clone();
                    let _ = std::fs::write(&failure_path, &bytes);
                    eprintln!(
                        "fuzz: an input ran past {HANG:?}; saved to {}",
                        failure_path.display()
                    );
                    std::process::abort();
                }
            }
        });
    }

    let seeds = seeds();
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut runs, mut accepted) = (0u64, 0u64);
    let mut codes: std::collections::BTreeMap<&'static str, u64> = Default::default();
    while Instant::now() < deadline {
        let input = if rng.below(3) == 0 {
            let (inside, wrap) = &seeds.inner[rng.below(seeds.inner.len())];
            let mut inside = inside.clone();
            for _ in 0..=rng.below(4) {
                mutate(&mut rng, &mut inside, &[]);
            }
            wrap(&inside)
        } else {
            let mut file = seeds.files[rng.below(seeds.files.len())].clone();
            for _ in 0..=rng.below(8) {
                mutate(&mut rng, &mut file, &seeds.files);
            }
            file
        };
        current.lock().unwrap().clone_from(&input);
        started.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let result = extractor.extract(&input);
        started.store(0, Ordering::Relaxed);
        runs += 1;
        match &result {
            Ok(e) => {
                accepted += 1;
                assert!(e.text.len() <= limits.max_text_bytes, "text past its limit");
            }
            Err(r) => {
                *codes.entry(r.code()).or_default() += 1;
                assert!(!r.message_ko().is_empty());
            }
        }
        let ours = ours.lock().unwrap();
        if !ours.is_empty() {
            let _ = std::fs::write(&failure_path, &input);
            panic!(
                "fuzz: our code panicked (input saved to {}; MALGEUN_FUZZ_SEED={seed}):\n{}",
                failure_path.display(),
                ours.join("\n")
            );
        }
    }
    let _ = std::panic::take_hook();
    eprintln!("fuzz: {runs} inputs, {accepted} gave text, refusals {codes:?}");
    let theirs = theirs.lock().unwrap();
    if !theirs.is_empty() {
        eprintln!("fuzz: panics inside dependencies, caught and refused as malformed: {theirs:?}");
    }
    assert!(runs > 0);
}
