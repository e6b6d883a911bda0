#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! One encounter that trips each rule and one that does not, from the data files in
//! `tests/data/rules/` (one file per rule id; see tests/data/README.md for the format).

mod support;

use std::path::Path;

use cleanclaim_billing::rules;
use support::{Case, engine_for, load_case, rule_files, scrub_case};

#[test]
fn every_rule_has_a_case_file_and_every_case_file_a_rule() {
    let files: Vec<String> = rule_files()
        .iter()
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let engine = engine_for(true);
    let mut ids: Vec<String> = rules::ALL.iter().map(|r| r.id.to_string()).collect();
    for pack in engine.packs().all() {
        ids.extend(
            pack.expression_rules()
                .iter()
                .map(|r| r.rule.id.to_string()),
        );
    }
    for id in &ids {
        assert!(
            files.contains(id),
            "no case file tests/data/rules/{id}.json"
        );
    }
    for file in &files {
        assert!(
            ids.contains(file),
            "tests/data/rules/{file}.json names no rule"
        );
    }
}

#[test]
fn each_rule_trips_on_its_case_and_not_on_its_counter_case() {
    let mut failures = Vec::new();
    for path in rule_files() {
        let case: Case = load_case(&path);
        for (label, spec, expect) in [
            ("trips", &case.trips, true),
            ("passes", &case.passes, false),
        ] {
            let found = scrub_case(spec);
            let has = found.iter().any(|(rule, _, _)| *rule == case.rule);
            if has != expect {
                failures.push(format!(
                    "{} ({label}): expected the rule {}; findings: {found:?}",
                    name(&path),
                    if expect { "to trip" } else { "not to trip" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}
