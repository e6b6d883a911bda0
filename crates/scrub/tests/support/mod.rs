//! Test support: the repository's test data, JSON merge patches over a base encounter, and
//! running the scrubber on a case.

#![allow(dead_code, reason = "each test binary uses part of the support module")]

use std::path::{Path, PathBuf};

use cleanclaim_billing::pack::BUILTIN_PACKS;
use cleanclaim_billing::{Engine, RulePacks};
use cleanclaim_model::Encounter;
use cleanclaim_scrub::{ContextData, ScrubOptions, Scrubber};
use serde::Deserialize;
use serde_json::Value;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// The rule case files, sorted.
pub fn rule_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir().join("rules"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub rule: String,
    pub trips: Spec,
    pub passes: Spec,
}

/// One scenario: earlier encounters, context records and the encounter under test, each a
/// JSON merge patch (RFC 7386) over tests/data/base-encounter.json.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub encounter: Value,
    #[serde(default)]
    pub history: Vec<Value>,
    #[serde(default)]
    pub context: serde_json::Map<String, Value>,
    /// `"packs"`: add the test packs of tests/data/packs.
    #[serde(default)]
    pub rules: Option<String>,
    /// The date timely filing is judged as of (`ScrubOptions::as_of`).
    #[serde(default)]
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn load_case(path: &Path) -> Case {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

pub fn base_encounter() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data_dir().join("base-encounter.json")).unwrap())
        .unwrap()
}

/// RFC 7386: objects merge, `null` deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

pub fn encounter_from(patch: &Value) -> Encounter {
    let mut value = base_encounter();
    merge_patch(&mut value, patch);
    cleanclaim_model::parse_encounter(&value.to_string())
        .unwrap_or_else(|err| panic!("{err}: {value}"))
}

pub fn engine_for(test_packs: bool) -> Engine {
    let engine = Engine::builtin().unwrap();
    if !test_packs {
        return engine;
    }
    let files: Vec<(String, String)> = std::fs::read_dir(data_dir().join("packs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    let user: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let packs = RulePacks::load(&BUILTIN_PACKS, &user, engine.diagnoses()).unwrap();
    engine.with_packs(packs)
}

pub fn context_from(map: &serde_json::Map<String, Value>) -> ContextData {
    let mut context = ContextData::default();
    for (file, records) in map {
        context.add_file(file, &records.to_string()).unwrap();
    }
    context
}

/// Scrubs a case's history and encounter; returns the encounter's findings as (rule id,
/// severity, queue) plus the queue last.
pub fn scrub_case(spec: &Spec) -> Vec<(String, String, String)> {
    let engine = engine_for(spec.rules.is_some());
    let mut encounters: Vec<Encounter> = spec.history.iter().map(encounter_from).collect();
    let target = encounter_from(&spec.encounter);
    let target_id = target.id.clone();
    encounters.push(target);
    let mut scrubber = Scrubber::new(
        &engine,
        context_from(&spec.context),
        ScrubOptions {
            as_of: spec.as_of,
            ..ScrubOptions::default()
        },
    );
    let results = scrubber.scrub_batch(&encounters);
    let result = results
        .iter()
        .find(|r| r.encounter_id == target_id)
        .unwrap();
    let mut found: Vec<(String, String, String)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.id.to_string(),
                f.severity.name().to_owned(),
                f.message.clone(),
            )
        })
        .collect();
    found.push((
        "(queue)".to_owned(),
        result.queue.name().to_owned(),
        String::new(),
    ));
    found
}
