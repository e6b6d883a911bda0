//! The organization's clinicians, by NPI: credential, license, supervisor, clinic.

use chrono::{NaiveDate, Utc};

use crate::views::Scope;
use crate::{Store, StoreError};

/// A clinician as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProviderRow {
    pub npi: String,
    pub family_name: String,
    pub given_name: String,
    /// pt, pta, ot, ota, slp or student.
    pub role: String,
    pub license_state: Option<String>,
    pub license_number: Option<String>,
    pub license_expires: Option<NaiveDate>,
    pub supervisor_npi: Option<String>,
    pub clinic_id: Option<String>,
}

impl Store {
    /// Adds a clinician or replaces what is known of one, with the audit events of doing so.
    pub async fn put_provider(
        &self,
        provider: &ProviderRow,
        events: &[crate::AuditEvent],
    ) -> Result<(), StoreError> {
        macro_rules! put {
            ($tx:expr) => {
                sqlx::query(
                    "INSERT INTO providers (npi, family_name, given_name, role, license_state,
                       license_number, license_expires, supervisor_npi, clinic_id, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (npi) DO UPDATE SET family_name = excluded.family_name,
                       given_name = excluded.given_name, role = excluded.role,
                       license_state = excluded.license_state,
                       license_number = excluded.license_number,
                       license_expires = excluded.license_expires,
                       supervisor_npi = excluded.supervisor_npi, clinic_id = excluded.clinic_id,
                       updated_at = excluded.updated_at",
                )
                .bind(&provider.npi)
                .bind(&provider.family_name)
                .bind(&provider.given_name)
                .bind(&provider.role)
                .bind(provider.license_state.as_deref())
                .bind(provider.license_number.as_deref())
                .bind(provider.license_expires)
                .bind(provider.supervisor_npi.as_deref())
                .bind(provider.clinic_id.as_deref())
                .bind(Utc::now())
                .execute(&mut *$tx)
                .await?
            };
        }
        match &self.db {
            crate::connect::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                put!(tx);
                crate::audit::append(crate::connect::Conn::Postgres(&mut tx), events).await?;
                tx.commit().await?;
            }
            crate::connect::Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                put!(tx);
                crate::audit::append(crate::connect::Conn::Sqlite(&mut tx), events).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub async fn provider(&self, npi: &str) -> Result<Option<ProviderRow>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT npi, family_name, given_name, role, license_state, license_number,
                        license_expires, supervisor_npi, clinic_id FROM providers WHERE npi = $1",
            )
            .bind(npi)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The clinicians of the scope's clinics (every one for an organization-wide scope).
    pub async fn providers(&self, scope: &Scope) -> Result<Vec<ProviderRow>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT npi, family_name, given_name, role, license_state, license_number,
                        license_expires, supervisor_npi, clinic_id FROM providers e WHERE 1 = 1",
            );
            if let Some(clinics) = &scope.clinics {
                if clinics.is_empty() {
                    query.push(" AND 1 = 0");
                } else {
                    query.push(" AND e.clinic_id IN (");
                    let mut separated = query.separated(", ");
                    for clinic in clinics {
                        separated.push_bind(clinic.clone());
                    }
                    query.push(")");
                }
            }
            query.push(" ORDER BY e.family_name, e.given_name, e.npi");
            query.build_query_as().fetch_all(pool).await?
        }))
    }
}
