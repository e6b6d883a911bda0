//! Any text through the encounter reader and, when it parses, through the engine: no panic.
#![no_main]

use std::sync::OnceLock;

use cleanclaim_billing::{Engine, Selection};
use libfuzzer_sys::fuzz_target;

/// Built once: loading the reference data on every input would dominate the run.
static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = ENGINE.get_or_init(|| Engine::builtin().expect("builtin data"));
    for record in cleanclaim_model::parse_records(text) {
        if let Ok(encounter) = record.result {
            let derivation = engine.derive(&encounter, Selection::default());
            for line in &derivation.lines {
                let _ = line.explanation();
            }
        }
    }
});
