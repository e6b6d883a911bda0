//! The audit log: who read or wrote what, of which patient, when, and whether it was allowed.
//!
//! Rows are appended only (triggers refuse UPDATE, DELETE and TRUNCATE) and hash-chained:
//! `seq` runs from 1 without gaps, and each row's hash covers its fields and the previous
//! row's hash. An edited row no longer matches its hash, a deleted one leaves a gap, a
//! reordered one breaks the links, so [`Store::verify_audit`] finds any of them. Deleting the
//! newest rows leaves a shorter valid chain: the head that `verify` reports is what an
//! operator records elsewhere and checks later (`--expect-head`).
//!
//! Appending takes the chain's lock (PostgreSQL: a transaction-scoped advisory lock; SQLite:
//! the single writer, which every caller already holds), so concurrent writers extend one
//! chain; a row is written in the transaction of the change it records.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

use crate::connect::{Conn, Db};
use crate::{Store, StoreError};

/// The advisory lock key that serialises appends to the chain ("cc-audit" in ASCII).
const AUDIT_LOCK: i64 = 0x6363_2d61_7564_6974;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many rows `verify` reads at a time.
const VERIFY_PAGE: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    /// The caller was not allowed: no access to the clinic, the role, or the record.
    Denied,
    /// The request was allowed but did not succeed (bad input, a failed login).
    Failed,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }
}

/// An event to record. Identifiers only: never a record's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The user name (or `anonymous`, with the name tried, for a failed login).
    pub actor: String,
    /// `read`, `list`, `create`, `update`, `login`, ...
    pub action: String,
    /// `encounter`, `queue_item`, `claims`, `session`, ...
    pub resource: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<String>,
    pub clinic_id: Option<String>,
    pub outcome: AuditOutcome,
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<String>,
    pub clinic_id: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, resource, resource_id, patient_id, clinic_id, outcome, prev_hash, hash";

/// What is wrong with the chain at a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Rows are missing before this one (deleted): `seq` should have been `expected`.
    Gap { seq: i64, expected: i64 },
    /// The row's `prev_hash` is not the hash of the row before it (reordered or relinked).
    Link { seq: i64 },
    /// The row's fields no longer give its hash (edited).
    Edited { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gap { seq, expected } => write!(
                f,
                "row {seq} follows row {}: rows {expected}..{} were deleted",
                expected - 1,
                seq - 1
            ),
            Self::Link { seq } => write!(
                f,
                "row {seq} does not link to the row before it: rows were reordered or replaced"
            ),
            Self::Edited { seq } => write!(f, "row {seq} was edited: its hash does not match"),
        }
    }
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditVerification {
    pub rows: u64,
    /// The newest row's `seq` and hash: record it elsewhere to detect a cut-off tail later.
    pub head: Option<(i64, String)>,
    pub breaks: Vec<ChainBreak>,
}

/// Which audit rows to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub patient_id: Option<String>,
    pub resource: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Rows older than this `seq` (the next page).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The hash of a row: SHA-256 over each field, length-prefixed so that no two different rows
/// encode alike, after the previous row's hash.
pub fn row_hash(seq: i64, at: DateTime<Utc>, event: &AuditEvent, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: Option<&str>| match value {
        None => hasher.update([0u8]),
        Some(text) => {
            hasher.update([1u8]);
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
    };
    field(Some(prev_hash));
    field(Some(&seq.to_string()));
    field(Some(&at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()));
    field(Some(&event.actor));
    field(Some(&event.action));
    field(Some(&event.resource));
    field(event.resource_id.as_deref());
    field(event.patient_id.as_deref());
    field(event.clinic_id.as_deref());
    field(Some(event.outcome.as_str()));
    hex::encode(hasher.finalize())
}

fn event_of(row: &AuditRow) -> Option<AuditEvent> {
    let outcome = match row.outcome.as_str() {
        "success" => AuditOutcome::Success,
        "denied" => AuditOutcome::Denied,
        "failed" => AuditOutcome::Failed,
        _ => return None,
    };
    Some(AuditEvent {
        actor: row.actor.clone(),
        action: row.action.clone(),
        resource: row.resource.clone(),
        resource_id: row.resource_id.clone(),
        patient_id: row.patient_id.clone(),
        clinic_id: row.clinic_id.clone(),
        outcome,
    })
}

/// Appends events to the chain on a connection inside a transaction (the caller's): takes the
/// chain's lock on PostgreSQL, reads the head, writes the rows.
pub(crate) async fn append(mut conn: Conn<'_>, events: &[AuditEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // Microseconds: what both backends keep, so the hash is made from what is read back.
    let at = Utc::now().trunc_subsecs(6);
    if let Conn::Postgres(exec) = &mut conn {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut **exec)
            .await?;
    }
    crate::on_conn!(conn, exec => {
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *exec)
                .await?;
        let (mut seq, mut prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
        for event in events {
            seq += 1;
            let hash = row_hash(seq, at, event, &prev);
            sqlx::query(
                "INSERT INTO audit_events
                   (seq, at, actor, action, resource, resource_id, patient_id, clinic_id, outcome, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(seq)
            .bind(at)
            .bind(&event.actor)
            .bind(&event.action)
            .bind(&event.resource)
            .bind(event.resource_id.as_deref())
            .bind(event.patient_id.as_deref())
            .bind(event.clinic_id.as_deref())
            .bind(event.outcome.as_str())
            .bind(&prev)
            .bind(&hash)
            .execute(&mut *exec)
            .await?;
            prev = hash;
        }
        Ok(())
    })
}

/// One event per claim id, like `template` with `action`, naming the patient and clinic of the
/// encounter the claim bills (a claim's id is its encounter's; a split claim's `{id}-n` and a
/// claim not ours name none).
pub(crate) async fn claim_events(
    conn: Conn<'_>,
    template: &AuditEvent,
    action: &str,
    claim_ids: &[String],
) -> Result<Vec<AuditEvent>, StoreError> {
    let filings: std::collections::HashMap<String, (String, Option<String>)> =
        crate::views::filings(conn, claim_ids)
            .await?
            .into_iter()
            .map(|(id, patient, clinic)| (id, (patient, clinic)))
            .collect();
    Ok(claim_ids
        .iter()
        .map(|claim_id| {
            let (patient, clinic) = filings.get(claim_id).cloned().unzip();
            AuditEvent {
                action: action.to_owned(),
                resource: "claim".into(),
                resource_id: Some(claim_id.clone()),
                patient_id: patient,
                clinic_id: clinic.flatten(),
                ..template.clone()
            }
        })
        .collect())
}

impl Store {
    /// Appends events in a transaction of their own (for reads, which change nothing else): the
    /// response that carries what was read is sent only after this returns.
    pub async fn audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                append(Conn::Postgres(&mut tx), events).await?;
                tx.commit().await?;
            }
            Db::Sqlite(pool) => {
                // IMMEDIATE: the head is read under the write lock, not upgraded to it later.
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                append(Conn::Sqlite(&mut tx), events).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Audit rows, newest first, as the filter says.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let rows: Vec<AuditRow> = crate::on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE 1 = 1"));
            if let Some(actor) = &filter.actor {
                query.push(" AND actor = ").push_bind(actor.clone());
            }
            if let Some(patient) = &filter.patient_id {
                query.push(" AND patient_id = ").push_bind(patient.clone());
            }
            if let Some(resource) = &filter.resource {
                query.push(" AND resource = ").push_bind(resource.clone());
            }
            if let Some(from) = filter.from {
                query.push(" AND at >= ").push_bind(from);
            }
            if let Some(to) = filter.to {
                query.push(" AND at < ").push_bind(to);
            }
            if let Some(before) = filter.before_seq {
                query.push(" AND seq < ").push_bind(before);
            }
            query.push(" ORDER BY seq DESC LIMIT ").push_bind(filter.limit.max(0));
            query.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// Checks the whole chain, oldest row first, a page at a time.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut verification = AuditVerification::default();
        let mut prev_hash = GENESIS_HASH.to_owned();
        let mut expected = 1i64;
        let mut after = 0i64;
        loop {
            let sql = format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            );
            let page: Vec<AuditRow> = crate::on_pool!(&self.db, pool => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(after)
                    .bind(VERIFY_PAGE)
                    .fetch_all(pool)
                    .await?
            });
            let Some(last) = page.last() else {
                break;
            };
            after = last.seq;
            for row in &page {
                verification.rows += 1;
                if row.seq != expected {
                    verification.breaks.push(ChainBreak::Gap {
                        seq: row.seq,
                        expected,
                    });
                }
                if row.prev_hash != prev_hash {
                    verification.breaks.push(ChainBreak::Link { seq: row.seq });
                }
                let recomputed =
                    event_of(row).map(|event| row_hash(row.seq, row.at, &event, &row.prev_hash));
                if recomputed.as_deref() != Some(row.hash.as_str()) {
                    verification
                        .breaks
                        .push(ChainBreak::Edited { seq: row.seq });
                }
                prev_hash = row.hash.clone();
                expected = row.seq + 1;
                verification.head = Some((row.seq, row.hash.clone()));
            }
        }
        Ok(verification)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn event(actor: &str, patient: Option<&str>) -> AuditEvent {
        AuditEvent {
            actor: actor.into(),
            action: "read".into(),
            resource: "encounter".into(),
            resource_id: Some("E1".into()),
            patient_id: patient.map(Into::into),
            clinic_id: None,
            outcome: AuditOutcome::Success,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_change_the_hash() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let base = row_hash(1, at, &event("ana", Some("P1")), GENESIS_HASH);
        assert_ne!(
            base,
            row_hash(2, at, &event("ana", Some("P1")), GENESIS_HASH)
        );
        assert_ne!(
            base,
            row_hash(1, at, &event("bob", Some("P1")), GENESIS_HASH)
        );
        assert_ne!(base, row_hash(1, at, &event("ana", None), GENESIS_HASH));
        assert_ne!(
            base,
            row_hash(1, at, &event("ana", Some("P1")), &"1".repeat(64))
        );
        // Length prefixes: moving a character between fields is a different row.
        assert_ne!(
            row_hash(1, at, &event("ab", Some("c")), GENESIS_HASH),
            row_hash(1, at, &event("a", Some("bc")), GENESIS_HASH)
        );
    }
}
