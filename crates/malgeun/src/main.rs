//! The `malgeun` command: serve, demo, migrate, verify, search, reindex, import, admin.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use malgeun::config::Config;
use malgeun_app::org::{NewComplex, NewPosition};
use malgeun_domain::ComplexId;

#[derive(Parser)]
#[command(
    name = "malgeun",
    version,
    about = "맑은: 공동주택 전자결재·기록관리 서비스"
)]
struct Cli {
    /// Configuration file (default: ./malgeun.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Data folder (SQLite database, blobs, ledger key).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the service.
    Serve {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Seeds the demo complex 맑은아파트 (once) and runs the service.
    Demo {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Seed only; do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Brings the database schema up to date.
    Migrate,
    /// Checks the ledger against the database and the files; exits non-zero on any problem.
    Verify {
        /// Only this complex.
        #[arg(long)]
        complex: Option<String>,
        /// Also re-hash the row images kept beside every entry (reads the whole history).
        #[arg(long)]
        images: bool,
    },
    /// Searches a complex's documents as a person would (only what they may open).
    Search {
        /// Complex id.
        #[arg(long)]
        complex: String,
        /// Search as this person (login).
        #[arg(long = "as")]
        login: String,
        /// Only these kinds (codes, comma-separated).
        #[arg(long)]
        kind: Option<String>,
        /// Only these statuses (codes, comma-separated: draft, in_progress, registered …).
        #[arg(long)]
        status: Option<String>,
        /// Only this year.
        #[arg(long)]
        year: Option<i64>,
        /// From this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Up to this day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Order: relevance or date.
        #[arg(long, default_value = "relevance")]
        sort: String,
        /// Most hits shown.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// The words to find.
        #[arg(required = true)]
        words: Vec<String>,
    },
    /// Rebuilds the search index from the database (stop the servers using this data folder first).
    Reindex,
    /// Imports a digitised paper archive (종이 문서 가져오기): each file becomes a registered
    /// 전자화문서 of the kind its path says; duplicates are skipped by content; safe to re-run.
    Import(malgeun::import::ImportOptions),
    /// Attachment text extraction: how many jobs are in each state, or run the pending ones now.
    Extract {
        /// Run every pending job now (servers run them in the background anyway).
        #[arg(long)]
        run: bool,
    },
    /// One extraction in a child process (run by the server, not by hand).
    #[command(hide = true)]
    ExtractFile {
        /// The request file (JSON).
        #[arg(long)]
        request: PathBuf,
        /// Address-space limit in MiB.
        #[arg(long)]
        memory_mib: u64,
        /// CPU-time limit in seconds.
        #[arg(long)]
        cpu_secs: u64,
    },
    /// Administration from the server's shell.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    /// Creates a complex with the standard catalogue.
    CreateComplex {
        #[arg(long)]
        name: String,
        #[arg(long)]
        short_name: String,
        #[arg(long, default_value_t = 0)]
        households: i64,
    },
    /// Creates a person with a login.
    CreatePerson {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Password (or set MALGEUN_NEW_PASSWORD).
        #[arg(long, env = "MALGEUN_NEW_PASSWORD")]
        password: String,
        #[arg(long)]
        operator: bool,
    },
    /// Creates a position in a complex.
    CreatePosition {
        #[arg(long)]
        complex: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        admin: bool,
    },
    /// Hands a position to a person (by login).
    Appoint {
        #[arg(long)]
        complex: String,
        #[arg(long)]
        position: String,
        #[arg(long)]
        login: String,
    },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MALGEUN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

/// The `extract-file` child: limits itself, then reads one file (no runtime, no database).
fn extract_file(request: &std::path::Path, memory_mib: u64, cpu_secs: u64) -> ExitCode {
    let bytes = memory_mib.saturating_mul(1024 * 1024);
    let limited = rlimit::setrlimit(rlimit::Resource::AS, bytes, bytes)
        .and_then(|()| rlimit::setrlimit(rlimit::Resource::CPU, cpu_secs, cpu_secs + 1));
    if let Err(e) = limited {
        eprintln!("error: setting the resource limits: {e}");
        return ExitCode::FAILURE;
    }
    match malgeun_app::extraction::run_child(request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::ExtractFile {
        request,
        memory_mib,
        cpu_secs,
    } = &cli.command
    {
        return extract_file(request, *memory_mib, *cpu_secs);
    }
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(
    app: malgeun_app::App,
    listen: std::net::SocketAddr,
    cfg: &Config,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!("맑은: http://{}", listener.local_addr()?);
    let pages = malgeun_web::PagesConfig {
        secure_cookies: cfg.secure_cookies,
    };
    let indexer = tokio::spawn(app.clone().index_forever(std::time::Duration::from_secs(1)));
    let extractor = tokio::spawn(
        app.clone()
            .extract_forever(std::time::Duration::from_secs(1)),
    );
    let served = malgeun_web::serve_with(app.clone(), listener, pages).await;
    indexer.abort();
    extractor.abort();
    served?;
    app.db().close().await;
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        cfg.database_url = Some(url);
    }
    if let Some(dir) = cli.data_dir {
        cfg.data_dir = dir;
    }
    match cli.command {
        Command::Migrate => {
            let app = malgeun::open(&cfg).await?;
            println!("migrated {}", cfg.database_url());
            app.db().close().await;
        }
        Command::Serve { listen } => {
            let app = malgeun::open(&cfg).await?;
            serve(app, listen.unwrap_or(cfg.listen), &cfg).await?;
        }
        Command::Demo { listen, no_serve } => {
            let app = malgeun::open(&cfg).await?;
            let demo = malgeun::demo::seed(&app).await?;
            let addr = listen.unwrap_or(cfg.listen);
            println!("{}", demo.describe(&format!("http://{addr}")));
            if no_serve {
                app.db().close().await;
            } else {
                serve(app, addr, &cfg).await?;
            }
        }
        Command::Verify { complex, images } => {
            let app = malgeun::open(&cfg).await?;
            let options = malgeun_app::verify::VerifyOptions { images };
            let reports = match complex {
                Some(c) => {
                    let id: ComplexId = c.parse().context("--complex must be a complex id")?;
                    vec![
                        app.verify_complex_with(id, options)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?,
                    ]
                }
                None => app
                    .verify_all_with(options)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            let mut failed = false;
            for r in &reports {
                if r.ok() {
                    println!(
                        "OK    complex {}: {} ledger entries, {} rows, {} files verified",
                        r.complex, r.entries, r.rows, r.blobs
                    );
                } else {
                    failed = true;
                    println!(
                        "FAIL  complex {}: {} problem(s)",
                        r.complex,
                        r.problems.len()
                    );
                    for p in &r.problems {
                        println!("      [{}] {}", p.code, p.detail);
                    }
                }
            }
            app.db().close().await;
            return Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            });
        }
        Command::Search {
            complex,
            login,
            kind,
            status,
            year,
            from,
            to,
            sort,
            limit,
            words,
        } => {
            let app = malgeun::open(&cfg).await?;
            let err = |e: malgeun_app::AppError| anyhow::anyhow!("{} ({})", e.message_ko, e.code);
            let complex: ComplexId = complex.parse().context("--complex must be a complex id")?;
            let caller = app
                .caller_by_login(&login)
                .await
                .map_err(err)?
                .with_context(|| format!("no person with login {login}"))?;
            let member = app.member(&caller, complex).await.map_err(err)?;
            let split = |v: Option<String>| -> Vec<String> {
                v.unwrap_or_default()
                    .split(',')
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| c.trim().to_owned())
                    .collect()
            };
            let query = malgeun_app::search::SearchQuery {
                text: words.join(" "),
                kinds: split(kind),
                statuses: split(status),
                year,
                from,
                to,
                sort: malgeun_app::search::SearchSort::parse(&sort)
                    .context("--sort is relevance or date")?,
            };
            let page = app.search(&member, &query, limit, 0).await.map_err(err)?;
            println!("{}건", page.total);
            for hit in &page.items {
                println!(
                    "{}  {}  [{}] {}  {}",
                    hit.date_display,
                    hit.registration_number.as_deref().unwrap_or("-"),
                    hit.status_label,
                    hit.title,
                    hit.id
                );
                let passage = strip_marks(&hit.snippet_html);
                if !passage.is_empty() {
                    println!("    {passage}");
                }
            }
            app.db().close().await;
        }
        Command::ExtractFile { .. } => unreachable!("handled before the runtime starts"),
        Command::Extract { run } => {
            let app = malgeun::open(&cfg).await?;
            if run {
                let ran = app
                    .extract_pending()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("ran {ran} extraction job(s)");
            }
            for (state, n) in app
                .extraction_counts()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!("{state:8} {n}");
            }
            app.db().close().await;
        }
        Command::Reindex => {
            let app = malgeun::open(&cfg).await?;
            let started = std::time::Instant::now();
            let n = app
                .reindex()
                .await
                .map_err(|e| anyhow::anyhow!("{} ({})", e.message_en, e.code))?;
            println!(
                "reindexed {n} documents in {:.1} s into {}",
                started.elapsed().as_secs_f64(),
                cfg.search_dir().display()
            );
            app.db().close().await;
        }
        Command::Import(opts) => {
            let app = malgeun::open(&cfg).await?;
            let result = malgeun::import::run(&app, &opts).await;
            app.db().close().await;
            return match result {
                Ok(summary) => {
                    print!("{}", summary.render());
                    Ok(if summary.failed.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    })
                }
                Err(refusal) => {
                    eprintln!("오류: {}", refusal.message_ko);
                    eprintln!("error: {} ({})", refusal.message_en, refusal.code);
                    Ok(ExitCode::from(2))
                }
            };
        }
        Command::Admin(cmd) => {
            let app = malgeun::open(&cfg).await?;
            let err = |e: malgeun_app::AppError| anyhow::anyhow!("{} ({})", e.message_ko, e.code);
            match cmd {
                Admin::CreateComplex {
                    name,
                    short_name,
                    households,
                } => {
                    let id = app
                        .create_complex_unchecked(
                            None,
                            NewComplex {
                                name,
                                short_name,
                                households,
                            },
                        )
                        .await
                        .map_err(err)?;
                    println!("{id}");
                }
                Admin::CreatePerson {
                    login,
                    name,
                    password,
                    operator,
                } => {
                    let id = app
                        .create_person(true, &login, &name, &password, operator)
                        .await
                        .map_err(err)?;
                    println!("{id}");
                }
                Admin::CreatePosition {
                    complex,
                    title,
                    role,
                    admin,
                } => {
                    let complex: ComplexId =
                        complex.parse().context("--complex must be a complex id")?;
                    let id = app
                        .create_position_unchecked(
                            complex,
                            NewPosition {
                                title,
                                role,
                                is_admin: admin,
                            },
                        )
                        .await
                        .map_err(err)?;
                    println!("{id}");
                }
                Admin::Appoint {
                    complex,
                    position,
                    login,
                } => {
                    let complex: ComplexId =
                        complex.parse().context("--complex must be a complex id")?;
                    let position = position
                        .parse()
                        .context("--position must be a position id")?;
                    let person = app
                        .person_by_login(&login)
                        .await
                        .map_err(err)?
                        .with_context(|| format!("no person with login {login}"))?;
                    app.appoint_unchecked(complex, None, position, person)
                        .await
                        .map_err(err)?;
                    println!("appointed");
                }
            }
            app.db().close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A snippet's HTML as terminal text: the matches in 【】, entities decoded.
fn strip_marks(html: &str) -> String {
    html.replace("<mark>", "【")
        .replace("</mark>", "】")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\n', " ")
}
