//! The KPI facts the dashboard and `/api/kpis` count from, read once and kept while the store
//! stands still.
//!
//! Reading a year of a 20-clinic organization's facts takes seconds; counting any cut of them
//! from a [`KpiIndex`] takes milliseconds. So every request first asks the store for its
//! [`KpiStamp`] (a few index lookups): equal to the kept one, the kept facts are the store's
//! and the figures are exact. Otherwise one refresh reads the facts again in the background,
//! and the request waits for it up to [`REFRESH_WAIT`]; past that it answers from the facts
//! it has, saying when they were read ([`Figures::behind`]), so a page never waits on a
//! million rows. With nothing kept yet (the server has just started: it begins the first read
//! then), a request waits for that read up to [`FIRST_READ_WAIT`], then is told the figures
//! are being counted ([`KpiReadError::Counting`]: the dashboard says so and reloads itself).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use cleanclaim_app::kpis::KpiIndex;
use cleanclaim_store::{KpiStamp, Store, StoreError};
use tokio::sync::{Mutex, watch};

/// How long a request waits for a refresh before it answers from the facts kept: what is left
/// of a page's 300 ms after counting and rendering.
pub const REFRESH_WAIT: Duration = Duration::from_millis(150);

/// How long a request waits for the first read since the server started before it is told to
/// come back: a small store's read fits (a clinic's year: tens of milliseconds), and a page
/// still answers within 300 ms when it does not (a million visits: 16-30 s).
pub const FIRST_READ_WAIT: Duration = Duration::from_millis(250);

/// What a request told the figures are being counted is asked to wait before asking again.
pub const RETRY_SECONDS: u64 = 5;

/// Facts as read at one stamp.
#[derive(Debug)]
pub struct Snapshot {
    pub stamp: KpiStamp,
    /// When the facts were read (the store's clock).
    pub read_at: DateTime<Utc>,
    pub index: KpiIndex,
}

/// What a request counts from.
#[derive(Debug, Clone)]
pub struct Figures {
    pub snapshot: Arc<Snapshot>,
    /// The store has changed since the facts were read; a refresh is under way.
    pub behind: bool,
}

impl Figures {
    /// The kept facts, for a request that saw the store at `stamp`.
    fn of(snapshot: Arc<Snapshot>, stamp: KpiStamp) -> Self {
        Self {
            behind: snapshot.stamp != stamp,
            snapshot,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KpiReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the server is stopping")]
    Stopping,
    /// Nothing is kept yet and the first read is still under way.
    #[error("the figures are being counted for the first time since the server started")]
    Counting,
}

impl From<KpiReadError> for crate::ApiError {
    fn from(error: KpiReadError) -> Self {
        match error {
            KpiReadError::Store(store) => store.into(),
            KpiReadError::Stopping => {
                Self::new(crate::ErrorCode::Busy, "the server is stopping; try again")
            }
            KpiReadError::Counting => Self::new(
                crate::ErrorCode::Busy,
                "the figures are being counted for the first time since the server started; try again in a few seconds",
            )
            .retry_after(RETRY_SECONDS),
        }
    }
}

#[derive(Debug)]
pub struct KpiCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held by the one read in flight.
    reading: Arc<Mutex<()>>,
    /// Counts finished refreshes, so a request can wait for the next.
    refreshed: watch::Sender<u64>,
}

impl Default for KpiCache {
    fn default() -> Self {
        Self {
            current: RwLock::new(None),
            reading: Arc::new(Mutex::new(())),
            refreshed: watch::channel(0).0,
        }
    }
}

impl KpiCache {
    fn kept(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|kept| kept.clone())
    }

    fn keep(&self, snapshot: Snapshot) {
        if let Ok(mut kept) = self.current.write() {
            *kept = Some(Arc::new(snapshot));
        }
        self.refreshed.send_modify(|n| *n += 1);
    }

    /// Reads the facts: the stamp first, so a write landing during the read makes the next
    /// request read again rather than keep older facts under a newer stamp.
    async fn read(store: &Store) -> Result<Snapshot, KpiReadError> {
        let stamp = store.kpi_stamp().await?;
        let read_at = store.now();
        let facts = store.kpi_facts().await?;
        // Joining a million visits is a second of CPU: off the request threads.
        let index = match tokio::task::spawn_blocking(move || KpiIndex::build(&facts)).await {
            Ok(index) => index,
            Err(error) => match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(_) => return Err(KpiReadError::Stopping),
            },
        };
        Ok(Snapshot {
            stamp,
            read_at,
            index,
        })
    }

    /// Starts a read in the background unless one is under way.
    fn refresh(self: &Arc<Self>, store: &Store) {
        let Ok(reading) = self.reading.clone().try_lock_owned() else {
            return;
        };
        let cache = Arc::clone(self);
        let store = store.clone();
        tokio::spawn(async move {
            match Self::read(&store).await {
                Ok(snapshot) => {
                    cache.keep(snapshot);
                    drop(reading);
                }
                Err(error) => {
                    tracing::warn!(error = %error, "reading the KPI facts failed; the kept ones stand");
                    // Free before telling: a request waiting for the first read then tries
                    // the read itself and answers with its error.
                    drop(reading);
                    cache.refreshed.send_modify(|n| *n += 1);
                }
            }
        });
    }

    /// Nothing kept: wait for the first read up to [`FIRST_READ_WAIT`]. A read that failed
    /// (the lock free, nothing kept) is tried again here, so its error is this request's.
    async fn first(
        self: &Arc<Self>,
        store: &Store,
        stamp: KpiStamp,
    ) -> Result<Figures, KpiReadError> {
        let mut refreshed = self.refreshed.subscribe();
        self.refresh(store);
        let _ = tokio::time::timeout(FIRST_READ_WAIT, refreshed.changed()).await;
        if let Some(snapshot) = self.kept() {
            return Ok(Figures::of(snapshot, stamp));
        }
        let Ok(_reading) = self.reading.try_lock() else {
            return Err(KpiReadError::Counting);
        };
        // A read that finished between the look above and the lock.
        if let Some(snapshot) = self.kept() {
            return Ok(Figures::of(snapshot, stamp));
        }
        let snapshot = Arc::new(Self::read(store).await?);
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        Ok(Figures::of(snapshot, stamp))
    }

    /// The facts to count from; see the module docs.
    pub async fn figures(self: &Arc<Self>, store: &Store) -> Result<Figures, KpiReadError> {
        let stamp = store.kpi_stamp().await?;
        let Some(kept) = self.kept() else {
            return self.first(store, stamp).await;
        };
        if kept.stamp == stamp {
            return Ok(Figures {
                snapshot: kept,
                behind: false,
            });
        }
        let mut refreshed = self.refreshed.subscribe();
        self.refresh(store);
        let _ = tokio::time::timeout(REFRESH_WAIT, refreshed.changed()).await;
        let snapshot = self.kept().unwrap_or(kept);
        // A refresh that finished may have read a write newer than this request's stamp.
        let behind = snapshot.stamp != stamp && snapshot.stamp != store.kpi_stamp().await?;
        Ok(Figures { behind, snapshot })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use cleanclaim_store::{IntakeCounts, ScrubRecord, StoredEncounter};
    use cleanclaim_test_support::TestDatabase;

    use super::*;

    async fn store_visit(store: &Store, id: &str) {
        let mut intake = store.begin_intake().await.unwrap();
        let version = StoredEncounter {
            encounter_id: id.into(),
            version: 1,
            patient_id: "P1".into(),
            date_of_service: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            record: "{}".into(),
            received: None,
            source: None,
            filing: cleanclaim_store::Filing::default(),
        };
        let result = ScrubRecord {
            encounter_id: id.into(),
            encounter_version: 1,
            queue: "ready_to_bill".into(),
            pack_id: "p".into(),
            pack_version: "1".into(),
            findings: String::new(),
            charge_cents: 100,
            reason: "new".into(),
            claim_basis: None,
        };
        intake.write(&[version], &[result]).await.unwrap();
        intake.commit(IntakeCounts::default()).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn facts_are_kept_while_the_store_stands_still_and_read_again_after_a_write() {
        let database = TestDatabase::sqlite();
        let store = Store::connect(database.url()).await.unwrap();
        let cache = Arc::new(KpiCache::default());
        store_visit(&store, "E1").await;
        let first = cache.figures(&store).await.unwrap();
        assert!(!first.behind);
        assert_eq!(first.snapshot.index.visit_count(), 1);
        let again = cache.figures(&store).await.unwrap();
        assert!(Arc::ptr_eq(&first.snapshot, &again.snapshot));

        store_visit(&store, "E2").await;
        // A two-visit read finishes well within the wait: the answer counts the new visit.
        let after = cache.figures(&store).await.unwrap();
        assert!(!after.behind);
        assert_eq!(after.snapshot.index.visit_count(), 2);
        assert_ne!(after.snapshot.stamp, first.snapshot.stamp);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_during_the_first_read_is_told_to_come_back() {
        let database = TestDatabase::sqlite();
        let store = Store::connect(database.url()).await.unwrap();
        store_visit(&store, "E1").await;
        let cache = Arc::new(KpiCache::default());
        // A first read under way (held here): nothing to answer from yet.
        let reading = cache.reading.clone().try_lock_owned().unwrap();
        let started = tokio::time::Instant::now();
        let answer = cache.figures(&store).await;
        assert!(matches!(answer, Err(KpiReadError::Counting)), "{answer:?}");
        assert!(started.elapsed() >= FIRST_READ_WAIT);
        let response = axum::response::IntoResponse::into_response(crate::ApiError::from(
            KpiReadError::Counting,
        ));
        assert_eq!(
            response.status(),
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "5");
        drop(reading);
        // The store gone: the request says why rather than "counting".
        store.close().await;
        let answer = cache.figures(&store).await;
        assert!(matches!(answer, Err(KpiReadError::Store(_))), "{answer:?}");
    }
}
