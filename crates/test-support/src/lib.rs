//! What cleanclaim's tests share, so that a fresh clone tests green anywhere:
//!
//! - [`TestDatabase`]: an empty PostgreSQL database made for one test and dropped after it, so
//!   no test depends on rows another test or an earlier run left behind.
//! - [`on_both_backends!`]: one test per case and backend (SQLite and PostgreSQL).
//! - [`Corpus`]: the public sample corpus beside the project (`../shared/corpus`), an external
//!   check that runs where it exists and says plainly when it is skipped.
//! - [`answer_835`]: a payer's 835 for claims we wrote; [`json_paths`] and [`json_at`]: one
//!   value of a JSON document at a time, for the canary tests.
//!
//! This crate is a dev-dependency only; it may panic, because a test that cannot set itself up
//! must fail loudly.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "test setup that cannot proceed fails the test at once"
)]

mod corpus;
mod database;
mod json;
mod remittance;

pub use corpus::Corpus;
pub use database::{TestDatabase, database_url};
pub use json::{json_at, json_paths};
pub use remittance::answer_835;

/// For each named `async fn case(database: TestDatabase)` in scope, a test on SQLite
/// (`sqlite::case`) and one on PostgreSQL (`postgres::case`), each on a multi-threaded Tokio
/// runtime so that concurrent cases really run at once. The calling crate needs `tokio` with
/// `macros` and `rt-multi-thread`.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case($crate::TestDatabase::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case($crate::TestDatabase::create()).await;
                }
            )*
        }
    };
}
