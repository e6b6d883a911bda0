//! Context records (plans of care, authorizations, prior usage): the latest version of each
//! per patient, read inside an intake or by a claims run, and new versions written by an
//! intake.

use crate::connect::Conn;
use crate::pipeline::over_ids;
use crate::{StoreError, on_conn};

/// One version of a context record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredContext {
    /// `plan_of_care`, `authorization` or `prior_usage`.
    pub kind: String,
    /// What a newer record of the same thing replaces it under.
    pub record_key: String,
    pub version: i32,
    pub patient_id: String,
    pub record: String,
}

/// The latest version of every context record of these patients.
pub(crate) async fn latest_context_of(
    conn: Conn<'_>,
    patient_ids: &[String],
) -> Result<Vec<StoredContext>, StoreError> {
    let records: Vec<StoredContext> = over_ids!(conn, patient_ids,
        "SELECT c.kind, c.record_key, c.version, c.patient_id, c.record
         FROM context_records c
         WHERE c.patient_id {IDS}
           AND c.version = (SELECT MAX(version) FROM context_records l
                            WHERE l.kind = c.kind AND l.record_key = c.record_key)
         ORDER BY c.patient_id, c.kind, c.record_key",
        exec, query => query.fetch_all(exec).await?);
    Ok(records)
}

/// Writes new versions (the caller numbers them from [`latest_context_of`]).
pub(crate) async fn write_context(
    conn: Conn<'_>,
    intake_id: i64,
    records: &[StoredContext],
) -> Result<(), StoreError> {
    on_conn!(conn, exec => {
        for chunk in records.chunks(crate::pipeline::ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO context_records (kind, record_key, version, patient_id, record, intake_id) ",
            );
            insert.push_values(chunk, |mut row, record| {
                row.push_bind(&record.kind)
                    .push_bind(&record.record_key)
                    .push_bind(record.version)
                    .push_bind(&record.patient_id)
                    .push_bind(&record.record)
                    .push_bind(intake_id);
            });
            insert.build().execute(&mut *exec).await?;
        }
    });
    Ok(())
}

impl crate::Store {
    /// The latest version of every context record of these patients.
    pub async fn latest_context_of(
        &self,
        patient_ids: &[String],
    ) -> Result<Vec<StoredContext>, StoreError> {
        let mut pooled = self.acquire().await?;
        latest_context_of(pooled.conn(), patient_ids).await
    }
}
