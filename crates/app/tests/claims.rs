#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! 837P output for a set of encounters, compared segment by segment with reviewed golden
//! files; every file we write must validate clean and read back to the same claims.
//! `UPDATE_GOLDEN=1 cargo test -p cleanclaim-app --test claims` rewrites the goldens, which
//! live beside the X12 crate's other test data.

use chrono::NaiveDate;
use cleanclaim_app::{Resubmission, build_claims};
use cleanclaim_billing::{Engine, Selection};
use cleanclaim_model::parse_encounter;
use cleanclaim_x12::x837::{
    BillingProfile, Claim, ControlNumbers, WriteError, WriteOptions, read_claims, write_837p,
};
use cleanclaim_x12::{Delimiters, validate};
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../x12/tests/data")
}

fn profile() -> BillingProfile {
    toml::from_str(&std::fs::read_to_string(data().join("billing.toml")).unwrap()).unwrap()
}

fn options() -> WriteOptions {
    WriteOptions {
        delimiters: Delimiters::default(),
        created: NaiveDate::from_ymd_opt(2025, 3, 12)
            .unwrap()
            .and_hms_opt(14, 5, 0)
            .unwrap(),
        controls: ControlNumbers {
            interchange: 1201,
            group: 1201,
            first_transaction: 1,
        },
        line_breaks: true,
    }
}

fn claims_for(engine: &Engine, name: &str) -> Vec<Claim> {
    let text =
        std::fs::read_to_string(data().join("encounters").join(format!("{name}.json"))).unwrap();
    let encounter = parse_encounter(&text).unwrap();
    let derivation = engine.derive(&encounter, Selection::default());
    build_claims(&encounter, &derivation, None).unwrap()
}

fn check_golden(name: &str, written: &str) {
    let path = data().join("golden").join(format!("{name}.837"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, written).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    for (n, (want, got)) in expected.lines().zip(written.lines()).enumerate() {
        assert_eq!(
            got,
            want,
            "{name}: segment {} differs from the golden file",
            n + 1
        );
    }
    assert_eq!(
        written.lines().count(),
        expected.lines().count(),
        "{name}: segment count"
    );
}

fn round_trip(name: &str, claims: &[Claim]) -> String {
    let written = write_837p(&profile(), claims, &options()).unwrap();
    let report = validate(&written);
    assert!(
        report.is_valid(),
        "{name}: {:#?}",
        report
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let read = read_claims(&written).unwrap();
    assert!(read == claims, "{name}: read(write(claims)) differs");
    written
}

#[test]
fn golden_claims_are_valid_and_read_back() {
    let engine = Engine::builtin().unwrap();
    for name in [
        "pt-medicare",
        "ot-commercial",
        "slp-medicaid",
        "assistant-medicare",
        "telehealth-commercial",
        "authorization-commercial",
        "multiple-diagnoses",
        "dependent-commercial",
    ] {
        let claims = claims_for(&engine, name);
        assert_eq!(claims.len(), 1, "{name}");
        let written = round_trip(name, &claims);
        check_golden(name, &written);
    }
}

#[test]
fn the_golden_claims_say_what_the_encounters_mean() {
    let engine = Engine::builtin().unwrap();
    let segment = |name: &str, prefix: &str| -> Vec<String> {
        let written = write_837p(&profile(), &claims_for(&engine, name), &options()).unwrap();
        written
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(|l| l.trim_end_matches('~').to_owned())
            .collect()
    };
    // 24 + 23 = 47 timed minutes: 3 units by the 8-minute rule, 2 to 97112 (larger remainder).
    assert_eq!(
        segment("pt-medicare", "SV1"),
        [
            "SV1*HC:97110:GP*42*UN*1***1:2",
            "SV1*HC:97112:GP*92*UN*2***1:2"
        ]
    );
    assert_eq!(segment("pt-medicare", "SBR"), ["SBR*P*18*******MB"]);
    // A child on a parent's plan: the parent in 2000B (SBR02 not used), the child in 2000C.
    assert_eq!(segment("dependent-commercial", "SBR"), ["SBR*P********CI"]);
    assert_eq!(
        segment("dependent-commercial", "HL"),
        ["HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0"]
    );
    assert_eq!(segment("dependent-commercial", "PAT"), ["PAT*19"]);
    assert_eq!(
        segment("dependent-commercial", "NM1*IL"),
        ["NM1*IL*1*CHILD*JORDAN****MI*W987654321"]
    );
    assert_eq!(
        segment("dependent-commercial", "NM1*QC"),
        ["NM1*QC*1*CHILD*CASEY"]
    );
    assert_eq!(
        segment("dependent-commercial", "DMG"),
        ["DMG*D8*19860411*F", "DMG*D8*20180902*M"]
    );
    assert_eq!(segment("pt-medicare", "DTP*304"), ["DTP*304*D8*20250220"]);
    assert_eq!(
        segment("pt-medicare", "NM1*DN"),
        ["NM1*DN*1*REFERRER*RITA****XX*1234567893"]
    );
    assert_eq!(segment("pt-medicare", "PRV*PE"), ["PRV*PE*PXC*225100000X"]);
    assert_eq!(segment("pt-medicare", "DTP*454"), ["DTP*454*D8*20250303"]);
    assert_eq!(
        segment("ot-commercial", "SV1")
            .iter()
            .filter(|l| l.contains(":GO"))
            .count(),
        2
    );
    assert_eq!(
        segment("slp-medicaid", "SV1"),
        ["SV1*HC:92507:GN*110*UN*1***1:2"]
    );
    assert!(
        segment("assistant-medicare", "SV1")[0].contains(":CQ"),
        "{:?}",
        segment("assistant-medicare", "SV1")
    );
    assert_eq!(
        segment("telehealth-commercial", "CLM")[0].split('*').nth(5),
        Some("10:B:1")
    );
    assert!(segment("telehealth-commercial", "SV1")[0].contains(":95"));
    assert_eq!(
        segment("authorization-commercial", "REF*G1"),
        ["REF*G1*AUTH-77812"]
    );
    assert_eq!(
        segment("multiple-diagnoses", "HI"),
        ["HI*ABK:M1711*ABF:R2689*ABF:M6281*ABF:Z96651*ABF:M25561*ABF:R296*ABF:Z9181*ABF:M5450"]
    );
    assert!(
        segment("multiple-diagnoses", "SV1")
            .iter()
            .all(|l| l.ends_with("***1:2:3:4"))
    );
}

#[test]
fn more_than_fifty_lines_split_into_claims_with_stable_numbers() {
    let engine = Engine::builtin().unwrap();
    let text = std::fs::read_to_string(data().join("encounters/pt-medicare.json")).unwrap();
    let encounter = parse_encounter(&text).unwrap();
    let mut derivation = engine.derive(&encounter, Selection::default());
    // The catalogue has fewer than 50 codes a visit could bill, so the lines are repeated.
    let line = derivation.lines[0].clone();
    derivation.lines = vec![line; 55];
    let claims = build_claims(&encounter, &derivation, None).unwrap();
    assert_eq!(
        claims
            .iter()
            .map(|c| (c.id.as_str(), c.lines.len()))
            .collect::<Vec<_>>(),
        [("PT-0001-1", 50), ("PT-0001-2", 5)]
    );
    assert_eq!(claims[1].lines[4].control_number, "PT-0001-2-5");
    let written = round_trip("split", &claims);
    check_golden("split-55-lines", &written);
}

#[test]
fn a_delimiter_in_data_is_rejected_with_the_field_named_and_nothing_written() {
    let engine = Engine::builtin().unwrap();
    let mut claims = claims_for(&engine, "pt-medicare");
    claims[0].subscriber.name.family = "O*Brien~".into();
    let error = write_837p(&profile(), &claims, &options()).unwrap_err();
    assert_eq!(
        error,
        WriteError::ForbiddenCharacter {
            claim: Some("PT-0001".into()),
            field: "patient.name / administrative.member_id.family".into(),
            position: 2,
            what: "the delimiter `*`".into(),
        }
    );
    assert!(
        !error.to_string().contains("BRIEN"),
        "the value is PHI: {error}"
    );

    claims[0].subscriber.name.family = "Muñoz".into();
    let error = write_837p(&profile(), &claims, &options())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("character 3 is outside the X12 basic and extended character sets"),
        "{error}"
    );
}

#[test]
fn a_state_that_is_not_a_state_code_is_rejected_before_writing() {
    let engine = Engine::builtin().unwrap();
    let mut claims = claims_for(&engine, "pt-medicare");
    claims[0].subscriber.address.state = "XY".into();
    let error = write_837p(&profile(), &claims, &options()).unwrap_err();
    let WriteError::UnknownCode { claim, field, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(claim.as_deref(), Some("PT-0001"));
    assert!(field.ends_with(".state"), "{field}");
    assert!(error.to_string().contains("X12 code source 22"), "{error}");
}

#[test]
fn other_delimiters_are_honoured_and_the_defaults_become_data() {
    let engine = Engine::builtin().unwrap();
    let mut claims = claims_for(&engine, "pt-medicare");
    claims[0].subscriber.name.family = "O*Brien".into();
    let mut options = options();
    options.delimiters = Delimiters {
        element: b'|',
        component: b'>',
        repetition: Some(b'!'),
        segment: b'\'',
    };
    let written = write_837p(&profile(), &claims, &options).unwrap();
    assert!(written.contains("NM1|IL|1|O*Brien|TEST"), "{written}");
    assert!(
        validate(&written).is_valid(),
        "{:?}",
        validate(&written).errors
    );
    assert_eq!(read_claims(&written).unwrap(), claims);
}

#[test]
fn resubmissions_carry_frequency_and_the_payer_claim_number() {
    use cleanclaim_x12::x837::ClaimFrequency;
    let engine = Engine::builtin().unwrap();
    let text = std::fs::read_to_string(data().join("encounters/pt-medicare.json")).unwrap();
    let encounter = parse_encounter(&text).unwrap();
    let derivation = engine.derive(&encounter, Selection::default());
    let replacement = Resubmission {
        frequency: ClaimFrequency::Replacement,
        payer_claim_number: "2225071234500".into(),
    };
    let claims = build_claims(&encounter, &derivation, Some(&replacement)).unwrap();
    let written = round_trip("replacement", &claims);
    assert!(
        written.contains("CLM*PT-0001*134***11:B:7*Y*A*Y*Y~"),
        "{written}"
    );
    assert!(written.contains("REF*F8*2225071234500~"));
}

/// Regression (issue 11): a line the 8-minute method gives 0 units is not billed, so it needs
/// no charge, and the claim carries only the lines that earned units.
#[test]
fn a_line_with_no_units_is_left_off_and_needs_no_charge() {
    let engine = Engine::builtin().unwrap();
    let text = std::fs::read_to_string(data().join("encounters/pt-medicare.json")).unwrap();
    let mut encounter: serde_json::Value = serde_json::from_str(&text).unwrap();
    // 30 minutes of 97112 and 5 of 97140: 2 units, both to 97112 (MCPM ch.5 §20.2).
    encounter["timing"]["lines"] = serde_json::json!([
        {"code": "97112", "minutes": 30, "charge_per_unit": 4600},
        {"code": "97140", "minutes": 5}
    ]);
    encounter["timing"]
        .as_object_mut()
        .unwrap()
        .remove("total_treatment_minutes");
    let encounter = parse_encounter(&encounter.to_string()).unwrap();
    let derivation = engine.derive(&encounter, Selection::default());
    let zero = derivation.lines.iter().find(|l| l.code.as_str() == "97140");
    assert_eq!(zero.map(|l| (l.units, l.charge)), Some((0, None)));
    let claims = build_claims(&encounter, &derivation, None).unwrap();
    let billed: Vec<_> = claims[0]
        .lines
        .iter()
        .map(|l| (l.code.as_str(), l.units))
        .collect();
    assert_eq!(billed, [("97112", 2)]);
    assert_eq!(claims[0].total().0, 9_200);
}
