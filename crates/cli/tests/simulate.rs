#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The revenue cycle with the payer simulator, as a user runs it: generated visits billed, the
//! payer's 999, 277CA and 835 written by `simulate payer`, posted back, and every submitted
//! claim linked to its payment or denial and to its acknowledgment.

mod common;

use common::{TestDatabase, cleanclaim, cleanclaim_db, scratch, text};

#[test]
fn the_simulated_payer_answers_every_claim_and_the_answers_post_back() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("simulate", 'S');
    let visits = dir.join("visits.ndjson");
    assert!(
        cleanclaim(&[
            "generate",
            "--encounters",
            "400",
            "--seed",
            "11",
            "--out",
            visits.to_str().unwrap()
        ])
        .status
        .success()
    );
    let claims = dir.join("claims.837");
    let billed = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            claims.to_str().unwrap(),
            visits.to_str().unwrap(),
        ],
    );
    assert!(
        billed.status.code().is_some_and(|c| c <= 1),
        "{}",
        text(&billed)
    );
    let answers = dir.join("payer");
    let simulated = cleanclaim(&[
        "simulate",
        "payer",
        "--in",
        claims.to_str().unwrap(),
        "--out",
        answers.to_str().unwrap(),
        "--date",
        "2025-12-31",
    ]);
    assert!(simulated.status.success(), "{}", text(&simulated));
    let (ack_999, ack_277, remit) = (
        answers.join("claims.999"),
        answers.join("claims.277"),
        answers.join("claims.835"),
    );
    let valid = cleanclaim(&[
        "x12",
        "validate",
        ack_999.to_str().unwrap(),
        ack_277.to_str().unwrap(),
        remit.to_str().unwrap(),
    ]);
    assert!(valid.status.success(), "{}", text(&valid));

    let posted = cleanclaim_db(&database, &["remit", remit.to_str().unwrap(), "--post"]);
    assert!(
        posted.status.code().is_some_and(|c| c <= 1),
        "{}",
        text(&posted)
    );
    for ack in [&ack_999, &ack_277] {
        let recorded = cleanclaim_db(&database, &["ack", ack.to_str().unwrap(), "--post"]);
        assert!(
            recorded.status.code().is_some_and(|c| c <= 1),
            "{}",
            text(&recorded)
        );
    }
    let submitted = database.count("SELECT COUNT(DISTINCT claim_id) FROM submitted_claims");
    assert!(submitted > 50, "{submitted} claims");
    // Every claim the 277CA accepted is on the 835, linked to what we submitted.
    let rejected = database.count(
        "SELECT COUNT(*) FROM claim_acknowledgments WHERE source = '277CA' AND NOT accepted",
    );
    assert_eq!(
        database.count("SELECT COUNT(*) FROM remittance_claims WHERE NOT matched"),
        0
    );
    assert_eq!(
        database.count("SELECT COUNT(DISTINCT claim_id) FROM remittance_claims"),
        submitted - rejected
    );
    assert_eq!(
        database.count(
            "SELECT COUNT(DISTINCT claim_id) FROM claim_acknowledgments WHERE source = '277CA'"
        ),
        submitted
    );
    // The payer denies for reasons the denial analysis can find.
    assert!(database.count("SELECT COUNT(*) FROM remittance_claims WHERE denied") > 0);
    assert!(database.count("SELECT COUNT(*) FROM remittance_claims WHERE paid_cents > 0") > 0);

    // The same file again: the payer remembers, every original is now a duplicate (CO-18).
    let again = cleanclaim(&[
        "simulate",
        "payer",
        "--in",
        claims.to_str().unwrap(),
        "--out",
        answers.to_str().unwrap(),
        "--date",
        "2025-12-31",
    ]);
    assert!(again.status.success(), "{}", text(&again));
    let second = std::fs::read_to_string(&remit).unwrap();
    let cas: Vec<&str> = second
        .split('~')
        .filter(|s| s.starts_with("CAS*"))
        .collect();
    assert!(
        !cas.is_empty() && cas.iter().all(|c| c.starts_with("CAS*CO*18*")),
        "{:?}",
        &cas[..cas.len().min(5)]
    );
}
