//! What every request shares: the store and the engine (rule packs, NCCI, MUE), both built
//! once at start.

use std::sync::Arc;

use cleanclaim_billing::Engine;
use cleanclaim_store::Store;

#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    engine: Engine,
}

impl AppState {
    pub fn new(store: Store, engine: Engine) -> Self {
        Self(Arc::new(Inner { store, engine }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }
}
