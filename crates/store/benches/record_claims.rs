#![allow(clippy::unwrap_used, reason = "benchmark setup fails loudly")]
//! How fast the store records claims as submitted, the step `claims` waits on after writing
//! the 837P: 100,000 claims (two lines each) in interchanges of 5,000, on the embedded SQLite
//! store and on PostgreSQL (a new database on `DATABASE_URL`'s server, dropped after).
//!
//! `cargo bench -p cleanclaim-store --bench record_claims` (add `-- 500000` for more claims).

use std::time::Instant;

use cleanclaim_store::{Store, SubmittedClaim};
use cleanclaim_test_support::TestDatabase;

const PER_INTERCHANGE: usize = 5_000;

fn claims(first: usize, count: usize) -> Vec<SubmittedClaim> {
    (first..first + count)
        .map(|n| SubmittedClaim {
            claim_id: format!("ENC{n:09}"),
            frequency: "1".to_owned(),
            transaction_control: i64::try_from(n / PER_INTERCHANGE + 1).unwrap(),
            total_cents: 13_400,
            line_controls: vec![format!("ENC{n:09}-1"), format!("ENC{n:09}-2")],
            billing_npi: "1245319599".to_owned(),
            billing_tax_id: "371234567".to_owned(),
            resend: false,
        })
        .collect()
}

async fn run(name: &str, url: &str, total: usize) {
    let store = Store::connect(url).await.unwrap();
    let batches: Vec<Vec<SubmittedClaim>> = (0..total)
        .step_by(PER_INTERCHANGE)
        .map(|first| claims(first, PER_INTERCHANGE.min(total - first)))
        .collect();
    let started = Instant::now();
    for (n, batch) in batches.iter().enumerate() {
        store
            .record_submission("BENCH", u64::try_from(n + 1).unwrap(), batch)
            .await
            .unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{name}: {total} claims recorded in {seconds:.2} s: {:.0} claims/s",
        total as f64 / seconds
    );
    store.close().await;
}

fn main() {
    let total: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sqlite = TestDatabase::sqlite();
    runtime.block_on(run("SQLite", sqlite.url(), total));
    let postgres = TestDatabase::create();
    runtime.block_on(run("PostgreSQL", postgres.url(), total));
}
