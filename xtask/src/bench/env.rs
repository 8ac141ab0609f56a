//! A fresh database per benchmark (a SQLite file in a temporary folder, or a new PostgreSQL
//! database that is dropped afterwards), the application opened over it exactly as the binary
//! opens it, and a small office: one complex with an accountant who drafts and a manager who
//! gives final approval.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use malgeun::config::Config;
use malgeun_app::org::{NewComplex, NewPosition};
use malgeun_app::{App, Caller};
use malgeun_domain::{ComplexId, PositionId};
use sqlx::Connection;

/// The password of the benchmark's people.
pub const PASSWORD: &str = "bench-password-1";

/// Which engine a benchmark runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// SQLite file in a temporary folder (WAL, synchronous=FULL, as the store opens it).
    Sqlite,
    /// A fresh database on the PostgreSQL server.
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// A fresh database with the application opened over it.
pub struct BenchDb {
    /// The application.
    pub app: App,
    /// The PostgreSQL server URL and the database created on it, to drop at the end.
    postgres: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl BenchDb {
    /// Creates the database and opens the application over it (migrating it).
    pub async fn create(
        engine: Engine,
        postgres_url: &str,
        pool_size: u32,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("malgeun-bench-")
            .tempdir()
            .context("creating a temporary folder")?;
        let (database_url, postgres) = match engine {
            Engine::Sqlite => (None, None),
            Engine::Postgres => {
                let name = format!("malgeun_bench_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(postgres_url)
                    .await
                    .with_context(|| format!("connecting to {postgres_url}"))?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .context("creating the benchmark database")?;
                conn.close().await.ok();
                let (prefix, _) = postgres_url
                    .rsplit_once('/')
                    .context("the PostgreSQL URL must end in a database name")?;
                (
                    Some(format!("{prefix}/{name}")),
                    Some((postgres_url.to_owned(), name)),
                )
            }
        };
        let cfg = Config {
            data_dir: dir.path().to_path_buf(),
            database_url,
            ledger_seed: Some("5a".repeat(32)),
            pool_size,
            ..Config::default()
        };
        let app = match malgeun::open(&cfg).await {
            Ok(app) => app,
            Err(e) => {
                if let Some((server, name)) = &postgres {
                    drop_database(server, name).await.ok();
                }
                return Err(e.context("opening the application"));
            }
        };
        Ok(Self { app, postgres, dir })
    }

    /// The data folder (SQLite file, blobs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes the database takes on disk: the SQLite file with its WAL, or `pg_database_size`.
    pub async fn size_bytes(&self) -> anyhow::Result<u64> {
        match &self.postgres {
            None => {
                let mut total = 0;
                for entry in std::fs::read_dir(self.dir())? {
                    let entry = entry?;
                    if entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("malgeun.db")
                    {
                        total += entry.metadata()?.len();
                    }
                }
                Ok(total)
            }
            Some((_, name)) => {
                let sizes = query_i64s(
                    &self.app,
                    "SELECT pg_database_size(datname) FROM pg_database WHERE datname = $1",
                    name,
                )
                .await?;
                Ok(sizes
                    .first()
                    .and_then(|s| u64::try_from(*s).ok())
                    .unwrap_or(0))
            }
        }
    }

    /// Closes the application's connections and drops the PostgreSQL database.
    pub async fn destroy(self) -> anyhow::Result<()> {
        self.app.db().close().await;
        // To study a benchmark's data afterwards (query plans, sizes): keep the SQLite folder.
        if std::env::var_os("MALGEUN_BENCH_KEEP").is_some() && self.postgres.is_none() {
            println!("kept the data folder {}", self.dir.keep().display());
            return Ok(());
        }
        if let Some((server, name)) = &self.postgres {
            drop_database(server, name).await?;
        }
        Ok(())
    }
}

async fn drop_database(server: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(server).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    conn.close().await.ok();
    Ok(())
}

/// Runs a query with one text parameter whose rows are one integer each, on a read connection.
pub async fn query_i64s(app: &App, sql: &str, param: &str) -> anyhow::Result<Vec<i64>> {
    let mut r = app.db().reader().await?;
    let rows: Vec<(i64,)> = malgeun_store::raw::fetch_all(r.conn(), sql, &[param]).await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// Runs a query with one text parameter whose rows are two integers each, on a read connection.
pub async fn query_i64_pairs(app: &App, sql: &str, param: &str) -> anyhow::Result<Vec<(i64, i64)>> {
    let mut r = app.db().reader().await?;
    Ok(malgeun_store::raw::fetch_all(r.conn(), sql, &[param]).await?)
}

/// One complex with a drafter and a final approver.
pub struct Office {
    /// The complex.
    pub complex: ComplexId,
    /// The accountant (경리주임), who drafts.
    pub accountant: Caller,
    /// The accountant's position.
    pub accountant_position: PositionId,
    /// The manager (관리사무소장), who gives final approval.
    pub manager: Caller,
    /// The manager's position.
    pub manager_position: PositionId,
}

impl Office {
    /// Creates the complex, the two people and their positions with the app's setup functions.
    pub async fn create(app: &App) -> anyhow::Result<Self> {
        let complex = app
            .create_complex_unchecked(
                None,
                NewComplex {
                    name: "맑은벤치아파트".into(),
                    short_name: "맑은벤치".into(),
                    households: 1_200,
                },
            )
            .await?;
        let (accountant, accountant_position) = person(
            app,
            complex,
            "accountant",
            "이경리",
            "경리주임",
            "accountant",
            false,
        )
        .await?;
        let (manager, manager_position) = person(
            app,
            complex,
            "manager",
            "김관리",
            "관리사무소장",
            "manager",
            true,
        )
        .await?;
        Ok(Self {
            complex,
            accountant,
            accountant_position,
            manager,
            manager_position,
        })
    }
}

async fn person(
    app: &App,
    complex: ComplexId,
    login: &str,
    name: &str,
    title: &str,
    role: &str,
    is_admin: bool,
) -> anyhow::Result<(Caller, PositionId)> {
    let person = app
        .create_person(true, login, name, PASSWORD, false)
        .await?;
    let position = app
        .create_position_unchecked(
            complex,
            NewPosition {
                title: title.into(),
                role: role.into(),
                is_admin,
            },
        )
        .await?;
    app.appoint_unchecked(complex, None, position, person)
        .await?;
    let caller = Caller {
        person,
        name: name.into(),
        login: login.into(),
        operator: false,
    };
    Ok((caller, position))
}
