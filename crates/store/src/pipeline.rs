//! The stored pipeline: encounter versions, scrub results and work-queue items.
//!
//! An encounter id that arrives again with a different record is a new version; the scrub
//! history of a patient is re-derived from the latest versions of all their stored encounters,
//! so a late note changes the results of the visits after it. An intake (its versions, its
//! results, its queue moves) is written in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

use crate::connect::Conn;
use crate::submissions::to_json;
use crate::{Store, StoreError};

/// One version of an encounter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEncounter {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    /// The record (JSON) the next scrub is made from.
    pub record: String,
    /// The record exactly as received, when the caller kept it and it differs from `record`.
    pub received: Option<String>,
    /// Where it came from (`input:line`), when the caller said.
    pub source: Option<String>,
    /// Who may see it and how lists find it: the record's clinic, rendering NPI and payer id,
    /// kept beside it (not read back: the record is the truth).
    pub filing: Filing,
}

/// The columns an encounter version is scoped and filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filing {
    pub clinic_id: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    /// `pt`, `ot` or `slp`.
    pub discipline: Option<String>,
    /// Who booked the visit, when the record says.
    pub scheduled_by: Option<String>,
}

/// A scrub result as stored, or to be stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScrubRecord {
    pub encounter_id: String,
    pub encounter_version: i32,
    pub queue: String,
    pub pack_id: String,
    pub pack_version: String,
    /// `rule_id: message` per finding, one per line.
    pub findings: String,
    pub charge_cents: i64,
    /// Why this result was made: a new record, a corrected one, or history that changed.
    pub reason: String,
    /// What a claim of this result is built from (JSON, the application's `ClaimBasis`);
    /// None for results stored before it was kept.
    pub claim_basis: Option<String>,
}

/// A stay of an encounter in a work queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueItem {
    pub id: i64,
    pub encounter_id: String,
    pub queue: String,
    pub entered_at: DateTime<Utc>,
    /// When the encounter moved on (re-scrubbed into another queue, or resolved).
    pub left_at: Option<DateTime<Utc>>,
    pub owner: Option<String>,
    pub status: String,
    pub findings: String,
}

const QUEUE_COLUMNS: &str = "id, encounter_id, queue, entered_at, left_at, owner, status, findings";

/// Runs a query over a list of ids on a [`Conn`]: PostgreSQL binds an array (`= ANY($1)`),
/// SQLite a JSON array (`IN (SELECT value FROM json_each($1))`); `{IDS}` in the SQL marks the
/// place.
macro_rules! over_ids {
    ($conn:expr, $ids:expr, $sql:expr, $exec:ident, $query:ident => $body:expr) => {
        match $conn {
            $crate::connect::Conn::Postgres($exec) => {
                let sql = $sql.replace("{IDS}", "= ANY($1)");
                let $query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind($ids);
                $body
            }
            $crate::connect::Conn::Sqlite($exec) => {
                let sql = $sql.replace("{IDS}", "IN (SELECT value FROM json_each($1))");
                let $query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind($crate::submissions::to_json($ids));
                $body
            }
        }
    };
}

pub(crate) use over_ids;

/// The latest stored version of an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestVersion {
    pub version: i32,
    /// The record (JSON) as cleanclaim read it.
    pub record: String,
    /// The intake that stored it (none for versions stored before intakes were recorded).
    pub intake_id: Option<i64>,
    /// Where it came from: `input:line`, when the caller said.
    pub source: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LatestRow {
    encounter_id: String,
    version: i32,
    record: String,
    intake_id: Option<i64>,
    source: Option<String>,
}

pub(crate) async fn latest_versions(
    conn: Conn<'_>,
    encounter_ids: &[String],
) -> Result<HashMap<String, LatestVersion>, StoreError> {
    let rows: Vec<LatestRow> = over_ids!(conn, encounter_ids,
        "SELECT e.encounter_id, e.version, e.record, e.intake_id, e.source FROM encounters e
         WHERE e.encounter_id {IDS}
           AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)",
        exec, query => query.fetch_all(exec).await?);
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.encounter_id,
                LatestVersion {
                    version: row.version,
                    record: row.record,
                    intake_id: row.intake_id,
                    source: row.source,
                },
            )
        })
        .collect())
}

pub(crate) async fn latest_encounters_of(
    conn: Conn<'_>,
    patient_ids: &[String],
) -> Result<Vec<StoredEncounter>, StoreError> {
    latest_encounters_where(conn, "patient_id", patient_ids).await
}

/// The latest version of each encounter id given, with its record.
pub(crate) async fn latest_encounters_by_id(
    conn: Conn<'_>,
    encounter_ids: &[String],
) -> Result<Vec<StoredEncounter>, StoreError> {
    latest_encounters_where(conn, "encounter_id", encounter_ids).await
}

/// The latest versions whose `column` (a column name of ours, never input) is one of `ids`,
/// by patient, date and id.
async fn latest_encounters_where(
    conn: Conn<'_>,
    column: &'static str,
    ids: &[String],
) -> Result<Vec<StoredEncounter>, StoreError> {
    let sql = format!(
        "SELECT e.encounter_id, e.version, e.patient_id, e.date_of_service, e.record FROM encounters e
         WHERE e.{column} {{IDS}}
           AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)
         ORDER BY e.patient_id, e.date_of_service, e.encounter_id"
    );
    let rows: Vec<EncounterRow> = over_ids!(conn, ids, sql,
        exec, query => query.fetch_all(exec).await?);
    Ok(rows.into_iter().map(stored_encounter).collect())
}

/// Each visit of these patients with its latest version number, without the records: an
/// index read (`encounters_versions_by_patient`).
pub(crate) async fn latest_versions_of_patients(
    conn: Conn<'_>,
    patient_ids: &[String],
) -> Result<Vec<(String, i32)>, StoreError> {
    let rows: Vec<(String, i32)> = over_ids!(conn, patient_ids,
        "SELECT e.encounter_id, e.version FROM encounters e
         WHERE e.patient_id {IDS}
           AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)",
        exec, query => query.fetch_all(exec).await?);
    Ok(rows)
}

type EncounterRow = (String, i32, String, NaiveDate, String);

fn stored_encounter(
    (encounter_id, version, patient_id, date_of_service, record): EncounterRow,
) -> StoredEncounter {
    StoredEncounter {
        encounter_id,
        version,
        patient_id,
        date_of_service,
        record,
        received: None,
        source: None,
        filing: Filing::default(),
    }
}

pub(crate) async fn latest_results(
    conn: Conn<'_>,
    encounter_ids: &[String],
) -> Result<HashMap<String, ScrubRecord>, StoreError> {
    let rows: Vec<ScrubRecord> = over_ids!(conn, encounter_ids,
        "SELECT r.encounter_id, r.encounter_version, r.queue, r.pack_id, r.pack_version, r.findings,
                r.charge_cents, r.reason, r.claim_basis
         FROM scrub_results r
         WHERE r.encounter_id {IDS}
           AND r.seq = (SELECT MAX(seq) FROM scrub_results l WHERE l.encounter_id = r.encounter_id)",
        exec, query => query.fetch_all(exec).await?);
    Ok(rows
        .into_iter()
        .map(|record| (record.encounter_id.clone(), record))
        .collect())
}

/// Which of these encounter ids have been billed (a claim `{id}`, or `{id}-n` for a visit
/// split into several claims, submitted by any sender). Both lookups are index range scans on
/// the claim id.
pub(crate) async fn billed_encounters(
    conn: Conn<'_>,
    encounter_ids: &[String],
) -> Result<Vec<String>, StoreError> {
    // '.' follows '-' in code order, so the range holds exactly the ids `{id}-...`.
    let (exact, split): (Vec<(String,)>, Vec<(String, String)>) = match conn {
        Conn::Postgres(exec) => {
            let exact = sqlx::query_as(
                "SELECT DISTINCT claim_id FROM submitted_claims WHERE claim_id = ANY($1)",
            )
            .bind(encounter_ids)
            .fetch_all(&mut *exec)
            .await?;
            let split = sqlx::query_as(
                "SELECT e.value, s.claim_id FROM UNNEST($1::TEXT[]) AS e(value)
                 JOIN submitted_claims s
                   ON s.claim_id > e.value || '-' AND s.claim_id < e.value || '.'",
            )
            .bind(encounter_ids)
            .fetch_all(exec)
            .await?;
            (exact, split)
        }
        Conn::Sqlite(exec) => {
            let ids = to_json(encounter_ids);
            let exact = sqlx::query_as(
                "SELECT DISTINCT claim_id FROM submitted_claims
                 WHERE claim_id IN (SELECT value FROM json_each($1))",
            )
            .bind(&ids)
            .fetch_all(&mut *exec)
            .await?;
            let split = sqlx::query_as(
                "SELECT e.value, s.claim_id FROM json_each($1) e
                 JOIN submitted_claims s
                   ON s.claim_id > e.value || '-' AND s.claim_id < e.value || '.'",
            )
            .bind(&ids)
            .fetch_all(exec)
            .await?;
            (exact, split)
        }
    };
    let mut billed: Vec<String> = exact.into_iter().map(|(id,)| id).collect();
    billed.extend(split.into_iter().filter_map(|(id, claim)| {
        // `{id}-{n}` only: an encounter `A` is not billed by a claim `A-B-1`.
        let part = claim.get(id.len() + 1..)?;
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())).then_some(id)
    }));
    billed.sort();
    billed.dedup();
    Ok(billed)
}

/// An encounter's latest version with its latest scrub result: what a claims run builds a
/// claim from without scrubbing again.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResult {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub record: String,
    /// The version of the record the result was made from.
    pub result_version: i32,
    pub queue: String,
    pub pack_id: String,
    pub pack_version: String,
    pub claim_basis: Option<String>,
}

impl Store {
    /// The latest version of each encounter id given: (version, record).
    pub async fn latest_versions(
        &self,
        encounter_ids: &[String],
    ) -> Result<HashMap<String, (i32, String)>, StoreError> {
        let mut pooled = self.acquire().await?;
        Ok(latest_versions(pooled.conn(), encounter_ids)
            .await?
            .into_iter()
            .map(|(id, latest)| (id, (latest.version, latest.record)))
            .collect())
    }

    /// Every stored version of an encounter, oldest first: (version, record as received, or
    /// as read when the sender's text was the same or not kept).
    pub async fn versions_of(&self, encounter_id: &str) -> Result<Vec<(i32, String)>, StoreError> {
        let rows = crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT version, COALESCE(received, record) FROM encounters
                 WHERE encounter_id = $1 ORDER BY version",
            )
            .bind(encounter_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The patients of these encounters (of any of their versions), without reading the
    /// records.
    pub async fn patients_of(&self, encounter_ids: &[String]) -> Result<Vec<String>, StoreError> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<(String,)> = over_ids!(pooled.conn(), encounter_ids,
            "SELECT DISTINCT patient_id FROM encounters WHERE encounter_id {IDS} ORDER BY patient_id",
            exec, query => query.fetch_all(exec).await?);
        Ok(rows.into_iter().map(|(patient,)| patient).collect())
    }

    /// The latest version of every stored encounter of these patients, by patient and date.
    pub async fn latest_encounters_of(
        &self,
        patient_ids: &[String],
    ) -> Result<Vec<StoredEncounter>, StoreError> {
        let mut pooled = self.acquire().await?;
        latest_encounters_of(pooled.conn(), patient_ids).await
    }

    /// The latest version and latest scrub result of each encounter id given (those with a
    /// result), by patient, date and id.
    pub async fn latest_with_results(
        &self,
        encounter_ids: &[String],
    ) -> Result<Vec<StoredResult>, StoreError> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<StoredResult> = over_ids!(pooled.conn(), encounter_ids,
            "SELECT e.encounter_id, e.version, e.patient_id, e.date_of_service, e.record,
                    r.encounter_version AS result_version, r.queue, r.pack_id, r.pack_version,
                    r.claim_basis
             FROM encounters e
             JOIN scrub_results r ON r.encounter_id = e.encounter_id
              AND r.seq = (SELECT MAX(seq) FROM scrub_results s WHERE s.encounter_id = e.encounter_id)
             WHERE e.encounter_id {IDS}
               AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)
             ORDER BY e.patient_id, e.date_of_service, e.encounter_id",
            exec, query => query.fetch_all(exec).await?);
        Ok(rows)
    }

    /// The latest scrub result of each encounter id given.
    pub async fn latest_results(
        &self,
        encounter_ids: &[String],
    ) -> Result<HashMap<String, ScrubRecord>, StoreError> {
        let mut pooled = self.acquire().await?;
        latest_results(pooled.conn(), encounter_ids).await
    }

    /// Every scrub result of an encounter, oldest first.
    pub async fn results_of(&self, encounter_id: &str) -> Result<Vec<ScrubRecord>, StoreError> {
        let ids = [encounter_id.to_owned()];
        let mut pooled = self.acquire().await?;
        let records: Vec<ScrubRecord> = over_ids!(pooled.conn(), &ids[..],
            "SELECT encounter_id, encounter_version, queue, pack_id, pack_version, findings,
                    charge_cents, reason, claim_basis
             FROM scrub_results WHERE encounter_id {IDS} ORDER BY seq",
            exec, query => query.fetch_all(exec).await?);
        Ok(records)
    }

    /// The encounters whose latest result is `ready_to_bill`.
    pub async fn ready_to_bill_encounters(&self) -> Result<Vec<String>, StoreError> {
        let ids = crate::on_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT r.encounter_id FROM scrub_results r
                 WHERE r.queue = 'ready_to_bill'
                   AND r.seq = (SELECT MAX(seq) FROM scrub_results l WHERE l.encounter_id = r.encounter_id)
                 ORDER BY r.encounter_id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(ids)
    }

    /// Which of these encounter ids have been billed: their results are no longer re-derived.
    pub async fn billed_encounters(
        &self,
        encounter_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut pooled = self.acquire().await?;
        billed_encounters(pooled.conn(), encounter_ids).await
    }

    /// Queue items, newest first: the open ones of a queue, or every one.
    pub async fn queue_items(
        &self,
        queue: Option<&str>,
        open_only: bool,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM queue_items
             WHERE ($1 = '' OR queue = $1) AND ($2 = 0 OR left_at IS NULL)
             ORDER BY entered_at DESC, id DESC"
        );
        let items: Vec<QueueItem> = crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(queue.unwrap_or(""))
                .bind(i32::from(open_only))
                .fetch_all(pool)
                .await?
        });
        Ok(items)
    }

    /// Every queue item of an encounter, oldest first.
    pub async fn queue_history(&self, encounter_id: &str) -> Result<Vec<QueueItem>, StoreError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM queue_items WHERE encounter_id = $1 ORDER BY entered_at, id"
        );
        let items: Vec<QueueItem> = crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(encounter_id)
                .fetch_all(pool)
                .await?
        });
        Ok(items)
    }

    /// Adds a comment to a queue item (open or not); `false` when no item has this id.
    pub async fn comment_queue_item(
        &self,
        id: i64,
        author: &str,
        text: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let inserted = crate::on_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO queue_comments (item_id, author, text, written_at)
                 SELECT id, $2, $3, $4 FROM queue_items WHERE id = $1",
            )
            .bind(id)
            .bind(author)
            .bind(text)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// The comments on a queue item, oldest first: (author, text, when).
    pub async fn queue_comments(
        &self,
        id: i64,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
        let rows = crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT author, text, written_at FROM queue_comments WHERE item_id = $1
                 ORDER BY written_at",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Sets the status of an open item. `resolved`, `billed`, `denied` (an authorization the
    /// payer refused) and `patient_pay` end its stay; `extension_requested` and `open` keep it
    /// in its queue. `false` when no open item has this id.
    pub async fn set_queue_status(&self, id: i64, status: &str) -> Result<bool, StoreError> {
        let now = self.now();
        let ends = matches!(status, "resolved" | "billed" | "denied" | "patient_pay");
        let sql = format!(
            "UPDATE queue_items SET status = $2, left_at = CASE WHEN $3 THEN $4 ELSE left_at END,
               ended_seq = CASE WHEN $3 THEN {} ELSE ended_seq END
             WHERE id = $1 AND left_at IS NULL",
            next_ended_seq(self.backend())
        );
        let updated = crate::on_pool!(&self.db, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(status)
            .bind(ends)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Assigns an open queue item; `false` when no open item has this id.
    pub async fn assign_queue_item(&self, id: i64, owner: &str) -> Result<bool, StoreError> {
        let updated = crate::on_pool!(&self.db, pool => {
            sqlx::query("UPDATE queue_items SET owner = $2 WHERE id = $1 AND left_at IS NULL")
                .bind(id)
                .bind(owner)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }
}

/// Rows per multi-row insert: at most 13 columns x 1,000 rows stays under both backends' limits of
/// bound parameters (PostgreSQL 65,535; SQLite 32,766).
pub(crate) const ROWS_PER_INSERT: usize = 1000;

/// What the intake's writes need to know first: per encounter with a new result, its next
/// result number and its open queue item (id, queue).
type Openings = HashMap<String, (i32, Option<(i64, String)>)>;

/// SQL for a value above every `queue_items.ended_seq` so far, set when a person ends a stay:
/// the KPI stamp's sign that one ended (`Store::kpi_stamp`).
pub(crate) fn next_ended_seq(backend: crate::Backend) -> &'static str {
    match backend {
        crate::Backend::Postgres => "nextval('queue_items_ended')",
        // One writer at a time: the largest so far, plus one.
        crate::Backend::Sqlite => "(SELECT COALESCE(MAX(ended_seq), 0) + 1 FROM queue_items)",
    }
}

/// The statements of an intake, the same on both backends: versions and results go in as
/// multi-row inserts; each encounter's open queue item is looked up once for the batch.
macro_rules! write_intake {
    ($name:ident, $db:ty, $conn:ty, $ids_sql:expr, $bind_ids:expr, $bind_item_ids:expr) => {
        pub(crate) async fn $name(
            tx: &mut $conn,
            intake_id: i64,
            versions: &[StoredEncounter],
            results: &[ScrubRecord],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            for chunk in versions.chunks(ROWS_PER_INSERT) {
                let mut insert: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(
                    "INSERT INTO encounters
                       (encounter_id, version, patient_id, date_of_service, record, received_at, received,
                        intake_id, source, clinic_id, rendering_npi, payer_id, discipline, scheduled_by) ",
                );
                insert.push_values(chunk, |mut row, version| {
                    row.push_bind(&version.encounter_id)
                        .push_bind(version.version)
                        .push_bind(&version.patient_id)
                        .push_bind(version.date_of_service)
                        .push_bind(&version.record)
                        .push_bind(now)
                        .push_bind(version.received.as_deref())
                        .push_bind(intake_id)
                        .push_bind(version.source.as_deref())
                        .push_bind(version.filing.clinic_id.as_deref())
                        .push_bind(version.filing.rendering_npi.as_deref())
                        .push_bind(version.filing.payer_id.as_deref())
                        .push_bind(version.filing.discipline.as_deref())
                        .push_bind(version.filing.scheduled_by.as_deref());
                });
                insert.build().execute(&mut *tx).await?;
                // Every stored id may still be unbilled (a correction of a billed visit too:
                // the claims runs check the submitted claims as well).
                let mut unbilled: sqlx::QueryBuilder<$db> =
                    sqlx::QueryBuilder::new("INSERT INTO unbilled_encounters (encounter_id) ");
                unbilled.push_values(chunk, |mut row, version| {
                    row.push_bind(&version.encounter_id);
                });
                unbilled.push(" ON CONFLICT (encounter_id) DO NOTHING");
                unbilled.build().execute(&mut *tx).await?;
            }
            if results.is_empty() {
                return Ok(());
            }
            let ids: Vec<String> = results.iter().map(|r| r.encounter_id.clone()).collect();
            let mut openings: Openings = ids.iter().map(|id| (id.clone(), (1, None))).collect();
            let seqs: Vec<(String, i32)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT encounter_id, MAX(seq) FROM scrub_results WHERE encounter_id {} GROUP BY encounter_id",
                $ids_sql
            )))
            .bind($bind_ids(&ids))
            .fetch_all(&mut *tx)
            .await?;
            for (id, seq) in seqs {
                if let Some(entry) = openings.get_mut(&id) {
                    entry.0 = seq + 1;
                }
            }
            let open: Vec<(String, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT encounter_id, id, queue FROM queue_items
                 WHERE left_at IS NULL AND encounter_id {}",
                $ids_sql
            )))
            .bind($bind_ids(&ids))
            .fetch_all(&mut *tx)
            .await?;
            for (id, item, queue) in open {
                if let Some(entry) = openings.get_mut(&id) {
                    entry.1 = Some((item, queue));
                }
            }
            let mut rows = Vec::with_capacity(results.len());
            let mut moved: Vec<i64> = Vec::new();
            let mut entering: Vec<&ScrubRecord> = Vec::new();
            let mut staying: Vec<(i64, &ScrubRecord)> = Vec::new();
            for result in results {
                let Some((seq, open)) = openings.get_mut(&result.encounter_id) else {
                    continue;
                };
                rows.push((*seq, result));
                // A second result of one encounter in the same intake follows the first.
                *seq += 1;
                match open {
                    Some((item, queue)) if *queue == result.queue => {
                        staying.push((*item, result));
                    }
                    _ => {
                        if let Some((item, _)) = open.take() {
                            moved.push(item);
                        }
                        entering.push(result);
                    }
                }
            }
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut insert: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(
                    "INSERT INTO scrub_results
                       (encounter_id, seq, encounter_version, queue, pack_id, pack_version,
                        findings, charge_cents, reason, scrubbed_at, claim_basis) ",
                );
                insert.push_values(chunk, |mut row, (seq, result)| {
                    row.push_bind(&result.encounter_id)
                        .push_bind(*seq)
                        .push_bind(result.encounter_version)
                        .push_bind(&result.queue)
                        .push_bind(&result.pack_id)
                        .push_bind(&result.pack_version)
                        .push_bind(&result.findings)
                        .push_bind(result.charge_cents)
                        .push_bind(&result.reason)
                        .push_bind(now)
                        .push_bind(result.claim_basis.as_deref());
                });
                insert.build().execute(&mut *tx).await?;
            }
            for (item, result) in staying {
                sqlx::query("UPDATE queue_items SET findings = $2, charge_cents = $3 WHERE id = $1")
                    .bind(item)
                    .bind(&result.findings)
                    .bind(result.charge_cents)
                    .execute(&mut *tx)
                    .await?;
            }
            for chunk in moved.chunks(ROWS_PER_INSERT) {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE queue_items SET left_at = $2, status = 'moved' WHERE id {}",
                    $ids_sql
                )))
                .bind($bind_item_ids(chunk))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            // An encounter entering twice in one intake keeps only its last stay open.
            let mut last_of: HashMap<&str, usize> = HashMap::new();
            for (index, result) in entering.iter().enumerate() {
                last_of.insert(result.encounter_id.as_str(), index);
            }
            let entering: Vec<(bool, &ScrubRecord)> = entering
                .iter()
                .enumerate()
                .map(|(index, result)| (last_of.get(result.encounter_id.as_str()) != Some(&index), *result))
                .collect();
            for chunk in entering.chunks(ROWS_PER_INSERT) {
                let mut insert: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(
                    "INSERT INTO queue_items (encounter_id, queue, entered_at, left_at, status, findings, charge_cents) ",
                );
                insert.push_values(chunk, |mut row, (superseded, result)| {
                    row.push_bind(&result.encounter_id)
                        .push_bind(&result.queue)
                        .push_bind(now)
                        .push_bind(superseded.then_some(now))
                        .push_bind(if *superseded { "moved" } else { "open" })
                        .push_bind(&result.findings)
                        .push_bind(result.charge_cents);
                });
                insert.build().execute(&mut *tx).await?;
            }
            // Every stay of these encounters takes its encounter's latest clinic and rendering
            // NPI: what the scope of a queue list reads (`list_queue_items`).
            let mut touched: Vec<String> = versions.iter().map(|v| v.encounter_id.clone()).collect();
            touched.extend(ids);
            touched.sort_unstable();
            touched.dedup();
            for chunk in touched.chunks(ROWS_PER_INSERT) {
                let chunk = chunk.to_vec();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE queue_items SET
                       clinic_id = (SELECT e.clinic_id FROM encounters e
                                     WHERE e.encounter_id = queue_items.encounter_id ORDER BY e.version DESC LIMIT 1),
                       rendering_npi = (SELECT e.rendering_npi FROM encounters e
                                     WHERE e.encounter_id = queue_items.encounter_id ORDER BY e.version DESC LIMIT 1)
                     WHERE encounter_id {}",
                    $ids_sql
                )))
                .bind($bind_ids(&chunk))
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        }
    };
}

write_intake!(
    write_intake_pg,
    Postgres,
    PgConnection,
    "= ANY($1)",
    |ids: &Vec<String>| ids.clone(),
    |items: &[i64]| items.to_vec()
);
write_intake!(
    write_intake_sqlite,
    Sqlite,
    SqliteConnection,
    "IN (SELECT value FROM json_each($1))",
    |ids: &Vec<String>| to_json(ids),
    |items: &[i64]| serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
);
