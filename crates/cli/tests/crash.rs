//! A crash during `ingest` (SIGKILL at 20 points of an intake of three chunks) leaves nothing
//! half-written: the database holds all of the intake or none of it, and a re-run leaves every
//! encounter stored exactly once, with one result and one open queue item.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod common;

use std::process::{Command, Stdio};

use cleanclaim_store::Store;
use common::{TestDatabase, cleanclaim, scratch_dir};

const ENCOUNTERS: usize = 1_500;
/// Records per chunk: the intake is three chunks, so kills land between chunks too.
const CHUNK: &str = "500";

/// (encounter rows, distinct encounter ids, results, open queue items).
fn counts(runtime: &tokio::runtime::Runtime, url: &str, ids: &[String]) -> (usize, usize, usize) {
    runtime.block_on(async {
        let store = Store::connect(url).await.unwrap();
        let versions = store.latest_versions(ids).await.unwrap();
        let results = store.latest_results(ids).await.unwrap();
        let open = store.queue_items(None, true).await.unwrap();
        assert!(
            versions.values().all(|(version, _)| *version == 1),
            "an encounter was stored twice"
        );
        (versions.len(), results.len(), open.len())
    })
}

#[test]
fn a_killed_ingest_leaves_all_or_nothing_and_a_rerun_stores_each_encounter_once() {
    let dir = scratch_dir("crash");
    let file = dir.join("encounters.ndjson");
    let made = cleanclaim(&[
        "generate",
        "--encounters",
        &ENCOUNTERS.to_string(),
        "--seed",
        "9",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0));
    let ids: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ingest = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args(["ingest", "--chunk", CHUNK, file.to_str().unwrap()])
            .env_remove("DATABASE_URL")
            .env("CLEANCLAIM_DATABASE", url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole intake takes here, to spread the kills over it.
    let timed = TestDatabase::sqlite();
    let started = std::time::Instant::now();
    assert!(
        ingest(timed.url())
            .wait()
            .unwrap()
            .code()
            .is_some_and(|c| c <= 1)
    );
    let whole = started.elapsed();
    let mut killed_midway = 0;
    for point in 0..20u32 {
        let database = TestDatabase::sqlite();
        let mut child = ingest(database.url());
        // Spread over the intake: from reading the file to committing the transaction.
        std::thread::sleep(whole * (point + 1) / 21);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let (stored, results, open) = counts(&runtime, database.url(), &ids);
        assert!(
            (stored, results, open) == (0, 0, 0)
                || (stored, results, open) == (ENCOUNTERS, ENCOUNTERS, ENCOUNTERS),
            "kill at point {point} left {stored} encounters, {results} results, {open} open items"
        );
        if !finished && stored == 0 {
            killed_midway += 1;
        }
        let rerun = ingest(database.url()).wait_with_output().unwrap();
        assert!(rerun.status.code().is_some_and(|c| c <= 1));
        assert_eq!(
            counts(&runtime, database.url(), &ids),
            (ENCOUNTERS, ENCOUNTERS, ENCOUNTERS),
            "after the re-run at point {point}"
        );
    }
    // The test means something only if some kills landed inside the intake.
    assert!(
        killed_midway >= 5,
        "only {killed_midway} kill(s) landed mid-intake"
    );
}
