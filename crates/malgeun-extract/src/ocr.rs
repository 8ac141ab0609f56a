//! OCR through the Debian commands, run at run time (no C library at build time): `tesseract`
//! with the Korean model (`--psm 4 -l kor+eng`: one column of text of varying sizes, which reads
//! form pages exactly where the default mode produced garbage) and `pdftoppm` (poppler-utils) to
//! render a scanned PDF's pages. Each command runs with a timeout and one OpenMP thread.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sink::Budget;
use crate::{Format, Rejection};

/// Where the OCR commands are and how they run.
#[derive(Clone, Debug)]
pub struct Ocr {
    /// The `tesseract` program.
    pub tesseract: PathBuf,
    /// The `pdftoppm` program.
    pub pdftoppm: PathBuf,
    /// Tesseract languages.
    pub languages: String,
    /// Resolution at which PDF pages are rendered.
    pub dpi: u32,
    /// Longest one command may run.
    pub command_timeout: Duration,
}

impl Default for Ocr {
    fn default() -> Self {
        Self {
            tesseract: "tesseract".into(),
            pdftoppm: "pdftoppm".into(),
            languages: "kor+eng".to_owned(),
            dpi: 300,
            command_timeout: Duration::from_secs(120),
        }
    }
}

fn failed(detail: impl std::fmt::Display) -> Rejection {
    Rejection::OcrFailed {
        detail: detail.to_string(),
    }
}

impl Ocr {
    /// Whether both commands can be started (`-v` answers).
    pub fn commands_found(&self) -> bool {
        [&self.tesseract, &self.pdftoppm].iter().all(|program| {
            Command::new(program)
                .arg("-v")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok()
        })
    }

    /// Runs a command in `dir` with its output in files; refuses when it is missing, fails or
    /// runs past the timeout (then it is killed). Returns what it wrote to stderr.
    fn run(
        &self,
        program: &Path,
        args: &[&std::ffi::OsStr],
        dir: &Path,
    ) -> Result<String, Rejection> {
        let name = program
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let stderr_path = dir.join(format!("{name}.stderr"));
        let stderr = std::fs::File::create(&stderr_path).map_err(failed)?;
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Rejection::OcrUnavailable { tool: name.clone() },
                _ => failed(format!("{name}: {e}")),
            })?;
        let deadline = Instant::now() + self.command_timeout;
        let status = loop {
            if let Some(status) = child.try_wait().map_err(failed)? {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Rejection::Timeout {
                    seconds: self.command_timeout.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let said = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if said.contains("Failed loading language") || said.contains("Error opening data file") {
            return Err(Rejection::OcrUnavailable {
                tool: "tesseract-ocr-kor".to_owned(),
            });
        }
        if !status.success() {
            let tail: String = said
                .chars()
                .rev()
                .take(300)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            return Err(failed(format!("{name} {status}: {}", tail.trim())));
        }
        Ok(said)
    }

    /// Reads one image file (in `dir`) into the budget.
    fn read_image(&self, image: &Path, dir: &Path, budget: &mut Budget) -> Result<(), Rejection> {
        let out = dir.join("ocr");
        self.run(
            &self.tesseract,
            &[
                image.as_os_str(),
                out.as_os_str(),
                "--psm".as_ref(),
                "4".as_ref(),
                "-l".as_ref(),
                self.languages.as_ref(),
            ],
            dir,
        )?;
        let text = std::fs::read_to_string(out.with_extension("txt")).map_err(failed)?;
        for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
            budget.push(line);
            budget.push_char('\n');
        }
        Ok(())
    }

    /// OCR of an image.
    pub(crate) fn image(
        &self,
        format: Format,
        bytes: &[u8],
        budget: &mut Budget,
    ) -> Result<(), Rejection> {
        if budget.take_ocr_pages(1) == 0 {
            return Ok(());
        }
        let dir = tempfile::tempdir().map_err(failed)?;
        let path = dir.path().join(format!("image.{}", format.code()));
        std::fs::write(&path, bytes).map_err(failed)?;
        self.read_image(&path, dir.path(), budget)
    }

    /// OCR of a PDF's pages (up to the budget's page limit), rendered by `pdftoppm`.
    pub(crate) fn pdf(&self, bytes: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
        let pages = budget.take_ocr_pages(budget.limits.max_ocr_pages);
        if pages == 0 {
            return Ok(());
        }
        let dir = tempfile::tempdir().map_err(failed)?;
        let pdf = dir.path().join("scan.pdf");
        std::fs::write(&pdf, bytes).map_err(failed)?;
        let dpi = self.dpi.to_string();
        let last = pages.to_string();
        self.run(
            &self.pdftoppm,
            &[
                "-r".as_ref(),
                dpi.as_ref(),
                "-f".as_ref(),
                "1".as_ref(),
                "-l".as_ref(),
                last.as_ref(),
                "-gray".as_ref(),
                "-png".as_ref(),
                pdf.as_os_str(),
                dir.path().join("page").as_os_str(),
            ],
            dir.path(),
        )?;
        // pdftoppm names pages page-1.png … page-12.png (zero-padded to the widest number).
        let mut images: Vec<(u64, PathBuf)> = std::fs::read_dir(dir.path())
            .map_err(failed)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter_map(|p| {
                let n = p
                    .file_stem()?
                    .to_str()?
                    .strip_prefix("page-")?
                    .parse()
                    .ok()?;
                (p.extension()? == "png").then_some((n, p))
            })
            .collect();
        images.sort();
        for (_, image) in images {
            self.read_image(&image, dir.path(), budget)?;
            let _ = std::fs::remove_file(&image);
            if budget.full() {
                break;
            }
        }
        Ok(())
    }
}
