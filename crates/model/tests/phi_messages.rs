#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! No error message repeats a value from the input: every field of the example encounters is
//! replaced in turn by a canary (as a string, as a number where a string belongs, as an unknown
//! key beside it, as an array element), and every message the parser gives is searched for it.

use cleanclaim_model::parse_encounter;
use cleanclaim_test_support::{json_at, json_paths};
use serde_json::Value;

const CANARY: &str = "CANARY Rivera`\"ZQ";
const CANARY_MARK: &str = "CANARY";

#[test]
fn no_error_message_repeats_an_input_value() {
    let examples: Vec<Value> =
        serde_json::from_str(include_str!("../../../examples/encounters.json")).unwrap();
    let mut rejected = 0;
    for example in &examples {
        for path in json_paths(example) {
            for mutation in 0..4 {
                let mut changed = example.clone();
                let target = json_at(&mut changed, &path);
                match mutation {
                    0 => *target = Value::String(CANARY.to_owned()),
                    1 => *target = serde_json::json!({ CANARY: CANARY }),
                    2 => *target = serde_json::json!([CANARY]),
                    _ => {
                        if let Value::Object(map) = target {
                            map.insert(CANARY.to_owned(), Value::String(CANARY.to_owned()));
                        }
                    }
                }
                let text = changed.to_string();
                if let Err(error) = parse_encounter(&text) {
                    rejected += 1;
                    let message = error.to_string();
                    assert!(
                        !message.contains(CANARY_MARK) && !message.contains("Rivera"),
                        "at /{}: {message}",
                        path.join("/")
                    );
                }
            }
        }
    }
    assert!(rejected > 500, "only {rejected} mutations were rejected");
}
