//! What the CLI test files share: running the binary (with or without an empty database of
//! the test's own), scratch folders, the project's X12 fixtures, and a billing profile under a
//! sender id of its own.

#![allow(dead_code, reason = "each test file uses part of this module")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use cleanclaim_test_support::TestDatabase;

/// Runs `cleanclaim` with no database named: the environment's database variables are removed
/// (a command that needs one would make `cleanclaim.db` in the crate folder, which the tests
/// never ask for).
pub fn cleanclaim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("CLEANCLAIM_DATABASE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// What a run printed, standard output then standard error (for assertion messages).
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `cleanclaim` against the test's own database.
pub fn cleanclaim_db(database: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("CLEANCLAIM_DATABASE", database.url())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// One of the project's X12 fixtures (`crates/x12/tests/data/fixtures`).
pub fn fixture(path: &str) -> String {
    x12_data().join("fixtures").join(path).display().to_string()
}

pub fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The X12 crate's test data: billing.toml and encounters/.
pub fn x12_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../x12/tests/data")
}

pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cleanclaim-{test}-{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scratch folder with the test billing profile under a new sender id (starting with
/// `prefix`), so control numbers start at 1 and duplicate checks see only this test.
pub fn scratch(test: &str, prefix: char) -> (PathBuf, PathBuf, String) {
    let dir = scratch_dir(test);
    let sender = format!("{prefix}{:014}", unique() % 100_000_000_000_000);
    let profile = std::fs::read_to_string(x12_data().join("billing.toml"))
        .unwrap()
        .replace(
            "sender_id = \"CLEANCLAIM01\"",
            &format!("sender_id = \"{sender}\""),
        );
    let path = dir.join("billing.toml");
    std::fs::write(&path, profile).unwrap();
    (dir, path, sender)
}

/// `cleanclaim claims` for the named test encounters; asserts it wrote them.
pub fn submit(database: &TestDatabase, profile: &Path, out: &Path, encounters: &[&str]) {
    let paths: Vec<String> = encounters
        .iter()
        .map(|n| {
            x12_data()
                .join(format!("encounters/{n}.json"))
                .display()
                .to_string()
        })
        .collect();
    let mut args = vec![
        "claims",
        "--profile",
        profile.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(paths.iter().map(String::as_str));
    let written = cleanclaim_db(database, &args);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
}
