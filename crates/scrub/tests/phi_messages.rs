#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! No error about a context file repeats a value from it: every field of an authorization, a
//! plan of care and a prior-usage record is replaced in turn by a canary, and every message is
//! searched for it.

use cleanclaim_scrub::ContextData;
use cleanclaim_test_support::{json_at, json_paths};
use serde_json::{Value, json};

const CANARY: &str = "CANARY Rivera`\"ZQ";

#[test]
fn no_context_error_repeats_an_input_value() {
    let files = [
        (
            "authorizations.json",
            json!([{
                "patient_id": "MRN1", "payer_id": "MCD01", "number": "A-1",
                "from": "2025-02-17", "to": "2025-04-15", "disciplines": ["pt", "ot"],
                "visits": 12, "units": 40, "used_visits": 1, "used_units": 2,
                "status": "extension_requested"
            }]),
        ),
        (
            "plans_of_care.json",
            json!([{
                "patient_id": "MRN1",
                "plan_of_care": {
                    "discipline": "pt", "certification_start": "2025-02-17",
                    "certification_end": "2025-04-15", "signed_on": "2025-02-20",
                    "signer_npi": "1234567893",
                    "frequency": {"visits_per_week": 2, "weeks": 8}
                },
                "episode_start": "2025-02-17"
            }]),
        ),
        (
            "prior_usage.json",
            json!([{
                "patient_id": "MRN1", "payer_id": "MCD01", "year": 2025,
                "discipline": "pt", "visits": 3, "charges": 45000
            }]),
        ),
    ];
    let mut rejected = 0;
    for (file, records) in &files {
        let mut context = ContextData::default();
        context.add_file(file, &records.to_string()).unwrap();
        for path in json_paths(records) {
            for mutation in 0..3 {
                let mut changed = records.clone();
                let target = json_at(&mut changed, &path);
                match mutation {
                    0 => *target = Value::String(CANARY.to_owned()),
                    1 => *target = json!([CANARY]),
                    _ => {
                        if let Value::Object(map) = target {
                            map.insert(CANARY.to_owned(), json!(1));
                        } else {
                            *target = json!({ CANARY: CANARY });
                        }
                    }
                }
                let mut context = ContextData::default();
                if let Err(error) = context.add_file(file, &changed.to_string()) {
                    rejected += 1;
                    let message = error.to_string();
                    assert!(
                        !message.contains("CANARY") && !message.contains("Rivera"),
                        "{file} at /{}: {message}",
                        path.join("/")
                    );
                }
            }
        }
    }
    assert!(rejected > 40, "only {rejected} mutations were rejected");
}
