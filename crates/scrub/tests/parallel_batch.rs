//! A batch large enough to be split among cores gives what scrubbing it one visit at a time
//! gives: the same results, and the same history left behind. The split needs two cores (as
//! CI's machines have); on one, both sides run the one-thread path, and the cut itself is
//! tested with given core counts beside `patient_parts`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use cleanclaim_billing::Engine;
use cleanclaim_model::Encounter;
use cleanclaim_scrub::{ContextData, ScrubOptions, Scrubber};

/// Above the scrubber's threshold for splitting a batch.
const VISITS: usize = 5_000;

fn with_authorizations(encounters: &[Encounter]) -> ContextData {
    let patients: std::collections::BTreeMap<&str, &str> = encounters
        .iter()
        .map(|e| (e.patient.id.as_str(), e.administrative.payer.id.as_str()))
        .collect();
    // Few visits each, so the draw-down runs out and the holds depend on each patient's order.
    let ledger: Vec<serde_json::Value> = patients
        .iter()
        .map(|(patient, payer)| {
            serde_json::json!({
                "patient_id": patient, "payer_id": payer, "number": format!("AUTH-{patient}"),
                "from": "2019-01-01", "to": "2030-12-31", "disciplines": ["pt", "ot", "slp"],
                "visits": 6
            })
        })
        .collect();
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            &serde_json::Value::from(ledger).to_string(),
        )
        .unwrap();
    context
}

#[test]
fn a_split_batch_scrubs_as_one_visit_at_a_time() {
    let engine = Engine::builtin().unwrap();
    let mut encounters: Vec<Encounter> =
        cleanclaim_synth::Generator::new(11).take(VISITS).collect();
    for encounter in &mut encounters {
        encounter.administrative.authorization = Some(format!("AUTH-{}", encounter.patient.id));
    }
    // Interleaved patients, as an intake's batch arrives.
    encounters.reverse();
    let context = with_authorizations(&encounters);

    let mut split = Scrubber::new(&engine, context.clone(), ScrubOptions::default());
    let batch = split.scrub_batch(&encounters);

    let mut one_by_one = Scrubber::new(&engine, context, ScrubOptions::default());
    for encounter in &encounters {
        one_by_one.expect(encounter);
    }
    let mut order: Vec<&Encounter> = encounters.iter().collect();
    order.sort_by(|a, b| {
        (&a.patient.id, a.date_of_service, a.discipline, &a.id).cmp(&(
            &b.patient.id,
            b.date_of_service,
            b.discipline,
            &b.id,
        ))
    });
    let mut expected = std::collections::HashMap::new();
    for encounter in order {
        let result = one_by_one.scrub(encounter);
        expected.insert(encounter.id.clone(), format!("{result:?}"));
    }

    assert_eq!(batch.len(), encounters.len());
    let mut held = 0;
    for (encounter, result) in encounters.iter().zip(&batch) {
        assert_eq!(result.encounter_id, encounter.id, "results in input order");
        assert_eq!(
            Some(&format!("{result:?}")),
            expected.get(&encounter.id),
            "{}",
            encounter.id
        );
        held += usize::from(
            result
                .authorization
                .as_ref()
                .is_some_and(|a| Some(a.visits_used) >= a.visits_allowed),
        );
    }
    assert!(
        held > 0,
        "some authorizations were used up, so order mattered"
    );
    assert_eq!(split.ledger(), one_by_one.ledger());
    assert_eq!(split.usage_records(), one_by_one.usage_records());
}
