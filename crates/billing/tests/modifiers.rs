//! GP/GO/GN, CQ/CO, KX, telehealth and NCCI modifiers through the engine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod support;

use serde_json::json;
use support::*;

// CMS CQ/CO "Patient Scenario #1": PTA 23 min and PT 13 min of 97110, PT 30 min of 97140;
// 66 minutes = 4 units; 97110 gets 2: one with CQ (the PTA's full 15 minutes), one without
// (the PT furnished 8+ minutes of it, CY2022 rule).
#[test]
fn cms_cq_scenario_1() {
    let engine = engine();
    let encounter = encounter_with(
        json!([
            {"code": "97110", "furnished_by": {"assistant_alone": 23, "therapist_alone": 13}},
            {"code": "97140", "minutes": 30}
        ]),
        |_| {},
    );
    let derivation = derive(&engine, &encounter);
    assert_eq!(
        claim_lines(&derivation.lines),
        ["97110-GP-CQx1", "97110-GPx1", "97140-GPx2"]
    );
    assert!(derivation.is_clean(), "{:?}", derivation.findings);
    assert!(
        derivation.lines[1]
            .explanation()
            .contains("no assistant modifier on these 1 unit(s)")
    );
}

// CMS example seen in part: PTA 19 min of 97110 (a full unit, 4 minutes left), PT 10 min of
// 97140 -> 97110 x1 with CQ, 97140 x1 without.
#[test]
fn cms_cq_full_unit_with_remainder_to_other_code() {
    let engine = engine();
    let encounter = encounter_with(
        json!([
            {"code": "97110", "furnished_by": {"assistant_alone": 19}},
            {"code": "97140", "furnished_by": {"therapist_alone": 10}}
        ]),
        |_| {},
    );
    assert_eq!(
        claim_lines(&derive(&engine, &encounter).lines),
        ["97110-GP-CQx1", "97140-GPx1"]
    );
}

// therapycomply Example A (CY2022): PTA 10 + PT 5 of 97110 = 1 unit with CQ.
#[test]
fn cq_example_a() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97110", "furnished_by": {"assistant_alone": 10, "therapist_alone": 5}}]),
        |_| {},
    );
    assert_eq!(
        claim_lines(&derive(&engine, &encounter).lines),
        ["97110-GP-CQx1"]
    );
}

// APTA example C: PT and PTA together for 30 minutes of 97112 -> 97112 x2 without CQ.
#[test]
fn cq_example_c_together_counts_as_therapist() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97112", "furnished_by": {"together": 30}}]),
        |v| {
            v["compliance"]["rendering"]["role"] = json!("pta");
            v["compliance"]["rendering"]["supervising_npi"] = json!("1234567893");
        },
    );
    assert_eq!(
        claim_lines(&derive(&engine, &encounter).lines),
        ["97112-GPx2"]
    );
}

#[test]
fn an_ota_gets_co_with_go_and_no_assistant_modifier_before_2020_or_for_commercial() {
    let engine = engine();
    let ot = |date: &str, plan: &str| {
        encounter_with(json!([{"code": "97530", "minutes": 30}]), |v| {
            v["date_of_service"] = json!(date);
            v["discipline"] = json!("ot");
            v["compliance"]["plan_of_care"]["discipline"] = json!("ot");
            v["compliance"]["plan_of_care"]["certification_start"] = json!("2019-01-01");
            v["compliance"]["rendering"]["role"] = json!("ota");
            v["administrative"]["payer"]["plan"] = json!(plan);
        })
    };
    assert_eq!(
        claim_lines(&derive(&engine, &ot("2024-05-06", "medicare_part_b")).lines),
        ["97530-GO-COx2"]
    );
    assert_eq!(
        claim_lines(&derive(&engine, &ot("2019-12-31", "medicare_part_b")).lines),
        ["97530-GOx2"]
    );
    assert_eq!(
        claim_lines(&derive(&engine, &ot("2024-05-06", "commercial")).lines),
        ["97530-GOx2"]
    );
}

#[test]
fn slp_has_no_assistant_modifier_and_gets_gn() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "92507", "furnished_by": {"assistant_alone": 20, "therapist_alone": 20}}]),
        |v| {
            v["discipline"] = json!("slp");
            v["compliance"]["plan_of_care"]["discipline"] = json!("slp");
            v["compliance"]["rendering"]["role"] = json!("slp");
        },
    );
    let derivation = derive(&engine, &encounter);
    assert_eq!(claim_lines(&derivation.lines), ["92507-GNx1"]);
    assert_eq!(
        finding_ids(&derivation),
        ["modifiers.slp-assistant-minutes"]
    );
}

#[test]
fn exactly_one_discipline_modifier_and_sometimes_therapy_needs_a_plan() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97110", "minutes": 15, "modifiers": ["GO"]}, {"code": "20560"}]),
        |_| {},
    );
    let derivation = derive(&engine, &encounter);
    assert_eq!(
        claim_lines(&derivation.lines),
        ["20560-GPx1", "97110-GP-GOx1"]
    );
    assert_eq!(finding_ids(&derivation), ["modifiers.discipline-conflict"]);
    let no_plan = encounter_with(json!([{"code": "20560"}]), |v| {
        v["compliance"]
            .as_object_mut()
            .unwrap()
            .remove("plan_of_care");
    });
    assert_eq!(claim_lines(&derive(&engine, &no_plan).lines), ["20560x1"]);
}

/// Caregiver training (CPT 2024) is "sometimes therapy": under a plan of care it takes the
/// plan's modifier; 97550 is one unit for its first 30 minutes, 97551 counts 15-minute units.
#[test]
fn caregiver_training_codes_take_the_plans_modifier() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97550", "minutes": 30}, {"code": "97551", "minutes": 15}, {"code": "97552"}]),
        |_| {},
    );
    let derivation = derive(&engine, &encounter);
    assert_eq!(
        claim_lines(&derivation.lines),
        ["97550-GPx1", "97551-GPx1", "97552-GPx1"]
    );
    assert!(
        finding_ids(&derivation).is_empty(),
        "{:?}",
        finding_ids(&derivation)
    );
}

#[test]
fn an_ot_evaluation_under_a_pt_plan_is_a_conflict() {
    let engine = engine();
    let derivation = derive(&engine, &encounter_with(json!([{"code": "97165"}]), |_| {}));
    assert_eq!(finding_ids(&derivation), ["modifiers.discipline-conflict"]);
    assert!(
        derivation.findings[0]
            .message
            .contains("97165 is a OT evaluation code")
    );
}

/// KX by year: $0.01 under the threshold after this visit gets no KX; at one cent over, KX.
#[test]
fn kx_by_year_for_both_buckets() {
    let engine = engine();
    let thresholds = [
        (2019, 204000),
        (2020, 208000),
        (2021, 211000),
        (2022, 215000),
        (2023, 223000),
        (2024, 233000),
        (2025, 241000),
        (2026, 248000),
    ];
    for (year, threshold) in thresholds {
        for (discipline, bucket) in [("pt", "pt_slp"), ("ot", "ot")] {
            let visit = |prior: i64| {
                encounter_with(
                    json!([{"code": "97110", "minutes": 15, "charge_per_unit": 5000}]),
                    |v| {
                        v["date_of_service"] = json!(format!("{year}-06-03"));
                        v["discipline"] = json!(discipline);
                        v["compliance"]["plan_of_care"] = json!({"discipline": discipline, "certification_start": format!("{year}-05-01"), "certification_end": format!("{year}-07-29"), "signed_on": format!("{year}-05-02")});
                        v["compliance"]["medical_necessity_documented"] = json!(true);
                        v["administrative"]["year_to_date_spend"][bucket] = json!(prior);
                    },
                )
            };
            let modifier = if discipline == "pt" { "GP" } else { "GO" };
            let at = derive(&engine, &visit(threshold - 5000));
            assert_eq!(
                claim_lines(&at.lines),
                [format!("97110-{modifier}x1")],
                "{year} {discipline} at threshold"
            );
            let over = derive(&engine, &visit(threshold - 4999));
            assert_eq!(
                claim_lines(&over.lines),
                [format!("97110-{modifier}-KXx1")],
                "{year} {discipline} over"
            );
            assert!(over.is_clean(), "{year}: {:?}", over.findings);
        }
    }
}

#[test]
fn kx_without_medical_necessity_holds_and_3000_warns() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97110", "minutes": 30, "charge_per_unit": 6000}]),
        |v| {
            v["administrative"]["year_to_date_spend"]["pt_slp"] = json!(295000);
        },
    );
    let derivation = derive(&engine, &encounter);
    assert_eq!(claim_lines(&derivation.lines), ["97110-GP-KXx2"]);
    assert_eq!(
        finding_ids(&derivation),
        [
            "modifiers.kx-medical-necessity-undocumented",
            "modifiers.targeted-review-threshold"
        ]
    );
}

#[test]
fn telehealth_pos_and_95_by_modality_date_and_payer() {
    let engine = engine();
    let visit = |date: &str, modality: &str, plan: &str| {
        encounter_with(json!([{"code": "97110", "minutes": 30}]), |v| {
            v["date_of_service"] = json!(date);
            v["compliance"]["plan_of_care"]["certification_start"] = json!("2022-01-01");
            v["compliance"]["plan_of_care"]["certification_end"] = json!("2029-01-01");
            v["administrative"]["modality"] = json!(modality);
            v["administrative"]["payer"]["plan"] = json!(plan);
        })
    };
    let home = derive(
        &engine,
        &visit("2025-03-03", "telehealth_home", "medicare_part_b"),
    );
    assert_eq!(home.place_of_service.place_of_service.as_str(), "10");
    assert_eq!(claim_lines(&home.lines), ["97110-GP-95x2"]);
    let other = derive(
        &engine,
        &visit("2025-03-03", "telehealth_other", "medicare_part_b"),
    );
    assert_eq!(other.place_of_service.place_of_service.as_str(), "02");
    let phe = derive(
        &engine,
        &visit("2023-03-03", "telehealth_home", "medicare_part_b"),
    );
    assert_eq!(phe.place_of_service.place_of_service.as_str(), "11");
    assert!(phe.place_of_service.to_string().contains("PHE"));
    let lapsed = derive(
        &engine,
        &visit("2028-01-03", "telehealth_home", "medicare_part_b"),
    );
    // 2028 also has no KX amount on file yet, which the engine says rather than guessing.
    assert_eq!(
        finding_ids(&lapsed),
        [
            "telehealth.outside-coverage-window",
            "modifiers.kx-threshold-year-unknown"
        ]
    );
    let commercial = derive(
        &engine,
        &visit("2028-01-03", "telehealth_home", "commercial"),
    );
    assert!(commercial.is_clean());
    let manual = encounter_with(json!([{"code": "97140", "minutes": 30}]), |v| {
        v["administrative"]["modality"] = json!("telehealth_home")
    });
    assert_eq!(
        finding_ids(&derive(&engine, &manual)),
        ["telehealth.code-not-on-telehealth-list"]
    );
    let in_person_pos10 = encounter_with(json!([{"code": "97110", "minutes": 30}]), |v| {
        v["administrative"]["place_of_service"] = json!("10")
    });
    assert_eq!(
        finding_ids(&derive(&engine, &in_person_pos10)),
        ["telehealth.pos-without-telehealth"]
    );
}

#[test]
fn ncci_pairs_add_the_payer_modifier_only_with_a_separate_interval() {
    let engine = engine();
    let pair = |separate: bool| {
        encounter_with(
            json!([{"code": "97530", "minutes": 23}, {"code": "97140", "minutes": 15, "separate_interval": separate}]),
            |_| {},
        )
    };
    let documented = derive(&engine, &pair(true));
    assert_eq!(
        claim_lines(&documented.lines),
        ["97140-59-GPx1", "97530-GPx2"]
    );
    assert!(documented.is_clean());
    let undocumented = derive(&engine, &pair(false));
    assert_eq!(
        claim_lines(&undocumented.lines),
        ["97140-GPx1", "97530-GPx2"]
    );
    assert_eq!(
        finding_ids(&undocumented),
        ["coding.ncci-separate-interval-undocumented"]
    );
    let advantage = encounter_with(
        json!([{"code": "97530", "minutes": 23}, {"code": "97140", "minutes": 15, "separate_interval": true}]),
        |v| {
            v["administrative"]["payer"]["plan"] = json!("medicare_advantage");
        },
    );
    assert_eq!(
        claim_lines(&derive(&engine, &advantage).lines),
        ["97140-XU-GPx1", "97530-GPx2"]
    );
    let slp = encounter_with(
        json!([{"code": "92523"}, {"code": "92522", "separate_interval": true}]),
        |v| {
            v["discipline"] = json!("slp");
            v["compliance"]["plan_of_care"]["discipline"] = json!("slp");
            v["compliance"]["rendering"]["role"] = json!("slp");
        },
    );
    assert_eq!(
        finding_ids(&derive(&engine, &slp)),
        ["coding.ncci-pair-not-allowed"]
    );
}

#[test]
fn medicare_specific_coding_findings() {
    let engine = engine();
    let e_stim = encounter_with(json!([{"code": "97014"}]), |_| {});
    assert_eq!(
        finding_ids(&derive(&engine, &e_stim)),
        ["coding.97014-not-recognized"]
    );
    let group = encounter_with(
        json!([{"code": "97110", "minutes": 30, "delivery": "concurrent"}]),
        |_| {},
    );
    assert_eq!(
        finding_ids(&derive(&engine, &group)),
        ["units.group-time-on-timed-code"]
    );
    let missing = encounter_with(json!([{"code": "97110", "charge_per_unit": 4200}]), |_| {});
    let derivation = derive(&engine, &missing);
    assert_eq!(finding_ids(&derivation), ["units.timed-minutes-missing"]);
    assert_eq!(claim_lines(&derivation.lines), ["97110x0"]);
    assert_eq!(
        derivation.lines[0].charge, None,
        "a line that is not billed has no charge"
    );
    let unknown = encounter_with(json!([{"code": "99213"}]), |_| {});
    assert_eq!(
        finding_ids(&derive(&engine, &unknown)),
        ["units.code-not-in-catalogue"]
    );
    let overlong = encounter_with(
        json!([{"code": "97110", "minutes": 40, "start": "09:00", "stop": "09:30"}]),
        |_| {},
    );
    assert_eq!(
        finding_ids(&derive(&engine, &overlong)),
        ["units.minutes-exceed-interval"]
    );
    let repeated = encounter_with(json!([{"code": "97161"}, {"code": "97161"}]), |_| {});
    assert_eq!(
        finding_ids(&derive(&engine, &repeated)),
        ["units.untimed-code-repeated"]
    );
}

#[test]
fn more_than_four_modifiers_is_a_finding() {
    let engine = engine();
    let encounter = encounter_with(
        json!([{"code": "97530", "minutes": 23}, {"code": "97140", "furnished_by": {"assistant_alone": 15}, "separate_interval": true}]),
        |v| {
            v["administrative"]["modality"] = json!("telehealth_home");
            v["administrative"]["year_to_date_spend"]["pt_slp"] = json!(300000);
            v["compliance"]["medical_necessity_documented"] = json!(true);
        },
    );
    let derivation = derive(&engine, &encounter);
    assert!(
        finding_ids(&derivation).contains(&"modifiers.more-than-four"),
        "{:?}",
        finding_ids(&derivation)
    );
}

/// The KX threshold counts allowed amounts when a fee schedule is loaded: a $50 charge that
/// would cross it is a $31.25 allowed amount that does not; the explanation says which.
#[test]
fn kx_counts_allowed_amounts_from_a_fee_schedule() {
    let visit = encounter_with(
        json!([{"code": "97110", "minutes": 15, "charge_per_unit": 5000}]),
        |v| {
            v["date_of_service"] = json!("2025-06-03");
            v["compliance"]["plan_of_care"] = json!({"discipline": "pt", "certification_start": "2025-05-01", "certification_end": "2025-07-29", "signed_on": "2025-05-02"});
            v["compliance"]["medical_necessity_documented"] = json!(true);
            v["administrative"]["year_to_date_spend"]["pt_slp"] = json!(241000 - 4000);
        },
    );
    let plain = engine();
    let charges = derive(&plain, &visit);
    assert_eq!(claim_lines(&charges.lines), ["97110-GP-KXx1"]);
    assert!(
        charges.lines[0]
            .explanation()
            .contains("counted in billed charges: no fee schedule is loaded"),
        "{}",
        charges.lines[0].explanation()
    );
    let fees = cleanclaim_billing::FeeSchedule::parse(
        "fees.csv",
        b"year,locality,code,modifier,allowed\n2025,01102,97110,,31.25\n",
    )
    .unwrap();
    let with_fees = engine().with_fee_schedule(fees);
    let allowed = derive(&with_fees, &visit);
    assert_eq!(claim_lines(&allowed.lines), ["97110-GPx1"]);
    assert_eq!(allowed.therapy_spend.0, 3125);
    // $40.01 of allowed amounts crosses it, and the explanation names the basis.
    let mut closer = visit.clone();
    closer.administrative.year_to_date_spend.pt_slp = cleanclaim_model::Cents(241000 - 3124);
    let crossed = derive(&with_fees, &closer);
    assert_eq!(claim_lines(&crossed.lines), ["97110-GP-KXx1"]);
    assert!(
        crossed.lines[0]
            .explanation()
            .contains("counted in allowed amounts from the fee schedule")
    );
}
