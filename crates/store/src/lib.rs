//! PostgreSQL storage: the adapter around the pure X12 codecs.
//!
//! - Control numbers and submitted claims (this file).
//! - Posted remittances, with duplicate 835s refused ([`remittances`]).
//! - 999 and 277CA acknowledgments per claim ([`acknowledgments`]).
//!
//! Control numbers (ISA13, GS06, ST02) must never repeat for a sender, across processes and
//! restarts, so they live in the database, and a reservation is one atomic `UPDATE ...
//! RETURNING` per kind (row locks serialise concurrent writers). Numbers are never reused or
//! wrapped: when ISA13's nine digits run out, reservation fails.

mod acknowledgments;
mod remittances;

pub use acknowledgments::Acknowledgment;
pub use remittances::{
    PostedAdjustment, PostedClaim, Posting, ProviderAdjustmentRecord, RemittanceId,
    RemittanceRecord, Started,
};

use cleanclaim_x12::x837::ControlNumbers;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Row, Transaction};

/// How long a connection may take before the command gives up.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The URL as it may be printed: without its password.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = url.get(scheme + 3..at).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme + 3).unwrap_or_default(),
                    url.get(at..).unwrap_or_default()
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Why a connection failed, in words that say what to do.
fn connect_error(options: &PgConnectOptions, error: &sqlx::Error) -> StoreError {
    let host = options.get_host().to_owned();
    let port = options.get_port();
    let database = options.get_database().unwrap_or("postgres").to_owned();
    let reason = match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => format!(
            "the database does not exist; create it with `createdb -h {host} -p {port} {database}`"
        ),
        sqlx::Error::Database(db)
            if db.code().as_deref() == Some("28P01") || db.code().as_deref() == Some("28000") =>
        {
            format!("the server refused the user or password: {}", db.message())
        }
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "connection refused: is the server running and listening there? (`pg_isready -h {host} -p {port}`)"
        ),
        sqlx::Error::PoolTimedOut => format!(
            "no answer within {} s: is the host reachable and the server running?",
            CONNECT_TIMEOUT.as_secs()
        ),
        other => other.to_string(),
    };
    StoreError::Connect {
        host,
        port,
        database,
        reason,
    }
}

/// The largest number a nine-digit ISA13 or GS06 can hold.
pub const MAX_CONTROL: i64 = 999_999_999;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The server could not be reached, or refused the connection; names the server, the
    /// database and what to do.
    #[error("cannot connect to PostgreSQL at {host}:{port} (database `{database}`): {reason}")]
    Connect {
        host: String,
        port: u16,
        database: String,
        reason: String,
    },
    #[error("`{0}` is not a PostgreSQL URL (postgres://user@host:port/database)")]
    BadUrl(String),
    #[error(
        "{kind} control numbers for sender {sender} are exhausted (at most {MAX_CONTROL}); they are never reused"
    )]
    Exhausted { sender: String, kind: &'static str },
}

/// One claim of a written interchange, kept to match 835 remittances and acknowledgments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedClaim {
    pub claim_id: String,
    pub frequency: String,
    pub transaction_control: i64,
    pub total_cents: i64,
    pub line_controls: Vec<String>,
    /// The billing provider's NPI and tax id (loop 2010AA), so that an 835 is linked only to
    /// submissions of the provider it paid.
    pub billing_npi: String,
    pub billing_tax_id: String,
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: PgPool,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS x12_control_numbers (
        sender_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ISA', 'GS', 'ST')),
        last BIGINT NOT NULL CHECK (last > 0),
        PRIMARY KEY (sender_id, kind))",
    "CREATE TABLE IF NOT EXISTS submitted_claims (
        sender_id TEXT NOT NULL,
        interchange_control BIGINT NOT NULL,
        transaction_control BIGINT NOT NULL,
        claim_id TEXT NOT NULL,
        frequency TEXT NOT NULL,
        total_cents BIGINT NOT NULL,
        line_controls TEXT[] NOT NULL,
        submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (sender_id, interchange_control, claim_id))",
    "CREATE INDEX IF NOT EXISTS submitted_claims_by_claim ON submitted_claims (claim_id)",
    // Added after the table: databases created before keep their rows, with empty values
    // that match any payee.
    "ALTER TABLE submitted_claims ADD COLUMN IF NOT EXISTS billing_npi TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE submitted_claims ADD COLUMN IF NOT EXISTS billing_tax_id TEXT NOT NULL DEFAULT ''",
    // One row per 835 transaction set; the same trace number from the same payer is the
    // same payment, so it is refused a second time.
    "CREATE TABLE IF NOT EXISTS remittances (
        id BIGSERIAL PRIMARY KEY,
        payer_key TEXT NOT NULL,
        trace_number TEXT NOT NULL CHECK (trace_number <> ''),
        payer_name TEXT NOT NULL,
        payment_cents BIGINT NOT NULL,
        payment_date DATE,
        method TEXT NOT NULL,
        posted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (payer_key, trace_number))",
    "CREATE TABLE IF NOT EXISTS remittance_claims (
        remittance_id BIGINT NOT NULL REFERENCES remittances (id),
        seq INT NOT NULL,
        claim_id TEXT NOT NULL,
        matched BOOLEAN NOT NULL,
        status TEXT NOT NULL,
        charge_cents BIGINT NOT NULL,
        paid_cents BIGINT NOT NULL,
        patient_responsibility_cents BIGINT NOT NULL,
        payer_claim_number TEXT NOT NULL,
        denied BOOLEAN NOT NULL,
        denied_lines INT NOT NULL,
        denied_cents BIGINT NOT NULL,
        cause TEXT,
        needs_review BOOLEAN NOT NULL,
        PRIMARY KEY (remittance_id, seq))",
    "CREATE INDEX IF NOT EXISTS remittance_claims_by_claim ON remittance_claims (claim_id)",
    "CREATE TABLE IF NOT EXISTS remittance_adjustments (
        remittance_id BIGINT NOT NULL,
        claim_seq INT NOT NULL,
        line_control TEXT,
        group_code TEXT NOT NULL,
        reason TEXT NOT NULL,
        amount_cents BIGINT NOT NULL,
        category TEXT NOT NULL,
        FOREIGN KEY (remittance_id, claim_seq) REFERENCES remittance_claims (remittance_id, seq))",
    "CREATE TABLE IF NOT EXISTS remittance_provider_adjustments (
        remittance_id BIGINT NOT NULL REFERENCES remittances (id),
        provider_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        reference TEXT NOT NULL,
        amount_cents BIGINT NOT NULL)",
    // What 999s and 277CAs said of each claim; the same acknowledgment read twice adds
    // nothing.
    "CREATE TABLE IF NOT EXISTS claim_acknowledgments (
        claim_id TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('TA1', '999', '277CA')),
        reference TEXT NOT NULL,
        accepted BOOLEAN NOT NULL,
        detail TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (claim_id, source, reference))",
];

impl Store {
    /// Connects and creates the tables if they are missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|_| StoreError::BadUrl(redact_password(url)))?;
        // A closed port or a dead host should fail in seconds, not after the pool's default
        // 30 s; one attempt, so an error is reported once.
        // One direct attempt first: the pool retries a refused connection until its timeout,
        // which would hide "connection refused" behind "timed out".
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| connect_error(&options, &sqlx::Error::PoolTimedOut))?
            .map_err(|error| connect_error(&options, &error))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(|error| connect_error(&options, &error))?;
        let mut tx = pool.begin().await?;
        // Two processes creating the schema at once would race on the catalog.
        sqlx::query("SELECT pg_advisory_xact_lock(837005010)")
            .execute(&mut *tx)
            .await?;
        for statement in SCHEMA {
            sqlx::query(*statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Self { pool })
    }

    /// Reserves one interchange, one group and `transactions` transaction set numbers.
    pub async fn reserve_controls(
        &self,
        sender: &str,
        transactions: u64,
    ) -> Result<ControlNumbers, StoreError> {
        let mut tx = self.pool.begin().await?;
        let interchange = reserve(&mut tx, sender, "ISA", 1).await?;
        let group = reserve(&mut tx, sender, "GS", 1).await?;
        let count = i64::try_from(transactions.max(1)).unwrap_or(MAX_CONTROL);
        let first_transaction = reserve(&mut tx, sender, "ST", count).await?;
        tx.commit().await?;
        Ok(ControlNumbers {
            interchange,
            group,
            first_transaction,
        })
    }

    /// Records the claims an interchange carried, all or none.
    pub async fn record_submission(
        &self,
        sender: &str,
        interchange: u64,
        claims: &[SubmittedClaim],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let interchange = i64::try_from(interchange).unwrap_or(i64::MAX);
        for claim in claims {
            sqlx::query(
                "INSERT INTO submitted_claims
                   (sender_id, interchange_control, transaction_control, claim_id, frequency, total_cents, line_controls,
                    billing_npi, billing_tax_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(sender)
            .bind(interchange)
            .bind(claim.transaction_control)
            .bind(&claim.claim_id)
            .bind(&claim.frequency)
            .bind(claim.total_cents)
            .bind(&claim.line_controls)
            .bind(&claim.billing_npi)
            .bind(&claim.billing_tax_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Which of these claim ids this sender has already submitted.
    pub async fn already_submitted(
        &self,
        sender: &str,
        claim_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT DISTINCT claim_id FROM submitted_claims
             WHERE sender_id = $1 AND claim_id = ANY($2) ORDER BY claim_id",
        )
        .bind(sender)
        .bind(claim_ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    /// The payer's claim control number (CLP07) from the latest posted remittance of a
    /// claim: what a replacement or void must quote in REF*F8.
    pub async fn payer_claim_number_of(
        &self,
        claim_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let number = sqlx::query_scalar(
            "SELECT c.payer_claim_number FROM remittance_claims c
             JOIN remittances r ON r.id = c.remittance_id
             WHERE c.claim_id = $1 AND c.payer_claim_number <> ''
             ORDER BY r.posted_at DESC, c.remittance_id DESC LIMIT 1",
        )
        .bind(claim_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(number)
    }

    /// Every submission of a claim, oldest first: (interchange, frequency).
    pub async fn submissions_of(&self, claim_id: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT interchange_control, frequency FROM submitted_claims WHERE claim_id = $1 ORDER BY submitted_at, interchange_control",
        )
        .bind(claim_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

async fn reserve(
    tx: &mut Transaction<'_, Postgres>,
    sender: &str,
    kind: &'static str,
    count: i64,
) -> Result<u64, StoreError> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO x12_control_numbers (sender_id, kind, last) VALUES ($1, $2, $3)
         ON CONFLICT (sender_id, kind) DO UPDATE SET last = x12_control_numbers.last + EXCLUDED.last
         RETURNING last",
    )
    .bind(sender)
    .bind(kind)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    if last > MAX_CONTROL {
        return Err(StoreError::Exhausted {
            sender: sender.to_owned(),
            kind,
        });
    }
    Ok(u64::try_from(last - count + 1).unwrap_or(0))
}
