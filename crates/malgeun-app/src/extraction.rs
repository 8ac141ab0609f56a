//! 첨부파일 본문 추출: persistent jobs that take the text of attached files, so search finds
//! documents by the words inside their attachments.
//!
//! A job per distinct file of a complex is queued in the transaction that attaches it
//! ([`malgeun_store::extraction`]). A worker in each server process ([`App::extract_forever`])
//! claims a job under a lease, and runs the extraction in a child process of our own binary
//! (`malgeun extract-file`) with a wall-clock timeout (the child's process group is killed) and a
//! memory limit (the child sets `RLIMIT_AS` on itself), so a hostile file ends only its child.
//! The text is recorded as a ledgered `attachment_texts` row in a `document.extract` entry naming
//! each document that holds the file: the entry is the search index's cue to re-read the document,
//! and `verify` covers the text. A failure is recorded on the job with its code and Korean
//! reason. A process that dies mid-job leaves its lease to expire; another worker (or the same
//! one after a restart) takes the job again, and after [`ExtractionConfig::max_attempts`] starts
//! it fails for good.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use malgeun_domain::{ComplexId, Timestamp};
use malgeun_extract::{Extractor, Limits, Ocr, Rejection};
use malgeun_store::documents::AttachmentRow;
use malgeun_store::extraction::{self, Claimed, JobRow, state};
use malgeun_store::image::Row;
use malgeun_store::{Tx, tables};
use serde::{Deserialize, Serialize};

use crate::events::{Change, record};
use crate::member::parse_id;
use crate::{App, AppError};

/// How extraction runs.
#[derive(Clone, Debug)]
pub struct ExtractionConfig {
    /// The `malgeun` binary, whose hidden `extract-file` command does one extraction.
    pub program: PathBuf,
    /// Longest one file may take (the child is killed after it).
    pub timeout: Duration,
    /// Address-space limit of the child, in MiB.
    pub memory_mib: u64,
    /// Limits per file.
    pub limits: Limits,
    /// Whether images and scans are read by OCR (`tesseract`, `pdftoppm`).
    pub ocr: bool,
    /// Starts after which an interrupted job fails for good.
    pub max_attempts: i64,
}

impl ExtractionConfig {
    /// Defaults for `program`: 5 minutes, 2 GiB, the default limits, OCR on, 3 attempts.
    pub fn new(program: PathBuf) -> Self {
        Self {
            program,
            timeout: Duration::from_secs(300),
            memory_mib: 2048,
            limits: Limits::default(),
            ocr: true,
            max_attempts: 3,
        }
    }

    /// How long a claimed job stays with its worker: past the timeout, so a live worker never
    /// loses a job it is still running.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(60)
    }
}

/// What the parent asks the `extract-file` child (a JSON file).
#[derive(Debug, Serialize, Deserialize)]
pub struct ChildRequest {
    /// The file to read.
    pub input: PathBuf,
    /// Where to write the [`ChildAnswer`].
    pub output: PathBuf,
    /// Limits per file.
    pub limits: Limits,
    /// Whether to run OCR.
    pub ocr: bool,
    /// Longest one OCR command may run, in seconds.
    pub command_timeout_secs: u64,
}

/// What the child answers (a JSON file), and how a job ended.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ChildAnswer {
    /// The text.
    Text {
        /// Format code.
        format: String,
        /// The text.
        text: String,
        /// Whether it was cut at the limit.
        truncated: bool,
        /// Whether OCR read it.
        ocr: bool,
    },
    /// Refused.
    Refused {
        /// Stable code.
        code: String,
        /// Korean message.
        message: String,
        /// Details for logs.
        detail: Option<String>,
    },
}

/// The `extract-file` child: reads the request, extracts, writes the answer. The caller has
/// already limited the process's memory.
pub fn run_child(request: &Path) -> std::io::Result<()> {
    let req: ChildRequest = serde_json::from_slice(&std::fs::read(request)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let bytes = std::fs::read(&req.input)?;
    let extractor = Extractor {
        limits: req.limits,
        ocr: req.ocr.then(|| Ocr {
            command_timeout: Duration::from_secs(req.command_timeout_secs),
            ..Ocr::default()
        }),
    };
    let answer = match extractor.extract(&bytes) {
        Ok(e) => ChildAnswer::Text {
            format: e.format.code().to_owned(),
            text: e.text,
            truncated: e.truncated,
            ocr: e.ocr,
        },
        Err(r) => refused(&r),
    };
    let json = serde_json::to_vec(&answer).map_err(std::io::Error::other)?;
    std::fs::write(&req.output, json)
}

fn refused(r: &Rejection) -> ChildAnswer {
    ChildAnswer::Refused {
        code: r.code().to_owned(),
        message: r.message_ko(),
        detail: r.detail().map(str::to_owned),
    }
}

/// A job's state as the 문서 보기 page shows it beside its attachment.
#[derive(Clone, Debug, Serialize)]
pub struct ExtractionView {
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// 추출 대기, 추출 중, 추출 완료, 추출 실패.
    pub label: &'static str,
    /// Why it failed (Korean), for `failed`.
    pub reason: Option<String>,
}

impl ExtractionView {
    fn of(job: &JobRow) -> Self {
        Self {
            label: match job.state.as_str() {
                state::QUEUED => "추출 대기",
                state::RUNNING => "추출 중",
                state::DONE => "추출 완료",
                _ => "추출 실패",
            },
            state: job.state.clone(),
            reason: job.reason.clone(),
        }
    }
}

/// Queues extraction of the attachments' files (inside the transaction that attaches them).
pub(crate) async fn enqueue(
    tx: &mut Tx,
    complex: ComplexId,
    attachments: &[AttachmentRow],
    now: Timestamp,
) -> Result<(), AppError> {
    let cid = complex.to_string();
    for a in attachments {
        extraction::enqueue(tx, &cid, &a.sha256, now.as_micros()).await?;
    }
    Ok(())
}

/// The extraction state of each attachment, by SHA-256 (none for a file without a job).
pub(crate) async fn views(
    conn: malgeun_store::db::Conn<'_>,
    complex: ComplexId,
    attachments: &[AttachmentRow],
) -> Result<std::collections::HashMap<String, ExtractionView>, AppError> {
    let shas: Vec<&str> = attachments.iter().map(|a| a.sha256.as_str()).collect();
    Ok(extraction::jobs(conn, &complex.to_string(), &shas)
        .await?
        .iter()
        .map(|j| (j.sha256.clone(), ExtractionView::of(j)))
        .collect())
}

impl App {
    /// Turns extraction on with `config`; from now on [`App::extract_pending`] runs jobs. Call once.
    pub fn enable_extraction(&self, config: ExtractionConfig) -> Result<(), AppError> {
        self.inner
            .extraction
            .set(std::sync::Arc::new(config))
            .map_err(|_| AppError::internal("extraction is already enabled"))
    }

    fn extraction_config(&self) -> Result<std::sync::Arc<ExtractionConfig>, AppError> {
        self.inner
            .extraction
            .get()
            .cloned()
            .ok_or_else(|| AppError::internal("extraction is not enabled"))
    }

    /// Runs every job that is queued or whose lease expired, one after another, until none is
    /// left. Returns how many ran.
    pub async fn extract_pending(&self) -> Result<usize, AppError> {
        let cfg = self.extraction_config()?;
        let mut ran = 0;
        loop {
            let now = self.clock().now().as_micros();
            let lease = i64::try_from(cfg.lease().as_micros()).unwrap_or(i64::MAX);
            let mut tx = self.db().begin().await?;
            let claimed = extraction::claim(
                &mut tx,
                &self.inner.worker_id,
                now,
                now.saturating_add(lease),
            )
            .await?;
            tx.commit().await?;
            let Some(job) = claimed else {
                return Ok(ran);
            };
            self.run_job(&cfg, &job).await?;
            ran += 1;
        }
    }

    /// How many jobs are in each state (all complexes): `malgeun extract`.
    pub async fn extraction_counts(&self) -> Result<Vec<(String, i64)>, AppError> {
        let mut r = self.db().reader().await?;
        Ok(extraction::counts(r.conn()).await?)
    }

    /// Runs extraction jobs in the background until the process ends (`serve`, `demo`).
    pub async fn extract_forever(self, every: Duration) {
        loop {
            if let Err(e) = self.extract_pending().await {
                tracing::warn!(error = %e, "extraction failed; trying again");
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn run_job(&self, cfg: &ExtractionConfig, job: &Claimed) -> Result<(), AppError> {
        let complex: ComplexId = parse_id(&job.complex_id)?;
        let outcome = if job.attempts > cfg.max_attempts {
            refused(&Rejection::TooManyAttempts {
                attempts: job.attempts - 1,
            })
        } else {
            let sha = malgeun_domain::content::Sha256Hash::from_hex(&job.sha256)
                .ok_or_else(|| AppError::internal("stored attachment hash is not hex"))?;
            match self.blobs().get(&job.complex_id, &sha).await? {
                Some(bytes) => run_child_process(cfg, &bytes).await,
                None => refused(&Rejection::FileMissing),
            }
        };
        let now = self.clock().now();
        match outcome {
            ChildAnswer::Refused { code, message, .. } => {
                tracing::info!(complex = %job.complex_id, sha256 = %job.sha256, %code, %message, "extraction refused");
                let mut tx = self.db().begin().await?;
                extraction::finish(
                    &mut tx,
                    &job.complex_id,
                    &job.sha256,
                    &self.inner.worker_id,
                    state::FAILED,
                    Some((&code, &message)),
                    now.as_micros(),
                )
                .await?;
                tx.commit().await?;
            }
            ChildAnswer::Text {
                format,
                text,
                truncated,
                ocr,
            } => {
                let (mut tx, mut head) = self.begin_write(complex).await?;
                let documents =
                    extraction::documents_with(tx.conn(), &job.complex_id, &job.sha256).await?;
                if documents.is_empty() {
                    // Detached before it was read: forget the job, so attaching it again queues it.
                    extraction::forget(
                        &mut tx,
                        &job.complex_id,
                        &job.sha256,
                        &self.inner.worker_id,
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(());
                }
                if !extraction::finish(
                    &mut tx,
                    &job.complex_id,
                    &job.sha256,
                    &self.inner.worker_id,
                    state::DONE,
                    None,
                    now.as_micros(),
                )
                .await?
                {
                    // The lease ran out and another worker holds the job now.
                    return Ok(());
                }
                let row = Row::new(
                    &tables::ATTACHMENT_TEXTS,
                    vec![
                        ("complex_id", job.complex_id.clone().into()),
                        ("sha256", job.sha256.clone().into()),
                        ("format", format.into()),
                        ("ocr", ocr.into()),
                        ("truncated", truncated.into()),
                        ("text", malgeun_domain::text::nfc(&text).into()),
                        ("extracted_at", now.as_micros().into()),
                    ],
                );
                let signer = self.signer(complex);
                let mut row = Some(row);
                for document in documents {
                    let mut change = Change::new("document.extract").subject(document);
                    if let Some(row) = row.take() {
                        change = change.row(row);
                    }
                    record(&mut tx, complex, &mut head, &signer, now, change).await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

/// Runs `malgeun extract-file` on the bytes in a fresh folder, bounded in time (the child's
/// process group is killed) and memory (the child limits itself), and reads its answer.
async fn run_child_process(cfg: &ExtractionConfig, bytes: &[u8]) -> ChildAnswer {
    match child_process(cfg, bytes).await {
        Ok(answer) => answer,
        Err(e) => refused(&Rejection::Crashed {
            detail: format!("could not run the extraction process: {e}"),
        }),
    }
}

async fn child_process(cfg: &ExtractionConfig, bytes: &[u8]) -> std::io::Result<ChildAnswer> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input");
    let output = dir.path().join("answer.json");
    let request = dir.path().join("request.json");
    tokio::fs::write(&input, bytes).await?;
    let req = ChildRequest {
        input,
        output: output.clone(),
        limits: cfg.limits.clone(),
        ocr: cfg.ocr,
        command_timeout_secs: cfg.timeout.as_secs().max(1),
    };
    tokio::fs::write(
        &request,
        serde_json::to_vec(&req).map_err(std::io::Error::other)?,
    )
    .await?;
    let stderr_path = dir.path().join("stderr");
    let stderr = std::fs::File::create(&stderr_path)?;
    let mut child = tokio::process::Command::new(&cfg.program)
        .arg("extract-file")
        .arg("--request")
        .arg(&request)
        .arg("--memory-mib")
        .arg(cfg.memory_mib.to_string())
        .arg("--cpu-secs")
        .arg((cfg.timeout.as_secs() + 1).to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .env("MALGEUN_LOG", "error")
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id();
    let waited = tokio::time::timeout(cfg.timeout, child.wait()).await;
    let status = match waited {
        Ok(status) => Some(status?),
        Err(_) => None,
    };
    if !status.is_some_and(|s| s.success()) {
        // Its helpers (tesseract, pdftoppm) are in its process group: end them all.
        if let Some(pid) = pid {
            let _ = tokio::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(std::process::Stdio::null())
                .status()
                .await;
        }
        let _ = child.kill().await;
    }
    let Some(status) = status else {
        return Ok(refused(&Rejection::Timeout {
            seconds: cfg.timeout.as_secs(),
        }));
    };
    if status.success() {
        let answer: ChildAnswer = serde_json::from_slice(&tokio::fs::read(&output).await?)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        return Ok(match answer {
            // The child knows it ran out of memory, not the limit it was given.
            ChildAnswer::Refused { code, .. } if code == "out_of_memory" => {
                refused(&Rejection::OutOfMemory {
                    mib: cfg.memory_mib,
                })
            }
            answer => answer,
        });
    }
    let said = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    Ok(refused(&abnormal_end(cfg, status, &said)))
}

/// Why a child ended without an answer.
fn abnormal_end(cfg: &ExtractionConfig, status: ExitStatus, stderr: &str) -> Rejection {
    use std::os::unix::process::ExitStatusExt;
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return Rejection::OutOfMemory {
            mib: cfg.memory_mib,
        };
    }
    // SIGXCPU: the CPU limit, a backstop of the timeout.
    if status.signal() == Some(24) {
        return Rejection::Timeout {
            seconds: cfg.timeout.as_secs(),
        };
    }
    let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
    Rejection::Crashed {
        detail: format!("{status}: {tail}"),
    }
}
