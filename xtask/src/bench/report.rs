//! The benchmark report: the machine, the options, every measurement, and whether each target of
//! the issue is met. Rendered as text for the terminal and serialised as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::Options;
use super::approvals::ApprovalsReport;
use super::env::Engine;
use super::stats::mib;
use super::verify::VerifyBenchReport;

/// The targets stated by the issue.
#[derive(Clone, Debug, Serialize)]
pub struct Targets {
    /// Minimum approvals per second (SQLite).
    pub approvals_per_sec: f64,
    /// Maximum p99 latency of an approval in milliseconds (SQLite).
    pub approval_p99_ms: f64,
    /// The engine the approval targets are stated for.
    pub approvals_engine: Engine,
    /// Minimum ledger entries verified per second.
    pub verify_entries_per_sec: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            approvals_per_sec: 2_000.0,
            approval_p99_ms: 25.0,
            approvals_engine: Engine::Sqlite,
            verify_entries_per_sec: 500_000.0,
        }
    }
}

/// The machine the numbers come from.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// `std::thread::available_parallelism`.
    pub cores: usize,
    /// CPU model from `/proc/cpuinfo`.
    pub cpu: Option<String>,
    /// Total memory from `/proc/meminfo`, in bytes.
    pub memory_bytes: Option<u64>,
    /// Whether this is an optimised build (numbers from a debug build mean nothing).
    pub release_build: bool,
}

impl Machine {
    /// This machine.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_bytes = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024);
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu,
            memory_bytes,
            release_build: !cfg!(debug_assertions),
        }
    }
}

/// One target checked against one measurement.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The engine measured.
    pub engine: Engine,
    /// What the target is.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Whether the target is met.
    pub met: bool,
    /// Whether the issue states this target for this engine (otherwise shown for comparison).
    pub binding: bool,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// The machine.
    pub machine: Machine,
    /// The options the run used.
    pub options: Options,
    /// The targets.
    pub targets: Targets,
    /// Approvals over HTTP, per engine.
    pub approvals: Vec<ApprovalsReport>,
    /// Verification, per engine.
    pub verify: Vec<VerifyBenchReport>,
    /// The targets checked.
    pub verdicts: Vec<Verdict>,
}

impl Report {
    /// An empty report for a run.
    pub fn new(opts: &Options, targets: Targets) -> Self {
        Self {
            started_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            machine: Machine::detect(),
            options: opts.clone(),
            targets,
            approvals: Vec::new(),
            verify: Vec::new(),
            verdicts: Vec::new(),
        }
    }

    /// The first lines: the machine and the run.
    pub fn header(&self) -> String {
        let m = &self.machine;
        let mut out = format!(
            "malgeun benchmark — {} cores{}{}",
            m.cores,
            m.cpu
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            m.memory_bytes
                .map(|b| format!(", {:.1} GiB RAM", mib(b) / 1024.0))
                .unwrap_or_default()
        );
        if !m.release_build {
            out.push_str(
                "\nWARNING: debug build; run `cargo xtask bench` (release) for real numbers",
            );
        }
        out
    }

    /// Checks every measurement against the targets (fills [`Report::verdicts`]).
    pub fn judge(&mut self) {
        let t = &self.targets;
        let mut verdicts = Vec::new();
        for a in &self.approvals {
            let binding = a.engine == t.approvals_engine;
            verdicts.push(Verdict {
                engine: a.engine,
                target: format!("≥ {:.0} approvals/s", t.approvals_per_sec),
                measured: format!("{:.0} approvals/s", a.approvals_per_sec),
                met: a.approvals_per_sec >= t.approvals_per_sec,
                binding,
            });
            verdicts.push(Verdict {
                engine: a.engine,
                target: format!("approval p99 ≤ {:.0} ms", t.approval_p99_ms),
                measured: format!("p99 {:.1} ms", a.latency.p99_ms),
                met: a.latency.p99_ms <= t.approval_p99_ms,
                binding,
            });
        }
        for v in &self.verify {
            verdicts.push(Verdict {
                engine: v.engine,
                target: format!("verify ≥ {:.0} entries/s", t.verify_entries_per_sec),
                measured: format!("{:.0} entries/s", v.entries_per_sec),
                met: v.entries_per_sec >= t.verify_entries_per_sec,
                binding: true,
            });
        }
        self.verdicts = verdicts;
    }

    /// Whether every correctness check (errors, gapless numbers, ledgers verifying) passed.
    pub fn all_correct(&self) -> bool {
        self.approvals.iter().all(ApprovalsReport::correct)
            && self.verify.iter().all(VerifyBenchReport::correct)
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "================ REPORT ================");
        let _ = writeln!(out, "{}", self.header());
        for a in &self.approvals {
            let l = &a.latency;
            let _ = writeln!(
                out,
                "\nApprovals over HTTP — {} ({} clients, {}, pool_size {}, {} timed + {} warm-up)",
                a.engine,
                a.clients,
                a.rate.map_or_else(
                    || "closed loop: each sends as soon as answered".to_owned(),
                    |r| format!("open loop: {r:.0}/s offered on a schedule, latency from when due")
                ),
                a.pool_size,
                a.approvals,
                a.warmup
            );
            let _ = writeln!(
                out,
                "  throughput   {:>10.0} approvals/s   ({} in {:.2} s wall)",
                a.approvals_per_sec, a.approvals, a.wall_secs
            );
            let _ = writeln!(
                out,
                "  latency ms   p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}  (mean {:.2}, min {:.2}, n = {})",
                l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms, l.mean_ms, l.min_ms, l.count
            );
            if let (Some(cpu), Some(util)) = (a.cpu_secs, a.cpu_utilisation) {
                let _ = writeln!(
                    out,
                    "  cpu          {cpu:.1} s of this process during the run = {:.0}% of {} cores{}",
                    util * 100.0,
                    self.machine.cores,
                    if a.engine == Engine::Postgres {
                        " (PostgreSQL's own processes not included)"
                    } else {
                        ""
                    }
                );
            }
            let _ = writeln!(
                out,
                "  errors       {} timed, {} warm-up{}",
                a.errors,
                a.warmup_errors,
                a.error_samples
                    .first()
                    .map(|e| format!(" — first: {e}"))
                    .unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "  registration {} of {} registered, gapless: {}{}",
                a.registration.registered,
                a.registration.expected,
                yes_no(a.registration.gapless),
                if a.registration.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", a.registration.detail)
                }
            );
            let _ = writeln!(
                out,
                "  verify       ok: {} ({} entries, {} rows, {:.2} s){}",
                yes_no(a.verify.ok),
                a.verify.entries,
                a.verify.rows,
                a.verify.secs,
                a.verify
                    .problems
                    .first()
                    .map(|p| format!(" — first problem: {p}"))
                    .unwrap_or_default()
            );
            if let Some(f) = &a.fsync {
                let _ = writeln!(
                    out,
                    "  disk         4 KiB write + fdatasync p50 {:.2} ms, p99 {:.2} ms → ≤ {:.0} commits/s one after another",
                    f.p50_ms, f.p99_ms, f.serial_commits_per_sec
                );
            }
            let _ = writeln!(
                out,
                "  setup        {:.1} s drafting+submitting (not timed); database {:.0} MiB",
                a.setup_secs,
                mib(a.db_bytes)
            );
        }
        for v in &self.verify {
            let _ = writeln!(
                out,
                "\nVerification — {} ({} entries asked{})",
                v.engine,
                v.entries_requested,
                if v.engine == Engine::Postgres && v.entries_requested < self.options.verify_entries
                {
                    ", smaller than on SQLite: see --pg-verify-entries"
                } else {
                    ""
                }
            );
            let _ = writeln!(
                out,
                "  result       ok: {} ({} entries, {} rows){}",
                yes_no(v.ok),
                v.entries,
                v.rows,
                v.problems
                    .first()
                    .map(|p| format!(" — first problem: {p}"))
                    .unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "  speed        {:>10.0} entries/s   {:>10.0} rows/s   ({:.2} s)",
                v.entries_per_sec, v.rows_per_sec, v.verify_secs
            );
            let _ = writeln!(
                out,
                "  memory       peak RSS {:.0} MiB during verify{} (RSS before {:.0} MiB)",
                v.peak_rss_bytes.map_or(0.0, mib),
                if v.peak_rss_reset {
                    ""
                } else {
                    " (whole-process peak: reset unavailable)"
                },
                v.rss_before_bytes.map_or(0.0, mib)
            );
            let _ = writeln!(
                out,
                "  ledger       built in {:.1} s ({:.0} events/s, not timed), avg payload {} B + row images beside {} B, database {:.0} MiB",
                v.build_secs,
                v.build_entries_per_sec,
                v.avg_payload_bytes,
                v.avg_images_bytes,
                mib(v.db_bytes)
            );
        }
        let _ = writeln!(out, "\nTargets");
        for v in &self.verdicts {
            let _ = writeln!(
                out,
                "  [{}] {:<8} {:<24} measured {}{}",
                if v.met { " MET " } else { "NOT MET" },
                v.engine.to_string(),
                v.target,
                v.measured,
                if v.binding {
                    ""
                } else {
                    "  (target stated for SQLite; for comparison)"
                }
            );
        }
        let _ = writeln!(
            out,
            "\nCorrectness: {}",
            if self.all_correct() {
                "all checks passed"
            } else {
                "FAILED (see above)"
            }
        );
        out
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}
