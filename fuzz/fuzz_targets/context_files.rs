//! Any text as each context file: records added whole or an error naming the JSON path; a
//! rejected file leaves the context unchanged.
#![no_main]

use cleanclaim_scrub::ContextData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ContextData::FILES {
        let mut context = ContextData::default();
        if context.add_file(name, text).is_err() {
            assert!(context.plans.is_empty() && context.authorizations.is_empty() && context.usage.is_empty());
        }
    }
});
