//! What 999 and 277CA acknowledgments said of each submitted claim.

use crate::connect::Conn;
use crate::{Store, StoreError, on_pool};

/// Acknowledgments per insert statement: six values each, well under SQLite's limit of
/// 32,766 bound values.
const ACKNOWLEDGMENTS_PER_INSERT: usize = 1000;

/// The envelope level an acknowledgment answers for.
#[derive(Debug, Clone, Copy)]
enum Carrier {
    Interchange,
    Transaction,
}

/// One acknowledgment of one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgment {
    pub claim_id: String,
    /// `TA1`, `999` or `277CA`.
    pub source: &'static str,
    /// Identifies the acknowledgment itself (its ISA13 and ST02), so that reading the same
    /// file twice records nothing new.
    pub reference: String,
    pub accepted: bool,
    /// The codes behind the verdict (IK5/IK3/IK4 or STC), for the work queue.
    pub detail: String,
}

impl Store {
    /// The claims one of our 837 transaction sets carried: what a 999 accepts or rejects.
    pub async fn claims_in_transaction(
        &self,
        sender: &str,
        transaction_control: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.claims_carried(sender, Carrier::Transaction, transaction_control)
            .await
    }

    /// The claims one of our interchanges carried: what a TA1 accepts or rejects.
    pub async fn claims_in_interchange(
        &self,
        sender: &str,
        interchange_control: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.claims_carried(sender, Carrier::Interchange, interchange_control)
            .await
    }

    async fn claims_carried(
        &self,
        sender: &str,
        carrier: Carrier,
        control: i64,
    ) -> Result<Vec<String>, StoreError> {
        let query = match carrier {
            Carrier::Interchange => {
                "SELECT claim_id FROM submitted_claims
                 WHERE sender_id = $1 AND interchange_control = $2 ORDER BY claim_id"
            }
            Carrier::Transaction => {
                "SELECT claim_id FROM submitted_claims
                 WHERE sender_id = $1 AND transaction_control = $2 ORDER BY claim_id"
            }
        };
        let ids = on_pool!(&self.db, pool => {
            sqlx::query_scalar(query)
                .bind(sender)
                .bind(control)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }

    /// Records acknowledgments, all or none. Returns how many were new.
    pub async fn record_acknowledgments(
        &self,
        acknowledgments: &[Acknowledgment],
    ) -> Result<u64, StoreError> {
        self.record_acknowledgments_audited(acknowledgments, None)
            .await
    }

    /// As [`Store::record_acknowledgments`], appending in the same transaction `audit` once and
    /// one event per claim acknowledged (the service).
    pub async fn record_acknowledgments_audited(
        &self,
        acknowledgments: &[Acknowledgment],
        audit: Option<&crate::AuditEvent>,
    ) -> Result<u64, StoreError> {
        let now = self.now();
        // A multi-row insert per chunk: a 999 and a 277CA answer every claim of a file (tens of
        // thousands a week at a 20-clinic organization), and a statement per row was most of
        // their posting.
        macro_rules! record {
            ($tx:expr, $db:ty) => {{
                let mut new = 0;
                for chunk in acknowledgments.chunks(ACKNOWLEDGMENTS_PER_INSERT) {
                    let mut insert: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(
                        "INSERT INTO claim_acknowledgments (claim_id, source, reference, accepted, detail, received_at) ",
                    );
                    insert.push_values(chunk, |mut row, ack| {
                        row.push_bind(ack.claim_id.as_str())
                            .push_bind(ack.source)
                            .push_bind(ack.reference.as_str())
                            .push_bind(ack.accepted)
                            .push_bind(ack.detail.as_str())
                            .push_bind(now);
                    });
                    insert.push(" ON CONFLICT (claim_id, source, reference) DO NOTHING");
                    new += insert.build().execute(&mut *$tx).await?.rows_affected();
                }
                new
            }};
        }
        let claim_ids: Vec<String> = acknowledgments.iter().map(|a| a.claim_id.clone()).collect();
        let new = match &self.db {
            crate::connect::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let new = record!(tx, sqlx::Postgres);
                if let Some(template) = audit {
                    let mut events = vec![template.clone()];
                    events.extend(
                        crate::audit::claim_events(
                            Conn::Postgres(&mut tx),
                            template,
                            "acknowledge",
                            &claim_ids,
                        )
                        .await?,
                    );
                    crate::audit::append(Conn::Postgres(&mut tx), &events).await?;
                }
                tx.commit().await?;
                new
            }
            crate::connect::Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let new = record!(tx, sqlx::Sqlite);
                if let Some(template) = audit {
                    let mut events = vec![template.clone()];
                    events.extend(
                        crate::audit::claim_events(
                            Conn::Sqlite(&mut tx),
                            template,
                            "acknowledge",
                            &claim_ids,
                        )
                        .await?,
                    );
                    crate::audit::append(Conn::Sqlite(&mut tx), &events).await?;
                }
                tx.commit().await?;
                new
            }
        };
        Ok(new)
    }

    pub async fn acknowledgments_of(
        &self,
        claim_id: &str,
    ) -> Result<Vec<(String, bool, String)>, StoreError> {
        let rows: Vec<(String, bool, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT source, accepted, detail FROM claim_acknowledgments
                 WHERE claim_id = $1 ORDER BY received_at, source",
            )
            .bind(claim_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
