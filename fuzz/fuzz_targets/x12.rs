//! Any bytes through the X12 tokenizer, validator and 837P reader: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let report = cleanclaim_x12::validate(text);
        // A fatal error is always the last one reported.
        if report.fatal {
            assert!(!report.errors.is_empty());
        }
        let _ = cleanclaim_x12::x837::read_claims(text);
    }
});
