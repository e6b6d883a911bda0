#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

//! The streaming 835 reader against every public 835 in the corpus (skipped, with a word, where
//! it is absent), and against broken input.

mod common;
mod remit_support;

use cleanclaim_model::Cents;
use remit_support::{read_all, read_recycling};
use std::fs;

use cleanclaim_x12::x835::{ClaimStatus, RemitItem};
use cleanclaim_x12::{ErrorKind, ReadError};
use common::Corpus;

/// Files whose amounts do not balance, and why. Every other corpus 835 must balance at
/// claim, line and transaction level.
const UNBALANCED: &[(&str, &str)] = &[
    (
        "oopfactory__835_WithMultipleInterchanges.txt",
        "de-identified: amounts were overwritten with 9s",
    ),
    (
        "oopfactory__ExampleFromNth.txt",
        "de-identified: amounts were overwritten with 9s",
    ),
    (
        "lfh-x12__tertiary-payment.835",
        "`SVC*HC*24599.00*...` lost SVC01's component separator, so every SVC element shifts one place (the claim carries the error)",
    ),
    (
        "oopfactory__Example1.txt",
        "4010-era sample: its reversal claim `CLP*090909*22` has no amounts, so BPR02 misses the PLB",
    ),
];

fn imbalances(items: &[RemitItem]) -> Vec<String> {
    let mut found = Vec::new();
    for item in items {
        match item {
            RemitItem::Claim(claim) => {
                if !claim.imbalance_cents().is_zero() {
                    found.push(format!("claim at segment {}", claim.segment));
                }
                for line in &claim.lines {
                    if !line.imbalance_cents().is_zero() {
                        found.push(format!("line at segment {}", line.segment));
                    }
                }
            }
            RemitItem::End(totals) if !totals.imbalance_cents().is_zero() => {
                found.push(format!("transaction ending at segment {}", totals.segment));
            }
            _ => {}
        }
    }
    found
}

#[test]
fn every_corpus_835_reads_and_balances_unless_known_not_to() {
    let Some(corpus) = common::corpus("every_corpus_835_reads_and_balances_unless_known_not_to")
    else {
        return;
    };
    let files = corpus.files("x12-835");
    assert_eq!(files.len(), 12);
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let items = read_all(&fs::read(&file).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            items.iter().any(|i| matches!(i, RemitItem::Claim(_))),
            "{name} yielded no claims"
        );
        let off = imbalances(&items);
        let expected_off = UNBALANCED.iter().any(|(f, _)| *f == name);
        assert_eq!(!off.is_empty(), expected_off, "{name}: {off:?}");
    }
}

fn items_of(corpus: &Corpus, name: &str) -> Vec<RemitItem> {
    read_all(&fs::read(corpus.file("x12-835", name)).unwrap()).unwrap()
}

#[test]
fn a_managed_care_remittance_reads_field_by_field() {
    let Some(corpus) = common::corpus("a_managed_care_remittance_reads_field_by_field") else {
        return;
    };
    let items = items_of(&corpus, "lfh-x12__managed-care.835");
    let RemitItem::Payment(payment) = &items[0] else {
        panic!("the payment comes first: {:?}", items[0])
    };
    assert_eq!(payment.handling, "I");
    assert_eq!(payment.total_cents, Cents(94_500));
    assert_eq!(payment.method, "ACH");
    assert_eq!(payment.trace_number, "7170066655");
    assert_eq!(payment.payer_key(), "1935665544");
    assert_eq!(payment.payer.name, "RUSHMORE LIFE");
    assert_eq!(
        (
            payment.payee.id_qualifier.as_str(),
            payment.payee.id.as_str()
        ),
        ("XX", "5544667733")
    );
    assert_eq!(payment.payee.additional_id, "777667755");
    // BPR16 is 20002316, not a date: kept as an error, the rest read on.
    assert_eq!(payment.payment_date, None);
    assert_eq!(payment.errors.len(), 1);
    assert_eq!(payment.errors[0].element.unwrap().element, 16);

    let RemitItem::Claim(claim) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert_eq!(claim.patient_control_number, "8765432112");
    assert_eq!(claim.status, Some(ClaimStatus::Processed { sequence: 1 }));
    assert_eq!(
        (
            claim.charge_cents,
            claim.paid_cents,
            claim.patient_responsibility_cents
        ),
        (Cents(120_000), Cents(49_500), Cents(60_000))
    );
    assert_eq!(claim.payer_claim_number, "94077799230000");
    assert_eq!(claim.patient_name, "SETTLE, SUSAN");
    let reasons: Vec<_> = claim
        .adjustments
        .iter()
        .map(|a| (a.group.code(), a.reason.as_str(), a.amount_cents))
        .collect();
    assert_eq!(reasons, [("CO", "A2", Cents(5_500))]);
    let line = &claim.lines[0];
    assert_eq!(
        (line.qualifier.as_str(), line.code.as_str()),
        ("HC", "93555")
    );
    assert_eq!(
        (line.charge_cents, line.paid_cents),
        (Cents(120_000), Cents(55_000))
    );
    assert_eq!(
        line.service_date,
        chrono::NaiveDate::from_ymd_opt(2002, 3, 10)
    );
    let line_reasons: Vec<_> = line
        .adjustments
        .iter()
        .map(|a| (a.group.code(), a.reason.as_str(), a.amount_cents))
        .collect();
    assert_eq!(
        line_reasons,
        [("PR", "1", Cents(60_000)), ("CO", "45", Cents(5_000))]
    );
    let RemitItem::End(totals) = items.last().unwrap() else {
        panic!("the end comes last")
    };
    assert_eq!(
        (
            totals.claims,
            totals.claims_paid_cents,
            totals.imbalance_cents()
        ),
        (2, Cents(94_500), Cents::ZERO)
    );
}

#[test]
fn line_detail_modifiers_allowed_amounts_and_control_numbers_are_read() {
    let Some(corpus) =
        common::corpus("line_detail_modifiers_allowed_amounts_and_control_numbers_are_read")
    else {
        return;
    };
    let items = items_of(&corpus, "edi835parser__blue_cross_nc_sample.txt");
    let claim = items
        .iter()
        .find_map(|i| match i {
            RemitItem::Claim(c) => Some(c),
            _ => None,
        })
        .unwrap();
    let controls: Vec<_> = claim
        .lines
        .iter()
        .map(|l| l.control_number.as_deref())
        .collect();
    assert_eq!(controls, [Some("0001"), Some("0002"), Some("0003")]);
    assert_eq!(claim.lines[0].allowed_cents, Some(Cents(117_540)));
    assert_eq!(claim.lines[1].submitted_code.as_deref(), Some("59410"));
    // The third SVC lost its component separators (`HC:59426******742`): its charge and
    // payment are missing, which the claim carries as an error rather than stopping the file.
    assert_eq!(claim.errors.len(), 2, "{:?}", claim.errors);
    assert!(
        claim
            .errors
            .iter()
            .all(|e| e.segment == claim.lines[2].segment)
    );

    let emedny = items_of(&corpus, "edi835parser__emedny_sample.txt");
    let first = emedny
        .iter()
        .find_map(|i| match i {
            RemitItem::Claim(c) => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(first.lines[0].modifiers, ["RB"]);
    assert_eq!(first.lines[3].units_paid, "2");
}

#[test]
fn provider_level_adjustments_are_items_of_their_own() {
    let Some(corpus) = common::corpus("provider_level_adjustments_are_items_of_their_own") else {
        return;
    };
    let items = items_of(&corpus, "oopfactory__Example1.txt");
    let plb: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            RemitItem::ProviderAdjustment(p) => {
                Some((p.reason.as_str(), p.reference.as_str(), p.amount_cents))
            }
            _ => None,
        })
        .collect();
    assert_eq!(plb, [("CV", "9876514", Cents(-127))]);
}

const MINIMAL: &str = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *241101*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20241101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*80*C*ACH*CCP*01*999*DA*123*1512345678**01*888*DA*456*20241101~TRN*1*EFT0001*1512345678~N1*PR*ACME HEALTH~N1*PE*CLINIC*XX*1234567893~LX*1~CLP*E-1*1*120*80*20*12*PCN1~SVC*HC:97110:GP*120*80**2~DTM*472*20241015~CAS*PR*2*20~CAS*CO*45*20~REF*6R*E-1-1~SE*13*0001~GE*1*1~IEA*1*000000001~";

#[test]
fn a_segment_out_of_place_stops_reading_with_its_position() {
    let input = MINIMAL.replace("LX*1~", "LX*1~SVC*HC:97110*1*1~");
    let error = read_all(input.as_bytes()).unwrap_err();
    let ReadError::X12(error) = error else {
        panic!("{error}")
    };
    assert_eq!((error.segment, error.id.as_str()), (9, "SVC"));
    assert!(matches!(error.kind, ErrorKind::Structure(_)));

    let unknown = MINIMAL.replace("REF*6R", "HI*6R");
    let error = read_all(unknown.as_bytes()).unwrap_err().to_string();
    assert!(
        error.contains("HI is not a segment of the 835 service payment loop"),
        "{error}"
    );

    let no_trace = MINIMAL.replace("TRN*1*EFT0001*1512345678~", "");
    let error = read_all(no_trace.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("needs BPR01 and TRN02"), "{error}");
}

#[test]
fn other_transaction_sets_are_skipped_and_an_input_without_835s_is_an_error() {
    let Some(corpus) =
        common::corpus("other_transaction_sets_are_skipped_and_an_input_without_835s_is_an_error")
    else {
        return;
    };
    let error = read_all(
        fs::read(corpus.files("x12-999").into_iter().next().unwrap())
            .unwrap()
            .as_slice(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("no 835 transaction set"), "{error}");
}

#[test]
fn every_truncation_of_a_remittance_is_an_error_never_a_panic() {
    for end in 0..MINIMAL.len() {
        let cut = &MINIMAL.as_bytes()[..end];
        assert!(read_all(cut).is_err(), "{} bytes read as complete", end);
    }
    assert!(read_all(MINIMAL.as_bytes()).is_ok());
}

#[test]
fn recycled_claims_carry_nothing_over() {
    let Some(corpus) = common::corpus("recycled_claims_carry_nothing_over") else {
        return;
    };
    for file in corpus.files("x12-835") {
        let bytes = fs::read(&file).unwrap();
        let fresh = read_all(&bytes).unwrap();
        let recycled = read_recycling(&bytes);
        assert_eq!(fresh, recycled, "{}", file.display());
    }
}

#[test]
fn the_payee_is_identified_by_npi_and_tax_id_for_linking() {
    let Some(corpus) = common::corpus("the_payee_is_identified_by_npi_and_tax_id_for_linking")
    else {
        return;
    };
    let payee = |name: &str| {
        let items = items_of(&corpus, name);
        let RemitItem::Payment(payment) = &items[0] else {
            panic!("the payment comes first: {:?}", items[0])
        };
        payment.payee_ids()
    };
    // N1*PE*...*XX*9999999995 with REF*TJ*000000000.
    let both = payee("edi835parser__emedny_sample.txt");
    assert_eq!(
        (both.npi.as_str(), both.tax_id.as_str()),
        ("9999999995", "000000000")
    );
    // N1*PE*...*FI*346608640: a tax id and no NPI.
    let tax_id_only = payee("oopfactory__Example1.txt");
    assert_eq!(
        (tax_id_only.npi.as_str(), tax_id_only.tax_id.as_str()),
        ("", "346608640")
    );
}

#[test]
fn an_adjustment_without_a_reason_stays_on_its_claim_as_an_element_error() {
    for bare in ["CAS*CO~", "CAS*CO*~"] {
        let input = MINIMAL.replace("CAS*CO*45*20~", bare);
        let items = read_all(input.as_bytes()).unwrap();
        let claim = items
            .iter()
            .find_map(|item| match item {
                RemitItem::Claim(claim) => Some(claim),
                _ => None,
            })
            .unwrap();
        let error = &claim.errors[0];
        assert_eq!(error.kind, ErrorKind::MissingElement, "{bare}");
        assert_eq!(
            (error.id.as_str(), error.element.map(|e| e.element)),
            ("CAS", Some(2))
        );
        // The adjustment before it still counts.
        assert_eq!(claim.lines[0].adjustments.len(), 1, "{bare}");
    }
}

/// MINIMAL with what the guide requires and it leaves out: the payer's address and technical
/// contact (loop 1000A) and the patient's name (loop 2100).
fn complete() -> String {
    MINIMAL
        .replace(
            "N1*PR*ACME HEALTH~",
            "N1*PR*ACME HEALTH~N3*1 MAIN ST~N4*SPRINGFIELD*IL*62701~PER*BL*EDI*TE*5555550100~",
        )
        .replace("PCN1~", "PCN1~NM1*QC*1*DOE*JANE~")
        .replace("SE*13*0001", "SE*17*0001")
}

fn structure_errors(input: &str) -> Vec<String> {
    cleanclaim_x12::validate(input)
        .errors
        .iter()
        .map(|e| format!("{} {}: {}", e.segment, e.id, e.kind))
        .collect()
}

#[test]
fn the_835_is_validated_against_its_loops() {
    assert_eq!(structure_errors(&complete()), Vec::<String>::new());
    // MINIMAL leaves out the payer's address and technical contact, both required.
    let errors = structure_errors(MINIMAL);
    let expected = [
        "7 N1: required segment N3 (Payer Address) is missing from loop 1000A (Payer Identification)",
        "7 N1: required segment N4 (Payer City, State, ZIP Code) is missing from loop 1000A (Payer Identification)",
        "7 N1: required segment PER (Payer Technical Contact Information) is missing from loop 1000A (Payer Identification)",
        "10 SVC: required segment NM1 (Patient Name) is missing from loop 2100 (Claim Payment Information)",
    ];
    assert_eq!(errors, expected);
}

#[test]
fn same_position_segments_may_come_in_any_order_others_may_not() {
    // DTM*050 before DTM*232: one position of the standard, so either order.
    let dates = complete().replace(
        "NM1*QC*1*DOE*JANE~",
        "NM1*QC*1*DOE*JANE~DTM*050*20241020~DTM*232*20241015~",
    );
    let dates = dates.replace("SE*17*0001", "SE*19*0001");
    assert_eq!(structure_errors(&dates), Vec::<String>::new());
    // The patient's name after the dates is out of order, and NM1*QC is required.
    let late_name = dates
        .replace("NM1*QC*1*DOE*JANE~", "")
        .replace("DTM*232*20241015~", "DTM*232*20241015~NM1*QC*1*DOE*JANE~");
    let errors = structure_errors(&late_name);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("NM1 is not expected here (after loop 2100)")),
        "{errors:?}"
    );
    // A line has one control number.
    let twice = complete().replace("REF*6R*E-1-1~", "REF*6R*E-1-1~REF*6R*E-1-2~");
    let twice = twice.replace("SE*17*0001", "SE*18*0001");
    let errors = structure_errors(&twice);
    assert!(
        errors.iter().any(|e| e
            .contains("REF (Line Item Control Number) repeats more than 1 time(s) in loop 2110")),
        "{errors:?}"
    );
}
