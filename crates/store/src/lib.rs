//! Storage for cleanclaim, on an embedded SQLite file (the default: nothing to set up) or on
//! PostgreSQL (production, several processes): the adapter around the pure codecs.
//!
//! - Connecting, the two backends and their migrations ([`connect`]).
//! - Control numbers and submitted claims ([`submissions`]).
//! - Posted remittances, with duplicate 835s refused ([`remittances`]).
//! - 999 and 277CA acknowledgments per claim ([`acknowledgments`]).
//! - Encounter versions, scrub results and work-queue items ([`pipeline`]), written by
//!   intakes, each one transaction ([`intake`]).
//!
//! One schema, written twice (`migrations/postgres`, `migrations/sqlite`: the DDL differs in
//! types), applied by versioned migrations on connect and by `cleanclaim migrate`; nothing
//! else changes the schema. Every query runs on both backends, and the store's test suite
//! runs against both.
//!
//! Control numbers (ISA13, GS06, ST02) must never repeat for a sender, across processes and
//! restarts, so they live in the database, and a reservation is one atomic upsert with
//! `RETURNING` per kind (row locks, or SQLite's single writer, serialise concurrent writers).
//! Numbers are never reused or wrapped: when ISA13's nine digits run out, reservation fails.

mod access;
mod acknowledgments;
mod audit;
mod clock;
mod connect;
mod context;
mod intake;
mod interfaces;
mod jobs;
mod kpis;
mod pipeline;
mod providers;
mod queue_actions;
mod remittances;
mod submissions;
mod views;

pub use access::{Clinic, NewUser, SessionRow, UserRow};
pub use acknowledgments::Acknowledgment;
pub use audit::{
    AuditEvent, AuditFilter, AuditOutcome, AuditRow, AuditVerification, ChainBreak, GENESIS_HASH,
    row_hash,
};
pub use clock::Clock;
pub use connect::{Backend, DEFAULT_SQLITE_FILE, Store};
pub use context::StoredContext;
pub use intake::{IntakeCounts, IntakeSession};
pub use interfaces::{InboundRow, NewInbound, NewScheduledVisit, ScheduledVisitRow};
pub use jobs::{ClaimedJob, JobKind, JobRow};
pub use kpis::{
    AcknowledgmentFact, AdjudicationFact, HoldFact, KpiFacts, KpiStamp, TransmissionFact, VisitFact,
};
pub use pipeline::{Filing, LatestVersion, QueueItem, ScrubRecord, StoredEncounter, StoredResult};
pub use providers::ProviderRow;
pub use queue_actions::{ENDING_STATUSES, QueueAction};
pub use remittances::{
    ClaimAdjudication, PostedAdjustment, PostedClaim, Posting, ProviderAdjustmentRecord,
    RemittanceId, RemittanceRecord, Started,
};
pub use submissions::{ClaimBatch, NewBatch, SubmittedClaim};
pub use views::{EncounterFilter, EncounterSummary, EncounterView, QueueFilter, QueueOrder, Scope};

/// The largest number a nine-digit ISA13 or GS06 can hold.
pub const MAX_CONTROL: i64 = 999_999_999;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// Another session held a lock this statement needed for longer than the lock timeout
    /// (PostgreSQL `lock_timeout`, 30 s unless the URL sets it; SQLite's busy timeout, 10 s):
    /// a stopped or slow `cleanclaim` on the same database, most likely.
    #[error(
        "gave up waiting for a lock another session holds on the database ({detail}): is another cleanclaim running, or stopped, on it?"
    )]
    LockTimeout { detail: String },
    /// The server could not be reached, or refused the connection; names the server, the
    /// database and what to do.
    #[error("cannot connect to PostgreSQL at {host}:{port} (database `{database}`): {reason}")]
    Connect {
        host: String,
        port: u16,
        database: String,
        reason: String,
    },
    #[error("cannot open the SQLite database `{path}`: {reason}")]
    OpenFile { path: String, reason: String },
    #[error("`{0}` is not a database URL (postgres://user@host:port/database, or sqlite://FILE)")]
    BadUrl(String),
    #[error("migrating the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "{kind} control numbers for sender {sender} are exhausted (at most {MAX_CONTROL}); they are never reused"
    )]
    Exhausted { sender: String, kind: &'static str },
    /// Recording a submission found an original of the same claim already recorded for the
    /// sender (a concurrent run got there first): nothing of this submission was recorded.
    #[error(
        "an original of a claim in this file was already recorded for this sender, by another run ({detail}); nothing of this submission was recorded"
    )]
    AlreadySubmitted { detail: String },
    /// A record with this key exists already.
    #[error("a {what} `{key}` exists already")]
    Conflict { what: &'static str, key: String },
    /// A record this one refers to does not exist.
    #[error("no {what} `{key}` exists")]
    NotFound { what: &'static str, key: String },
    /// A stored value the store itself wrote cannot be read back.
    #[error("stored {what} cannot be read: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            let code = db.code();
            // 55P03 lock_not_available (PostgreSQL); 5 and 517 SQLITE_BUSY (SQLite).
            if matches!(code.as_deref(), Some("55P03" | "5" | "517")) {
                return Self::LockTimeout {
                    detail: db.message().to_owned(),
                };
            }
        }
        Self::Database(error)
    }
}

/// Runs the same query code on whichever backend `$db` is: the SQL is written once where
/// both dialects accept it, and the code is compiled once per backend's types.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::connect::Db::Postgres($pool) => $body,
            $crate::connect::Db::Sqlite($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// As [`on_pool!`], on one connection ([`connect::Conn`]): pooled or inside a transaction.
macro_rules! on_conn {
    ($conn:expr, $exec:ident => $body:expr) => {
        match $conn {
            $crate::connect::Conn::Postgres($exec) => $body,
            $crate::connect::Conn::Sqlite($exec) => $body,
        }
    };
}
pub(crate) use on_conn;
