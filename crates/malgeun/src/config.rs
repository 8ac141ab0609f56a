//! One typed configuration: defaults, then `malgeun.toml` (or `--config`), then `MALGEUN_*`
//! environment variables, then command-line flags. Passed explicitly; no globals.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The service configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the SQLite database, the blob store and the ledger key.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder for attachment blobs; defaults to `data_dir/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// First part of each complex's log origin.
    pub origin_prefix: String,
    /// The ledger master seed as 64 hex digits; defaults to `data_dir/ledger.key` (created once).
    pub ledger_seed: Option<String>,
    /// Largest attachment in megabytes.
    pub max_attachment_mb: u64,
    /// Database connections.
    pub pool_size: u32,
    /// Mark the web pages' cookies `Secure`: set it when the service is reached over HTTPS (behind
    /// a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// The program run for each attachment's text extraction (`<program> extract-file …`);
    /// defaults to this binary.
    pub extract_program: Option<PathBuf>,
    /// Longest one attachment's text extraction may take, in seconds.
    pub extract_timeout_secs: u64,
    /// Memory (address space) one extraction may use, in MiB.
    pub extract_memory_mib: u64,
    /// Read images and scanned PDFs by OCR (needs `tesseract`, `tesseract-ocr-kor`, `pdftoppm`).
    pub ocr: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            blob_dir: None,
            origin_prefix: "malgeun.local".into(),
            ledger_seed: None,
            max_attachment_mb: 20,
            pool_size: 16,
            secure_cookies: false,
            extract_program: None,
            extract_timeout_secs: 300,
            extract_memory_mib: 2048,
            ocr: true,
        }
    }
}

impl Config {
    /// Loads defaults, then the file (if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None if Path::new("malgeun.toml").exists() => {
                let text = std::fs::read_to_string("malgeun.toml")?;
                toml::from_str(&text).context("parsing malgeun.toml")?
            }
            None => Self::default(),
        };
        let env = |k: &str| {
            std::env::var(format!("MALGEUN_{k}"))
                .ok()
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = env("DATA_DIR") {
            cfg.data_dir = v.into();
        }
        if let Some(v) = env("DATABASE_URL") {
            cfg.database_url = Some(v);
        }
        if let Some(v) = env("LISTEN") {
            cfg.listen = v.parse().context("MALGEUN_LISTEN")?;
        }
        if let Some(v) = env("BLOB_DIR") {
            cfg.blob_dir = Some(v.into());
        }
        if let Some(v) = env("ORIGIN_PREFIX") {
            cfg.origin_prefix = v;
        }
        if let Some(v) = env("LEDGER_SEED") {
            cfg.ledger_seed = Some(v);
        }
        if let Some(v) = env("MAX_ATTACHMENT_MB") {
            cfg.max_attachment_mb = v.parse().context("MALGEUN_MAX_ATTACHMENT_MB")?;
        }
        if let Some(v) = env("POOL_SIZE") {
            cfg.pool_size = v.parse().context("MALGEUN_POOL_SIZE")?;
        }
        if let Some(v) = env("EXTRACT_TIMEOUT_SECS") {
            cfg.extract_timeout_secs = v.parse().context("MALGEUN_EXTRACT_TIMEOUT_SECS")?;
        }
        if let Some(v) = env("EXTRACT_MEMORY_MIB") {
            cfg.extract_memory_mib = v.parse().context("MALGEUN_EXTRACT_MEMORY_MIB")?;
        }
        if let Some(v) = env("OCR") {
            cfg.ocr = v.parse().context("MALGEUN_OCR (true or false)")?;
        }
        if let Some(v) = env("SECURE_COOKIES") {
            cfg.secure_cookies = v
                .parse()
                .context("MALGEUN_SECURE_COOKIES (true or false)")?;
        }
        Ok(cfg)
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("malgeun.db").display()))
    }

    /// The search index folder (derived data: `malgeun reindex` rebuilds it).
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }

    /// How attachments' text is extracted.
    pub fn extraction(&self) -> anyhow::Result<malgeun_app::extraction::ExtractionConfig> {
        let program = match &self.extract_program {
            Some(p) => p.clone(),
            None => std::env::current_exe().context("finding this program for extract-file")?,
        };
        Ok(malgeun_app::extraction::ExtractionConfig {
            timeout: std::time::Duration::from_secs(self.extract_timeout_secs.max(1)),
            memory_mib: self.extract_memory_mib,
            ocr: self.ocr,
            ..malgeun_app::extraction::ExtractionConfig::new(program)
        })
    }

    /// The blob folder in effect.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    /// The ledger master seed: from the configuration, or from `data_dir/ledger.key`, which is
    /// created with fresh randomness the first time.
    pub fn ledger_seed(&self) -> anyhow::Result<[u8; 32]> {
        if let Some(hex) = &self.ledger_seed {
            return parse_seed(hex).context("ledger_seed");
        }
        let path = self.data_dir.join("ledger.key");
        if path.exists() {
            return parse_seed(std::fs::read_to_string(&path)?.trim())
                .with_context(|| format!("{}", path.display()));
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        write_private(&path, &hex)?;
        Ok(seed)
    }
}

fn parse_seed(hex: &str) -> anyhow::Result<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        bail!("the ledger seed must be 64 hex digits");
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .context("the ledger seed must be hex")?;
    }
    Ok(out)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, text)?;
    Ok(())
}
