//! An intake session: one transaction that an intake reads its history through and writes its
//! versions, results and queue moves into, a chunk of patients at a time, so a large intake
//! holds one chunk in memory and still commits (or rolls back) whole.
//!
//! Intakes are serialised: on PostgreSQL the session takes a transaction-scoped advisory lock
//! first (a second intake waits, up to the lock timeout, instead of deriving history from a
//! snapshot the first is about to change); SQLite has one writer, and the session's first
//! statement is a write, so it takes the write lock at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::connect::{Conn, Db};
use crate::context::StoredContext;
use crate::pipeline::{self, LatestVersion, ScrubRecord, StoredEncounter};
use crate::{Store, StoreError};

/// The advisory lock key that serialises intakes on PostgreSQL ("cc-intak" in ASCII).
const INTAKE_LOCK: i64 = 0x6363_2d69_6e74_616b;

#[derive(Debug)]
enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Postgres(tx) => Conn::Postgres(tx),
            Self::Sqlite(tx) => Conn::Sqlite(tx),
        }
    }
}

/// What an intake counted, kept with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntakeCounts {
    pub records: u64,
    pub new_encounters: u64,
    pub corrected: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub results: u64,
    /// Context records stored (new, or a new version).
    pub context_records: u64,
}

/// An open intake. Dropped without [`IntakeSession::commit`], nothing of it is kept.
#[derive(Debug)]
pub struct IntakeSession {
    tx: Tx,
    id: i64,
    started_at: DateTime<Utc>,
    clock: crate::Clock,
}

impl Store {
    /// Starts an intake: a transaction holding the intake lock, with the intake's row.
    pub async fn begin_intake(&self) -> Result<IntakeSession, StoreError> {
        let started_at = self.now();
        let (tx, id) = match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(INTAKE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let id: i64 =
                    sqlx::query_scalar("INSERT INTO intakes (started_at) VALUES ($1) RETURNING id")
                        .bind(started_at)
                        .fetch_one(&mut *tx)
                        .await?;
                (Tx::Postgres(tx), id)
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                let id: i64 =
                    sqlx::query_scalar("INSERT INTO intakes (started_at) VALUES ($1) RETURNING id")
                        .bind(started_at)
                        .fetch_one(&mut *tx)
                        .await?;
                (Tx::Sqlite(tx), id)
            }
        };
        Ok(IntakeSession {
            tx,
            id,
            started_at,
            clock: self.clock.clone(),
        })
    }
}

impl IntakeSession {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    /// This intake's id, kept with every version it stores.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// When this intake started: the time its versions were received and its results made.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// The latest version of each encounter id given, as this intake sees it (its own writes
    /// included).
    pub async fn latest_versions(
        &mut self,
        encounter_ids: &[String],
    ) -> Result<HashMap<String, LatestVersion>, StoreError> {
        pipeline::latest_versions(self.tx.conn(), encounter_ids).await
    }

    /// The latest version of every stored encounter of these patients, by patient and date.
    pub async fn latest_encounters_of(
        &mut self,
        patient_ids: &[String],
    ) -> Result<Vec<StoredEncounter>, StoreError> {
        pipeline::latest_encounters_of(self.tx.conn(), patient_ids).await
    }

    /// The latest version of each encounter id given, with its record, as this intake sees it.
    pub async fn latest_encounters_by_id(
        &mut self,
        encounter_ids: &[String],
    ) -> Result<Vec<StoredEncounter>, StoreError> {
        pipeline::latest_encounters_by_id(self.tx.conn(), encounter_ids).await
    }

    /// Each stored visit of these patients and its latest version, without the records.
    pub async fn latest_versions_of_patients(
        &mut self,
        patient_ids: &[String],
    ) -> Result<Vec<(String, i32)>, StoreError> {
        pipeline::latest_versions_of_patients(self.tx.conn(), patient_ids).await
    }

    /// The latest scrub result of each encounter id given.
    pub async fn latest_results(
        &mut self,
        encounter_ids: &[String],
    ) -> Result<HashMap<String, ScrubRecord>, StoreError> {
        pipeline::latest_results(self.tx.conn(), encounter_ids).await
    }

    /// Which of these encounter ids have been billed.
    pub async fn billed_encounters(
        &mut self,
        encounter_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        pipeline::billed_encounters(self.tx.conn(), encounter_ids).await
    }

    /// The latest version of every context record of these patients, as this intake sees it.
    pub async fn latest_context_of(
        &mut self,
        patient_ids: &[String],
    ) -> Result<Vec<StoredContext>, StoreError> {
        crate::context::latest_context_of(self.tx.conn(), patient_ids).await
    }

    /// Writes new versions of context records.
    pub async fn write_context(&mut self, records: &[StoredContext]) -> Result<(), StoreError> {
        crate::context::write_context(self.tx.conn(), self.id, records).await
    }

    /// Writes a chunk: new encounter versions, new results, and the queue moves the results
    /// make (an encounter whose queue changes leaves its open item and enters a new one; one
    /// whose queue stays has its item's findings brought up to date).
    pub async fn write(
        &mut self,
        versions: &[StoredEncounter],
        results: &[ScrubRecord],
    ) -> Result<(), StoreError> {
        let (id, now) = (self.id, self.started_at);
        match &mut self.tx {
            Tx::Postgres(tx) => {
                pipeline::write_intake_pg(&mut *tx, id, versions, results, now).await
            }
            Tx::Sqlite(tx) => {
                pipeline::write_intake_sqlite(&mut *tx, id, versions, results, now).await
            }
        }
    }

    /// Appends audit events in this intake's transaction: they are kept exactly when it is.
    pub async fn audit(&mut self, events: &[crate::AuditEvent]) -> Result<(), StoreError> {
        crate::audit::append(self.tx.conn(), events).await
    }

    /// The answer stored under an idempotency key of a user: (request hash, status, body).
    /// Read under the intake lock, so two requests with one key cannot both store.
    pub async fn idempotent_answer(
        &mut self,
        user_id: i64,
        key: &str,
    ) -> Result<Option<(String, i32, String)>, StoreError> {
        Ok(crate::on_conn!(self.tx.conn(), exec => {
            sqlx::query_as(
                "SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_optional(exec)
            .await?
        }))
    }

    /// Keeps the answer to a request under its idempotency key, with this intake.
    pub async fn remember_answer(
        &mut self,
        user_id: i64,
        key: &str,
        request_hash: &str,
        status: i32,
        response: &str,
    ) -> Result<(), StoreError> {
        let now = self.started_at;
        crate::on_conn!(self.tx.conn(), exec => {
            sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(user_id)
            .bind(key)
            .bind(request_hash)
            .bind(status)
            .bind(response)
            .bind(now)
            .execute(exec)
            .await?;
        });
        Ok(())
    }

    /// Keeps the intake: its counts, then the commit.
    pub async fn commit(mut self, counts: IntakeCounts) -> Result<(), StoreError> {
        let finished_at = self.clock.now();
        let id = self.id;
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        macro_rules! finish {
            ($tx:expr) => {{
                sqlx::query(
                    "UPDATE intakes SET finished_at = $2, records = $3, new_encounters = $4,
                       corrected = $5, unchanged = $6, rejected = $7, results = $8,
                       context_records = $9
                     WHERE id = $1",
                )
                .bind(id)
                .bind(finished_at)
                .bind(as_i64(counts.records))
                .bind(as_i64(counts.new_encounters))
                .bind(as_i64(counts.corrected))
                .bind(as_i64(counts.unchanged))
                .bind(as_i64(counts.rejected))
                .bind(as_i64(counts.results))
                .bind(as_i64(counts.context_records))
                .execute(&mut **$tx)
                .await?;
            }};
        }
        match &mut self.tx {
            Tx::Postgres(tx) => finish!(tx),
            Tx::Sqlite(tx) => finish!(tx),
        }
        match self.tx {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
