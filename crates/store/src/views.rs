//! What the service reads: an encounter with its latest result, lists of encounters and of
//! queue items filtered and limited to what the caller may see ([`Scope`]).

use chrono::{DateTime, NaiveDate, Utc};

use crate::pipeline::QueueItem;
use crate::{Store, StoreError};

/// What a caller may see. Applied in the query, so a list never holds a row to hide later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The clinics; `None` is every clinic (and visits with none).
    pub clinics: Option<Vec<String>>,
    /// Only the visits this NPI rendered (a therapist's own).
    pub rendering_npi: Option<String>,
}

impl Scope {
    pub fn everything() -> Self {
        Self {
            clinics: None,
            rendering_npi: None,
        }
    }

    /// Whether a visit of this clinic, rendered by this NPI, is in scope.
    pub fn admits(&self, clinic_id: Option<&str>, rendering_npi: Option<&str>) -> bool {
        let clinic_ok = match (&self.clinics, clinic_id) {
            (None, _) => true,
            (Some(clinics), Some(clinic)) => clinics.iter().any(|c| c == clinic),
            (Some(_), None) => false,
        };
        let npi_ok = match &self.rendering_npi {
            None => true,
            Some(npi) => rendering_npi == Some(npi.as_str()),
        };
        clinic_ok && npi_ok
    }
}

/// The latest version of an encounter, with its latest scrub result.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EncounterView {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub record: String,
    pub received_at: DateTime<Utc>,
    pub clinic_id: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    pub queue: Option<String>,
    pub pack_id: Option<String>,
    pub pack_version: Option<String>,
    pub findings: Option<String>,
    pub charge_cents: Option<i64>,
    pub reason: Option<String>,
}

/// An encounter in a list: identifiers, never the record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EncounterSummary {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub clinic_id: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    pub queue: Option<String>,
}

/// Filters of an encounter list; each is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncounterFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub clinic_id: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    pub queue: Option<String>,
    /// Encounters after this id (the next page).
    pub after: Option<String>,
    pub limit: i64,
}

/// Filters of a queue-item list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub queue: Option<String>,
    pub open_only: bool,
    pub owner: Option<String>,
    pub clinic_id: Option<String>,
    pub limit: i64,
    pub order: QueueOrder,
}

/// The order of a queue-item list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    /// Entered most recently first.
    #[default]
    Newest,
    /// Waiting longest first (what to work before it ages past filing limits).
    Oldest,
    /// The visit's charges, largest first (its latest scrub result), then oldest.
    Dollars,
}

/// The latest version of each encounter and its latest result, as a subquery both lists read.
const LATEST: &str = "SELECT e.encounter_id, e.version, e.patient_id, e.date_of_service, e.record,
        e.received_at, e.clinic_id, e.rendering_npi, e.payer_id,
        r.queue, r.pack_id, r.pack_version, r.findings, r.charge_cents, r.reason
    FROM encounters e
    LEFT JOIN scrub_results r ON r.encounter_id = e.encounter_id
        AND r.seq = (SELECT MAX(seq) FROM scrub_results s WHERE s.encounter_id = e.encounter_id)
    WHERE e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)";

/// Encounter `e` is among those that may not be billed yet (`unbilled_encounters`, a superset
/// that billing prunes): the index the unbilled lists are read through.
const MAY_BE_UNBILLED: &str = "e.encounter_id IN (SELECT encounter_id FROM unbilled_encounters)";

/// No claim of encounter `e` was submitted: its id, or `{id}-n` for a visit split past 50 lines
/// ('.' follows '-', so the range holds exactly the ids `{id}-...`).
const NOT_BILLED: &str = "NOT EXISTS (SELECT 1 FROM submitted_claims s WHERE s.claim_id = e.encounter_id)
    AND NOT EXISTS (SELECT 1 FROM submitted_claims s
                    WHERE s.claim_id > e.encounter_id || '-' AND s.claim_id < e.encounter_id || '.')";

/// Adds the scope's conditions on the columns of alias `e`.
fn push_scope<DB: sqlx::Database>(query: &mut sqlx::QueryBuilder<DB>, scope: &Scope)
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    push_scope_on(query, scope, "e");
}

/// The scope on the `clinic_id` and `rendering_npi` columns of `alias` (fixed, never input).
fn push_scope_on<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<DB>,
    scope: &Scope,
    alias: &'static str,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(clinics) = &scope.clinics {
        if clinics.is_empty() {
            query.push(" AND 1 = 0");
        } else {
            query.push(format!(" AND {alias}.clinic_id IN ("));
            let mut separated = query.separated(", ");
            for clinic in clinics {
                separated.push_bind(clinic.clone());
            }
            query.push(")");
        }
    }
    if let Some(npi) = &scope.rendering_npi {
        query
            .push(format!(" AND {alias}.rendering_npi = "))
            .push_bind(npi.clone());
    }
}

/// Each encounter's id, patient and clinic (latest version), on a pooled connection or inside
/// a transaction (the audit rows of a posting name the patients it paid).
pub(crate) async fn filings(
    conn: crate::connect::Conn<'_>,
    encounter_ids: &[String],
) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
    Ok(crate::pipeline::over_ids!(conn, encounter_ids,
        "SELECT e.encounter_id, e.patient_id, e.clinic_id FROM encounters e
         WHERE e.encounter_id {IDS}
           AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)",
        exec, query => query.fetch_all(exec).await?))
}

impl Store {
    /// An encounter's latest version and result, whoever may see it: the caller checks scope
    /// with [`Scope::admits`] (and audits a refusal).
    pub async fn encounter_view(
        &self,
        encounter_id: &str,
    ) -> Result<Option<EncounterView>, StoreError> {
        let sql = format!("{LATEST} AND e.encounter_id = $1");
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(encounter_id).fetch_optional(pool).await?
        }))
    }

    /// Encounters in scope, by date of service and id.
    pub async fn list_encounters(
        &self,
        scope: &Scope,
        filter: &EncounterFilter,
    ) -> Result<Vec<EncounterSummary>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT encounter_id, version, patient_id, date_of_service, clinic_id, rendering_npi,
                        payer_id, queue
                 FROM ({LATEST}) e WHERE 1 = 1"
            ));
            push_scope(&mut query, scope);
            if let Some(from) = filter.from {
                query.push(" AND e.date_of_service >= ").push_bind(from);
            }
            if let Some(to) = filter.to {
                query.push(" AND e.date_of_service <= ").push_bind(to);
            }
            if let Some(clinic) = &filter.clinic_id {
                query.push(" AND e.clinic_id = ").push_bind(clinic.clone());
            }
            if let Some(npi) = &filter.rendering_npi {
                query.push(" AND e.rendering_npi = ").push_bind(npi.clone());
            }
            if let Some(payer) = &filter.payer_id {
                query.push(" AND e.payer_id = ").push_bind(payer.clone());
            }
            if let Some(queue) = &filter.queue {
                query.push(" AND e.queue = ").push_bind(queue.clone());
            }
            if let Some(after) = &filter.after {
                query.push(" AND e.encounter_id > ").push_bind(after.clone());
            }
            query.push(" ORDER BY e.encounter_id LIMIT ").push_bind(filter.limit.max(0));
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Queue items in scope (by the clinic of their encounter's latest version), in the
    /// filter's order.
    pub async fn list_queue_items(
        &self,
        scope: &Scope,
        filter: &QueueFilter,
    ) -> Result<Vec<QueueItem>, StoreError> {
        // The item keeps its encounter's latest clinic and rendering NPI (`write_intake`), so
        // a page walks the open items' index in its order and stops at the limit.
        Ok(crate::on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT q.id, q.encounter_id, q.queue, q.entered_at, q.left_at, q.owner, q.status, q.findings
                 FROM queue_items q
                 WHERE 1 = 1",
            );
            push_scope_on(&mut query, scope, "q");
            if let Some(queue) = &filter.queue {
                query.push(" AND q.queue = ").push_bind(queue.clone());
            }
            if filter.open_only {
                query.push(" AND q.left_at IS NULL");
            }
            if let Some(owner) = &filter.owner {
                query.push(" AND q.owner = ").push_bind(owner.clone());
            }
            if let Some(clinic) = &filter.clinic_id {
                query.push(" AND q.clinic_id = ").push_bind(clinic.clone());
            }
            query.push(match filter.order {
                QueueOrder::Newest => " ORDER BY q.entered_at DESC, q.id DESC",
                QueueOrder::Oldest => " ORDER BY q.entered_at, q.id",
                // The item keeps its latest scrub's charge (indexed for the open ones).
                QueueOrder::Dollars => " ORDER BY q.charge_cents DESC, q.entered_at, q.id",
            });
            query.push(" LIMIT ").push_bind(filter.limit.max(0));
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The stored encounters whose latest scrub holds them (any queue but ready to bill),
    /// within a scope, billed or not.
    pub async fn held_within(&self, scope: &Scope) -> Result<Vec<String>, StoreError> {
        self.latest_where(scope, "e.queue <> 'ready_to_bill'").await
    }

    /// The held encounters (as [`Store::held_within`]) with no claim submitted: the holds a
    /// biller can still work before billing.
    pub async fn held_unbilled_within(&self, scope: &Scope) -> Result<Vec<String>, StoreError> {
        self.latest_where(
            scope,
            &format!("{MAY_BE_UNBILLED} AND e.queue <> 'ready_to_bill' AND {NOT_BILLED}"),
        )
        .await
    }

    /// Ready-to-bill encounters with no claim submitted (neither `{id}` nor `{id}-n`), within a
    /// scope: what a claim run bills. Only the ids the store keeps as possibly unbilled are
    /// looked at, so a store of a million billed visits reads only this week's.
    pub async fn unbilled_ready_within(&self, scope: &Scope) -> Result<Vec<String>, StoreError> {
        self.latest_where(
            scope,
            &format!("{MAY_BE_UNBILLED} AND e.queue = 'ready_to_bill' AND {NOT_BILLED}"),
        )
        .await
    }

    /// Every scrubbed encounter, held or ready, with no claim submitted, within a scope.
    pub async fn unbilled_within(&self, scope: &Scope) -> Result<Vec<String>, StoreError> {
        self.latest_where(
            scope,
            &format!("{MAY_BE_UNBILLED} AND e.queue IS NOT NULL AND {NOT_BILLED}"),
        )
        .await
    }

    /// The latest versions' ids meeting `condition` (fixed SQL, never input, on alias `e`).
    async fn latest_where(
        &self,
        scope: &Scope,
        condition: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT encounter_id FROM ({LATEST}) e WHERE {condition}"
            ));
            push_scope(&mut query, scope);
            query.push(" ORDER BY e.encounter_id");
            query.build_query_scalar().fetch_all(pool).await?
        }))
    }

    /// Each encounter's patient and clinic (latest version), for audit events.
    pub async fn filings_of(
        &self,
        encounter_ids: &[String],
    ) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        let mut pooled = self.acquire().await?;
        filings(pooled.conn(), encounter_ids).await
    }

    /// The clinic and rendering NPI of each stored visit (latest versions) of a patient.
    pub async fn patient_filings(
        &self,
        patient_id: &str,
    ) -> Result<Vec<(Option<String>, Option<String>)>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT e.clinic_id, e.rendering_npi FROM encounters e
                 WHERE e.patient_id = $1
                   AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = e.encounter_id)",
            )
            .bind(patient_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The encounter a queue item belongs to, with its clinic and rendering NPI (for scope).
    pub async fn queue_item_owner(
        &self,
        item_id: i64,
    ) -> Result<Option<(String, String, Option<String>, Option<String>)>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT q.encounter_id, e.patient_id, e.clinic_id, e.rendering_npi FROM queue_items q
                 JOIN encounters e ON e.encounter_id = q.encounter_id
                   AND e.version = (SELECT MAX(version) FROM encounters l WHERE l.encounter_id = q.encounter_id)
                 WHERE q.id = $1",
            )
            .bind(item_id)
            .fetch_optional(pool)
            .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_admits_its_clinics_and_its_provider_only() {
        let north = Scope {
            clinics: Some(vec!["north".into()]),
            rendering_npi: None,
        };
        assert!(north.admits(Some("north"), None));
        assert!(!north.admits(Some("south"), None));
        assert!(!north.admits(None, None));
        assert!(Scope::everything().admits(None, None));
        let own = Scope {
            clinics: Some(vec!["north".into()]),
            rendering_npi: Some("1234567893".into()),
        };
        assert!(own.admits(Some("north"), Some("1234567893")));
        assert!(!own.admits(Some("north"), Some("1999999992")));
    }
}
