//! FHIR bundles: any text through `read_bundle`. Errors are OperationOutcomes, never panics,
//! and an outcome always has at least one issue with a path.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(outcome) = cleanclaim_emr::fhir::read_bundle(text, Some("north")) {
        assert!(!outcome.issues.is_empty());
        assert!(outcome.issues.iter().all(|i| i.expression.starts_with("Bundle")));
    }
});
