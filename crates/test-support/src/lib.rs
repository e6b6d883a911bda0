//! What cleanclaim's tests share, so that a fresh clone tests green anywhere:
//!
//! - [`TestDatabase`]: an empty PostgreSQL database made for one test and dropped after it, so
//!   no test depends on rows another test or an earlier run left behind.
//! - [`Corpus`]: the public sample corpus beside the project (`../shared/corpus`), an external
//!   check that runs where it exists and says plainly when it is skipped.
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

pub use corpus::Corpus;
pub use database::{TestDatabase, database_url};
