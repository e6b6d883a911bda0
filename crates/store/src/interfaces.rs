//! Inbound interface messages (HL7 v2): stored raw with their acknowledgment in the intake
//! that stores what they became, looked up by sender and control id for duplicates, and
//! listed and reprocessed from the error queue. Also the ADT patient records and SIU
//! appointments they carry.

use chrono::{DateTime, NaiveDate, Utc};

use crate::connect::Conn;
use crate::intake::IntakeSession;
use crate::{Store, StoreError, on_conn};

/// A message to keep.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    pub sending_application: &'a str,
    pub sending_facility: &'a str,
    pub control_id: &'a str,
    pub message_type: &'a str,
    pub channel: Option<&'a str>,
    pub raw: &'a [u8],
    pub sha256: &'a str,
    /// `processed`, `error` (content to fix) or `rejected` (not accepted here).
    pub status: &'a str,
    /// The issues, as JSON, when not processed.
    pub issues: Option<&'a str>,
}

/// A kept message, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboundRow {
    pub id: i64,
    pub sending_application: String,
    pub sending_facility: String,
    pub control_id: String,
    pub message_type: String,
    pub channel: Option<String>,
    pub sha256: String,
    pub received_at: DateTime<Utc>,
    pub status: String,
    pub ack: String,
    pub issues: Option<String>,
    pub records: Option<String>,
    pub reprocessed_at: Option<DateTime<Utc>>,
}

const INBOUND_COLUMNS: &str = "id, sending_application, sending_facility, control_id, message_type, channel, sha256, received_at, status, ack, issues, records, reprocessed_at";

/// An appointment to keep.
#[derive(Debug, Clone)]
pub struct NewScheduledVisit<'a> {
    pub clinic_id: &'a str,
    pub appointment_id: &'a str,
    pub patient_id: &'a str,
    pub date_of_service: NaiveDate,
    pub start_time: Option<&'a str>,
    pub duration_minutes: Option<i32>,
    pub status: &'a str,
    pub clinician_npi: Option<&'a str>,
    pub discipline: Option<&'a str>,
    /// JSON array of codes.
    pub planned_codes: &'a str,
    /// Who booked it (SCH-20).
    pub scheduled_by: Option<&'a str>,
}

/// A kept appointment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduledVisitRow {
    pub clinic_id: String,
    pub appointment_id: String,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub start_time: Option<String>,
    pub duration_minutes: Option<i32>,
    pub status: String,
    pub clinician_npi: Option<String>,
    pub discipline: Option<String>,
    pub planned_codes: String,
    pub message_id: i64,
    pub scheduled_by: Option<String>,
}

async fn inbound_by_key(
    conn: Conn<'_>,
    application: &str,
    facility: &str,
    control_id: &str,
) -> Result<Option<InboundRow>, StoreError> {
    let sql = format!(
        "SELECT {INBOUND_COLUMNS} FROM inbound_messages
         WHERE sending_application = $1 AND sending_facility = $2 AND control_id = $3"
    );
    let row = on_conn!(conn, exec => sqlx::query_as::<_, InboundRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(application).bind(facility).bind(control_id)
        .fetch_optional(&mut *exec).await?);
    Ok(row)
}

impl IntakeSession {
    /// The message this sender sent before under `control_id`, if any.
    pub async fn inbound_by_key(
        &mut self,
        application: &str,
        facility: &str,
        control_id: &str,
    ) -> Result<Option<InboundRow>, StoreError> {
        inbound_by_key(self.conn(), application, facility, control_id).await
    }

    /// Keeps a message; returns its id. The acknowledgment (which carries the id) and what the
    /// message became are set with [`Self::finish_inbound`], in the same transaction.
    pub async fn store_inbound(
        &mut self,
        message: &NewInbound<'_>,
        received_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let intake_id = self.id();
        let id: i64 = on_conn!(self.conn(), exec => sqlx::query_scalar(
            "INSERT INTO inbound_messages
               (sending_application, sending_facility, control_id, message_type, channel, raw,
                sha256, received_at, status, ack, issues, intake_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', $10, $11) RETURNING id")
            .bind(message.sending_application).bind(message.sending_facility)
            .bind(message.control_id).bind(message.message_type).bind(message.channel)
            .bind(message.raw).bind(message.sha256).bind(received_at).bind(message.status)
            .bind(message.issues).bind(intake_id)
            .fetch_one(&mut *exec).await?);
        Ok(id)
    }

    /// Sets the acknowledgment sent and what the message became.
    pub async fn finish_inbound(
        &mut self,
        id: i64,
        ack: &str,
        records: Option<&str>,
    ) -> Result<(), StoreError> {
        on_conn!(self.conn(), exec => sqlx::query("UPDATE inbound_messages SET ack = $1, records = $2 WHERE id = $3")
            .bind(ack).bind(records).bind(id).execute(&mut *exec).await.map(drop)?);
        Ok(())
    }

    /// Marks a kept message processed after a reprocess mapped it (its first ACK stays as sent).
    pub async fn mark_reprocessed(
        &mut self,
        id: i64,
        channel: &str,
        records: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_conn!(self.conn(), exec => sqlx::query(
            "UPDATE inbound_messages SET status = 'processed', channel = $1, records = $2, issues = NULL, reprocessed_at = $3 WHERE id = $4")
            .bind(channel).bind(records).bind(at).bind(id).execute(&mut *exec).await.map(drop)?);
        Ok(())
    }

    /// Records the issues of a reprocess that still fails.
    pub async fn set_inbound_issues(
        &mut self,
        id: i64,
        status: &str,
        issues: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_conn!(self.conn(), exec => sqlx::query(
            "UPDATE inbound_messages SET status = $1, issues = $2, reprocessed_at = $3 WHERE id = $4")
            .bind(status).bind(issues).bind(at).bind(id).execute(&mut *exec).await.map(drop)?);
        Ok(())
    }

    /// Stores an ADT patient record as a new version when it differs from the latest.
    /// Returns the version now current and whether it is new.
    pub async fn put_patient_record(
        &mut self,
        patient_id: &str,
        clinic_id: &str,
        record: &str,
        message_id: i64,
    ) -> Result<(i32, bool), StoreError> {
        let latest: Option<(i32, String)> = on_conn!(self.conn(), exec => sqlx::query_as(
            "SELECT version, record FROM patient_records WHERE patient_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(patient_id).fetch_optional(&mut *exec).await?);
        if let Some((version, stored)) = &latest
            && stored == record
        {
            return Ok((*version, false));
        }
        let version = latest.map_or(1, |(v, _)| v + 1);
        on_conn!(self.conn(), exec => sqlx::query(
            "INSERT INTO patient_records (patient_id, version, clinic_id, record, message_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(patient_id).bind(version).bind(clinic_id).bind(record).bind(message_id)
            .execute(&mut *exec).await.map(drop)?);
        Ok((version, true))
    }

    /// Stores an appointment as the sender now has it (replacing the row of the same id).
    pub async fn put_scheduled_visit(
        &mut self,
        visit: &NewScheduledVisit<'_>,
        message_id: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self.conn(), exec => sqlx::query(
            "INSERT INTO scheduled_visits
               (clinic_id, appointment_id, patient_id, date_of_service, start_time, duration_minutes,
                status, clinician_npi, discipline, planned_codes, message_id, scheduled_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (clinic_id, appointment_id) DO UPDATE SET
               patient_id = excluded.patient_id, date_of_service = excluded.date_of_service,
               start_time = excluded.start_time, duration_minutes = excluded.duration_minutes,
               status = excluded.status, clinician_npi = excluded.clinician_npi,
               discipline = excluded.discipline, planned_codes = excluded.planned_codes,
               message_id = excluded.message_id, scheduled_by = excluded.scheduled_by")
            .bind(visit.clinic_id).bind(visit.appointment_id).bind(visit.patient_id)
            .bind(visit.date_of_service).bind(visit.start_time).bind(visit.duration_minutes)
            .bind(visit.status).bind(visit.clinician_npi).bind(visit.discipline)
            .bind(visit.planned_codes).bind(message_id).bind(visit.scheduled_by)
            .execute(&mut *exec).await.map(drop)?);
        Ok(())
    }
}

impl Store {
    /// Kept messages not processed (the error queue), oldest first.
    pub async fn inbound_unprocessed(&self, limit: i64) -> Result<Vec<InboundRow>, StoreError> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE status <> 'processed' ORDER BY id LIMIT $1"
        );
        let mut pooled = self.acquire().await?;
        let rows = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, InboundRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(limit).fetch_all(&mut *exec).await?);
        Ok(rows)
    }

    /// One kept message and its raw bytes.
    pub async fn inbound_message(
        &self,
        id: i64,
    ) -> Result<Option<(InboundRow, Vec<u8>)>, StoreError> {
        let sql = format!("SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1");
        let mut pooled = self.acquire().await?;
        let row = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, InboundRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(&mut *exec).await?);
        let Some(row) = row else {
            return Ok(None);
        };
        let raw: Vec<u8> = on_conn!(pooled.conn(), exec => sqlx::query_scalar("SELECT raw FROM inbound_messages WHERE id = $1").bind(id).fetch_one(&mut *exec).await?);
        Ok(Some((row, raw)))
    }

    /// How many messages are kept, by status.
    pub async fn inbound_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut pooled = self.acquire().await?;
        let rows = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, (String, i64)>(
            "SELECT status, COUNT(*) FROM inbound_messages GROUP BY status ORDER BY status").fetch_all(&mut *exec).await?);
        Ok(rows)
    }

    /// A patient's appointments, by date.
    pub async fn scheduled_visits_of(
        &self,
        patient_id: &str,
    ) -> Result<Vec<ScheduledVisitRow>, StoreError> {
        let mut pooled = self.acquire().await?;
        let rows = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, ScheduledVisitRow>(
            "SELECT clinic_id, appointment_id, patient_id, date_of_service, start_time, duration_minutes,
                    status, clinician_npi, discipline, planned_codes, message_id, scheduled_by
             FROM scheduled_visits WHERE patient_id = $1 ORDER BY date_of_service, appointment_id")
            .bind(patient_id).fetch_all(&mut *exec).await?);
        Ok(rows)
    }

    /// Every appointment still to come on or after `from` (booked, pending, overbooked or
    /// wait-listed, HL7 table 0278 in any case; not cancelled, arrived, complete or missed),
    /// by date, clinic and id.
    pub async fn booked_scheduled_visits(
        &self,
        from: NaiveDate,
    ) -> Result<Vec<ScheduledVisitRow>, StoreError> {
        let mut pooled = self.acquire().await?;
        let rows = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, ScheduledVisitRow>(
            "SELECT clinic_id, appointment_id, patient_id, date_of_service, start_time, duration_minutes,
                    status, clinician_npi, discipline, planned_codes, message_id, scheduled_by
             FROM scheduled_visits
             WHERE LOWER(status) IN ('booked', 'pending', 'overbook', 'waitlist')
               AND date_of_service >= $1
             ORDER BY date_of_service, clinic_id, appointment_id")
            .bind(from).fetch_all(&mut *exec).await?);
        Ok(rows)
    }

    /// The latest ADT record of a patient: version and JSON.
    pub async fn patient_record(
        &self,
        patient_id: &str,
    ) -> Result<Option<(i32, String)>, StoreError> {
        let mut pooled = self.acquire().await?;
        let row = on_conn!(pooled.conn(), exec => sqlx::query_as::<_, (i32, String)>(
            "SELECT version, record FROM patient_records WHERE patient_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(patient_id).fetch_optional(&mut *exec).await?);
        Ok(row)
    }
}
