#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark setup fails loudly"
)]
//! One functional group of many transaction sets: the envelope checker keeps each group's ST02s
//! to catch a repeat, and this times that check at scale (it was a list scan, quadratic: a
//! 40 MB file of small sets took 12 s). The 835 is a one-claim synthetic remittance whose ST..SE
//! is repeated with its own control numbers inside one ISA/GS.
//!
//! `cargo bench -p cleanclaim-x12 --bench many_transactions` (add `-- 1000000` for the count).

use std::io::Read;
use std::time::Instant;

use cleanclaim_x12::x835::{RemitItem, RemitReader, SyntheticRemittance};

fn main() {
    let sets: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut one = String::new();
    SyntheticRemittance::new(1)
        .read_to_string(&mut one)
        .unwrap();
    let segments: Vec<&str> = one
        .split('~')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let st = segments.iter().position(|s| s.starts_with("ST*")).unwrap();
    let se = segments.iter().position(|s| s.starts_with("SE*")).unwrap();
    let body = &segments[st + 1..se];
    let mut text = String::new();
    for segment in &segments[..st] {
        text.push_str(segment);
        text.push('~');
    }
    for n in 1..=sets {
        text.push_str(&format!("ST*835*{n:09}~"));
        for segment in body {
            text.push_str(segment);
            text.push('~');
        }
        text.push_str(&format!("SE*{}*{n:09}~", body.len() + 2));
    }
    let group_control = segments
        .iter()
        .find(|s| s.starts_with("GS*"))
        .and_then(|s| s.split('*').nth(6))
        .unwrap();
    let interchange = segments
        .iter()
        .find(|s| s.starts_with("ISA*"))
        .and_then(|s| s.split('*').nth(13))
        .unwrap();
    text.push_str(&format!("GE*{sets}*{group_control}~IEA*1*{interchange}~"));

    let started = Instant::now();
    let mut reader = RemitReader::new(text.as_bytes());
    let mut claims = 0u64;
    while let Some(item) = reader.next_item().unwrap() {
        if let RemitItem::Claim(claim) = item {
            claims += 1;
            reader.recycle(claim);
        }
    }
    let (findings, more) = reader.findings();
    let warnings = findings.len() + more;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{sets} transaction sets in one group ({:.0} MB, {claims} claims, {warnings} envelope warnings) read in {elapsed:.2} s: {:.0} MB/s",
        text.len() as f64 / 1e6,
        text.len() as f64 / 1e6 / elapsed
    );
}
