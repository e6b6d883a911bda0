//! The facts the revenue-cycle KPIs are computed from (`app::kpis`): each stored visit (its
//! latest version, first and latest scrub), each claim transmission, each rejecting verdict
//! and each posted adjudication. Read whole and aggregated in the application layer, where the
//! definitions (docs/kpis.md) live and are tested on hand-checked data; [`KpiStamp`] tells a
//! reader that keeps them (the dashboard) whether anything they count has changed since.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Store, StoreError, on_pool};

/// A stored visit: its latest version, with its first and latest scrub.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisitFact {
    pub encounter_id: String,
    pub date_of_service: NaiveDate,
    pub clinic_id: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    /// `pt`, `ot` or `slp`.
    pub discipline: Option<String>,
    /// Who booked the visit: the record's, else that of a kept appointment (SIU) of the
    /// patient at the clinic that day.
    pub scheduled_by: Option<String>,
    pub first_queue: Option<String>,
    pub latest_charge_cents: Option<i64>,
}

/// One claim transmission.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TransmissionFact {
    pub claim_id: String,
    /// CLM05-3: 1 original, 7 replacement, 8 void.
    pub frequency: String,
    pub submitted_at: DateTime<Utc>,
    /// CLM02: the claim's charges.
    pub total_cents: i64,
}

/// One 999 or 277CA verdict rejecting a claim (the store reads only those).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AcknowledgmentFact {
    pub claim_id: String,
    pub source: String,
    pub accepted: bool,
}

/// One posted adjudication of a claim, in posting order.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdjudicationFact {
    pub claim_id: String,
    pub denied: bool,
    pub denied_lines: i32,
    pub cause: Option<String>,
    pub charge_cents: i64,
    pub paid_cents: i64,
    /// Dollars of the denied lines (or the whole charge of a denied claim).
    pub denied_cents: i64,
    pub patient_responsibility_cents: i64,
    pub posted_at: DateTime<Utc>,
}

/// Everything the KPIs read.
#[derive(Debug, Clone, Default)]
pub struct KpiFacts {
    pub visits: Vec<VisitFact>,
    pub transmissions: Vec<TransmissionFact>,
    pub acknowledgments: Vec<AcknowledgmentFact>,
    pub adjudications: Vec<AdjudicationFact>,
    pub holds: Vec<HoldFact>,
}

/// One stay of a visit in a work queue that holds it (every queue but `ready_to_bill`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HoldFact {
    pub encounter_id: String,
    pub queue: String,
    pub entered_at: DateTime<Utc>,
    /// When the stay ended (resolved, re-routed or billed); none while it is open.
    pub left_at: Option<DateTime<Utc>>,
}

/// Where each table the KPIs read stands: equal stamps, equal facts. Every write the facts see
/// raises one of these: an intake (versions, results, queue routing, stays moved) takes a new
/// intake id; a transmission (and the ready stays it closes), an acknowledgment and a posting
/// append rows with increasing ids; a stay a person ends (resolved, denied, patient pay) takes
/// a new `ended_seq`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct KpiStamp {
    pub intake: Option<i64>,
    pub transmission: Option<i64>,
    pub acknowledgment: Option<i64>,
    pub remittance: Option<i64>,
    pub stay: Option<i64>,
    pub stay_ended: Option<i64>,
}

impl Store {
    /// The stamp of the facts as they stand: a handful of index lookups.
    pub async fn kpi_stamp(&self) -> Result<KpiStamp, StoreError> {
        // SQLite's tables without an id column have a rowid that only grows (no row is deleted).
        const STAMP: &str = "SELECT (SELECT MAX(id) FROM intakes) AS intake,
                (SELECT MAX({ROW}) FROM submitted_claims) AS transmission,
                (SELECT MAX({ROW}) FROM claim_acknowledgments) AS acknowledgment,
                (SELECT MAX(id) FROM remittances) AS remittance,
                (SELECT MAX(id) FROM queue_items) AS stay,
                (SELECT MAX(ended_seq) FROM queue_items) AS stay_ended";
        Ok(match &self.db {
            crate::connect::Db::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(STAMP.replace("{ROW}", "id")))
                    .fetch_one(pool)
                    .await?
            }
            crate::connect::Db::Sqlite(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(STAMP.replace("{ROW}", "rowid")))
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    pub async fn kpi_facts(&self) -> Result<KpiFacts, StoreError> {
        let visits = async {
            Ok::<_, StoreError>(on_pool!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT e.encounter_id, e.date_of_service, e.clinic_id, e.rendering_npi, e.payer_id, e.discipline,
                        COALESCE(e.scheduled_by,
                          (SELECT MIN(s.scheduled_by) FROM scheduled_visits s
                            WHERE s.patient_id = e.patient_id AND s.date_of_service = e.date_of_service
                              AND s.clinic_id = e.clinic_id
                              AND LOWER(s.status) <> 'cancelled')) AS scheduled_by,
                        (SELECT f.queue FROM scrub_results f WHERE f.encounter_id = e.encounter_id
                           ORDER BY f.seq LIMIT 1) AS first_queue,
                        (SELECT l.charge_cents FROM scrub_results l WHERE l.encounter_id = e.encounter_id
                           ORDER BY l.seq DESC LIMIT 1) AS latest_charge_cents
                 FROM encounters e
                 WHERE e.version = (SELECT MAX(version) FROM encounters v WHERE v.encounter_id = e.encounter_id)
                 ORDER BY e.encounter_id",
                )
                .fetch_all(pool)
                .await?
            }))
        };
        let transmissions = async {
            Ok::<_, StoreError>(on_pool!(&self.db, pool => {
                sqlx::query_as("SELECT claim_id, frequency, submitted_at, total_cents FROM submitted_claims ORDER BY submitted_at, claim_id")
                    .fetch_all(pool)
                    .await?
            }))
        };
        let acknowledgments = async {
            Ok::<_, StoreError>(on_pool!(&self.db, pool => {
                // An accepted verdict changes no KPI; a year's are millions of rows.
                sqlx::query_as("SELECT claim_id, source, accepted FROM claim_acknowledgments WHERE NOT accepted ORDER BY claim_id")
                    .fetch_all(pool)
                    .await?
            }))
        };
        let adjudications = async {
            Ok::<_, StoreError>(on_pool!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT c.claim_id, c.denied, c.denied_lines, c.cause, c.charge_cents, c.paid_cents,
                        c.denied_cents, c.patient_responsibility_cents, r.posted_at
                 FROM remittance_claims c JOIN remittances r ON r.id = c.remittance_id
                 WHERE c.matched ORDER BY r.posted_at, r.id, c.seq",
                )
                .fetch_all(pool)
                .await?
            }))
        };
        let holds = async {
            Ok::<_, StoreError>(on_pool!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT encounter_id, queue, entered_at, left_at FROM queue_items
                     WHERE queue <> 'ready_to_bill' ORDER BY id",
                )
                .fetch_all(pool)
                .await?
            }))
        };
        // Five reads on connections of their own: SQLite runs each on a worker thread, so
        // the larger ones share the machine's cores instead of waiting in turn.
        let (visits, transmissions, acknowledgments, adjudications, holds) =
            tokio::try_join!(visits, transmissions, acknowledgments, adjudications, holds)?;
        Ok(KpiFacts {
            visits,
            transmissions,
            acknowledgments,
            adjudications,
            holds,
        })
    }
}
