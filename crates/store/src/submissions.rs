//! Control numbers and the record of submitted claims.

use chrono::{DateTime, Utc};
use cleanclaim_x12::x837::ControlNumbers;
use sqlx::Row;

use crate::connect::{Conn, Db};

/// A claim file the service keeps for download, recorded with its claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch<'a> {
    pub created_by: &'a str,
    /// The clinics of the caller who made it (`None`: every clinic), for who may download it.
    pub clinics: Option<&'a [String]>,
    pub x12: &'a str,
    pub events: Vec<crate::AuditEvent>,
}

/// A kept claim file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimBatch {
    pub id: i64,
    pub sender_id: String,
    pub interchange_control: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub claim_count: i64,
    pub total_cents: i64,
    /// Comma-separated clinic ids; `None` when made by an organization-wide user.
    pub clinics: Option<String>,
}

/// Inserts the batch row in the transaction; evaluates to its id.
macro_rules! keep_batch {
    ($tx:expr, $batch:expr, $sender:expr, $interchange:expr, $claims:expr, $now:expr) => {{
        let total: i64 = $claims.iter().map(|c| c.total_cents).sum();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO claim_batches
               (sender_id, interchange_control, created_at, created_by, claim_count, total_cents, clinics, x12)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind($sender)
        .bind($interchange)
        .bind($now)
        .bind($batch.created_by)
        .bind(i64::try_from($claims.len()).unwrap_or(i64::MAX))
        .bind(total)
        .bind($batch.clinics.map(|c| c.join(",")))
        .bind($batch.x12)
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}
use crate::{MAX_CONTROL, Store, StoreError, on_pool};

/// One claim of a written interchange, kept to match 835 remittances and acknowledgments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedClaim {
    pub claim_id: String,
    pub frequency: String,
    pub transaction_control: i64,
    pub total_cents: i64,
    pub line_controls: Vec<String>,
    /// The billing provider's NPI and tax id (loop 2010AA), so that an 835 is linked only to
    /// submissions of the provider it paid.
    pub billing_npi: String,
    pub billing_tax_id: String,
    /// An original sent again on purpose (`--allow-resend`): exempt from the one-original
    /// rule that makes two concurrent runs unable to bill the same claim twice.
    pub resend: bool,
}

/// Reserves `count` numbers of one kind: the new last number is returned by the same
/// statement that sets it, so two writers never see the same range.
const RESERVE: &str = "INSERT INTO x12_control_numbers (sender_id, kind, last) VALUES ($1, $2, $3)
     ON CONFLICT (sender_id, kind) DO UPDATE SET last = x12_control_numbers.last + excluded.last
     RETURNING last";

/// A claim's line control numbers as SQLite keeps them (a JSON array).
pub(crate) fn to_json(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn from_json(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what: "line control numbers",
        reason: e.to_string(),
    })
}

/// Claims per multi-row insert: 11 columns x 2,000 rows stays under both backends' limits of
/// bound parameters (PostgreSQL 65,535; SQLite 32,766).
const CLAIMS_PER_INSERT: usize = 2000;

/// Inserts the submitted claims in multi-row statements inside `$tx`; a clash with the
/// one-original index is [`StoreError::AlreadySubmitted`].
macro_rules! insert_submitted {
    ($db:ty, $tx:ident, $claims:expr, $sender:expr, $interchange:expr, $now:expr, $lines:expr) => {
        for chunk in $claims.chunks(CLAIMS_PER_INSERT) {
            let mut insert: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(
                "INSERT INTO submitted_claims
                   (sender_id, interchange_control, transaction_control, claim_id, frequency,
                    total_cents, line_controls, billing_npi, billing_tax_id, submitted_at, resend) ",
            );
            insert.push_values(chunk, |mut row, claim| {
                row.push_bind($sender)
                    .push_bind($interchange)
                    .push_bind(claim.transaction_control)
                    .push_bind(&claim.claim_id)
                    .push_bind(&claim.frequency)
                    .push_bind(claim.total_cents)
                    .push_bind($lines(claim))
                    .push_bind(&claim.billing_npi)
                    .push_bind(&claim.billing_tax_id)
                    .push_bind($now)
                    .push_bind(claim.resend);
            });
            insert
                .build()
                .execute(&mut *$tx)
                .await
                .map_err(|e| clash(e))?;
        }
    };
}

/// A unique violation on the one-original index, as the typed error.
fn clash(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::AlreadySubmitted {
            detail: db.message().to_owned(),
        },
        _ => StoreError::from(error),
    }
}

impl Store {
    /// Reserves one interchange, one group and `transactions` transaction set numbers.
    pub async fn reserve_controls(
        &self,
        sender: &str,
        transactions: u64,
    ) -> Result<ControlNumbers, StoreError> {
        let count = i64::try_from(transactions.max(1)).unwrap_or(MAX_CONTROL);
        let lasts: [i64; 3] = on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let mut lasts = [0; 3];
            for (last, (kind, n)) in lasts.iter_mut().zip([("ISA", 1), ("GS", 1), ("ST", count)]) {
                *last = sqlx::query_scalar(RESERVE)
                    .bind(sender)
                    .bind(kind)
                    .bind(n)
                    .fetch_one(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            lasts
        });
        let checked = |kind: &'static str, last: i64, n: i64| {
            if last > MAX_CONTROL {
                return Err(StoreError::Exhausted {
                    sender: sender.to_owned(),
                    kind,
                });
            }
            Ok(u64::try_from(last - n + 1).unwrap_or(0))
        };
        let [isa, gs, st] = lasts;
        // The ST check comes first: it is the one a large reservation exhausts.
        let first_transaction = checked("ST", st, count)?;
        Ok(ControlNumbers {
            interchange: checked("ISA", isa, 1)?,
            group: checked("GS", gs, 1)?,
            first_transaction,
        })
    }

    /// Records the claims an interchange carried, all or none.
    pub async fn record_submission(
        &self,
        sender: &str,
        interchange: u64,
        claims: &[SubmittedClaim],
    ) -> Result<(), StoreError> {
        self.record_billing(sender, interchange, claims, &[]).await
    }

    /// Records the claims an interchange carried and ends the ready-to-bill queue stays of the
    /// stored encounters they bill, in one transaction: all or none. An original this sender
    /// already recorded (by another run, even one racing this one) fails the whole record with
    /// [`StoreError::AlreadySubmitted`]: exactly one run bills a claim.
    pub async fn record_billing(
        &self,
        sender: &str,
        interchange: u64,
        claims: &[SubmittedClaim],
        encounters: &[String],
    ) -> Result<(), StoreError> {
        self.record_billing_kept(sender, interchange, claims, encounters, None)
            .await
            .map(|_| ())
    }

    /// As [`Store::record_billing`], keeping the file itself in the store when `batch` is
    /// given (the service's downloads), with its audit events, in the same transaction: the
    /// claims are recorded exactly when their file is kept. Returns the batch's id.
    pub async fn record_billing_kept(
        &self,
        sender: &str,
        interchange: u64,
        claims: &[SubmittedClaim],
        encounters: &[String],
        batch: Option<&NewBatch<'_>>,
    ) -> Result<Option<i64>, StoreError> {
        let interchange = i64::try_from(interchange).unwrap_or(i64::MAX);
        let now = self.now();
        const CLOSE: &str = "UPDATE queue_items SET status = 'billed', left_at = $2
             WHERE left_at IS NULL AND queue = 'ready_to_bill' AND encounter_id {IDS}";
        const BILLED: &str = "DELETE FROM unbilled_encounters WHERE encounter_id {IDS}";
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                insert_submitted!(
                    sqlx::Postgres,
                    tx,
                    claims,
                    sender,
                    interchange,
                    now,
                    |c: &SubmittedClaim| c.line_controls.clone()
                );
                sqlx::query(sqlx::AssertSqlSafe(CLOSE.replace("{IDS}", "= ANY($1)")))
                    .bind(encounters)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(BILLED.replace("{IDS}", "= ANY($1)")))
                    .bind(encounters)
                    .execute(&mut *tx)
                    .await?;
                let id = match batch {
                    Some(batch) => Some(keep_batch!(tx, batch, sender, interchange, claims, now)),
                    None => None,
                };
                if let Some(batch) = batch {
                    crate::audit::append(Conn::Postgres(&mut tx), &batch.events).await?;
                }
                tx.commit().await?;
                Ok(id)
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                insert_submitted!(
                    sqlx::Sqlite,
                    tx,
                    claims,
                    sender,
                    interchange,
                    now,
                    |c: &SubmittedClaim| to_json(&c.line_controls)
                );
                sqlx::query(sqlx::AssertSqlSafe(
                    CLOSE.replace("{IDS}", "IN (SELECT value FROM json_each($1))"),
                ))
                .bind(to_json(encounters))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(sqlx::AssertSqlSafe(
                    BILLED.replace("{IDS}", "IN (SELECT value FROM json_each($1))"),
                ))
                .bind(to_json(encounters))
                .execute(&mut *tx)
                .await?;
                let id = match batch {
                    Some(batch) => Some(keep_batch!(tx, batch, sender, interchange, claims, now)),
                    None => None,
                };
                if let Some(batch) = batch {
                    crate::audit::append(Conn::Sqlite(&mut tx), &batch.events).await?;
                }
                tx.commit().await?;
                Ok(id)
            }
        }
    }

    /// A kept claim file's facts, without its text.
    pub async fn claim_batch(&self, id: i64) -> Result<Option<ClaimBatch>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, sender_id, interchange_control, created_at, created_by, claim_count,
                        total_cents, clinics FROM claim_batches WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// A kept claim file's X12 text.
    pub async fn claim_batch_text(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT x12 FROM claim_batches WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Which of these claim ids this sender has already submitted.
    pub async fn already_submitted(
        &self,
        sender: &str,
        claim_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let ids = match &self.db {
            Db::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT DISTINCT claim_id FROM submitted_claims
                     WHERE sender_id = $1 AND claim_id = ANY($2) ORDER BY claim_id",
                )
                .bind(sender)
                .bind(claim_ids)
                .fetch_all(pool)
                .await?
            }
            Db::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT DISTINCT claim_id FROM submitted_claims
                     WHERE sender_id = $1 AND claim_id IN (SELECT value FROM json_each($2))
                     ORDER BY claim_id",
                )
                .bind(sender)
                .bind(to_json(claim_ids))
                .fetch_all(pool)
                .await?
            }
        };
        Ok(ids)
    }

    /// The payer's claim control number (CLP07) from the latest posted remittance of a
    /// claim: what a replacement or void must quote in REF*F8.
    pub async fn payer_claim_number_of(
        &self,
        claim_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let number = on_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT c.payer_claim_number FROM remittance_claims c
                 JOIN remittances r ON r.id = c.remittance_id
                 WHERE c.claim_id = $1 AND c.payer_claim_number <> ''
                 ORDER BY r.posted_at DESC, c.remittance_id DESC LIMIT 1",
            )
            .bind(claim_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(number)
    }

    /// Every submission of a claim, oldest first: (interchange, frequency).
    pub async fn submissions_of(&self, claim_id: &str) -> Result<Vec<(i64, String)>, StoreError> {
        on_pool!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT interchange_control, frequency FROM submitted_claims
                 WHERE claim_id = $1 ORDER BY submitted_at, interchange_control",
            )
            .bind(claim_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}
