//! Builds encounters for the tests from small JSON fragments over one complete base encounter.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use cleanclaim_billing::{BilledLine, Derivation, Engine, Selection};
use cleanclaim_model::{Encounter, parse_encounter};
use serde_json::{Value, json};

/// A complete, clean PT treatment encounter for Medicare Part B.
pub fn base() -> Value {
    json!({
        "id": "ENC-1",
        "date_of_service": "2024-05-06",
        "discipline": "pt",
        "patient": {"id": "MRN1", "name": {"family": "Doe", "given": "Jane"}, "birth_date": "1950-02-03", "sex": "female"},
        "clinical": {"diagnoses": ["M54.50"], "visit_type": "treatment"},
        "timing": {"lines": [{"code": "97110", "minutes": 30}]},
        "administrative": {
            "payer": {"id": "MCR", "name": "Medicare", "plan": "medicare_part_b"},
            "member_id": "1EG4TE5MK73",
            "place_of_service": "11"
        },
        "compliance": {
            "rendering": {"npi": "1234567893", "role": "pt"},
            "plan_of_care": {"discipline": "pt", "certification_start": "2024-04-01", "certification_end": "2024-06-29", "signed_on": "2024-04-03"}
        }
    })
}

/// The base encounter with its lines replaced and `edit` applied.
pub fn encounter_with(lines: Value, edit: impl FnOnce(&mut Value)) -> Encounter {
    let mut value = base();
    value["timing"]["lines"] = lines;
    edit(&mut value);
    parse_encounter(&value.to_string()).expect("test encounter must parse")
}

/// Lines from `(code, minutes)` pairs.
pub fn lines(entries: &[(&str, u32)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|(code, minutes)| json!({"code": code, "minutes": minutes}))
            .collect(),
    )
}

pub fn engine() -> Engine {
    Engine::builtin().expect("builtin data loads")
}

pub fn derive<'e>(engine: &'e Engine, encounter: &Encounter) -> Derivation<'e> {
    engine.derive(encounter, Selection::default())
}

/// Units billed per code, split lines added together, in code order.
pub fn units_by_code(lines: &[BilledLine]) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some((code, units)) if *code == line.code.as_str() => *units += line.units,
            _ => out.push((line.code.to_string(), line.units)),
        }
    }
    out
}

/// `code[-MOD...]xUNITS` for each billed line, e.g. `97110-GP-CQx1`.
pub fn claim_lines(lines: &[BilledLine]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let mut text = line.code.to_string();
            for modifier in line.modifier_codes() {
                text.push('-');
                text.push_str(modifier.as_str());
            }
            format!("{text}x{}", line.units)
        })
        .collect()
}

/// The rule ids of the findings.
pub fn finding_ids(derivation: &Derivation<'_>) -> Vec<&'static str> {
    derivation.findings.iter().map(|f| &*f.rule.id).collect()
}
