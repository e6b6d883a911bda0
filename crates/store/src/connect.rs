//! Opening a store: a `postgres://` URL or a `sqlite://` file, the connection checks that
//! say what to do when they fail, and the migrations that bring the schema up to date.

use crate::Clock;
use chrono::{DateTime, Utc};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, PgConnection};

use crate::StoreError;

/// The file a command uses when no database is named.
pub const DEFAULT_SQLITE_FILE: &str = "cleanclaim.db";

/// How long another writer may hold SQLite's lock before a command gives up (and says so).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The page size of a new SQLite file. A stored record is about 2 KB of JSON: with 16 KB pages
/// most rows sit on one page instead of spilling into overflow chains, which made the file a
/// quarter larger than its data and every write and checkpoint slower (BENCHMARKS.md).
/// Only a new file takes it; an existing one keeps its size.
const SQLITE_PAGE_SIZE: u32 = 16_384;

/// The size (bytes) the WAL file is cut back to after a checkpoint.
const SQLITE_WAL_LIMIT: &str = "67108864";
/// Each connection's page cache, in KiB (negative in the pragma): 64 MiB instead of SQLite's
/// 2 MiB. An intake reads the history of thousands of patients through the encounter and
/// result indexes; with 2 MiB most of those pages came back through a `pread` each (a fifth
/// of a million-visit demo's time). The pool has at most four connections.
const SQLITE_CACHE_KIB: &str = "-65536";
/// Bytes of the database file SQLite reads through a memory map instead of `pread`: a page
/// its own cache misses is read where the kernel keeps it, not copied. At a year of 20 clinics
/// (a 4 GB file) every step of the demo that reads the store fell by a fifth to a quarter with
/// it (BENCHMARKS.md). The mapped pages are the kernel's page cache: they count in the
/// process's resident size, not its heap.
const SQLITE_MMAP_BYTES: &str = "8589934592";
/// Rows SQLite's worker thread may read ahead of the task taking them (sqlx's default is 50).
/// An intake reads tens of thousands of rows at a time; with 50 the two threads handed each
/// other the rows a few at a time, waking each other for every handful (a two-month demo
/// switched threads 740,000 times with 50 and 456,000 with 4,096). 4,096 rows of about 2 KB
/// are about 8 MB.
const SQLITE_ROW_BUFFER: usize = 4096;

/// Connections a process may open to PostgreSQL (opened as needed). A server's background
/// worker holds one for its job's lock while the job uses two more, and requests need theirs:
/// 16 serves a few workers and a busy API without exhausting a default server's 100.
const POSTGRES_POOL: u32 = 16;

/// How long a PostgreSQL statement waits for a lock before it fails (and says so).
const POSTGRES_LOCK_TIMEOUT: &str = "30s";

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, Clone)]
pub(crate) enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) db: Db,
    pub(crate) clock: Clock,
}

/// One connection of either backend, pooled or inside a transaction: the query functions
/// that run both on the store and inside an intake take this.
pub(crate) enum Conn<'c> {
    Postgres(&'c mut sqlx::PgConnection),
    Sqlite(&'c mut sqlx::SqliteConnection),
}

/// A connection taken from the store's pool.
pub(crate) enum Pooled {
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Postgres(c) => Conn::Postgres(c),
            Self::Sqlite(c) => Conn::Sqlite(c),
        }
    }
}

impl Store {
    /// Opens the database `url` names and applies the migrations it has not had. A
    /// `sqlite://FILE` (or `sqlite:FILE`) is created when missing; anything else is taken as
    /// PostgreSQL.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::open(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it (`cleanclaim migrate` reports what it applies).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            open_sqlite(url).await
        } else {
            open_postgres(url).await
        }
    }

    pub(crate) async fn acquire(&self) -> Result<Pooled, StoreError> {
        Ok(match &self.db {
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
            Db::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
        })
    }

    /// Closes every connection, waiting for them: on SQLite the last one to close checkpoints
    /// the WAL into the file and removes it, instead of leaving it (as large as the last
    /// intake) beside the database.
    pub async fn close(&self) {
        match &self.db {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite(pool) => pool.close().await,
        }
    }

    /// The same store reading "now" from `clock` (a simulation's); see [`Clock`].
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// What the store records as the time of what it does now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies the migrations not yet applied; returns how many. On PostgreSQL the migrator
    /// holds an advisory lock, so processes starting together apply each migration once; an
    /// up-to-date database is not touched, so a command never waits on another's schema lock.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let (migrator, applied) = (self.migrator(), self.applied_versions().await);
        let pending = migrator
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count();
        if pending == 0 {
            return Ok(0);
        }
        match &self.db {
            Db::Postgres(pool) => migrator.run(pool).await?,
            Db::Sqlite(pool) => migrator.run(pool).await?,
        }
        Ok(pending)
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.db {
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
        }
    }

    /// The versions in sqlx's migration table; none when the table does not exist yet.
    async fn applied_versions(&self) -> Vec<i64> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(pool)
                .await
                .unwrap_or_default()
        })
    }

    /// Every migration of this backend and whether it is applied: (version, description,
    /// applied).
    pub async fn migrations(&self) -> Result<Vec<(i64, String, bool)>, StoreError> {
        let (migrator, applied) = (self.migrator(), self.applied_versions().await);
        Ok(migrator
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    applied.contains(&m.version),
                )
            })
            .collect())
    }
}

async fn open_sqlite(url: &str) -> Result<Store, StoreError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| StoreError::BadUrl(url.to_owned()))?
        .create_if_missing(true)
        // Readers do not block the writer, and a crash leaves the last commit whole.
        .journal_mode(SqliteJournalMode::Wal)
        .page_size(SQLITE_PAGE_SIZE)
        // A large intake grows the WAL to the size of its data; after the checkpoint it is
        // cut back instead of keeping that much disk.
        .pragma("journal_size_limit", SQLITE_WAL_LIMIT)
        .pragma("cache_size", SQLITE_CACHE_KIB)
        .pragma("mmap_size", SQLITE_MMAP_BYTES)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .row_buffer_size(SQLITE_ROW_BUFFER)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|error| StoreError::OpenFile {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
    Ok(Store {
        clock: Clock::system(),
        db: Db::Sqlite(pool),
    })
}

async fn open_postgres(url: &str) -> Result<Store, StoreError> {
    let mut options: PgConnectOptions =
        PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact_password(url)))?;
    // Every statement gives up on a lock it waits for too long, instead of hanging behind a
    // stopped process; a URL may set its own (`?options=-c lock_timeout=5s`).
    if !url.contains("lock_timeout") {
        options = options.options([("lock_timeout", POSTGRES_LOCK_TIMEOUT)]);
    }
    // One direct attempt first: the pool retries a refused connection until its timeout,
    // which would hide "connection refused" behind "timed out", and print the error once.
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| connect_error(&options, &sqlx::Error::PoolTimedOut))?
        .map_err(|error| connect_error(&options, &error))?;
    let _ = probe.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(POSTGRES_POOL)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options.clone())
        .await
        .map_err(|error| connect_error(&options, &error))?;
    Ok(Store {
        clock: Clock::system(),
        db: Db::Postgres(pool),
    })
}

/// How long a connection may take before the command gives up.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The URL as it may be printed: without its password.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = url.get(scheme + 3..at).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme + 3).unwrap_or_default(),
                    url.get(at..).unwrap_or_default()
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Why a connection failed, in words that say what to do.
fn connect_error(options: &PgConnectOptions, error: &sqlx::Error) -> StoreError {
    let host = options.get_host().to_owned();
    let port = options.get_port();
    let database = options.get_database().unwrap_or("postgres").to_owned();
    let reason = match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => format!(
            "the database does not exist; create it with `createdb -h {host} -p {port} {database}`"
        ),
        sqlx::Error::Database(db)
            if db.code().as_deref() == Some("28P01") || db.code().as_deref() == Some("28000") =>
        {
            format!("the server refused the user or password: {}", db.message())
        }
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "connection refused: is the server running and listening there? (`pg_isready -h {host} -p {port}`)"
        ),
        sqlx::Error::PoolTimedOut => format!(
            "no answer within {} s: is the host reachable and the server running?",
            CONNECT_TIMEOUT.as_secs()
        ),
        other => other.to_string(),
    };
    StoreError::Connect {
        host,
        port,
        database,
        reason,
    }
}
