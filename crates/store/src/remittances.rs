//! Posting 835 remittances: one database transaction per file, so a file is posted whole or
//! not at all; a payment already posted (same payer, same TRN02) is reported and skipped.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder, Sqlite, Transaction};

use crate::connect::Db;
use crate::submissions::from_json;
use crate::{Store, StoreError, on_pool};

/// The payment of one 835 transaction set.
#[derive(Debug, Clone)]
pub struct RemittanceRecord<'a> {
    /// Who paid: TRN03, else the payer's id, else its name.
    pub payer_key: &'a str,
    /// TRN02.
    pub trace_number: &'a str,
    pub payer_name: &'a str,
    pub payment_cents: i64,
    pub payment_date: Option<NaiveDate>,
    pub method: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemittanceId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    New(RemittanceId),
    /// This payer's trace number was posted before, at this time: the payment is not
    /// posted again.
    Duplicate {
        posted_at: DateTime<Utc>,
    },
}

/// One remittance claim as posted, with what cleanclaim made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedClaim {
    pub claim_id: String,
    /// CLP01 is a claim we submitted.
    pub matched: bool,
    pub status: String,
    pub charge_cents: i64,
    pub paid_cents: i64,
    pub patient_responsibility_cents: i64,
    pub payer_claim_number: String,
    pub denied: bool,
    pub denied_lines: i32,
    pub denied_cents: i64,
    pub cause: Option<String>,
    /// Unreadable, unbalanced or unmatched: a person must look before it counts.
    pub needs_review: bool,
    pub adjustments: Vec<PostedAdjustment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedAdjustment {
    /// Our REF*6R for a line-level adjustment.
    pub line_control: Option<String>,
    pub group: String,
    pub reason: String,
    pub amount_cents: i64,
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAdjustmentRecord {
    pub provider_id: String,
    pub reason: String,
    pub reference: String,
    pub amount_cents: i64,
}

/// An open posting: everything added is written when [`Posting::commit`] succeeds, and
/// nothing is if it is dropped.
#[derive(Debug)]
pub struct Posting {
    tx: Tx,
    clock: crate::Clock,
}

#[derive(Debug)]
enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

/// Runs the same statement code in whichever transaction a posting holds.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            Tx::Postgres($conn) => $body,
            Tx::Sqlite($conn) => $body,
        }
    };
}

/// Rows per multi-row insert on SQLite: 14 columns x 500 rows stays far under its limit of
/// bound variables.
const SQLITE_ROWS_PER_INSERT: usize = 500;

impl Store {
    pub async fn begin_posting(&self) -> Result<Posting, StoreError> {
        let tx = match &self.db {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
        };
        Ok(Posting {
            tx,
            clock: self.clock.clone(),
        })
    }

    /// The line control numbers of the latest submission of each claim id we know, among
    /// the submissions of the provider the 835 paid: a claim id is only ours per provider,
    /// and two clinics sharing a database may both have an encounter `1001`. A submission
    /// matches when its billing NPI is the payee's NPI or its tax id the payee's tax id.
    /// When the 835 names neither, or the submission predates these columns (both empty),
    /// the claim id alone decides.
    pub async fn line_controls_of(
        &self,
        claim_ids: &[String],
        payee_npi: &str,
        payee_tax_id: &str,
    ) -> Result<HashMap<String, Vec<String>>, StoreError> {
        // The latest submission per claim id, among this payee's submissions (or any, when
        // neither side names the provider).
        const PAYEE: &str = "(($2 = '' AND $3 = '')
                OR (billing_npi = '' AND billing_tax_id = '')
                OR ($2 <> '' AND billing_npi = $2)
                OR ($3 <> '' AND billing_tax_id = $3))";
        match &self.db {
            Db::Postgres(pool) => {
                let rows: Vec<(String, Vec<String>)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT DISTINCT ON (claim_id) claim_id, line_controls FROM submitted_claims
                     WHERE claim_id = ANY($1) AND {PAYEE}
                     ORDER BY claim_id, submitted_at DESC, interchange_control DESC"
                )))
                    .bind(claim_ids)
                    .bind(payee_npi)
                    .bind(payee_tax_id)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.into_iter().collect())
            }
            Db::Sqlite(pool) => {
                let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT claim_id, line_controls FROM (
                       SELECT claim_id, line_controls, ROW_NUMBER() OVER (
                         PARTITION BY claim_id ORDER BY submitted_at DESC, interchange_control DESC) AS n
                       FROM submitted_claims
                       WHERE claim_id IN (SELECT value FROM json_each($1)) AND {PAYEE})
                     WHERE n = 1"
                )))
                .bind(crate::submissions::to_json(claim_ids))
                .bind(payee_npi)
                .bind(payee_tax_id)
                .fetch_all(pool)
                .await?;
                rows.into_iter()
                    .map(|(id, lines)| Ok((id, from_json(&lines)?)))
                    .collect()
            }
        }
    }

    /// How each claim of a posted remittance was recorded, in file order: (claim id,
    /// denied, cause, needs review).
    pub async fn posted_claims(
        &self,
        remittance: RemittanceId,
    ) -> Result<Vec<(String, bool, Option<String>, bool)>, StoreError> {
        let rows = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT claim_id, denied, cause, needs_review FROM remittance_claims
                 WHERE remittance_id = $1 ORDER BY seq",
            )
            .bind(remittance.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}

impl Posting {
    /// Starts a remittance, or reports that this payer's trace number is already posted.
    /// Two postings of the same payment at once serialise on the unique key: the second
    /// waits for the first to commit and then sees a duplicate.
    pub async fn start(&mut self, record: &RemittanceRecord<'_>) -> Result<Started, StoreError> {
        let now = self.clock.now();
        let inserted: Option<i64> = on_tx!(&mut self.tx, tx => {
            sqlx::query_scalar(
                "INSERT INTO remittances
                   (payer_key, trace_number, payer_name, payment_cents, payment_date, method, posted_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (payer_key, trace_number) DO NOTHING
                 RETURNING id",
            )
            .bind(record.payer_key)
            .bind(record.trace_number)
            .bind(record.payer_name)
            .bind(record.payment_cents)
            .bind(record.payment_date)
            .bind(record.method)
            .bind(now)
            .fetch_optional(&mut **tx)
            .await?
        });
        if let Some(id) = inserted {
            return Ok(Started::New(RemittanceId(id)));
        }
        let posted_at: DateTime<Utc> = on_tx!(&mut self.tx, tx => {
            sqlx::query_scalar(
                "SELECT posted_at FROM remittances WHERE payer_key = $1 AND trace_number = $2",
            )
            .bind(record.payer_key)
            .bind(record.trace_number)
            .fetch_one(&mut **tx)
            .await?
        });
        Ok(Started::Duplicate { posted_at })
    }

    /// Adds claims numbered from `first_seq`, in two statements whatever their number.
    pub async fn add_claims(
        &mut self,
        remittance: RemittanceId,
        first_seq: i32,
        claims: &[PostedClaim],
    ) -> Result<(), StoreError> {
        if claims.is_empty() {
            return Ok(());
        }
        let seqs: Vec<i32> = (first_seq..).take(claims.len()).collect();
        let tx = match &mut self.tx {
            Tx::Postgres(tx) => tx,
            Tx::Sqlite(tx) => return add_claims_sqlite(tx, remittance, &seqs, claims).await,
        };
        let column = |f: fn(&PostedClaim) -> i64| claims.iter().map(f).collect::<Vec<i64>>();
        sqlx::query(
            "INSERT INTO remittance_claims
               (remittance_id, seq, claim_id, matched, status, charge_cents, paid_cents,
                patient_responsibility_cents, payer_claim_number, denied, denied_lines,
                denied_cents, cause, needs_review)
             SELECT $1, * FROM UNNEST($2::INT[], $3::TEXT[], $4::BOOL[], $5::TEXT[], $6::BIGINT[],
                 $7::BIGINT[], $8::BIGINT[], $9::TEXT[], $10::BOOL[], $11::INT[], $12::BIGINT[],
                 $13::TEXT[], $14::BOOL[])",
        )
        .bind(remittance.0)
        .bind(&seqs)
        .bind(
            claims
                .iter()
                .map(|c| c.claim_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(claims.iter().map(|c| c.matched).collect::<Vec<_>>())
        .bind(claims.iter().map(|c| c.status.as_str()).collect::<Vec<_>>())
        .bind(column(|c| c.charge_cents))
        .bind(column(|c| c.paid_cents))
        .bind(column(|c| c.patient_responsibility_cents))
        .bind(
            claims
                .iter()
                .map(|c| c.payer_claim_number.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(claims.iter().map(|c| c.denied).collect::<Vec<_>>())
        .bind(claims.iter().map(|c| c.denied_lines).collect::<Vec<_>>())
        .bind(column(|c| c.denied_cents))
        .bind(
            claims
                .iter()
                .map(|c| c.cause.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(claims.iter().map(|c| c.needs_review).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;

        let adjustments: Vec<(i32, &PostedAdjustment)> = seqs
            .iter()
            .zip(claims)
            .flat_map(|(seq, claim)| claim.adjustments.iter().map(move |a| (*seq, a)))
            .collect();
        if adjustments.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO remittance_adjustments
               (remittance_id, claim_seq, line_control, group_code, reason, amount_cents, category)
             SELECT $1, * FROM UNNEST($2::INT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::TEXT[])",
        )
        .bind(remittance.0)
        .bind(adjustments.iter().map(|(s, _)| *s).collect::<Vec<_>>())
        .bind(adjustments.iter().map(|(_, a)| a.line_control.as_deref()).collect::<Vec<_>>())
        .bind(adjustments.iter().map(|(_, a)| a.group.as_str()).collect::<Vec<_>>())
        .bind(adjustments.iter().map(|(_, a)| a.reason.as_str()).collect::<Vec<_>>())
        .bind(adjustments.iter().map(|(_, a)| a.amount_cents).collect::<Vec<_>>())
        .bind(adjustments.iter().map(|(_, a)| a.category.as_str()).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn add_provider_adjustment(
        &mut self,
        remittance: RemittanceId,
        adjustment: &ProviderAdjustmentRecord,
    ) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, tx => {
            sqlx::query(
                "INSERT INTO remittance_provider_adjustments (remittance_id, provider_id, reason, reference, amount_cents)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(remittance.0)
            .bind(&adjustment.provider_id)
            .bind(&adjustment.reason)
            .bind(&adjustment.reference)
            .bind(adjustment.amount_cents)
            .execute(&mut **tx)
            .await?;
        });
        Ok(())
    }

    /// Appends, in the posting's transaction, `template` once and then one event per claim
    /// posted (with the patient and clinic of the encounter it bills, where one is stored).
    pub async fn audit_claims(
        &mut self,
        template: &crate::AuditEvent,
        claim_ids: &[String],
    ) -> Result<(), StoreError> {
        let conn = match &mut self.tx {
            Tx::Postgres(tx) => crate::connect::Conn::Postgres(tx),
            Tx::Sqlite(tx) => crate::connect::Conn::Sqlite(tx),
        };
        let mut events = vec![template.clone()];
        events.extend(crate::audit::claim_events(conn, template, "post", claim_ids).await?);
        let conn = match &mut self.tx {
            Tx::Postgres(tx) => crate::connect::Conn::Postgres(tx),
            Tx::Sqlite(tx) => crate::connect::Conn::Sqlite(tx),
        };
        crate::audit::append(conn, &events).await
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        on_tx!(self.tx, tx => tx.commit().await?);
        Ok(())
    }

    /// Undoes everything added. Dropping the posting does the same, but only inside a Tokio
    /// runtime; this works from any caller that can await.
    pub async fn rollback(self) -> Result<(), StoreError> {
        on_tx!(self.tx, tx => tx.rollback().await?);
        Ok(())
    }
}

/// SQLite has no arrays to `UNNEST`: the same rows go in as multi-row inserts.
async fn add_claims_sqlite(
    tx: &mut Transaction<'static, Sqlite>,
    remittance: RemittanceId,
    seqs: &[i32],
    claims: &[PostedClaim],
) -> Result<(), StoreError> {
    let rows: Vec<(i32, &PostedClaim)> = seqs.iter().copied().zip(claims).collect();
    for chunk in rows.chunks(SQLITE_ROWS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO remittance_claims
               (remittance_id, seq, claim_id, matched, status, charge_cents, paid_cents,
                patient_responsibility_cents, payer_claim_number, denied, denied_lines,
                denied_cents, cause, needs_review) ",
        );
        insert.push_values(chunk, |mut row, (seq, claim)| {
            row.push_bind(remittance.0)
                .push_bind(*seq)
                .push_bind(claim.claim_id.as_str())
                .push_bind(claim.matched)
                .push_bind(claim.status.as_str())
                .push_bind(claim.charge_cents)
                .push_bind(claim.paid_cents)
                .push_bind(claim.patient_responsibility_cents)
                .push_bind(claim.payer_claim_number.as_str())
                .push_bind(claim.denied)
                .push_bind(claim.denied_lines)
                .push_bind(claim.denied_cents)
                .push_bind(claim.cause.as_deref())
                .push_bind(claim.needs_review);
        });
        insert.build().execute(&mut **tx).await?;
    }
    let adjustments: Vec<(i32, &PostedAdjustment)> = rows
        .iter()
        .flat_map(|(seq, claim)| claim.adjustments.iter().map(move |a| (*seq, a)))
        .collect();
    for chunk in adjustments.chunks(SQLITE_ROWS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO remittance_adjustments
               (remittance_id, claim_seq, line_control, group_code, reason, amount_cents, category) ",
        );
        insert.push_values(chunk, |mut row, (seq, adjustment)| {
            row.push_bind(remittance.0)
                .push_bind(*seq)
                .push_bind(adjustment.line_control.as_deref())
                .push_bind(adjustment.group.as_str())
                .push_bind(adjustment.reason.as_str())
                .push_bind(adjustment.amount_cents)
                .push_bind(adjustment.category.as_str());
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// How one payment advice adjudicated a claim: what `GET /fhir/ClaimResponse` shows.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimAdjudication {
    pub remittance_id: i64,
    /// The claim's place in the remittance.
    pub claim_seq: i32,
    pub trace_number: String,
    pub payer_name: String,
    pub payment_date: Option<chrono::NaiveDate>,
    pub posted_at: chrono::DateTime<chrono::Utc>,
    pub claim_id: String,
    /// CLP02.
    pub status: String,
    pub charge_cents: i64,
    pub paid_cents: i64,
    pub patient_responsibility_cents: i64,
    pub payer_claim_number: String,
    pub denied: bool,
    pub cause: Option<String>,
    #[sqlx(skip)]
    pub adjustments: Vec<PostedAdjustment>,
}

impl Store {
    /// Every posted adjudication of a claim id, oldest first, with its adjustments.
    pub async fn adjudications_of(
        &self,
        claim_id: &str,
    ) -> Result<Vec<ClaimAdjudication>, StoreError> {
        let mut adjudications: Vec<ClaimAdjudication> = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT r.id AS remittance_id, c.seq AS claim_seq, r.trace_number, r.payer_name,
                        r.payment_date, r.posted_at, c.claim_id, c.status, c.charge_cents,
                        c.paid_cents, c.patient_responsibility_cents, c.payer_claim_number,
                        c.denied, c.cause
                 FROM remittance_claims c JOIN remittances r ON r.id = c.remittance_id
                 WHERE c.claim_id = $1 ORDER BY r.posted_at, r.id, c.seq",
            )
            .bind(claim_id)
            .fetch_all(pool)
            .await?
        });
        for adjudication in &mut adjudications {
            let rows: Vec<(Option<String>, String, String, i64, String)> = on_pool!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT line_control, group_code, reason, amount_cents, category
                     FROM remittance_adjustments WHERE remittance_id = $1 AND claim_seq = $2",
                )
                .bind(adjudication.remittance_id)
                .bind(adjudication.claim_seq)
                .fetch_all(pool)
                .await?
            });
            adjudication.adjustments = rows
                .into_iter()
                .map(
                    |(line_control, group, reason, amount_cents, category)| PostedAdjustment {
                        line_control,
                        group,
                        reason,
                        amount_cents,
                        category,
                    },
                )
                .collect();
        }
        Ok(adjudications)
    }
}
