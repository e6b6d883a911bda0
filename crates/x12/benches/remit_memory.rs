#![allow(clippy::unwrap_used, reason = "benchmark setup fails loudly")]
//! Peak memory while streaming a 1 GiB 835: the file is produced as it is read (no fixture
//! on disk), every item is taken (claims handed back with `recycle`, as a bulk consumer
//! would), and the process's high-water mark (VmHWM) is read from /proc before and after.
//!
//! `cargo bench -p cleanclaim-x12 --bench remit_memory` (add `-- 4096` for 4 GiB).

use std::time::Instant;

mod support;
use support::{peak_kib, synthetic_input_from_args};

use cleanclaim_x12::x835::{RemitItem, RemitReader};

fn main() {
    let before = peak_kib();
    let started = Instant::now();
    let mut input = synthetic_input_from_args();
    let (mut read_claims, mut lines) = (0u64, 0u64);
    let mut reader = RemitReader::new(&mut input);
    while let Some(item) = reader.next_item().unwrap() {
        if let RemitItem::Claim(claim) = item {
            read_claims += 1;
            lines += claim.lines.len() as u64;
            reader.recycle(claim);
        }
    }
    drop(reader);
    let elapsed = started.elapsed().as_secs_f64();
    let after = peak_kib();
    let megabytes = input.bytes as f64 / 1e6;
    println!(
        "streamed {:.0} MB ({} claims, {} lines) in {:.2} s: {:.0} MB/s including generation",
        megabytes,
        read_claims,
        lines,
        elapsed,
        megabytes / elapsed
    );
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak resident memory (VmHWM): {:.1} MiB before reading, {:.1} MiB after",
            before as f64 / 1024.0,
            after as f64 / 1024.0
        ),
        _ => println!("peak resident memory: /proc/self/status not available here"),
    }
}
