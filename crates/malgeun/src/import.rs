//! `malgeun import DIR`: brings a digitised paper archive in. Walks the folder, maps each file with
//! the import rules, checks everything that can be checked before writing (rules, kinds, the
//! importer, the complex, unreadable and oversize files), then registers the files in small
//! transactions through `App::digitise_batch`, skipping any file whose SHA-256 is already in the
//! complex. Killed at any point, the same command finishes the job: what committed is skipped by
//! its hash, and what did not left at most an unreferenced blob.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use malgeun_app::documents::{DigitiseOutcome, DigitisedInput};
use malgeun_app::{App, AppError, Caller};
use malgeun_domain::content::Sha256Hash;
use malgeun_domain::digitise::{ImportRules, MANIFEST_NAMES, Mapped, Provenance, RulesError};
use malgeun_domain::text::nfc;
use malgeun_domain::{ComplexId, PositionId, UserFacing};

/// What the command line asked for (`malgeun import …`).
#[derive(Clone, Debug, clap::Args)]
pub struct ImportOptions {
    /// The folder of scans (e.g. DIR/2019/관리비/2019-03-05_부과내역.pdf).
    pub dir: PathBuf,
    /// Rules file (TOML) mapping paths to kinds, dates, titles and provenance; the default rules
    /// read DIR/<year>/<kind name>/<file>.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Complex id (may be left out when the importer has positions in one complex only).
    #[arg(long)]
    pub complex: Option<String>,
    /// Import as this person (login): the 관리사무소장 or an administrator of the complex.
    #[arg(long = "as")]
    pub login: String,
    /// The importing position id, when the person holds several.
    #[arg(long)]
    pub position: Option<String>,
    /// Who scanned the papers, when no rule or 출처.toml says.
    #[arg(long)]
    pub scanned_by: Option<String>,
    /// Show what would be imported; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Skip unreadable and oversize files (reported as failed) instead of refusing the run.
    #[arg(long)]
    pub skip_bad: bool,
    /// Files per transaction (1: one transaction per file).
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
}

/// A refusal before anything was written: a stable code, Korean and English.
#[derive(Debug)]
pub struct Refusal {
    /// Stable code.
    pub code: &'static str,
    /// Korean message.
    pub message_ko: String,
    /// English message.
    pub message_en: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n{} ({})",
            self.message_ko, self.message_en, self.code
        )
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    fn new(code: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            message_ko: ko.into(),
            message_en: en.into(),
        }
    }
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Self::new(e.code, e.message_ko, e.message_en)
    }
}

impl From<RulesError> for Refusal {
    fn from(e: RulesError) -> Self {
        Self::new(e.code(), e.message_ko(), e.message_en())
    }
}

/// How a run ended.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files seen (manifests and hidden files excluded).
    pub files: usize,
    /// Newly registered (or, in a dry run, that would be).
    pub imported: usize,
    /// Skipped: the same content was imported before this run (an earlier or interrupted run).
    pub already: usize,
    /// Skipped: the same content as an earlier file of this run, as (file, earlier file).
    pub duplicates: Vec<(String, String)>,
    /// No rule matched, as (file, reason).
    pub unmatched: Vec<(String, String)>,
    /// Could not be imported, as (file, reason).
    pub failed: Vec<(String, String)>,
    /// In a dry run, what each new file would become.
    pub planned: Vec<String>,
    /// Hidden and system files passed over.
    pub ignored: usize,
    /// Seconds the import phase took.
    pub seconds: f64,
    /// A dry run.
    pub dry_run: bool,
}

impl Summary {
    /// The report printed at the end.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run {
            "가져올 예정"
        } else {
            "새로 가져옴"
        };
        let _ = writeln!(
            out,
            "{} 파일 {}개: {verb} {}건, 이미 가져온 문서 {}건, 중복 {}건, 규칙에 맞지 않음 {}건, 실패 {}건 ({:.1}초, 초당 {:.0}건)",
            if self.dry_run {
                "[시험 실행]"
            } else {
                "가져오기 끝."
            },
            self.files,
            self.imported,
            self.already,
            self.duplicates.len(),
            self.unmatched.len(),
            self.failed.len(),
            self.seconds,
            self.rate()
        );
        if self.imported == 0 && self.failed.is_empty() && !self.dry_run {
            let _ = writeln!(
                out,
                "새로 가져온 문서가 없습니다 (모두 이미 가져왔거나 규칙에 맞지 않음)."
            );
        }
        if !self.planned.is_empty() {
            let _ = writeln!(out, "가져올 파일 (경로 → 종류 일자 \"제목\"):");
            for line in &self.planned {
                let _ = writeln!(out, "  {line}");
            }
        }
        for (what, list) in [
            ("중복 (같은 내용의 파일을 이미 가져옴)", &self.duplicates),
            ("규칙에 맞지 않아 건너뜀", &self.unmatched),
            ("실패", &self.failed),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{what}: {}건", list.len());
            for (path, why) in list {
                let _ = writeln!(out, "  {path}: {why}");
            }
        }
        let _ = writeln!(
            out,
            "imported={} already={} duplicates={} unmatched={} failed={} ignored={} files_per_second={:.0}",
            self.imported,
            self.already,
            self.duplicates.len(),
            self.unmatched.len(),
            self.failed.len(),
            self.ignored,
            self.rate()
        );
        out
    }

    fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.imported as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// One file found in the folder.
struct Found {
    path: PathBuf,
    /// NFC segments relative to the import folder.
    segments: Vec<String>,
}

/// System files storerooms' PCs leave behind.
fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || ["thumbs.db", "desktop.ini"].contains(&name.to_ascii_lowercase().as_str())
}

/// The manifests found, by their folder's segments.
type Manifests = BTreeMap<Vec<String>, Provenance>;

/// Walks the folder in path order (no symbolic links to folders are followed). Manifests are
/// parsed here; a bad one refuses the run.
fn walk(root: &Path, summary: &mut Summary) -> Result<(Vec<Found>, Manifests), Refusal> {
    let mut files = Vec::new();
    let mut manifests = BTreeMap::new();
    let mut stack: Vec<(PathBuf, Vec<String>)> = vec![(root.to_path_buf(), Vec::new())];
    while let Some((dir, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Refusal::new(
                "unreadable_folder",
                format!("폴더를 읽을 수 없습니다: {} ({e})", dir.display()),
                format!("cannot read folder {}: {e}", dir.display()),
            )
        })?;
        let mut subdirs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                Refusal::new(
                    "unreadable_folder",
                    format!("폴더를 읽을 수 없습니다: {} ({e})", dir.display()),
                    format!("cannot read folder {}: {e}", dir.display()),
                )
            })?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(nfc) else {
                let shown = path.display().to_string();
                summary.failed.push((
                    shown,
                    "파일 이름을 읽을 수 없습니다 (UTF-8이 아님)".to_owned(),
                ));
                continue;
            };
            if ignored_name(&name) {
                summary.ignored += 1;
                continue;
            }
            let file_type = entry.file_type().map_err(|e| {
                Refusal::new(
                    "unreadable_file",
                    format!("파일을 읽을 수 없습니다: {} ({e})", path.display()),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let mut segments = rel.clone();
            segments.push(name.clone());
            if file_type.is_dir() {
                subdirs.push((path, segments));
            } else if MANIFEST_NAMES.contains(&name.as_str()) {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Refusal::new(
                        "unreadable_file",
                        format!("파일을 읽을 수 없습니다: {} ({e})", path.display()),
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let p = Provenance::from_manifest(&text, &segments.join("/"))?;
                manifests.insert(rel.clone(), p);
            } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
                files.push(Found { path, segments });
            } else {
                summary.ignored += 1;
            }
        }
        // Reverse so the stack pops them in name order.
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    files.sort_by(|a, b| a.segments.cmp(&b.segments));
    Ok((files, manifests))
}

/// The manifest nearest a file: its folder's, else its parent's, and so on.
fn manifest_for<'a>(manifests: &'a Manifests, segments: &[String]) -> Option<&'a Provenance> {
    (0..segments.len())
        .rev()
        .find_map(|n| manifests.get(&segments[..n]))
}

/// The media type an extension usually means.
fn media_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "hwp" => "application/x-hwp",
        "hwpx" => "application/hwp+zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// A progress display: a bar redrawn in place on a terminal, else a plain line every few seconds.
struct Progress {
    total: usize,
    done: usize,
    started: Instant,
    last: Instant,
    tty: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        let now = Instant::now();
        Self {
            total,
            done: 0,
            started: now,
            last: now,
            tty: std::io::stderr().is_terminal(),
        }
    }

    /// Shows the final state (the last batch's imports included).
    fn finish(&mut self, imported: usize) {
        if self.total > 0 {
            self.draw(imported);
            if self.tty {
                let _ = writeln!(std::io::stderr());
            }
        }
    }

    fn tick(&mut self, imported: usize) {
        self.done += 1;
        let every = if self.tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(5)
        };
        if self.last.elapsed() >= every {
            self.last = Instant::now();
            self.draw(imported);
        }
    }

    fn draw(&self, imported: usize) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = self.done as f64 / secs;
        let left = (self.total - self.done) as f64 / rate.max(1e-3);
        let mut err = std::io::stderr().lock();
        if self.tty {
            let width = 30;
            let filled = (self.done * width).checked_div(self.total).unwrap_or(width);
            let _ = write!(
                err,
                "\r[{}{}] {}/{} 새로 {imported}건, 초당 {rate:.0}건, 남은 시간 {left:.0}초  ",
                "#".repeat(filled),
                "-".repeat(width - filled),
                self.done,
                self.total
            );
            let _ = err.flush();
        } else {
            let _ = writeln!(
                err,
                "진행 {}/{} (새로 {imported}건, 초당 {rate:.0}건, 남은 시간 약 {left:.0}초)",
                self.done, self.total
            );
        }
    }
}

/// Runs an import.
pub async fn run(app: &App, opts: &ImportOptions) -> Result<Summary, Refusal> {
    let mut summary = Summary {
        dry_run: opts.dry_run,
        ..Summary::default()
    };
    // 1. Everything that can be refused is checked before anything is written.
    if !opts.dir.is_dir() {
        return Err(Refusal::new(
            "import_dir_missing",
            format!("가져올 폴더가 없습니다: {}", opts.dir.display()),
            format!("no such folder: {}", opts.dir.display()),
        ));
    }
    let rules = match &opts.rules {
        None => ImportRules::default_rules(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Refusal::new(
                    "rules_unreadable",
                    format!("규칙 파일을 읽을 수 없습니다: {} ({e})", path.display()),
                    format!("cannot read the rules file {}: {e}", path.display()),
                )
            })?;
            ImportRules::parse(&text, &path.display().to_string())?
        }
    };
    let caller = importer(app, &opts.login).await?;
    let complex = match &opts.complex {
        Some(c) => c.parse().map_err(|_| {
            Refusal::new(
                "invalid_complex_id",
                format!("--complex '{c}'은(는) 단지 번호(UUID)가 아닙니다."),
                format!("--complex `{c}` is not a complex id"),
            )
        })?,
        None => only_complex(app, &caller).await?,
    };
    let position = match &opts.position {
        Some(p) => Some(p.parse().map_err(|_| {
            Refusal::new(
                "invalid_position_id",
                format!("--position '{p}'은(는) 직위 번호(UUID)가 아닙니다."),
                format!("--position `{p}` is not a position id"),
            )
        })?),
        None => None,
    };
    let setup = app.import_setup(&caller, complex, position).await?;
    let kinds = rules.kind_names(&setup.kinds)?;
    let (files, manifests) = walk(&opts.dir, &mut summary)?;
    summary.files = files.len() + summary.failed.len();

    // 2. Map every file; what no rule takes is reported.
    let mut todo: Vec<(Found, Mapped)> = Vec::with_capacity(files.len());
    for f in files {
        match rules.map(&f.segments, &kinds, manifest_for(&manifests, &f.segments)) {
            Ok(m) => todo.push((f, m)),
            Err(why) => summary
                .unmatched
                .push((f.segments.join("/"), why.message_ko())),
        }
    }
    // Registration serials follow the originals' dates.
    todo.sort_by(|(fa, a), (fb, b)| {
        (a.date.first_day(), &fa.segments).cmp(&(b.date.first_day(), &fb.segments))
    });

    // 3. Unreadable or oversize files refuse the run (or are skipped with --skip-bad).
    let limit = app.limits().max_attachment_bytes;
    let mut bad = Vec::new();
    todo.retain(|(f, _)| {
        let problem = match std::fs::File::open(&f.path).and_then(|h| h.metadata()) {
            Err(e) => Some(format!("읽을 수 없습니다 ({e})")),
            Ok(m) if m.len() > limit => Some(format!(
                "파일이 너무 큽니다 ({}바이트, {}MB까지)",
                m.len(),
                limit / (1024 * 1024)
            )),
            Ok(_) => None,
        };
        match problem {
            Some(p) => {
                bad.push((f.segments.join("/"), p));
                false
            }
            None => true,
        }
    });
    if !bad.is_empty() && !opts.skip_bad {
        let list: Vec<String> = bad.iter().map(|(p, why)| format!("  {p}: {why}")).collect();
        return Err(Refusal::new(
            "import_bad_files",
            format!(
                "가져올 수 없는 파일이 {}개 있어 아무것도 가져오지 않았습니다 (--skip-bad로 건너뛸 수 있습니다):\n{}",
                bad.len(),
                list.join("\n")
            ),
            format!(
                "{} file(s) cannot be imported (unreadable or over the attachment limit); nothing was imported (use --skip-bad to skip them)",
                bad.len()
            ),
        ));
    }
    summary.failed.extend(bad);

    // 4. The hash decides what is new; new files go in transactions of `batch` files.
    let mut seen: HashMap<String, Option<String>> =
        setup.imported.into_iter().map(|h| (h, None)).collect();
    let started = Instant::now();
    let mut progress = Progress::new(todo.len());
    let mut pending: Vec<Pending> = Vec::with_capacity(opts.batch);
    let batch = Batch {
        app,
        caller: &caller,
        complex,
        position: setup.position.id,
    };
    for (f, m) in todo {
        let shown = f.segments.join("/");
        let bytes = match tokio::fs::read(&f.path).await {
            Ok(b) => b,
            Err(e) => {
                summary
                    .failed
                    .push((shown, format!("읽을 수 없습니다 ({e})")));
                progress.tick(summary.imported);
                continue;
            }
        };
        let sha = Sha256Hash::of(&bytes).to_hex();
        match seen.get(&sha) {
            Some(None) => summary.already += 1,
            Some(Some(first)) => summary.duplicates.push((shown, first.clone())),
            None if opts.dry_run => {
                let p = &m.provenance;
                summary.planned.push(format!(
                    "{shown} → {} {} \"{}\" (상자: {}, 스캔: {}, 규칙: {})",
                    m.kind_code,
                    m.date,
                    m.title,
                    p.box_label.as_deref().unwrap_or("-"),
                    p.scanned_by
                        .as_deref()
                        .or(opts.scanned_by.as_deref())
                        .unwrap_or("-"),
                    m.rule
                ));
                seen.insert(sha, Some(shown));
                summary.imported += 1;
            }
            None => {
                let scanned_on = std::fs::metadata(&f.path)
                    .and_then(|md| md.modified())
                    .ok()
                    .map(|t| timestamp_of(t).seoul_date());
                let fallback = Provenance {
                    scanned_by: opts.scanned_by.clone(),
                    scanned_on,
                    box_label: None,
                };
                let file_name = f.segments.last().cloned().unwrap_or_default();
                let input = DigitisedInput {
                    kind_code: m.kind_code,
                    title: m.title,
                    original_date: m.date,
                    provenance: m.provenance.or(&fallback),
                    source_path: shown.clone(),
                    rule: m.rule,
                    media_type: media_type(&file_name).to_owned(),
                    file_name,
                    bytes,
                };
                seen.insert(sha.clone(), Some(shown.clone()));
                pending.push(Pending { shown, sha, input });
                if pending.len() >= opts.batch.max(1) {
                    batch.flush(&mut pending, &mut seen, &mut summary).await?;
                }
            }
        }
        progress.tick(summary.imported);
    }
    batch.flush(&mut pending, &mut seen, &mut summary).await?;
    progress.finish(summary.imported);
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A new file waiting for its batch.
struct Pending {
    shown: String,
    sha: String,
    input: DigitisedInput,
}

/// Where batches go.
struct Batch<'a> {
    app: &'a App,
    caller: &'a Caller,
    complex: ComplexId,
    position: PositionId,
}

impl Batch<'_> {
    /// Registers the pending files in one transaction and counts what became of each.
    async fn flush(
        &self,
        pending: &mut Vec<Pending>,
        seen: &mut HashMap<String, Option<String>>,
        summary: &mut Summary,
    ) -> Result<(), Refusal> {
        if pending.is_empty() {
            return Ok(());
        }
        let files = std::mem::take(pending);
        let (labels, inputs): (Vec<(String, String)>, Vec<DigitisedInput>) = files
            .into_iter()
            .map(|p| ((p.shown, p.sha), p.input))
            .unzip();
        let outcomes = self
            .app
            .digitise_batch(self.caller, self.complex, self.position, inputs)
            .await
            .map_err(|e| {
                Refusal::new(
                    "import_interrupted",
                    format!(
                        "가져오기가 중단되었습니다: {} — 이미 가져온 파일은 그대로이며, 같은 명령을 다시 실행하면 이어서 가져옵니다.",
                        e.message_ko
                    ),
                    format!(
                        "the import stopped: {} ({}); what was imported stays, and running the same command again resumes",
                        e.message_en, e.code
                    ),
                )
            })?;
        for ((shown, sha), outcome) in labels.into_iter().zip(outcomes) {
            match outcome {
                Ok(DigitiseOutcome::Imported { .. }) => summary.imported += 1,
                // Another import of the same complex took it meanwhile.
                Ok(DigitiseOutcome::Duplicate { .. }) => {
                    summary.already += 1;
                    seen.insert(sha, None);
                }
                Err(e) => {
                    seen.remove(&sha);
                    summary
                        .failed
                        .push((shown, format!("{} ({})", e.message_ko, e.code)));
                }
            }
        }
        Ok(())
    }
}

/// A file time as a timestamp (its Seoul date is the scan day when nothing better is known).
fn timestamp_of(t: std::time::SystemTime) -> malgeun_domain::Timestamp {
    let micros = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    malgeun_domain::Timestamp::from_micros(micros)
}

async fn importer(app: &App, login: &str) -> Result<Caller, Refusal> {
    app.caller_by_login(login).await?.ok_or_else(|| {
        Refusal::new(
            "unknown_login",
            format!("'{login}' 로그인을 쓰는 사람이 없습니다."),
            format!("no person with login `{login}`"),
        )
    })
}

async fn only_complex(app: &App, caller: &Caller) -> Result<ComplexId, Refusal> {
    let complexes = app.complexes_of(caller).await?;
    match complexes.as_slice() {
        [one] => one.id.parse().map_err(|_| {
            Refusal::new(
                "internal",
                "단지 번호를 읽을 수 없습니다.",
                "stored complex id is not a UUID",
            )
        }),
        _ => Err(Refusal::new(
            "complex_required",
            format!(
                "가져올 단지를 --complex로 정해 주세요 ({}개 단지에 직위가 있습니다).",
                complexes.len()
            ),
            format!(
                "choose the complex with --complex ({} complexes)",
                complexes.len()
            ),
        )),
    }
}
