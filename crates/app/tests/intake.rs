#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! Intake against stored history, on SQLite and PostgreSQL: day by day is the same as one run,
//! a late visit changes the visits after it (with the reason), a corrected record is a new
//! version, a billed visit keeps its result, and queue items follow the results.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cleanclaim_app::intake;
use cleanclaim_billing::{Engine, Queue};
use cleanclaim_model::{Encounter, parse_encounter};
use cleanclaim_scrub::ContextData;
use cleanclaim_store::{Store, SubmittedClaim};
use cleanclaim_synth::Generator;
use cleanclaim_test_support::TestDatabase;

/// Each encounter's latest (queue, findings), as stored.
async fn latest(store: &Store, ids: &[String]) -> BTreeMap<String, (String, String)> {
    store
        .latest_results(ids)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, r)| (id, (r.queue, r.findings)))
        .collect()
}

/// Two SQLite databases: one fed day by day, one fed the whole period.
#[tokio::test]
async fn day_by_day_gives_the_same_results_as_one_run() {
    let (daily_db, whole_db) = (TestDatabase::sqlite(), TestDatabase::sqlite());
    let engine = Engine::builtin().unwrap();
    let context = ContextData::default();
    let encounters: Vec<Encounter> = Generator::new(31).take(600).collect();
    let ids: Vec<String> = encounters.iter().map(|e| e.id.clone()).collect();

    let whole = Store::connect(whole_db.url()).await.unwrap();
    let report = intake(&whole, &engine, &context, &encounters, &[])
        .await
        .unwrap();
    assert_eq!(report.new_encounters, 600);
    assert_eq!(report.changes.len(), 600);

    let daily = Store::connect(daily_db.url()).await.unwrap();
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<Encounter>> = BTreeMap::new();
    for encounter in &encounters {
        by_day
            .entry(encounter.date_of_service)
            .or_default()
            .push(encounter.clone());
    }
    assert!(by_day.len() > 20, "{} days", by_day.len());
    for day in by_day.values() {
        let report = intake(&daily, &engine, &context, day, &[]).await.unwrap();
        // Visits arrive in date order: no earlier result ever changes.
        assert!(
            report.changes.iter().all(|c| c.reason == "new record"),
            "{:?}",
            report.changes
        );
    }
    let (whole, daily) = (latest(&whole, &ids).await, latest(&daily, &ids).await);
    assert_eq!(whole.len(), 600);
    assert_eq!(whole, daily);
    let queues: std::collections::BTreeSet<&str> =
        whole.values().map(|(q, _)| q.as_str()).collect();
    assert!(queues.len() >= 3, "{queues:?}");
}

/// The test PT encounter (a treatment visit) on `date` with id `id`, as JSON to adjust.
fn pt_visit(id: &str, date: &str) -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../x12/tests/data/encounters/pt-medicare.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value["id"] = id.into();
    value["date_of_service"] = date.into();
    value
}

/// The test PT encounter as a treatment visit.
fn treatment(id: &str, date: &str) -> Encounter {
    parse_encounter(&pt_visit(id, date).to_string()).unwrap()
}

/// The test PT encounter as an evaluation.
fn evaluation(id: &str, date: &str) -> Encounter {
    let mut value = pt_visit(id, date);
    value["clinical"]["visit_type"] = "evaluation".into();
    value["clinical"]["tests_and_measures"] =
        serde_json::json!({"performed": true, "measures": [{"name": "TUG", "value": "14 s"}]});
    value["timing"] = serde_json::json!({"lines": [{"code": "97162", "charge_per_unit": 12000}]});
    parse_encounter(&value.to_string()).unwrap()
}

async fn a_late_visit_changes_the_visits_after_it_unless_billed(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let context = ContextData::default();
    let later = evaluation("EVAL-LATER", "2025-03-10");
    let report = intake(&store, &engine, &context, std::slice::from_ref(&later), &[])
        .await
        .unwrap();
    assert_eq!(report.changes[0].queue, Queue::ReadyToBill, "{report:?}");

    // An evaluation dated before it arrives late: the later one is now the second of the
    // episode, and its result says why it changed.
    let early = evaluation("EVAL-EARLY", "2025-03-04");
    let report = intake(&store, &engine, &context, std::slice::from_ref(&early), &[])
        .await
        .unwrap();
    let changed: Vec<(&str, Queue, &str)> = report
        .changes
        .iter()
        .map(|c| (c.encounter_id.as_str(), c.queue, c.reason.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            ("EVAL-EARLY", Queue::ReadyToBill, "new record"),
            (
                "EVAL-LATER",
                Queue::CodingReview,
                "history changed by EVAL-EARLY"
            ),
        ]
    );
    let history = store.results_of("EVAL-LATER").await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(
        history[1]
            .findings
            .contains("coding.evaluation-repeated-in-episode"),
        "{history:?}"
    );
    // Its queue item moved: the ready-to-bill stay ended, a coding review stay began.
    let items = store.queue_history("EVAL-LATER").await.unwrap();
    let stays: Vec<(&str, bool)> = items
        .iter()
        .map(|i| (i.queue.as_str(), i.left_at.is_some()))
        .collect();
    assert_eq!(stays, [("ready_to_bill", true), ("coding_review", false)]);

    // Billed visits keep the result they were billed with.
    store
        .record_submission(
            "CLINIC",
            1,
            &[SubmittedClaim {
                claim_id: "EVAL-EARLY".into(),
                frequency: "1".into(),
                transaction_control: 1,
                total_cents: 12_000,
                line_controls: vec!["EVAL-EARLY-1".into()],
                billing_npi: String::new(),
                billing_tax_id: String::new(),
                resend: false,
            }],
        )
        .await
        .unwrap();
    let earliest = evaluation("EVAL-EARLIEST", "2025-03-03");
    let report = intake(
        &store,
        &engine,
        &context,
        std::slice::from_ref(&earliest),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(report.billed_unchanged, ["EVAL-EARLY"]);
    assert_eq!(store.results_of("EVAL-EARLY").await.unwrap().len(), 1);
}

async fn a_corrected_record_is_a_new_version_and_the_same_record_is_nothing(
    database: TestDatabase,
) {
    let store = Store::connect(database.url()).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let context = ContextData::default();
    let first = evaluation("EVAL-1", "2025-03-10");
    // The sender's text, spaces and all, is kept beside the record as read.
    let as_sent = serde_json::to_string_pretty(&first).unwrap();
    intake(
        &store,
        &engine,
        &context,
        std::slice::from_ref(&first),
        std::slice::from_ref(&as_sent),
    )
    .await
    .unwrap();
    assert_eq!(store.versions_of("EVAL-1").await.unwrap(), [(1, as_sent)]);
    let again = intake(&store, &engine, &context, std::slice::from_ref(&first), &[])
        .await
        .unwrap();
    assert_eq!((again.unchanged, again.changes.len()), (1, 0));

    let mut corrected = first.clone();
    corrected.clinical.diagnoses.clear();
    let report = intake(
        &store,
        &engine,
        &context,
        std::slice::from_ref(&corrected),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(report.corrected, 1);
    assert_eq!(report.changes[0].reason, "corrected record (version 2)");
    assert_eq!(report.changes[0].queue, Queue::DocumentationHold);
    assert_eq!(
        store.latest_versions(&["EVAL-1".to_owned()]).await.unwrap()["EVAL-1"].0,
        2
    );
    let open = store
        .queue_items(Some("documentation_hold"), true)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert!(
        store
            .assign_queue_item(open[0].id, "billing.lead")
            .await
            .unwrap()
    );
    assert_eq!(
        store.queue_history("EVAL-1").await.unwrap()[1]
            .owner
            .as_deref(),
        Some("billing.lead")
    );
}

fn authorization(patient: &str, visits: u32) -> ContextData {
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            &serde_json::json!([{
                "patient_id": patient, "payer_id": "MCR-B", "number": "A1",
                "from": "2025-01-01", "to": "2025-12-31", "disciplines": ["pt"], "visits": visits
            }])
            .to_string(),
        )
        .unwrap();
    context
}

async fn context_records_are_stored_and_a_change_rescrubs_the_patients_visits(
    database: TestDatabase,
) {
    let store = Store::connect(database.url()).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let (first, second) = (
        treatment("TX-1", "2025-03-03"),
        treatment("TX-2", "2025-03-05"),
    );
    let patient = first.patient.id.clone();
    // One visit authorized: the second visit has nothing left.
    let report = intake(
        &store,
        &engine,
        &authorization(&patient, 1),
        &[first.clone(), second.clone()],
        &[],
    )
    .await
    .unwrap();
    let queues: Vec<(&str, Queue)> = report
        .changes
        .iter()
        .map(|c| (c.encounter_id.as_str(), c.queue))
        .collect();
    assert_eq!(
        queues,
        [("TX-1", Queue::ReadyToBill), ("TX-2", Queue::Authorization)],
        "{report:?}"
    );

    // A later intake with no context uses the stored authorization.
    let third = treatment("TX-3", "2025-03-07");
    let report = intake(&store, &engine, &ContextData::default(), &[third], &[])
        .await
        .unwrap();
    assert_eq!(report.changes[0].queue, Queue::Authorization, "{report:?}");

    // The same record again is nothing new; an extension is version 2, and the visits it now
    // covers are scrubbed again, saying which record changed.
    let same = intake(&store, &engine, &authorization(&patient, 1), &[], &[])
        .await
        .unwrap();
    assert!(same.changes.is_empty(), "{same:?}");
    let extended = intake(&store, &engine, &authorization(&patient, 5), &[], &[])
        .await
        .unwrap();
    let changed: Vec<(&str, Queue, &str)> = extended
        .changes
        .iter()
        .map(|c| (c.encounter_id.as_str(), c.queue, c.reason.as_str()))
        .collect();
    let reason = format!("history changed by authorization {patient}/MCR-B/A1 (version 2)");
    assert_eq!(
        changed,
        [
            ("TX-2", Queue::ReadyToBill, reason.as_str()),
            ("TX-3", Queue::ReadyToBill, reason.as_str()),
        ]
    );
    let stored = store.latest_context_of(&[patient]).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|c| (c.kind.as_str(), c.version))
            .collect::<Vec<_>>(),
        [("authorization", 2)]
    );
}

cleanclaim_test_support::on_both_backends!(
    a_late_visit_changes_the_visits_after_it_unless_billed,
    a_corrected_record_is_a_new_version_and_the_same_record_is_nothing,
    context_records_are_stored_and_a_change_rescrubs_the_patients_visits,
);

/// The (encounter, queue, reason) of each result an intake stored.
fn stored_changes(report: &cleanclaim_app::IntakeReport) -> Vec<(String, Queue, String)> {
    report
        .changes
        .iter()
        .map(|c| (c.encounter_id.clone(), c.queue, c.reason.clone()))
        .collect()
}

/// The same intakes with and without a history cache store the same results: days in order,
/// a late day, corrected records, and an intake rolled back after it read (its versions must
/// not be served later: the next intake stores other records under the same version
/// numbers), and corrections written by a process without the cache.
#[tokio::test]
async fn a_history_cache_changes_no_result() {
    let (plain_db, cached_db) = (TestDatabase::sqlite(), TestDatabase::sqlite());
    let engine = Engine::builtin().unwrap();
    let context = ContextData::default();
    let encounters: Vec<Encounter> = Generator::new(47).take(500).collect();
    let ids: Vec<String> = encounters.iter().map(|e| e.id.clone()).collect();
    let mut by_day: Vec<Vec<Encounter>> = Vec::new();
    for encounter in &encounters {
        match by_day.last_mut() {
            Some(day) if day[0].date_of_service == encounter.date_of_service => {
                day.push(encounter.clone());
            }
            _ => by_day.push(vec![encounter.clone()]),
        }
    }
    assert!(by_day.len() > 20, "{} days", by_day.len());
    // The fifth day's notes arrive after the tenth's.
    let late = by_day.remove(4);
    by_day.insert(9, late);
    // Two days later, the first days' visits come back corrected.
    let corrections: Vec<Encounter> = by_day[..2]
        .concat()
        .into_iter()
        .map(|mut encounter| {
            encounter.clinical.diagnoses.clear();
            encounter
        })
        .collect();
    by_day.insert(4, corrections);

    let plain = Store::connect(plain_db.url()).await.unwrap();
    let cached = Store::connect(cached_db.url()).await.unwrap();
    // Kept through the whole test (dropping is the cache's unit test): the first days' visits
    // are still held, at their first versions, when the last intake reads them.
    let mut cache = cleanclaim_app::HistoryCache::new(10_000);

    // Read into the cache's staging and rolled back: the first days' records with their
    // diagnoses cleared, at version 1.
    let mut abandoned = cleanclaim_app::Intake::begin(&cached, &engine)
        .await
        .unwrap()
        .with_cache(&mut cache);
    abandoned
        .add(
            by_day[4]
                .iter()
                .cloned()
                .map(cleanclaim_app::Arrival::new)
                .collect(),
        )
        .await
        .unwrap();
    drop(abandoned);
    assert!(cache.is_empty());

    let corrected_patients: BTreeSet<String> =
        by_day[4].iter().map(|e| e.patient.id.clone()).collect();
    // Each of those patients' last visit, corrected at the end: a correction compares every
    // result of its patient, so a stale record served from the cache would show.
    let last_visits: Vec<Encounter> = corrected_patients
        .iter()
        .filter_map(|patient| encounters.iter().rfind(|e| e.patient.id == *patient))
        .map(|visit| {
            let mut visit = visit.clone();
            visit.clinical.diagnoses.clear();
            visit
        })
        .collect();
    by_day.push(last_visits);

    let mut held_most = 0;
    for (n, day) in by_day.iter().enumerate() {
        let expected = intake(&plain, &engine, &context, day, &[]).await.unwrap();
        let report = if n == 4 {
            // The corrections come through another process, which has no cache: the cache
            // still holds the first versions.
            intake(&cached, &engine, &context, day, &[]).await.unwrap()
        } else {
            cleanclaim_app::intake_with_cache(&cached, &engine, &mut cache, &context, day)
                .await
                .unwrap()
        };
        assert_eq!(stored_changes(&report), stored_changes(&expected));
        assert_eq!(report.corrected, expected.corrected);
        held_most = held_most.max(cache.len());
    }
    assert!(held_most > 0);
    for id in &ids {
        let expected = plain.results_of(id).await.unwrap();
        assert!(!expected.is_empty(), "{id}");
        assert_eq!(cached.results_of(id).await.unwrap(), expected, "{id}");
    }
}
