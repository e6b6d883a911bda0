//! Background work shared by every server process on a database.
//!
//! On PostgreSQL a worker claims the oldest queued job with `FOR UPDATE SKIP LOCKED` in a
//! transaction it holds open while it does the job, and marks it done in that transaction: two
//! workers never take one job, and a worker that dies mid-job releases its lock, so another
//! takes the job up. The job's own effects commit in their own transaction and are safe to
//! repeat (a remittance is posted once per payer trace number), so a job whose worker died
//! after its effects but before marking it done is done again without doubling anything.
//!
//! SQLite has one writer and no row locks: a worker marks the job `running` (under the write
//! lock) and done later; jobs left `running` by a process that stopped are queued again when a
//! server starts ([`Store::requeue_abandoned_jobs`]). One server per SQLite file.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};

use crate::connect::{Conn, Db};
use crate::{AuditEvent, Store, StoreError};

/// A kind of job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Post an 835 (the payload).
    PostRemittance,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PostRemittance => "post_remittance",
        }
    }

    fn from_str(text: &str) -> Option<Self> {
        match text {
            "post_remittance" => Some(Self::PostRemittance),
            _ => None,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub worker: Option<String>,
    pub result: Option<String>,
    pub error: Option<String>,
}

/// A job a worker holds.
#[derive(Debug)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: JobKind,
    pub payload: String,
    pub created_by: String,
    /// PostgreSQL: the transaction holding the job's row lock until it is finished.
    lock: Option<Transaction<'static, Postgres>>,
}

impl Store {
    /// Queues a job, with the audit event of asking for it, in one transaction.
    pub async fn enqueue_job(
        &self,
        kind: JobKind,
        payload: &str,
        created_by: &str,
        events: &[AuditEvent],
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        macro_rules! enqueue {
            ($tx:expr) => {
                sqlx::query_scalar(
                    "INSERT INTO jobs (kind, payload, created_by, created_at) VALUES ($1, $2, $3, $4)
                     RETURNING id",
                )
                .bind(kind.as_str())
                .bind(payload)
                .bind(created_by)
                .bind(now)
                .fetch_one(&mut *$tx)
                .await?
            };
        }
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let id: i64 = enqueue!(tx);
                crate::audit::append(Conn::Postgres(&mut tx), events).await?;
                tx.commit().await?;
                Ok(id)
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let id: i64 = enqueue!(tx);
                crate::audit::append(Conn::Sqlite(&mut tx), events).await?;
                tx.commit().await?;
                Ok(id)
            }
        }
    }

    /// Takes the oldest queued job no other worker holds, if any.
    pub async fn claim_job(&self, worker: &str) -> Result<Option<ClaimedJob>, StoreError> {
        let now = Utc::now();
        let (row, lock): (Option<(i64, String, String, String)>, _) = match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as(
                    "SELECT id, kind, payload, created_by FROM jobs WHERE status = 'queued'
                     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                )
                .fetch_optional(&mut *tx)
                .await?;
                (row, Some(tx))
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let row: Option<(i64, String, String, String)> = sqlx::query_as(
                    "SELECT id, kind, payload, created_by FROM jobs WHERE status = 'queued'
                     ORDER BY id LIMIT 1",
                )
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, ..)) = &row {
                    sqlx::query("UPDATE jobs SET status = 'running', worker = $2 WHERE id = $1")
                        .bind(id)
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                (row, None)
            }
        };
        let Some((id, kind, payload, created_by)) = row else {
            return Ok(None);
        };
        // Counted outside the job's lock, so a worker that dies still leaves its attempt.
        crate::on_pool!(&self.db, pool => {
            sqlx::query("INSERT INTO job_attempts (job_id, worker, started_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(worker)
                .bind(now)
                .execute(pool)
                .await?;
        });
        let kind = JobKind::from_str(&kind).ok_or_else(|| StoreError::Corrupt {
            what: "job kind",
            reason: kind.clone(),
        })?;
        Ok(Some(ClaimedJob {
            id,
            kind,
            payload,
            created_by,
            lock,
        }))
    }

    /// Marks a job done (with its result) or failed (with why), releasing it.
    pub async fn finish_job(
        &self,
        job: ClaimedJob,
        worker: &str,
        outcome: Result<String, String>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let (status, result, error) = match outcome {
            Ok(result) => ("done", Some(result), None),
            Err(error) => ("failed", None, Some(error)),
        };
        macro_rules! finish {
            ($exec:expr) => {
                sqlx::query(
                    "UPDATE jobs SET status = $2, result = $3, error = $4, finished_at = $5,
                       worker = $6 WHERE id = $1",
                )
                .bind(job.id)
                .bind(status)
                .bind(result.as_deref())
                .bind(error.as_deref())
                .bind(now)
                .bind(worker)
                .execute($exec)
                .await?
            };
        }
        match (job.lock, &self.db) {
            (Some(mut tx), _) => {
                finish!(&mut *tx);
                tx.commit().await?;
            }
            (None, db) => {
                crate::on_pool!(db, pool => { finish!(pool); });
            }
        }
        Ok(())
    }

    /// SQLite: queues again the jobs a stopped process left `running` (PostgreSQL needs none:
    /// a dead worker's lock is gone with its connection). Returns how many.
    pub async fn requeue_abandoned_jobs(&self) -> Result<u64, StoreError> {
        Ok(match &self.db {
            Db::Postgres(_) => 0,
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE jobs SET status = 'queued', worker = NULL WHERE status = 'running'",
            )
            .execute(pool)
            .await?
            .rows_affected(),
        })
    }

    pub async fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, kind, status, created_by, created_at, finished_at, worker, result, error
                 FROM jobs WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// How many times each job was taken up, by job id.
    pub async fn job_attempts(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as("SELECT job_id, COUNT(*) FROM job_attempts GROUP BY job_id ORDER BY job_id")
                .fetch_all(pool)
                .await?
        }))
    }
}
