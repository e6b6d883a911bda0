//! What every request shares: the store, the engine (rule packs, NCCI, MUE), the billing
//! profile claims are written with, and the CARC/RARC category map, all built once at start;
//! and the KPI facts, kept between requests while the store stands still.

use std::sync::Arc;

use cleanclaim_billing::Engine;
use cleanclaim_remit::CategoryMap;
use cleanclaim_store::Store;
use cleanclaim_x12::x837::BillingProfile;

use crate::kpi_cache::{Figures, KpiCache, KpiReadError};

#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    engine: Engine,
    profile: Option<BillingProfile>,
    categories: CategoryMap,
    kpis: Arc<KpiCache>,
}

impl AppState {
    /// The state with the built-in category map and no billing profile (claim batches are
    /// refused until one is given).
    pub fn new(store: Store, engine: Engine) -> Result<Self, cleanclaim_remit::MapError> {
        Ok(Self::with_billing(
            store,
            engine,
            None,
            CategoryMap::builtin()?,
        ))
    }

    /// With the billing profile claims are written with, and a category map.
    pub fn with_billing(
        store: Store,
        engine: Engine,
        profile: Option<BillingProfile>,
        categories: CategoryMap,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            engine,
            profile,
            categories,
            kpis: Arc::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    pub fn profile(&self) -> Option<&BillingProfile> {
        self.0.profile.as_ref()
    }

    pub fn categories(&self) -> &CategoryMap {
        &self.0.categories
    }

    /// The KPI facts to count from (`kpi_cache.rs`).
    pub(crate) async fn kpi_figures(&self) -> Result<Figures, KpiReadError> {
        self.0.kpis.figures(&self.0.store).await
    }
}
