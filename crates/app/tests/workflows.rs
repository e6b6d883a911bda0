#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The workflows as the CLI and the server call them, each test on an empty database of its
//! own, on SQLite and on PostgreSQL: submitting (delivery before recording), reading and
//! posting an 835 through a sink.

use std::path::{Path, PathBuf};

use cleanclaim_app::{
    Delivery, RemitSink, RemitTally, RemittancePoster, SubmitError, SubmitOptions, intake, prepare,
    prepare_stored, read_remittance, submit,
};
use cleanclaim_billing::Engine;
use cleanclaim_model::{Encounter, parse_encounter};
use cleanclaim_remit::{CategoryMap, ClaimOutcome};
use cleanclaim_scrub::ContextData;
use cleanclaim_store::Store;
use cleanclaim_test_support::TestDatabase;
use cleanclaim_x12::x835::{ClaimPayment, Payment, ProviderAdjustment, TransactionTotals};
use cleanclaim_x12::x837::{BillingProfile, Claim, read_claims};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../x12/tests/data")
}

fn profile() -> BillingProfile {
    toml::from_str(&std::fs::read_to_string(data().join("billing.toml")).unwrap()).unwrap()
}

fn encounters(names: &[&str]) -> Vec<Encounter> {
    names
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(data().join(format!("encounters/{name}.json"))).unwrap();
            parse_encounter(&text).unwrap()
        })
        .collect()
}

fn options() -> SubmitOptions {
    SubmitOptions {
        resubmissions: Vec::new(),
        allow_resend: false,
        all_or_nothing: false,
        line_breaks: false,
        created: chrono::NaiveDate::from_ymd_opt(2025, 3, 12)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    }
}

/// Keeps what it is given; fails on demand.
#[derive(Default)]
struct Kept {
    files: Vec<String>,
    fail: bool,
    withdrawn: usize,
}

impl Delivery for Kept {
    fn deliver(&mut self, text: &str) -> std::io::Result<()> {
        if self.fail {
            return Err(std::io::Error::other("the clearinghouse is down"));
        }
        self.files.push(text.to_owned());
        Ok(())
    }

    fn withdraw(&mut self) {
        self.withdrawn += 1;
        self.files.pop();
    }
}

async fn claims_are_recorded_only_once_delivered(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let batch = encounters(&["pt-medicare", "ot-commercial"]);
    let profile = profile();

    // A delivery that fails records nothing, so the next run still sends originals.
    let prepared = prepare(&engine, ContextData::default(), &batch, &profile).unwrap();
    let mut failing = Kept {
        fail: true,
        ..Kept::default()
    };
    let error = submit(&store, &profile, prepared, &options(), &mut failing)
        .await
        .unwrap_err();
    assert!(matches!(error, SubmitError::Deliver(_)), "{error}");

    let prepared = prepare(&engine, ContextData::default(), &batch, &profile).unwrap();
    let mut kept = Kept::default();
    let report = submit(&store, &profile, prepared, &options(), &mut kept)
        .await
        .unwrap();
    assert_eq!(report.claims.len(), 2);
    assert!(report.already_submitted.is_empty());
    // The failed attempt reserved ISA13 1 and left it unused: a gap, never a repeat.
    assert_eq!(report.interchange, Some(2));
    let written: Vec<String> = read_claims(&kept.files[0])
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(written, ["PT-0001", "OT-0002"]);

    // Sent once, the originals are left out the next time, with the reason.
    let prepared = prepare(&engine, ContextData::default(), &batch, &profile).unwrap();
    let report = submit(&store, &profile, prepared, &options(), &mut kept)
        .await
        .unwrap();
    assert_eq!(report.interchange, None);
    assert_eq!(report.already_submitted.len(), 2);
    assert_eq!(report.unbilled_encounters(), 2);
    assert_eq!(kept.files.len(), 1);
    assert_eq!(kept.withdrawn, 0);
}

fn sorted(claims: impl Iterator<Item = Claim>) -> Vec<Claim> {
    let mut claims: Vec<Claim> = claims.collect();
    claims.sort_by(|a, b| a.id.cmp(&b.id));
    claims
}

/// A stored claims run builds from the lines the stored result keeps; a result kept under
/// another pack version, or without the lines, is scrubbed again, to the same claims.
async fn stored_claims_come_from_the_kept_lines(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let batch = encounters(&[
        "pt-medicare",
        "ot-commercial",
        "assistant-medicare",
        "telehealth-commercial",
    ]);
    let profile = profile();
    let scrubbed = prepare(&engine, ContextData::default(), &batch, &profile).unwrap();
    let expected = sorted(scrubbed.claims().cloned());
    assert_eq!(expected.len(), 4);
    intake(&store, &engine, &ContextData::default(), &batch, &[])
        .await
        .unwrap();
    let stored_run = || async {
        let prepared = prepare_stored(&store, &engine, &profile).await.unwrap();
        sorted(prepared.claims().cloned())
    };
    assert_eq!(stored_run().await, expected);

    // The kept lines are what the claim is built from: changed in the store, the claim says so.
    let moved = database.change(
        "UPDATE scrub_results SET claim_basis = REPLACE(claim_basis, '\"pos\":\"11\"', '\"pos\":\"22\"')
         WHERE claim_basis LIKE '%\"pos\":\"11\"%'",
    );
    assert!(moved > 0);
    let from_kept = stored_run().await;
    let at_22 = from_kept
        .iter()
        .filter(|c| c.place_of_service.as_str() == "22")
        .count();
    assert_eq!(at_22, usize::try_from(moved).unwrap());

    // A result made under another version of the pack has its patient scrubbed again: every
    // visit of the patient is then billed from that scrub, once.
    let retired = database
        .change("UPDATE scrub_results SET pack_version = 'retired' WHERE encounter_id = 'PT-0001'");
    assert_eq!(retired, 1);
    assert_eq!(stored_run().await, expected);
    // As are results stored before the lines were kept.
    database.change("UPDATE scrub_results SET claim_basis = NULL");
    assert_eq!(stored_run().await, expected);

    // Billed, the visits leave the ids the claims runs read, and the next run bills nothing.
    let unbilled = "SELECT COUNT(*) FROM unbilled_encounters";
    assert_eq!(database.count(unbilled), 4);
    let prepared = prepare_stored(&store, &engine, &profile).await.unwrap();
    submit(&store, &profile, prepared, &options(), &mut Kept::default())
        .await
        .unwrap();
    assert_eq!(database.count(unbilled), 0);
    assert!(stored_run().await.is_empty());
}

/// Collects what the reader hands over.
#[derive(Default)]
struct Seen {
    items: Vec<String>,
}

impl RemitSink for Seen {
    fn payment(
        &mut self,
        payment: &Payment,
        already_posted: Option<chrono::DateTime<chrono::Utc>>,
    ) -> std::io::Result<()> {
        self.items.push(format!(
            "payment {}{}",
            payment.trace_number,
            if already_posted.is_some() {
                " again"
            } else {
                ""
            }
        ));
        Ok(())
    }

    fn claim(&mut self, claim: &ClaimPayment, outcome: &ClaimOutcome<'_>) -> std::io::Result<()> {
        self.items.push(format!(
            "claim {} {}",
            claim.patient_control_number,
            outcome.cause.map_or("-", |c| c.name())
        ));
        Ok(())
    }

    fn provider_adjustment(&mut self, adjustment: &ProviderAdjustment) -> std::io::Result<()> {
        self.items.push(format!("plb {}", adjustment.reason));
        Ok(())
    }

    fn end(&mut self, totals: &TransactionTotals) -> std::io::Result<()> {
        self.items.push(format!("end {}", totals.claims));
        Ok(())
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data().join("fixtures/835").join(name)).unwrap()
}

async fn a_remittance_streams_to_the_sink_and_posts_once(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let map = CategoryMap::builtin().unwrap();
    let bytes = fixture("paid-and-denied.835");

    let mut seen = Seen::default();
    let mut tally = RemitTally::default();
    let poster = RemittancePoster::begin(&store).await.unwrap();
    let result = read_remittance(bytes.as_slice(), &map, Some(poster), &mut seen, &mut tally)
        .await
        .unwrap();
    assert_eq!(
        seen.items,
        [
            "payment EFT20250415A",
            "claim PT-0001 -",
            "claim OT-0002 authorization",
            "claim SLP-0003 documentation",
            "plb L6",
            "end 3"
        ]
    );
    // None of these claims was submitted in this empty database.
    let counts = result.posting.unwrap();
    assert_eq!((counts.posted, counts.unmatched_claims), (3, 3));
    assert_eq!((tally.denied, tally.partly_denied), (1, 1));
    assert!(tally.has_findings());

    // The same payment again is reported and skipped.
    let mut seen = Seen::default();
    let poster = RemittancePoster::begin(&store).await.unwrap();
    let result = read_remittance(bytes.as_slice(), &map, Some(poster), &mut seen, &mut tally)
        .await
        .unwrap();
    assert_eq!(seen.items[0], "payment EFT20250415A again");
    assert_eq!(result.posting.unwrap().posted, 0);
    assert_eq!(tally.duplicates, 1);
}

async fn a_remittance_cut_short_posts_nothing(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let map = CategoryMap::builtin().unwrap();
    let bytes = fixture("paid-and-denied.835");
    let cut = &bytes[..bytes.len() - 40];

    let poster = RemittancePoster::begin(&store).await.unwrap();
    let mut tally = RemitTally::default();
    let error = read_remittance(cut, &map, Some(poster), &mut Seen::default(), &mut tally).await;
    assert!(error.is_err());
    // Nothing stayed: the whole file posts afterwards as new.
    let poster = RemittancePoster::begin(&store).await.unwrap();
    let mut tally = RemitTally::default();
    let result = read_remittance(
        bytes.as_slice(),
        &map,
        Some(poster),
        &mut Seen::default(),
        &mut tally,
    )
    .await
    .unwrap();
    assert_eq!(result.posting.unwrap().posted, 3);
    assert_eq!(tally.duplicates, 0);
}

cleanclaim_test_support::on_both_backends!(
    claims_are_recorded_only_once_delivered,
    a_remittance_streams_to_the_sink_and_posts_once,
    a_remittance_cut_short_posts_nothing,
    stored_claims_come_from_the_kept_lines,
);
