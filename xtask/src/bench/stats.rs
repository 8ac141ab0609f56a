//! Latency percentiles over every recorded request, and the process's memory from `/proc`.

use std::time::Duration;

use serde::Serialize;

/// The distribution of a set of latencies, in milliseconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    /// Requests measured.
    pub count: usize,
    /// Mean.
    pub mean_ms: f64,
    /// Fastest.
    pub min_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

impl Latency {
    /// Sorts the samples and summarises them (nearest-rank percentiles).
    pub fn of(mut samples: Vec<Duration>) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let n = samples.len();
        let rank = |p: f64| {
            // Nearest rank: the smallest sample with at least p% of samples at or below it.
            let r = (p / 100.0 * n as f64).ceil() as usize;
            ms(samples[r.clamp(1, n) - 1])
        };
        let total: Duration = samples.iter().sum();
        Self {
            count: n,
            mean_ms: ms(total) / n as f64,
            min_ms: ms(samples[0]),
            p50_ms: rank(50.0),
            p90_ms: rank(90.0),
            p99_ms: rank(99.0),
            p999_ms: rank(99.9),
            max_ms: ms(samples[n - 1]),
        }
    }
}

/// How long the disk takes to make a small write durable, which bounds how fast any engine can
/// commit one transaction after another.
#[derive(Clone, Debug, Serialize)]
pub struct FsyncProbe {
    /// Writes measured.
    pub writes: usize,
    /// Median time of a 4 KiB write followed by `fdatasync`, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// `1000 / p50`: the most commits per second that wait for the disk one after another
    /// (SQLite in WAL mode with synchronous=FULL syncs the WAL on every commit).
    pub serial_commits_per_sec: f64,
}

/// Times `writes` appends of 4 KiB, each followed by `fdatasync`, to a file in `dir`.
pub fn fsync_probe(dir: &std::path::Path, writes: usize) -> std::io::Result<FsyncProbe> {
    use std::io::Write as _;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path)?;
    let block = [0x5a_u8; 4096];
    let mut samples = Vec::with_capacity(writes);
    for _ in 0..writes {
        let t0 = std::time::Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        samples.push(t0.elapsed());
    }
    drop(file);
    std::fs::remove_file(&path)?;
    let l = Latency::of(samples);
    Ok(FsyncProbe {
        writes,
        p50_ms: l.p50_ms,
        p99_ms: l.p99_ms,
        serial_commits_per_sec: if l.p50_ms > 0.0 {
            1_000.0 / l.p50_ms
        } else {
            f64::INFINITY
        },
    })
}

/// A `kB` field of `/proc/self/status` (e.g. `VmHWM`, `VmRSS`), in bytes.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let kb: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kb * 1024)
    })
}

/// Peak resident set size of the process so far (`VmHWM`), in bytes.
pub fn peak_rss() -> Option<u64> {
    status_kb("VmHWM")
}

/// Current resident set size (`VmRSS`), in bytes.
pub fn current_rss() -> Option<u64> {
    status_kb("VmRSS")
}

/// Resets the peak RSS to the current RSS (Linux ≥ 4.0: writing `5` to `/proc/self/clear_refs`),
/// so a later [`peak_rss`] covers only what happened since. Returns whether it worked.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time (user + system) this process has used so far, in seconds, from `/proc/self/stat`
/// (clock ticks of 1/100 s, which is what Linux reports on every common platform).
pub fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// Bytes as MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples = (1..=100).map(Duration::from_millis).collect();
        let l = Latency::of(samples);
        assert_eq!(l.count, 100);
        assert!((l.p50_ms - 50.0).abs() < 1e-9);
        assert!((l.p99_ms - 99.0).abs() < 1e-9);
        assert!((l.max_ms - 100.0).abs() < 1e-9);
        assert!((l.min_ms - 1.0).abs() < 1e-9);
    }
}
