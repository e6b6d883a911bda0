#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The batch golden test: 70 synthetic encounters (6 patients; Medicare Part B, Medicaid and
//! commercial plans; PT and SLP; documentation defects) with an authorization ledger and prior usage, scrubbed as one batch. The expected
//! queue and rules of every encounter are in tests/data/golden/batch-queues.txt; after a
//! reviewed change, rewrite it with `UPDATE_GOLDEN=1 cargo test -p cleanclaim-scrub --test golden`.

mod support;

use cleanclaim_model::Encounter;
use cleanclaim_scrub::{ContextData, ScrubOptions, ScrubResult, Scrubber};
use support::{data_dir, engine_for};

fn batch() -> Vec<Encounter> {
    let text = std::fs::read_to_string(data_dir().join("golden/batch.ndjson")).unwrap();
    cleanclaim_model::parse_records(&text)
        .into_iter()
        .map(|record| record.result.unwrap())
        .collect()
}

fn context() -> ContextData {
    let mut context = ContextData::default();
    for name in ["authorizations.json", "prior_usage.json"] {
        let text = std::fs::read_to_string(data_dir().join("golden/context").join(name)).unwrap();
        context.add_file(name, &text).unwrap();
    }
    context
}

fn render(results: &[ScrubResult<'_>]) -> String {
    results
        .iter()
        .map(|result| {
            let rules: Vec<String> = result
                .findings
                .iter()
                .map(|f| format!("{}:{}", f.severity.name(), f.rule.id))
                .collect();
            format!(
                "{} {} {}\n",
                result.encounter_id,
                result.queue.name(),
                if rules.is_empty() {
                    "-".to_owned()
                } else {
                    rules.join(",")
                }
            )
        })
        .collect()
}

#[test]
fn the_batch_lands_in_the_expected_queues() {
    let engine = engine_for(false);
    let encounters = batch();
    assert!(encounters.len() >= 50);
    let mut scrubber = Scrubber::new(&engine, context(), ScrubOptions::default());
    let actual = render(&scrubber.scrub_batch(&encounters));
    let path = data_dir().join("golden/batch-queues.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        actual, expected,
        "run with UPDATE_GOLDEN=1 after reviewing the change"
    );
    for queue in [
        "documentation_hold",
        "authorization",
        "coding_review",
        "ready_to_bill",
    ] {
        assert!(expected.contains(queue), "the batch should reach {queue}");
    }
}

#[test]
fn scrubbing_is_deterministic_and_independent_of_input_order() {
    let engine = engine_for(false);
    let encounters = batch();
    let first = render(
        &Scrubber::new(&engine, context(), ScrubOptions::default()).scrub_batch(&encounters),
    );
    let mut reversed = encounters.clone();
    reversed.reverse();
    let results = Scrubber::new(&engine, context(), ScrubOptions::default()).scrub_batch(&reversed);
    let mut lines: Vec<&str> = first.lines().collect();
    let again = render(&results);
    let mut lines_again: Vec<&str> = again.lines().collect();
    lines.sort_unstable();
    lines_again.sort_unstable();
    assert_eq!(lines, lines_again);
}

#[test]
fn a_fixed_encounter_moves_to_ready_to_bill_when_scrubbed_again() {
    let engine = engine_for(false);
    let mut held = support::encounter_from(&serde_json::json!({"clinical": {"diagnoses": []}}));
    let mut scrubber = Scrubber::new(&engine, ContextData::default(), ScrubOptions::default());
    let first = scrubber.scrub(&held);
    assert_eq!(first.queue.name(), "documentation_hold");
    held.clinical.diagnoses = vec!["M17.11".parse().unwrap()];
    // The same encounter id again: judged afresh, never counted twice in the history.
    let second = scrubber.scrub(&held);
    assert_eq!(
        second.queue.name(),
        "ready_to_bill",
        "{:?}",
        second.findings
    );
    let third = scrubber.scrub(&held);
    assert_eq!(render(&[second]), render(&[third]));
}
