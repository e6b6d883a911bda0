//! Any bytes through the CMS NCCI PTP file reader: an error or a table, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cleanclaim_billing::PtpTable::parse("fuzz.txt", data);
});
