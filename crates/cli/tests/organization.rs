#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! `generate org` as a user runs it: the organization's visits in every format imported the way
//! each interface reads it, billed and validated; and `cleanclaim demo --no-serve` printing its
//! before/after figures.

mod common;

use common::{TestDatabase, cleanclaim, cleanclaim_db, scratch, scratch_dir, text};

#[test]
fn an_organization_is_written_in_every_format_and_each_imports() {
    let (dir, profile, _) = scratch("org", 'O');
    let org = dir.join("org");
    let generated = cleanclaim(&[
        "generate",
        "org",
        "--clinics",
        "2",
        "--months",
        "1",
        "--visits-per-clinic-day",
        "6",
        "--start",
        "2026-03-01",
        "--seed",
        "3",
        "--out",
        org.to_str().unwrap(),
    ]);
    assert!(generated.status.success(), "{}", text(&generated));
    let visits = std::fs::read_to_string(org.join("encounters.ndjson"))
        .unwrap()
        .lines()
        .count();
    assert!(visits > 150, "{visits}");
    let organization: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(org.join("organization.json")).unwrap())
            .unwrap();
    let clinics: Vec<&str> = organization["clinics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(clinics, ["riverside", "oakwood"]);
    // A second run into the same folder refuses instead of mixing two organizations.
    let again = cleanclaim(&["generate", "org", "--out", org.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again).contains("is not empty"));

    let path = |p: &str| org.join(p).to_str().unwrap().to_owned();
    let with_clinics = || {
        let database = TestDatabase::sqlite();
        for clinic in &clinics {
            assert!(
                cleanclaim_db(&database, &["clinic", "add", clinic, clinic])
                    .status
                    .success()
            );
        }
        database
    };
    let stored = |database: &TestDatabase| {
        database.count("SELECT COUNT(DISTINCT encounter_id) FROM encounters") as usize
    };

    // Native JSON with its context, billed and validated.
    let native = with_clinics();
    let ingest = cleanclaim_db(
        &native,
        &[
            "ingest",
            "--context",
            &path("context"),
            &path("encounters.ndjson"),
        ],
    );
    assert!(
        ingest.status.success() || ingest.status.code() == Some(1),
        "{}",
        text(&ingest)
    );
    assert_eq!(stored(&native), visits);
    let out = dir.join("claims.837");
    let claims = cleanclaim_db(
        &native,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(claims.status.success(), "{}", text(&claims));
    let valid = cleanclaim(&["x12", "validate", out.to_str().unwrap()]);
    assert!(text(&valid).contains(": valid"), "{}", text(&valid));
    // The defects the organization wrote are held by the scrubber, not billed.
    let defects = std::fs::read_to_string(org.join("defects.csv")).unwrap();
    let missing_minutes: Vec<&str> = defects
        .lines()
        .filter(|l| l.ends_with(",missing_minutes"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(!missing_minutes.is_empty());
    let claims_text = std::fs::read_to_string(&out).unwrap();
    for id in &missing_minutes {
        assert!(
            !claims_text.contains(&format!("CLM*{id}*")),
            "{id} was billed"
        );
    }

    // HL7 DFT messages with their channel files (plans of care from the context).
    let hl7 = with_clinics();
    let imported = cleanclaim_db(
        &hl7,
        &[
            "import",
            &path("hl7/visits.hl7"),
            "--channel",
            &path("hl7/channels"),
        ],
    );
    assert!(
        text(&imported).contains(&format!(
            "{visits} messages: {visits} stored, 0 in the error queue"
        )),
        "{}",
        text(&imported)
    );
    assert_eq!(stored(&hl7), visits);

    // The CSV export, and the FHIR bundles day by day.
    let csv = with_clinics();
    let imported = cleanclaim_db(&csv, &["import", &path("csv/visits.csv")]);
    assert!(
        text(&imported).contains(&format!("{visits} visits imported ({visits} new")),
        "{}",
        text(&imported)
    );
    let fhir = with_clinics();
    let mut days: Vec<_> = std::fs::read_dir(org.join("fhir"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    days.sort();
    assert_eq!(
        days.len(),
        2 * 22,
        "a bundle per clinic and working day of March 2026"
    );
    for day in &days {
        let imported = cleanclaim_db(&fhir, &["import", day.to_str().unwrap()]);
        assert!(
            text(&imported).contains("1 bundles: 1 stored"),
            "{}",
            text(&imported)
        );
    }
    assert_eq!(stored(&fhir), visits);
}

#[test]
fn the_demo_prints_its_before_and_after_figures() {
    let dir = scratch_dir("demo");
    let run = cleanclaim(&[
        "demo",
        "--clinics",
        "2",
        "--months",
        "2",
        "--visits-per-clinic-day",
        "4",
        "--start",
        "2026-01-01",
        "--dir",
        dir.to_str().unwrap(),
        "--keep-files",
        "--no-serve",
    ]);
    assert!(run.status.success(), "{}", text(&run));
    let out = text(&run);
    for figure in [
        "first-pass clean claim rate",
        "denials per 100 visits",
        "days in A/R",
        "denied dollars not recovered",
    ] {
        assert!(out.contains(figure), "{out}");
    }
    assert!(
        out.contains("baseline 2026-01-01") && out.contains("worked 2026-02-01"),
        "{out}"
    );
    let files: Vec<_> = std::fs::read_dir(dir.join("x12")).unwrap().collect();
    assert!(files.len() >= 4 * 8, "{} files", files.len());
    // The database is kept and never overwritten by a second run.
    let again = cleanclaim(&["demo", "--dir", dir.to_str().unwrap(), "--no-serve"]);
    assert!(
        !again.status.success() && text(&again).contains("exists"),
        "{}",
        text(&again)
    );
}

/// A generated month with its schedule: `generate org` books every visit in
/// context/schedule.json. The schedule check run before the month lists appointments, and
/// each one it lists is held for authorization or benefits once documented (nothing having
/// changed in between); every visit held for them was listed, so the front desk saw it
/// coming.
#[test]
fn a_generated_months_schedule_check_foresees_its_authorization_holds() {
    let dir = scratch_dir("org-schedule");
    let org = dir.join("org");
    let generated = cleanclaim(&[
        "generate",
        "org",
        "--clinics",
        "2",
        "--months",
        "1",
        "--visits-per-clinic-day",
        "6",
        "--start",
        "2026-03-01",
        "--seed",
        "3",
        "--out",
        org.to_str().unwrap(),
    ]);
    assert!(generated.status.success(), "{}", text(&generated));
    let context = org.join("context");
    let checked = cleanclaim(&[
        "schedule",
        "check",
        "--format",
        "json",
        "--context",
        context.to_str().unwrap(),
    ]);
    assert_eq!(checked.status.code(), Some(1), "{}", text(&checked));
    let listed: std::collections::BTreeSet<String> = String::from_utf8_lossy(&checked.stdout)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["appointment_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(!listed.is_empty());

    let scrubbed = cleanclaim(&[
        "scrub",
        "--format",
        "json",
        "-q",
        "--context",
        context.to_str().unwrap(),
        org.join("encounters.ndjson").to_str().unwrap(),
    ]);
    let mut held_for_authorization = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(&scrubbed.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(id) = value["encounter_id"].as_str() else {
            continue;
        };
        let authorization_rule = value["findings"].as_array().unwrap().iter().any(|f| {
            let rule = f["rule"].as_str().unwrap();
            f["severity"] == "hold" && (rule.starts_with("auth.") || rule.starts_with("benefit."))
        });
        // Held for it, though another hold may pick the visit's queue first.
        if value["queue"] != "ready_to_bill" && authorization_rule {
            held_for_authorization.insert(id.to_owned());
        }
    }
    assert_eq!(listed, held_for_authorization);
    std::fs::remove_dir_all(&dir).unwrap();
}
