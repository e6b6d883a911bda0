#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]
//! A broken rule pack fails at load with the file, line, column and reason: one test per kind
//! of mistake, each asserting the whole message.

use cleanclaim_billing::pack::BUILTIN_PACKS;
use cleanclaim_billing::{DiagnosisRules, RulePacks};

const GOOD: &str = r#"[pack]
id = "acme"
name = "Acme Health"
version = "1"
payer_ids = ["ACME"]
source = "Acme provider manual"

[[period]]
from = "2024-01-01"
to = "2024-12-31"

[period.billing]
unit_method = "per_code_midpoint"
assistant_modifiers = false
kx_threshold = false
ncci = true
ncci_modifier = "59"
replace_97014 = false
group_for_concurrent = false

[period.documentation]
plan_of_care_required = true
assistant_may_render = true
student_minutes_billable = false
episode_gap_days = 60

[period.coding]
not_covered = ["97014"]

[period.severity]
"doc.progress-report-overdue" = "warn"

[[rule]]
id = "acme.no-massage-with-manual-therapy"
when = '"97124" in codes && "97140" in codes'
message = "massage and manual therapy on one day"
fix = "Bill one of the two."
source = "Acme policy 12"
severity = "hold"
queue = "coding_review"
"#;

fn load(text: &str) -> Result<RulePacks, String> {
    let diagnoses = DiagnosisRules::builtin().unwrap();
    RulePacks::load(&BUILTIN_PACKS, &[("packs/acme.toml", text)], &diagnoses)
        .map_err(|err| err.to_string())
}

fn broken(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    load(&GOOD.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn the_good_pack_loads_and_replaces_nothing() {
    let packs = load(GOOD).unwrap();
    assert_eq!(packs.all().len(), BUILTIN_PACKS.len() + 1);
    let acme = packs.by_id("acme").unwrap();
    assert_eq!(acme.expression_rules().len(), 1);
}

#[test]
fn toml_syntax() {
    assert_eq!(
        broken("version = \"1\"", "version = 1\""),
        "packs/acme.toml:4:11: missing opening quote, expected `\"`"
    );
}

#[test]
fn unknown_key() {
    assert_eq!(
        broken(
            "episode_gap_days = 60",
            "episode_gap_days = 60\nprogress_every = 10"
        ),
        "packs/acme.toml:26:1: unknown field `progress_every`, expected one of `plan_of_care_required`, `certification_signature_days`, `referral_exception`, `recertification_days`, `progress_report_treatment_days`, `assistant_may_render`, `student_minutes_billable`, `episode_gap_days`, `verbal_order_signature_days`"
    );
}

#[test]
fn missing_key() {
    assert_eq!(
        broken("unit_method = \"per_code_midpoint\"\n", ""),
        "packs/acme.toml:12:1: missing field `unit_method`"
    );
}

#[test]
fn bad_code() {
    assert_eq!(
        broken("not_covered = [\"97014\"]", "not_covered = [\"9701\"]"),
        "packs/acme.toml:28:16: invalid procedure code `9701`: must be 5 characters"
    );
}

#[test]
fn bad_enum_value() {
    assert_eq!(
        broken(
            "unit_method = \"per_code_midpoint\"",
            "unit_method = \"midpoint\""
        ),
        "packs/acme.toml:13:15: unknown variant `midpoint`, expected `cms_8_minute` or `per_code_midpoint`"
    );
}

#[test]
fn overlapping_periods() {
    let text = GOOD.replacen(
        "[[rule]]",
        "[[period]]\nfrom = \"2024-07-01\"\n[period.billing]\nunit_method = \"per_code_midpoint\"\nassistant_modifiers = false\nkx_threshold = false\nncci = true\nncci_modifier = \"59\"\nreplace_97014 = false\ngroup_for_concurrent = false\n[period.documentation]\nplan_of_care_required = true\nassistant_may_render = true\nstudent_minutes_billable = false\nepisode_gap_days = 60\n\n[[rule]]",
        1,
    );
    assert_eq!(
        load(&text).unwrap_err(),
        "packs/acme.toml:33:1: the period from 2024-07-01 overlaps the period from 2024-01-01 to 2024-12-31"
    );
}

#[test]
fn period_ending_before_it_starts() {
    assert_eq!(
        broken("to = \"2024-12-31\"", "to = \"2023-12-31\""),
        "packs/acme.toml:8:1: period from 2024-01-01 ends before it starts"
    );
}

#[test]
fn unknown_rule_in_severity() {
    assert_eq!(
        broken(
            "\"doc.progress-report-overdue\" = \"warn\"",
            "\"doc.progress-report-late\" = \"warn\""
        ),
        "packs/acme.toml:31:30: severity: unknown rule `doc.progress-report-late` (see `cleanclaim rules list`)"
    );
}

#[test]
fn bad_ncci_modifier() {
    assert_eq!(
        broken("ncci_modifier = \"59\"", "ncci_modifier = \"25\""),
        "packs/acme.toml:8:1: billing: ncci_modifier `25` is not one of 59, XE, XS, XP, XU"
    );
}

#[test]
fn kx_without_thresholds() {
    assert_eq!(
        broken("kx_threshold = false", "kx_threshold = true"),
        "packs/acme.toml:8:1: billing: kx_threshold is on but the pack has no [thresholds] kx amounts"
    );
}

#[test]
fn expression_that_does_not_compile() {
    let err = broken(
        r#"when = '"97124" in codes && "97140" in codes'"#,
        r#"when = '"97124" in codes &&'"#,
    );
    assert!(
        err.starts_with("packs/acme.toml:35:8: the condition does not compile:"),
        "{err}"
    );
}

#[test]
fn expression_with_an_unknown_variable() {
    assert_eq!(
        broken(
            r#"when = '"97124" in codes && "97140" in codes'"#,
            r#"when = '"97124" in code'"#
        ),
        "packs/acme.toml:35:8: the condition uses `code`, which is not a variable; use encounter, codes, units, modifiers, age, pos, episode"
    );
}

#[test]
fn expression_rule_reusing_a_builtin_id() {
    assert_eq!(
        broken(
            "id = \"acme.no-massage-with-manual-therapy\"",
            "id = \"doc.diagnosis-missing\""
        ),
        "packs/acme.toml:33:1: rule `doc.diagnosis-missing` is a built-in rule; give the expression rule its own id"
    );
}

#[test]
fn expression_rule_routed_to_ready_to_bill() {
    assert_eq!(
        broken("queue = \"coding_review\"", "queue = \"ready_to_bill\""),
        "packs/acme.toml:40:9: a rule cannot route to ready_to_bill; use documentation_hold, authorization or coding_review"
    );
}

#[test]
fn payer_id_claimed_twice_and_plan_default_taken() {
    let diagnoses = DiagnosisRules::builtin().unwrap();
    let err = RulePacks::load(
        &BUILTIN_PACKS,
        &[
            ("packs/acme.toml", GOOD),
            (
                "packs/acme2.toml",
                &GOOD.replacen("id = \"acme\"", "id = \"acme-two\"", 1),
            ),
        ],
        &diagnoses,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "packs/acme2.toml: payer id `ACME` is already claimed by pack `acme` (packs/acme.toml)"
    );
}

#[test]
fn a_user_pack_replaces_a_builtin_pack_with_its_id() {
    let text = GOOD
        .replacen("id = \"acme\"", "id = \"medicaid\"", 1)
        .replacen("payer_ids = [\"ACME\"]", "default_for = [\"medicaid\"]", 1);
    let packs = load(&text).unwrap();
    assert_eq!(packs.all().len(), BUILTIN_PACKS.len());
    assert_eq!(packs.by_id("medicaid").unwrap().file, "packs/acme.toml");
}

#[test]
fn a_replacement_that_drops_a_plan_default_is_blamed_for_it() {
    // The user's `medicaid` replaces the built-in default for Medicaid without being one.
    let text = GOOD.replacen("id = \"acme\"", "id = \"medicaid\"", 1);
    assert_eq!(
        load(&text).unwrap_err(),
        "packs/acme.toml: replaces `medicaid`, the default pack for plan type `medicaid`, without `default_for = [\"medicaid\"]`: that plan type would have no pack"
    );
}

#[test]
fn a_pack_with_no_periods() {
    let text = GOOD.split("[[period]]").next().unwrap().to_owned();
    assert_eq!(
        load(&text).unwrap_err(),
        "packs/acme.toml: a pack needs at least one [[period]] of rules"
    );
}

const WHEN: &str = r#"when = '"97124" in codes && "97140" in codes'"#;

fn condition_error(condition: &str) -> String {
    broken(WHEN, &format!("when = '''{condition}'''"))
}

#[test]
fn expressions_with_type_errors_unknown_functions_or_no_verdict_fail_at_load() {
    for (condition, expected) in [
        (r#"1 + "a" == 2"#, "fails on a sample encounter"),
        ("nosuch(codes)", "fails on a sample encounter"),
        ("encounter.id", "gives a"),
        ("age + 1", "gives a"),
    ] {
        let err = condition_error(condition);
        assert!(
            err.starts_with("packs/acme.toml:35:") && err.contains(expected),
            "{condition}: {err}"
        );
    }
    // An optional field the sample lacks is decided by the data, not refused.
    load(&GOOD.replacen(
        WHEN,
        "when = '''has(encounter.administrative.authorization) && encounter.administrative.authorization == \"X\"'''",
        1,
    ))
    .unwrap();
    load(&GOOD.replacen(WHEN, "when = '''encounter.nosuch.field == 1'''", 1)).unwrap();
}

#[test]
fn expressions_too_large_or_too_deep_are_refused_before_parsing() {
    let deep = format!("{}true{}", "(".repeat(200_000), ")".repeat(200_000));
    let err = condition_error(&deep);
    assert!(err.contains("longer than"), "{err}");
    let nested = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let err = condition_error(&nested);
    assert!(err.contains("nests more than 32"), "{err}");
    let comprehensions = "codes.all(a, codes.all(b, codes.all(c, a == b && b == c)))";
    let err = condition_error(comprehensions);
    assert!(err.contains("comprehension"), "{err}");
    load(&GOOD.replacen(
        WHEN,
        "when = '''codes.exists(a, codes.exists(b, a != b))'''",
        1,
    ))
    .unwrap();
    // Brackets inside strings do not count.
    load(&GOOD.replacen(
        WHEN,
        &format!("when = '''\"{}\" in codes'''", "(".repeat(100)),
        1,
    ))
    .unwrap();
}

#[test]
fn benefit_limits_that_contradict_each_other() {
    let with = |benefits: &str| {
        broken(
            "[period.coding]",
            &format!("[period.benefits]\n{benefits}\n\n[period.coding]"),
        )
    };
    assert_eq!(
        with("combined = true\nshared = [\"pt\", \"ot\"]"),
        "packs/acme.toml:8:1: benefits: set `combined` (all disciplines share) or `shared` (some do), not both"
    );
    assert_eq!(
        with("shared = [\"pt\"]"),
        "packs/acme.toml:8:1: benefits: `shared` names one discipline; a shared limit needs two or more"
    );
    assert_eq!(
        with("lifetime_spend_cap_cents = 0"),
        "packs/acme.toml:8:1: benefits: `lifetime_spend_cap_cents` must be a positive amount in cents"
    );
}
