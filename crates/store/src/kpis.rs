//! The facts the revenue-cycle KPIs are computed from (`app::kpis`): each stored visit (its
//! latest version, first and latest scrub), each claim transmission, each acknowledgment verdict
//! and each posted adjudication. Read whole and aggregated in the application layer, where the
//! definitions (docs/kpis.md) live and are tested on hand-checked data.

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
    /// The record (JSON), for what has no column (the discipline).
    pub record: String,
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

/// One 999 or 277CA verdict on a claim.
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

impl Store {
    pub async fn kpi_facts(&self) -> Result<KpiFacts, StoreError> {
        let visits = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT e.encounter_id, e.date_of_service, e.clinic_id, e.rendering_npi, e.payer_id, e.record,
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
        });
        let transmissions = on_pool!(&self.db, pool => {
            sqlx::query_as("SELECT claim_id, frequency, submitted_at, total_cents FROM submitted_claims ORDER BY submitted_at, claim_id")
                .fetch_all(pool)
                .await?
        });
        let acknowledgments = on_pool!(&self.db, pool => {
            sqlx::query_as("SELECT claim_id, source, accepted FROM claim_acknowledgments ORDER BY claim_id")
                .fetch_all(pool)
                .await?
        });
        let adjudications = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT c.claim_id, c.denied, c.denied_lines, c.cause, c.charge_cents, c.paid_cents,
                        c.denied_cents, c.patient_responsibility_cents, r.posted_at
                 FROM remittance_claims c JOIN remittances r ON r.id = c.remittance_id
                 WHERE c.matched ORDER BY r.posted_at, r.id, c.seq",
            )
            .fetch_all(pool)
            .await?
        });
        let holds = on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT encounter_id, queue, entered_at, left_at FROM queue_items
                 WHERE queue <> 'ready_to_bill' ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(KpiFacts {
            visits,
            transmissions,
            acknowledgments,
            adjudications,
            holds,
        })
    }
}
