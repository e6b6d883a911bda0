//! Any text through the encounter reader and, when it parses, through the engine: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let engine = cleanclaim_billing::Engine::builtin().expect("builtin data");
        for record in cleanclaim_model::parse_records(text) {
            if let Ok(encounter) = record.result {
                let derivation = engine.derive(&encounter, cleanclaim_billing::Selection::default());
                for line in &derivation.lines {
                    let _ = line.explanation();
                }
            }
        }
    }
});
