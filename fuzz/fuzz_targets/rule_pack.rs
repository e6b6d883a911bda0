//! Any text as a user rule pack: loading returns a pack set or a positioned error, never a
//! panic. Seeds: the packs in `packs/`.
#![no_main]

use std::sync::OnceLock;

use cleanclaim_billing::DiagnosisRules;
use cleanclaim_billing::RulePacks;
use cleanclaim_billing::pack::BUILTIN_PACKS;
use libfuzzer_sys::fuzz_target;

static DIAGNOSES: OnceLock<DiagnosisRules> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diagnoses = DIAGNOSES.get_or_init(|| DiagnosisRules::builtin().unwrap_or_else(|e| panic!("{e}")));
    if let Err(err) = RulePacks::load(&BUILTIN_PACKS, &[("fuzz.toml", text)], diagnoses) {
        assert!(err.to_string().starts_with("fuzz.toml") || err.to_string().starts_with("packs/"));
    }
});
