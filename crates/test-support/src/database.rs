//! One empty database per test. [`TestDatabase::create`] makes a PostgreSQL database on the
//! `DATABASE_URL` server (default the local `test` database, which `.ci/run` makes sure is up),
//! dropped (with its connections) when the test ends, pass or fail; [`TestDatabase::sqlite`]
//! makes an SQLite file in a folder of its own, removed the same way.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The server the tests use: `DATABASE_URL`, else the local `test` database.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// An empty database of its own, dropped on `Drop`.
#[derive(Debug)]
pub struct TestDatabase {
    /// The PostgreSQL server's URL, or `None` for an SQLite file.
    admin_url: Option<String>,
    name: String,
    url: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDatabase {
    /// Creates `cleanclaim_t_<pid>_<n>_<nanos>` on the `DATABASE_URL` server. Works from plain
    /// and from async tests (the statements run on a thread of their own).
    pub fn create() -> Self {
        let admin_url = database_url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "cleanclaim_t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        if let Err(error) = execute(&admin_url, format!("CREATE DATABASE {name}")) {
            panic!("{error}");
        }
        let url = with_database(&admin_url, &name);
        Self {
            admin_url: Some(admin_url),
            name,
            url,
        }
    }

    /// An SQLite file that does not exist yet, in a new folder under the system's temporary
    /// folder (the store creates it, as it does for users).
    pub fn sqlite() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = std::env::temp_dir()
            .join(format!(
                "cleanclaim_t_{}_{}_{nanos}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ))
            .display()
            .to_string();
        if let Err(error) = std::fs::create_dir_all(&name) {
            panic!("a folder for the test's SQLite file: {error}");
        }
        let url = format!("sqlite://{name}/cleanclaim.db");
        Self {
            admin_url: None,
            name,
            url,
        }
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl TestDatabase {
    /// A count from this test's database (PostgreSQL or SQLite), read straight with SQL (for
    /// checks the store has no query for, such as rows a crash may have doubled).
    pub fn count(&self, sql: &str) -> i64 {
        let sql = sql.to_owned();
        self.with_connection("counting", move |connection| {
            Box::pin(async move {
                let sql = sqlx::AssertSqlSafe(sql);
                match connection {
                    AnyConnection::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await,
                    AnyConnection::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await,
                }
                .map_err(|e| e.to_string())
            })
        })
    }

    /// Runs one statement on this test's database and returns the rows it changed: for a
    /// test that puts the store in a state only an older version or another writer leaves.
    pub fn change(&self, sql: &str) -> u64 {
        let sql = sql.to_owned();
        self.with_connection("changing", move |connection| {
            Box::pin(async move {
                let sql = sqlx::AssertSqlSafe(sql);
                match connection {
                    AnyConnection::Postgres(c) => {
                        sqlx::query(sql).execute(c).await.map(|d| d.rows_affected())
                    }
                    AnyConnection::Sqlite(c) => {
                        sqlx::query(sql).execute(c).await.map(|d| d.rows_affected())
                    }
                }
                .map_err(|e| e.to_string())
            })
        })
    }

    /// Runs `work` on a connection of its own, on a thread and runtime of its own (so it also
    /// works inside a test already on a Tokio runtime); a failure panics, naming `doing`.
    fn with_connection<T: Send + 'static>(
        &self,
        doing: &'static str,
        work: impl for<'c> FnOnce(
            &'c mut AnyConnection,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, String>> + 'c>,
        > + Send
        + 'static,
    ) -> T {
        let url = self.url.clone();
        let postgres = self.admin_url.is_some();
        let thread = std::thread::spawn(move || -> Result<T, String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut connection = if postgres {
                    AnyConnection::Postgres(
                        PgConnection::connect(&url)
                            .await
                            .map_err(|e| e.to_string())?,
                    )
                } else {
                    AnyConnection::Sqlite(
                        sqlx::sqlite::SqliteConnection::connect(&url)
                            .await
                            .map_err(|e| e.to_string())?,
                    )
                };
                let done = work(&mut connection).await;
                let _ = match connection {
                    AnyConnection::Postgres(c) => c.close().await,
                    AnyConnection::Sqlite(c) => c.close().await,
                };
                done
            })
        });
        match thread.join() {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => panic!("{doing}: {error}"),
            Err(_) => panic!("the {doing} thread panicked"),
        }
    }
}

/// A connection to a test's database, whichever backend it is on.
enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(sqlx::sqlite::SqliteConnection),
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Never panic here: a drop during a failing test's unwinding would abort the run.
        match &self.admin_url {
            Some(admin_url) => {
                let _ = execute(
                    admin_url,
                    format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                );
            }
            None => {
                let _ = std::fs::remove_dir_all(&self.name);
            }
        }
    }
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Runs one statement on its own thread and runtime, so that it also works inside a test
/// that is already running on a Tokio runtime.
fn execute(url: &str, statement: String) -> Result<(), String> {
    let url = url.to_owned();
    let thread = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("a Tokio runtime for test setup: {e}"))?;
        runtime.block_on(async {
            let mut connection = PgConnection::connect(&url)
                .await
                .map_err(|e| {
                    format!(
                        "the database tests need a PostgreSQL server at {url} (DATABASE_URL; `.ci/run` starts the local one): {e}"
                    )
                })?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut connection)
                .await
                .map_err(|e| format!("`{statement}`: {e}"))?;
            let _ = connection.close().await;
            Ok(())
        })
    });
    thread
        .join()
        .unwrap_or_else(|_| Err("the test database thread panicked".to_owned()))
}
#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}
