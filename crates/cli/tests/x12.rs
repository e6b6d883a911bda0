//! `cleanclaim claims` and `cleanclaim x12 validate` end to end, each claims test against an
//! empty database of its own.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod common;

use common::{TestDatabase, cleanclaim, cleanclaim_db, fixture, x12_data};

fn scratch(test: &str) -> (std::path::PathBuf, std::path::PathBuf, String) {
    common::scratch(test, 'T')
}

#[test]
fn claims_writes_a_valid_837p_and_control_numbers_advance_per_file() {
    let database = TestDatabase::sqlite();
    let (dir, profile, sender) = scratch("claims");
    let encounters = x12_data().join("encounters");
    let inputs: Vec<String> = ["pt-medicare", "ot-commercial", "multiple-diagnoses"]
        .iter()
        .map(|n| encounters.join(format!("{n}.json")).display().to_string())
        .collect();
    for run in 1..=2u32 {
        let out = dir.join(format!("run{run}.837"));
        let mut args = vec![
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(inputs.iter().map(String::as_str));
        if run == 2 {
            // The same originals again are refused (a payer denies them as duplicates),
            // before any control number is used...
            let refused = cleanclaim_db(&database, &args);
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert_eq!(refused.status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains("3 claim(s) were already submitted"),
                "{stderr}"
            );
            assert!(!out.exists());
            // ...unless the biller says to send them again.
            args.push("--allow-resend");
        }
        let output = cleanclaim_db(&database, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("wrote 3 claim(s)"), "{stderr}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.contains(&format!("*{run:09}*")),
            "ISA13 of run {run} is {run}"
        );
        assert!(text.contains(&format!("*ZZ*{sender:<15}*")));
        assert!(!dir.join(format!("run{run}.837.partial")).exists());
        let validated = cleanclaim(&["x12", "validate", out.to_str().unwrap()]);
        assert_eq!(
            validated.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&validated.stdout)
        );
    }
}

/// Regression (issue 11): what the 837P needs is checked by the scrubber, every field at once,
/// so a missing address holds the encounter instead of failing the claims run.
#[test]
fn an_encounter_missing_what_the_837p_needs_is_held_with_each_field_named() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("unbuildable");
    let mut encounter: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(x12_data().join("encounters/pt-medicare.json")).unwrap(),
    )
    .unwrap();
    encounter["patient"]
        .as_object_mut()
        .unwrap()
        .remove("address");
    encounter["compliance"]["rendering"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let input = dir.join("no-address.json");
    std::fs::write(&input, encounter.to_string()).unwrap();
    let scrubbed = cleanclaim(&["scrub", input.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&scrubbed.stdout);
    assert_eq!(scrubbed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("documentation_hold"), "{stdout}");
    for phrase in [
        "`patient.address` is missing; the 837P carries it in loop 2010BA",
        "`compliance.rendering.name` is missing; the 837P carries it in loop 2310B",
    ] {
        assert!(stdout.contains(phrase), "{stdout}");
    }
    let out = dir.join("never.837");
    let output = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("documentation_hold 1"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn validate_reports_positions_and_exits_by_verdict() {
    let bad = fixture("837p/invalid/bad-entity-code.837");
    let output = cleanclaim(&["x12", "validate", &bad]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("segment 5 (NM1) element 01 at byte 245: `117` is not a valid code here"),
        "{stdout}"
    );
    let good = fixture("837p/bom-crlf-indented.837");
    let output = cleanclaim(&["x12", "validate", &good]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
