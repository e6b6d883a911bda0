#![allow(clippy::unwrap_used, reason = "profiling harness")]
//! Reads a synthetic 835 repeatedly, for perf/callgrind: `cargo run --release --example remit_profile -- 20`
use cleanclaim_x12::x835::{RemitReader, SyntheticRemittance};
use std::io::Read;
fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let mut input = Vec::new();
    SyntheticRemittance::new(20_000)
        .read_to_end(&mut input)
        .unwrap();
    let started = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        n += RemitReader::new(input.as_slice())
            .filter(Result::is_ok)
            .count();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} items, {:.0} MB/s",
        (input.len() * rounds) as f64 / secs / 1e6
    );
}
