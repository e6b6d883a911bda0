#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The interfaces as a user runs them: generated visits written as HL7 DFT messages with their
//! channel files and plans of care, imported, billed and validated; a CSV export imported with
//! its bad rows named; and the error queue worked from the command line.

mod common;

use common::{TestDatabase, cleanclaim, cleanclaim_db, scratch, scratch_dir, text};

#[test]
fn generated_hl7_imports_bills_and_validates() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("hl7-e2e", 'H');
    let (messages, channels, context) = (
        dir.join("visits.hl7"),
        dir.join("channels"),
        dir.join("context"),
    );
    let generated = cleanclaim(&[
        "generate",
        "--encounters",
        "240",
        "--seed",
        "11",
        "--format",
        "hl7",
        "--channels",
        channels.to_str().unwrap(),
        "--context",
        context.to_str().unwrap(),
        "--out",
        messages.to_str().unwrap(),
    ]);
    assert!(generated.status.success(), "{}", text(&generated));
    for clinic in ["north", "south", "east"] {
        assert!(
            cleanclaim_db(&database, &["clinic", "add", clinic, clinic])
                .status
                .success()
        );
    }
    let empty = dir.join("none.json");
    std::fs::write(&empty, "[]").unwrap();
    let plans = cleanclaim_db(
        &database,
        &[
            "ingest",
            "--context",
            context.to_str().unwrap(),
            empty.to_str().unwrap(),
        ],
    );
    assert!(plans.status.success(), "{}", text(&plans));

    let imported = cleanclaim_db(
        &database,
        &[
            "import",
            messages.to_str().unwrap(),
            "--channel",
            channels.to_str().unwrap(),
        ],
    );
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("240 messages: 240 stored, 0 in the error queue"),
        "{}",
        text(&imported)
    );
    // The same file again: every message is a duplicate, nothing is stored twice.
    let again = cleanclaim_db(
        &database,
        &[
            "import",
            messages.to_str().unwrap(),
            "--channel",
            channels.to_str().unwrap(),
        ],
    );
    assert!(
        text(&again).contains("0 stored, 0 in the error queue, 240 already stored"),
        "{}",
        text(&again)
    );

    let out = dir.join("claims.837");
    let claims = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(claims.status.success(), "{}", text(&claims));
    let written: usize = text(&claims)
        .split("wrote ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(written > 20, "{}", text(&claims));
    // The KPIs see every claim as a chain waiting for the payer.
    let kpis = cleanclaim_db(&database, &["kpis", "--format", "json"]);
    assert!(kpis.status.success(), "{}", text(&kpis));
    let kpis: serde_json::Value = serde_json::from_slice(&kpis.stdout).unwrap();
    let sum = |field: &str| {
        kpis["first_pass"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        (sum("chains"), sum("pending")),
        (written as u64, written as u64),
        "{kpis}"
    );
    let valid = cleanclaim(&["x12", "validate", out.to_str().unwrap()]);
    assert!(valid.status.success(), "{}", text(&valid));
    assert!(text(&valid).contains(": valid"), "{}", text(&valid));
}

#[test]
fn the_error_queue_is_listed_and_reprocessed_after_the_channel_is_fixed() {
    let database = TestDatabase::sqlite();
    let dir = scratch_dir("hl7-queue");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../emr/tests/data");
    let channel = std::fs::read_to_string(data.join("north.toml")).unwrap();
    let broken = dir.join("north.toml");
    std::fs::write(&broken, channel.replace("[providers.20]", "[providers.21]")).unwrap();
    assert!(
        cleanclaim_db(&database, &["clinic", "add", "north", "North"])
            .status
            .success()
    );
    let dft = data.join("dft-p03.hl7");
    let imported = cleanclaim_db(
        &database,
        &[
            "import",
            dft.to_str().unwrap(),
            "--channel",
            broken.to_str().unwrap(),
        ],
    );
    assert_eq!(imported.status.code(), Some(1), "{}", text(&imported));
    let errors = cleanclaim_db(&database, &["interface", "errors"]);
    assert_eq!(errors.status.code(), Some(1));
    assert!(
        text(&errors).contains(
            "FT1-20: clinician `20` (FT1-20) is not in channel north-webpt's [providers]"
        ),
        "{}",
        text(&errors)
    );
    std::fs::write(&broken, &channel).unwrap();
    let reprocessed = cleanclaim_db(
        &database,
        &[
            "interface",
            "reprocess",
            "--channel",
            broken.to_str().unwrap(),
        ],
    );
    assert!(reprocessed.status.success(), "{}", text(&reprocessed));
    assert!(
        text(&reprocessed).contains("1 reprocessed: 1 processed"),
        "{}",
        text(&reprocessed)
    );
    let errors = cleanclaim_db(&database, &["interface", "errors"]);
    assert!(
        errors.status.success() && text(&errors).contains("0 messages waiting"),
        "{}",
        text(&errors)
    );
}

#[test]
fn a_csv_export_imports_its_good_visits_and_names_the_bad_rows() {
    let database = TestDatabase::sqlite();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../emr/tests/data");
    assert!(
        cleanclaim_db(&database, &["clinic", "add", "north", "North"])
            .status
            .success()
    );
    let imported = cleanclaim_db(
        &database,
        &[
            "import",
            data.join("export.csv").to_str().unwrap(),
            "--mapping",
            data.join("export-mapping.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(imported.status.code(), Some(1), "{}", text(&imported));
    let out = text(&imported);
    assert!(
        out.contains("line 4, column Min: not a whole number of minutes"),
        "{out}"
    );
    assert!(out.contains("2 visits imported (2 new"), "{out}");
    let queue = cleanclaim_db(&database, &["queue", "list"]);
    assert!(
        text(&queue).contains("V1") && text(&queue).contains("V6"),
        "{}",
        text(&queue)
    );
}

#[test]
fn ingest_refuses_a_device_without_panicking() {
    let database = TestDatabase::sqlite();
    let output = cleanclaim_db(&database, &["ingest", "/dev/null"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(!text(&output).contains("panicked"), "{}", text(&output));
    assert!(
        text(&output).contains("nothing of this intake was stored"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_folder_of_fhir_bundles_imports_each_whole_or_names_what_is_wrong() {
    let database = TestDatabase::sqlite();
    let dir = scratch_dir("fhir-folder");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../emr/tests/data");
    let bundle = std::fs::read_to_string(data.join("bundle.json")).unwrap();
    std::fs::write(dir.join("a-good.json"), &bundle).unwrap();
    std::fs::write(
        dir.join("b-bad.json"),
        bundle.replace("\"birthDate\": \"1951-07-14\"", "\"birthDate\": 1951"),
    )
    .unwrap();
    assert!(
        cleanclaim_db(&database, &["clinic", "add", "north", "North"])
            .status
            .success()
    );
    let imported = cleanclaim_db(&database, &["import", dir.to_str().unwrap()]);
    assert_eq!(imported.status.code(), Some(1), "{}", text(&imported));
    let out = text(&imported);
    assert!(
        out.contains("b-bad.json: Bundle.entry[0].resource.birthDate"),
        "{out}"
    );
    assert!(
        out.contains("2 bundles: 1 stored (1 visits), 1 refused"),
        "{out}"
    );
    let queue = cleanclaim_db(&database, &["queue", "list"]);
    assert!(text(&queue).contains("V-20260309-1001"), "{}", text(&queue));
}
