//! Any bytes as a CMS MUE CSV: a table or an error with the line, never a panic.
#![no_main]

use cleanclaim_billing::MueTable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = MueTable::parse("fuzz.csv", data);
});
