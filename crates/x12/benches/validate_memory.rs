#![allow(clippy::unwrap_used, reason = "benchmark setup fails loudly")]
//! Peak memory while validating a 1 GiB 835 as `x12 validate` does: the file is produced as
//! it is read (no fixture on disk), every error is counted as it is handed over, and the
//! process's high-water mark (VmHWM) is read from /proc before and after.
//!
//! `cargo bench -p cleanclaim-x12 --bench validate_memory` (add `-- 4096` for 4 GiB).

use std::time::Instant;

mod support;
use support::{peak_kib, synthetic_input_from_args};

use cleanclaim_x12::validate_reader;

fn main() {
    let before = peak_kib();
    let started = Instant::now();
    let mut input = synthetic_input_from_args();
    let mut errors = 0u64;
    let summary = validate_reader(&mut input, |_| errors += 1).unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    let after = peak_kib();
    let megabytes = input.bytes as f64 / 1e6;
    println!(
        "validated {:.0} MB ({} segments, {} transaction sets, {} errors) in {:.2} s: {:.0} MB/s including generation",
        megabytes,
        summary.segments,
        summary.sets.iter().map(|s| s.count).sum::<usize>(),
        errors,
        elapsed,
        megabytes / elapsed
    );
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak resident memory (VmHWM): {:.1} MiB before validating, {:.1} MiB after",
            before as f64 / 1024.0,
            after as f64 / 1024.0
        ),
        _ => println!("peak resident memory: /proc/self/status not available here"),
    }
}
