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

/// An SLP visit patched over the base encounter: SLP discipline, therapist, plan of care and
/// an evaluation code (92521) with its measures.
fn slp_evaluation(id: &str, date: &str, visit_type: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "date_of_service": date,
        "discipline": "slp",
        "clinical": {
            "visit_type": visit_type,
            "re_evaluation_basis": "new_clinical_findings",
            "re_evaluation_reason": "dysfluency worsened after a stroke",
            "tests_and_measures": {"performed": true, "measures": [{"name": "SSI-4", "value": "28"}]}
        },
        "timing": {"lines": [{"code": "92521", "charge_per_unit": 15000}]},
        "compliance": {
            "rendering": {"npi": "1245319599", "role": "slp", "name": {"family": "Therapist", "given": "Sam"}},
            "plan_of_care": {"discipline": "slp", "certification_start": "2025-03-03", "certification_end": "2025-05-30", "signed_on": "2025-03-05", "signer_npi": "1234567893"}
        }
    })
}

/// CPT has no SLP re-evaluation code (MBPM ch.15 §220.3.C): a re-evaluation billed with the
/// evaluation code is not a repeated evaluation, and an unmarked one is told how to bill it,
/// never to use a re-evaluation code that does not exist.
#[test]
fn an_slp_re_evaluation_is_billed_with_the_evaluation_code() {
    let spec = |visit_type: &str| support::Spec {
        encounter: slp_evaluation("CASE-SLP-2", "2025-04-14", visit_type),
        history: vec![slp_evaluation("CASE-SLP-1", "2025-03-03", "evaluation")],
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    };
    let repeated = |found: &[(String, String, String)]| {
        found
            .iter()
            .find(|(rule, _, _)| *rule == rules::EVALUATION_REPEATED.id.as_ref())
            .map(|(_, _, message)| message.clone())
    };
    let marked = scrub_case(&spec("re_evaluation"));
    assert_eq!(repeated(&marked), None, "{marked:?}");
    let unmarked = scrub_case(&spec("evaluation"));
    let message = repeated(&unmarked).expect("an unmarked second SLP evaluation is held");
    assert!(
        message.contains("SLP re-evaluations are billed with the evaluation code"),
        "{message}"
    );
    // A PT evaluation repeated in the episode is held as before.
    let pt =
        load_case(&support::data_dir().join("rules/coding.evaluation-repeated-in-episode.json"));
    assert!(repeated(&scrub_case(&pt.trips)).is_some());
}

/// A visit whose record lacks its procedures, member id or payer id is read (not refused) and
/// held for documentation, each gap named with the 837P loop that needs it.
#[test]
fn an_incomplete_visit_is_held_not_refused() {
    let spec = support::Spec {
        encounter: serde_json::json!({
            "timing": {"lines": []},
            "administrative": {"member_id": " ", "payer": {"id": "", "name": "Medicare Part B", "plan": "medicare_part_b"}}
        }),
        history: Vec::new(),
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    };
    let found = scrub_case(&spec);
    let messages = |rule: &str| -> Vec<String> {
        found
            .iter()
            .filter(|(id, _, _)| id == rule)
            .map(|(_, _, message)| message.clone())
            .collect()
    };
    assert_eq!(messages("doc.procedures-missing").len(), 1, "{found:?}");
    let missing = messages("doc.claim-field-missing");
    assert!(
        missing
            .iter()
            .any(|m| m.contains("`administrative.member_id`") && m.contains("2010BA")),
        "{missing:?}"
    );
    assert!(
        missing
            .iter()
            .any(|m| m.contains("`administrative.payer.id`") && m.contains("2010BB")),
        "{missing:?}"
    );
}

/// The unsigned-plan message says what is on file: a recertification is outside the
/// referral exception even with a signed referral, and a signed referral whose plan was not
/// sent is named as on file.
#[test]
fn an_unsigned_plan_message_describes_what_is_on_file() {
    let unsigned = |start: &str| {
        serde_json::json!({
            "administrative": {"referring_provider": {"npi": "1234567893", "name": {"family": "Referrer", "given": "Rita"}, "order_signed_on": "2025-03-01"}},
            "compliance": {"plan_of_care": {"certification_start": start, "signed_on": null, "signer_npi": null}}
        })
    };
    let message = |spec: &support::Spec| {
        scrub_case(spec)
            .into_iter()
            .find(|(rule, _, _)| rule == "doc.plan-of-care-unsigned")
            .map(|(_, _, message)| message)
            .expect("the unsigned plan is held")
    };
    let mut earlier = serde_json::json!({
        "id": "CASE-EARLY",
        "date_of_service": "2025-02-20",
        "compliance": {"plan_of_care": {"certification_start": "2025-02-20", "certification_end": "2025-03-02", "signed_on": "2025-02-21"}}
    });
    let recertification = support::Spec {
        encounter: unsigned("2025-03-03"),
        history: vec![earlier.take()],
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    };
    let said = message(&recertification);
    assert!(said.contains("initial certifications only"), "{said}");
    assert!(!said.contains("no signed referral"), "{said}");
    let initial = support::Spec {
        encounter: unsigned("2025-03-03"),
        history: Vec::new(),
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    };
    let said = message(&initial);
    assert!(
        said.contains("referral signed on 2025-03-01 is on file")
            && said.contains("no date the plan was sent"),
        "{said}"
    );
}

/// An untimed code is counted against its MUE by what the record would report: two entries,
/// or one entry the EMR sent with two units. The engine bills it once either way.
#[test]
fn the_mue_counts_untimed_entries_and_documented_units() {
    let slp = |lines: serde_json::Value| support::Spec {
        encounter: serde_json::json!({
            "discipline": "slp",
            "timing": {"lines": lines},
            "compliance": {
                "rendering": {"npi": "1245319599", "role": "slp", "name": {"family": "Therapist", "given": "Sam"}},
                "plan_of_care": {"discipline": "slp"}
            }
        }),
        history: Vec::new(),
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    };
    let mue = |spec: &support::Spec| {
        scrub_case(spec)
            .into_iter()
            .any(|(rule, _, _)| rule == "coding.mue-exceeded")
    };
    let entry = serde_json::json!({"code": "92507", "charge_per_unit": 9000});
    assert!(mue(&slp(serde_json::json!([entry, entry]))));
    assert!(mue(&slp(
        serde_json::json!([{"code": "92507", "charge_per_unit": 9000, "units": 2}])
    )));
    assert!(!mue(&slp(serde_json::json!([entry]))));
}

/// An episode the plan record says began long before the first visit at hand is continued,
/// not restarted: a plan certified after that start is a recertification, which the referral
/// exception does not cover, even 99 days in.
#[test]
fn a_known_episode_start_older_than_the_gap_is_kept() {
    let plan = serde_json::json!({
        "discipline": "pt", "certification_start": "2025-03-03", "certification_end": "2025-05-30",
        "sent_to_referrer_on": "2025-03-04"
    });
    let mut context = serde_json::Map::new();
    context.insert(
        "plans_of_care.json".to_owned(),
        serde_json::json!([{"patient_id": "MRN-CASE", "plan_of_care": plan, "episode_start": "2024-12-01"}]),
    );
    let spec = support::Spec {
        encounter: serde_json::json!({
            "administrative": {"referring_provider": {"npi": "1234567893", "name": {"family": "Referrer", "given": "Rita"}, "order_signed_on": "2025-03-01"}},
            "compliance": {"plan_of_care": {"signed_on": null, "signer_npi": null, "sent_to_referrer_on": "2025-03-04"}}
        }),
        history: Vec::new(),
        context,
        rules: None,
        as_of: None,
    };
    let found = scrub_case(&spec);
    let unsigned = found
        .iter()
        .find(|(rule, _, _)| rule == "doc.plan-of-care-unsigned")
        .map(|(_, _, message)| message.as_str());
    assert!(
        unsigned.is_some_and(|m| m.contains("initial certifications only")),
        "{found:?}"
    );
}

/// A recertification is due before the period it continues ends, not 30 days after the
/// episode's first treatment; a late one is accepted with the delay's reason documented.
#[test]
fn a_recertification_is_timely_until_the_period_it_continues_ends() {
    let spec = |signed: &str, delay: Option<&str>| {
        let mut context = serde_json::Map::new();
        context.insert(
            "plans_of_care.json".to_owned(),
            serde_json::json!([{
                "patient_id": "MRN-CASE",
                "plan_of_care": {"discipline": "pt", "certification_start": "2025-01-02", "certification_end": "2025-03-31", "signed_on": "2025-01-03"},
                "episode_start": "2025-01-02"
            }]),
        );
        support::Spec {
            encounter: serde_json::json!({
                "date_of_service": "2025-04-07",
                "compliance": {"plan_of_care": {
                    "certification_start": "2025-04-01", "certification_end": "2025-06-29",
                    "signed_on": signed, "delay_reason": delay
                }}
            }),
            history: Vec::new(),
            context,
            rules: None,
            as_of: None,
        }
    };
    let late = |spec: &support::Spec| {
        scrub_case(spec)
            .into_iter()
            .find(|(rule, _, _)| rule == "doc.certification-late")
            .map(|(_, _, message)| message)
    };
    // Signed during the period it continues: timely, 82 days after the first treatment.
    assert_eq!(late(&spec("2025-03-25", None)), None);
    let message = late(&spec("2025-04-20", None)).expect("signed after the period ended");
    assert!(
        message.contains("after the period it continues ended on 2025-03-31"),
        "{message}"
    );
    assert_eq!(
        late(&spec(
            "2025-04-20",
            Some("the physician was away until 2025-04-18")
        )),
        None
    );
}

/// Each result shows where the authorization it drew on stands after the visit: used, left,
/// its end and the days to it; the second visit sees the first one's draw.
#[test]
fn a_result_shows_what_is_left_on_its_authorization() {
    let engine = support::engine_for(false);
    let payer = serde_json::json!({"administrative": {"payer": {"id": "MA-ACME", "name": "Acme Medicare Advantage", "plan": "medicare_advantage"}}});
    let mut second = payer.clone();
    second["id"] = "CASE-0002".into();
    second["date_of_service"] = "2025-03-12".into();
    let encounters = [
        support::encounter_from(&payer),
        support::encounter_from(&second),
    ];
    let mut context = serde_json::Map::new();
    context.insert(
        "authorizations.json".to_owned(),
        serde_json::json!([{
            "patient_id": "MRN-CASE", "payer_id": "MA-ACME", "number": "A123",
            "from": "2025-03-01", "to": "2025-04-30", "disciplines": ["pt"],
            "visits": 12, "units": 40, "used_visits": 3, "used_units": 9
        }]),
    );
    let mut scrubber = cleanclaim_scrub::Scrubber::new(
        &engine,
        support::context_from(&context),
        cleanclaim_scrub::ScrubOptions::default(),
    );
    let results = scrubber.scrub_batch(&encounters);
    let standing: Vec<_> = results
        .iter()
        .map(|r| r.authorization.clone().expect("drawn on A123"))
        .collect();
    assert_eq!(
        standing
            .iter()
            .map(|a| (
                a.visits_used,
                a.visits_left(),
                a.units_used,
                a.units_left(),
                a.days_left
            ))
            .collect::<Vec<_>>(),
        [
            (4, Some(8), 12, Some(28), 51),
            (5, Some(7), 15, Some(25), 49)
        ]
    );
    assert_eq!(standing[0].ends.to_string(), "2025-04-30");
}

/// A payer that wants the supervising therapist on the claim (loop 2310D) holds an
/// assistant's visit whose record lacks the supervisor's name; Medicare's pack does not.
#[test]
fn the_supervising_name_is_required_where_the_pack_writes_loop_2310d() {
    let spec = |payer: serde_json::Value, name: Option<serde_json::Value>| {
        let mut rendering = serde_json::json!({"npi": "1245319599", "role": "pta", "supervising_npi": "1234567893"});
        if let Some(name) = name {
            rendering["supervising_name"] = name;
        }
        support::Spec {
            encounter: serde_json::json!({
                "administrative": {"payer": payer},
                "compliance": {"rendering": rendering}
            }),
            history: Vec::new(),
            context: serde_json::Map::new(),
            rules: None,
            as_of: None,
        }
    };
    let commercial = serde_json::json!({"id": "87726", "name": "United", "plan": "commercial"});
    let medicare =
        serde_json::json!({"id": "MCR-B", "name": "Medicare Part B", "plan": "medicare_part_b"});
    let asks_for_name = |found: &[(String, String, String)]| {
        found.iter().any(|(rule, _, message)| {
            rule == "doc.claim-field-missing" && message.contains("loop 2310D")
        })
    };
    assert!(asks_for_name(&scrub_case(&spec(commercial.clone(), None))));
    let named = spec(
        commercial,
        Some(serde_json::json!({"family": "Therapist", "given": "Pat"})),
    );
    assert!(!asks_for_name(&scrub_case(&named)));
    assert!(!asks_for_name(&scrub_case(&spec(medicare, None))));
}

/// A code-group authorization draws only its codes' units: 97110 (2 units) against 2
/// authorized units is within it, though the visit also bills 2 units of 97112 that another
/// authorization covers; the same visit against an authorization of every code is over.
#[test]
fn a_code_group_authorization_draws_only_its_codes() {
    let spec = |ledger: serde_json::Value| support::Spec {
        encounter: serde_json::json!({
            "administrative": {"authorization": "A-1"},
            "timing": {"lines": [
                {"code": "97110", "minutes": 30, "charge_per_unit": 4200},
                {"code": "97112", "minutes": 30, "charge_per_unit": 4600}
            ]}
        }),
        history: Vec::new(),
        context: serde_json::json!({"authorizations.json": ledger})
            .as_object()
            .unwrap()
            .clone(),
        rules: None,
        as_of: None,
    };
    let item = |number: &str, codes: serde_json::Value| {
        serde_json::json!({"patient_id": "MRN-CASE", "payer_id": "MCR-B", "number": number,
            "from": "2025-03-01", "to": "2025-06-30", "disciplines": ["pt"], "codes": codes, "units": 2})
    };
    let rules_of = |found: Vec<(String, String, String)>| -> Vec<String> {
        found.into_iter().map(|(rule, _, _)| rule).collect()
    };
    let grouped = rules_of(scrub_case(&spec(serde_json::json!([
        item("A-1", serde_json::json!(["97110"])),
        item("A-2", serde_json::json!(["97112"]))
    ]))));
    assert!(
        !grouped.iter().any(|r| r.starts_with("auth.")),
        "{grouped:?}"
    );
    let every_code = rules_of(scrub_case(&spec(serde_json::json!([item(
        "A-1",
        serde_json::json!([])
    )]))));
    assert!(
        every_code.contains(&"auth.units-exhausted".to_owned()),
        "{every_code:?}"
    );
    // The 97112 line draws its 2 units on A-2, which covers it: with 1 unit authorized there
    // the visit is held, naming A-2.
    let mut short = item("A-2", serde_json::json!(["97112"]));
    short["units"] = serde_json::json!(1);
    let over_the_other = scrub_case(&spec(serde_json::json!([
        item("A-1", serde_json::json!(["97110"])),
        short
    ])));
    assert!(
        over_the_other
            .iter()
            .any(|(rule, _, message)| rule == "auth.units-exhausted"
                && message.starts_with(
                    "authorization A-2 allows 1 units; 0 are used and this visit bills 2"
                )),
        "{over_the_other:?}"
    );
    // And the ledger shows both drawn.
    let engine = support::engine_for(false);
    let context = support::context_from(
        serde_json::json!({"authorizations.json": [
            item("A-1", serde_json::json!(["97110"])),
            item("A-2", serde_json::json!(["97112"]))
        ]})
        .as_object()
        .unwrap(),
    );
    let mut scrubber = cleanclaim_scrub::Scrubber::new(
        &engine,
        context,
        cleanclaim_scrub::ScrubOptions::default(),
    );
    scrubber.scrub_batch(&[support::encounter_from(
        &spec(serde_json::json!([])).encounter,
    )]);
    let used: Vec<(String, u32, u32)> = scrubber
        .ledger()
        .into_iter()
        .map(|entry| {
            (
                entry.authorization.number,
                entry.used_visits,
                entry.used_units,
            )
        })
        .collect();
    assert_eq!(used, [("A-1".to_owned(), 1, 2), ("A-2".to_owned(), 1, 2)]);
}

/// Where the pack exempts evaluations, an evaluation-only visit needs no authorization; a
/// treatment visit of the same payer still does.
#[test]
fn evaluations_exempt_from_authorization_where_the_pack_says_so() {
    let spec = |lines: serde_json::Value, visit_type: &str| support::Spec {
        encounter: serde_json::json!({
            "administrative": {"payer": {"id": "EXPR-TEST", "name": "Expression test", "plan": "commercial"}},
            "clinical": {"visit_type": visit_type, "tests_and_measures": {"performed": true, "measures": [{"name": "TUG", "value": "14 s"}]}},
            "timing": {"lines": lines}
        }),
        history: Vec::new(),
        context: serde_json::Map::new(),
        rules: Some("packs".to_owned()),
        as_of: None,
    };
    let missing = |found: &[(String, String, String)]| {
        found.iter().any(|(rule, _, _)| rule == "auth.missing")
    };
    let evaluation = scrub_case(&spec(
        serde_json::json!([{"code": "97162", "charge_per_unit": 12000}]),
        "evaluation",
    ));
    assert!(!missing(&evaluation), "{evaluation:?}");
    let treatment = scrub_case(&spec(
        serde_json::json!([{"code": "97110", "minutes": 30, "charge_per_unit": 4200}]),
        "treatment",
    ));
    assert!(missing(&treatment), "{treatment:?}");
}
