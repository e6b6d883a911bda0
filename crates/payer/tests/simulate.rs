//! The payer simulator on a real 837P (the X12 crate's plain fixture): every answer validates,
//! every line balances, and each rule denies or rejects with the code a payer would send.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use cleanclaim_payer::{PayerState, Rules, simulate};

const PLAIN: &str = include_str!("../../x12/tests/data/fixtures/837p/plain.837");

/// The built-in rules plus the fixture's payer, MCR-B (Medicare: MBI member ids, KX).
fn rules(extra: &str) -> Rules {
    let text = format!(
        "{}\n[[payer]]\nid = \"MCR-B\"\nname = \"MEDICARE PART B\"\nmember_id = \"mbi\"\nunknown_member_per_thousand = 0\nkx_threshold_cents = 242000\ndeductible_cents = 0\n{extra}",
        cleanclaim_payer::rules::BUILTIN
    );
    Rules::from_toml(&text, "test").unwrap()
}

/// [`rules`] with the fixture's payer changed.
fn rules_where(change: impl FnOnce(&mut cleanclaim_payer::rules::PayerRules)) -> Rules {
    let mut rules = rules("");
    change(rules.payer.iter_mut().find(|p| p.id == "MCR-B").unwrap());
    rules
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn valid(text: &str) {
    let report = cleanclaim_x12::validate(text);
    assert!(
        report.is_valid(),
        "{:?}\n{}",
        report.errors,
        text.replace('~', "~\n")
    );
}

/// CAS reasons of the 835, in order.
fn reasons(remit: &str) -> Vec<String> {
    remit
        .split('~')
        .filter(|s| s.starts_with("CAS*"))
        .map(|s| s.split('*').take(3).collect::<Vec<_>>().join("*"))
        .collect()
}

#[test]
fn a_clean_claim_is_accepted_paid_and_every_file_validates() {
    let mut state = PayerState::default();
    let answers = simulate(PLAIN, &rules(""), &mut state, day("2025-03-20")).unwrap();
    valid(&answers.ack_999);
    assert!(answers.ack_999.contains("IK5*A~") && answers.ack_999.contains("AK9*A*1*1*1~"));
    let ack = answers.ack_277ca.as_deref().unwrap();
    valid(ack);
    assert!(ack.contains("STC*A2:20*"), "{ack}");
    // STC02 is not used at the billing provider level (pyx12 refuses it there).
    assert!(ack.contains("HL*3*2*19*1~NM1*85*2*Riverside Therapy Group*****XX*1245319599~TRN*1*1201~STC*A1:19**WQ*"), "{ack}");
    let remit = answers.remittance_835.as_deref().unwrap();
    valid(remit);
    assert!(remit.contains("CLP*PT-0001*1*134*"), "{remit}");
    assert!(
        remit.contains("*MB*P"),
        "CLP06 is the 835's Medicare Part B code: {remit}"
    );
    // A commercial claim (SBR09 CI) is reported as a PPO (12): the 835 has no CI.
    let commercial = PLAIN.replace("*******MB~", "*******CI~");
    let commercial_remit = simulate(
        &commercial,
        &rules(""),
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap()
    .remittance_835
    .unwrap();
    assert!(commercial_remit.contains("*12*P"), "{commercial_remit}");
    // The 835 reads back with our reader, and every claim balances.
    let report = cleanclaim_x12::validate(remit);
    assert!(report.has_set("835"));
    assert_eq!(answers.summary.paid, 1);
    assert!(answers.summary.paid_cents > Cents::ZERO);
    assert_eq!(
        reasons(remit),
        ["CAS*CO*45", "CAS*PR*2", "CAS*CO*45", "CAS*PR*2"]
    );
}

#[test]
fn each_rule_denies_with_its_code() {
    type Change = Box<dyn Fn(&mut Rules)>;
    let cases: Vec<(Change, &str, &str, &str)> = vec![
        // (rules changed, text removed from the 837, the payer's date, the CAS expected)
        (
            Box::new(|_| {}),
            "SV1*HC:97110:GP*",
            "2025-03-20",
            "CAS*CO*4",
        ),
        (
            Box::new(|r| r.ncci_pairs = vec![["97112".into(), "97110".into()]]),
            "",
            "2025-03-20",
            "CAS*CO*97",
        ),
        (
            Box::new(|r| {
                r.units_per_day.insert("97112".into(), 1);
            }),
            "",
            "2025-03-20",
            "CAS*CO*151",
        ),
        (
            Box::new(|r| {
                r.diagnosis_required = vec![cleanclaim_payer::rules::DiagnosisRequired {
                    code: "97110".into(),
                    prefixes: vec!["Z".into()],
                }]
            }),
            "",
            "2025-03-20",
            "CAS*CO*11",
        ),
        (Box::new(|_| {}), "", "2026-06-01", "CAS*CO*29"),
    ];
    for (n, (change, remove, today, expected)) in cases.into_iter().enumerate() {
        let mut rules = rules("");
        change(&mut rules);
        let text = if remove.is_empty() {
            PLAIN.to_owned()
        } else {
            PLAIN.replacen(remove, "SV1*HC:97110*", 1)
        };
        let answers = simulate(&text, &rules, &mut PayerState::default(), day(today)).unwrap();
        let remit = answers
            .remittance_835
            .as_deref()
            .unwrap_or_else(|| panic!("case {n}: no 835"));
        valid(remit);
        assert!(
            reasons(remit).iter().any(|r| r == expected),
            "case {n}: {:?}",
            reasons(remit)
        );
    }
}

#[test]
fn the_same_original_twice_is_a_duplicate_and_authorization_is_required_where_the_payer_says() {
    let rules = rules("");
    let mut state = PayerState::default();
    simulate(PLAIN, &rules, &mut state, day("2025-03-20")).unwrap();
    let again = simulate(PLAIN, &rules, &mut state, day("2025-03-21")).unwrap();
    let remit = again.remittance_835.unwrap();
    assert!(remit.contains("CLP*PT-0001*4*"), "{remit}");
    assert!(reasons(&remit).iter().all(|r| r == "CAS*CO*18"));
    let strict = rules_where(|payer| payer.requires_authorization = true);
    let remit = simulate(
        PLAIN,
        &strict,
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap()
    .remittance_835
    .unwrap();
    assert!(
        reasons(&remit).iter().all(|r| r == "CAS*CO*197"),
        "{:?}",
        reasons(&remit)
    );
    assert!(remit.contains("LQ*HE*M62"));
}

#[test]
fn above_the_kx_threshold_a_line_without_kx_is_denied() {
    let rules = rules_where(|payer| payer.kx_threshold_cents = Some(3000));
    let remit = simulate(PLAIN, &rules, &mut PayerState::default(), day("2025-03-20"))
        .unwrap()
        .remittance_835
        .unwrap();
    assert!(
        reasons(&remit).contains(&"CAS*CO*119".to_owned()),
        "{:?}",
        reasons(&remit)
    );
    let with_kx = PLAIN.replace(":GP*", ":GP:KX*");
    let remit = simulate(
        &with_kx,
        &rules,
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap()
    .remittance_835
    .unwrap();
    assert!(
        !reasons(&remit).contains(&"CAS*CO*119".to_owned()),
        "{:?}",
        reasons(&remit)
    );
}

#[test]
fn front_end_rejections_come_back_on_the_277ca_and_not_on_the_835() {
    let not_mbi = PLAIN.replace("MI*1EG4TE5MK73", "MI*W123456789");
    let answers = simulate(
        &not_mbi,
        &rules(""),
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap();
    let ack = answers.ack_277ca.unwrap();
    valid(&ack);
    assert!(ack.contains("STC*A7:164:IL*"), "{ack}");
    assert!(answers.remittance_835.is_none());
    assert_eq!(answers.summary.rejected_front_end, 1);
    let unknown_payer = PLAIN.replace("PI*MCR-B", "PI*NOBODY");
    let ack = simulate(
        &unknown_payer,
        &rules(""),
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap()
    .ack_277ca
    .unwrap();
    assert!(ack.contains("STC*A7:21:PR*"), "{ack}");
}

#[test]
fn a_file_with_a_syntax_error_is_rejected_by_the_999_alone() {
    let broken = PLAIN.replace("SE*34*0001", "SE*35*0001");
    let answers = simulate(
        &broken,
        &rules(""),
        &mut PayerState::default(),
        day("2025-03-20"),
    )
    .unwrap();
    valid(&answers.ack_999);
    assert!(
        answers.ack_999.contains("IK5*R*5~") && answers.ack_999.contains("AK9*R*1*1*0~"),
        "{}",
        answers.ack_999
    );
    assert!(answers.ack_277ca.is_none() && answers.remittance_835.is_none());
}

/// The 835 the payer answers `text` with, with `state`.
fn remit_of(text: &str, rules: &Rules, state: &mut PayerState, on: &str) -> String {
    simulate(text, rules, state, day(on))
        .unwrap()
        .remittance_835
        .unwrap()
}

/// PLAIN with a prior authorization number (REF*G1 after the claim's dates).
fn with_authorization(claim_id: &str) -> String {
    PLAIN
        .replace("HI*ABK", "REF*G1*AUTH-7~HI*ABK")
        .replace("SE*34*", "SE*35*")
        .replace("PT-0001", claim_id)
}

#[test]
fn a_granted_authorization_pays_its_visits_and_denies_the_one_past_them() {
    let rules = rules("");
    let mut state = PayerState::default();
    state.grant("AUTH-7", day("2025-03-01"), day("2025-03-31"), 1);
    let first = remit_of(
        &with_authorization("PT-0001"),
        &rules,
        &mut state,
        "2025-03-20",
    );
    valid(&with_authorization("PT-0001"));
    assert!(first.contains("CLP*PT-0001*1*"), "{first}");
    // A second visit on a one-visit grant is past it.
    let second = remit_of(
        &with_authorization("PT-0002"),
        &rules,
        &mut state,
        "2025-03-21",
    );
    assert!(second.contains("CLP*PT-0002*4*"), "{second}");
    assert!(reasons(&second).iter().all(|r| r == "CAS*CO*198"));
    assert!(second.contains("LQ*HE*N54"));
    // Extended, the same visit is paid.
    state.grant("AUTH-7", day("2025-03-01"), day("2025-03-31"), 2);
    let third = remit_of(
        &with_authorization("PT-0003"),
        &rules,
        &mut state,
        "2025-03-22",
    );
    assert!(third.contains("CLP*PT-0003*1*"), "{third}");
}

#[test]
fn a_code_off_the_telehealth_list_billed_by_telehealth_is_denied() {
    let by_telehealth = PLAIN.replace("*11:B:1*", "*10:B:1*");
    let remit = remit_of(
        &by_telehealth,
        &rules(""),
        &mut PayerState::default(),
        "2025-03-20",
    );
    // 97110 and 97112 are on the list: paid.
    assert!(remit.contains("CLP*PT-0001*1*"), "{remit}");
    let off_list = by_telehealth.replace("HC:97112:GP", "HC:97140:GP");
    let remit = remit_of(
        &off_list,
        &rules(""),
        &mut PayerState::default(),
        "2025-03-20",
    );
    assert!(
        reasons(&remit).contains(&"CAS*CO*5".to_owned()),
        "{:?}",
        reasons(&remit)
    );
    assert!(remit.contains("LQ*HE*M77"));
}
