#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The project's own X12 fixtures (`tests/data/fixtures`, described in its README): the same
//! structures the public corpus has (a UTF-8 BOM, CRLF and indentation, other delimiters, a
//! bare ST..SE fragment, several interchanges, groups and sets, single-change broken copies,
//! paid, denied and unbalanced 835s, 999s with TA1 and CTX, 277CAs, a 277 that is not a
//! 277CA), so these checks run on every clone. The corpus tests run the same readers on files
//! other projects wrote, where the corpus exists.

mod remit_support;

use cleanclaim_model::Cents;
use remit_support::{read_all, read_recycling};
use std::fs;
use std::path::{Path, PathBuf};

use cleanclaim_x12::ack::{AckCode, Acknowledgment, StatusVerdict, read_acknowledgments};
use cleanclaim_x12::x835::{ClaimStatus, RemitItem};
use cleanclaim_x12::{ErrorKind, validate};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixtures")
}

fn fixture(path: &str) -> String {
    fs::read_to_string(fixtures().join(path)).unwrap()
}

fn files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn items(name: &str) -> Vec<RemitItem> {
    read_all(fixture(&format!("835/{name}")).as_bytes()).unwrap()
}

fn claims(items: &[RemitItem]) -> Vec<&cleanclaim_x12::x835::ClaimPayment> {
    items
        .iter()
        .filter_map(|i| match i {
            RemitItem::Claim(c) => Some(&**c),
            _ => None,
        })
        .collect()
}

#[test]
fn every_valid_fixture_reads_through_its_envelope_without_errors() {
    let expected_sets = [
        ("bom-crlf-indented.837", 1),
        ("different-separators.837", 1),
        ("multiple-groups.837", 2),
        ("multiple-interchanges.837", 2),
        ("multiple-sets.837", 2),
        ("plain.837", 1),
        ("with-other-payer.837", 1),
    ];
    let found = files("837p");
    assert_eq!(found.len(), expected_sets.len());
    for (path, (name, sets)) in found.iter().zip(expected_sets) {
        assert_eq!(path.file_name().unwrap().to_string_lossy(), name);
        let report = validate(&fs::read_to_string(path).unwrap());
        assert!(report.is_valid(), "{name}: {:?}", report.errors);
        assert_eq!(report.set_count(), sets, "{name}");
    }
    for folder in ["835", "999", "277ca", "277ca/not-277ca-x212"] {
        for path in files(folder) {
            let report = validate(&fs::read_to_string(&path).unwrap());
            assert!(!report.fatal, "{}: {:?}", path.display(), report.errors);
            assert!(report.set_count() > 0, "{}", path.display());
        }
    }
}

/// Each broken copy differs from `plain.837` by one change. The first error's segment ordinal,
/// id and element, and a phrase of its message; then a phrase some error must carry (the
/// break itself, when the first error is a consequence of it).
type Expectation = (
    &'static str,
    usize,
    &'static str,
    Option<usize>,
    &'static str,
    &'static str,
);

const INVALID: &[Expectation] = &[
    (
        "amt-f2-in-2320.837",
        29,
        "AMT",
        Some(1),
        "`F2` is not a valid code here",
        "in loop 2320",
    ),
    (
        "dtp-472-february-29-not-leap.837",
        30,
        "DTP",
        Some(3),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "dtp-472-february-30.837",
        30,
        "DTP",
        Some(3),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "dtp-472-month-13.837",
        30,
        "DTP",
        Some(3),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "dtp-472-seven-digits.837",
        30,
        "DTP",
        Some(3),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "frm-without-answer.837",
        38,
        "FRM",
        None,
        "one of FRM02, FRM03, FRM04 or FRM05",
        "none is present",
    ),
    (
        "gs05-not-a-time.837",
        2,
        "GS",
        Some(5),
        "not a valid time",
        "HHMM",
    ),
    (
        "gs08-4010.837",
        2,
        "GS",
        Some(8),
        "version 004010X098A1 is not supported",
        "the envelope was checked",
    ),
    (
        "gs08-bare-5010.837",
        2,
        "GS",
        Some(8),
        "version 5010 is not supported",
        "the envelope was checked",
    ),
    (
        "isa12-4010.837",
        1,
        "ISA",
        Some(12),
        "version 00401 is not supported",
        "the envelope was checked",
    ),
    (
        "nm108-mi-in-2420d.837",
        31,
        "NM1",
        Some(8),
        "`MI` is not a valid code here",
        "XX in loop 2420D",
    ),
    (
        "oi04-not-p.837",
        30,
        "OI",
        Some(4),
        "`A` is not a valid code here",
        "one of P",
    ),
    (
        "repeated-gs06.837",
        38,
        "GS",
        Some(6),
        "group control number repeats within the file",
        "repeats",
    ),
    (
        "repeated-isa13.837",
        39,
        "ISA",
        Some(13),
        "interchange control number repeats within the file",
        "repeats",
    ),
    (
        "trailing-separator.837",
        29,
        "SV1",
        None,
        "the segment ends with a separator",
        "no trailing separators",
    ),
    (
        "bad-entity-code.837",
        5,
        "NM1",
        Some(1),
        "`117` is not a valid code here",
        "required loop 1000A",
    ),
    (
        "claim-total-not-sum-of-lines.837",
        21,
        "CLM",
        Some(2),
        "does not equal the sum",
        "135",
    ),
    (
        "negative-charge.837",
        29,
        "SV1",
        Some(2),
        "a charge is never negative",
        "never negative",
    ),
    (
        "empty-segment-id.837",
        6,
        "<empty>",
        None,
        "bad segment id",
        "bad segment id",
    ),
    (
        "hl-child-flag-without-child.837",
        14,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
        "HL04 is 1",
    ),
    (
        "hl-parent-missing.837",
        8,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
        "parent HL \"3\" does not appear",
    ),
    (
        "isa-not-fixed-width.837",
        1,
        "ISA",
        None,
        "fixed-width",
        "fixed-width",
    ),
    (
        "loop-repeats-too-often.837",
        14,
        "NM1",
        None,
        "loop 2010AA (Billing Provider Name) repeats more than 1",
        "repeats",
    ),
    (
        "missing-first-gs.837",
        2,
        "ST",
        None,
        "out of place",
        "out of place",
    ),
    (
        "missing-first-isa.837",
        1,
        "GS",
        None,
        "neither ISA nor ST",
        "neither ISA nor ST",
    ),
    (
        "missing-first-st.837",
        3,
        "BHT",
        None,
        "out of place",
        "out of place",
    ),
    (
        "missing-last-ge.837",
        37,
        "IEA",
        None,
        "IEA is out of place",
        "IEA is out of place",
    ),
    (
        "missing-last-iea.837",
        37,
        "GE",
        None,
        "IEA is missing",
        "IEA is missing",
    ),
    (
        "missing-last-se.837",
        36,
        "GE",
        None,
        "GE inside a transaction set: SE is missing",
        "SE is missing",
    ),
    (
        "missing-required-element.837",
        5,
        "NM1",
        Some(2),
        "required element is missing",
        "required element",
    ),
    (
        "missing-required-loop.837",
        10,
        "HL",
        None,
        "required loop 2010AA",
        "required loop 2010AA",
    ),
    (
        "missing-required-segment.837",
        11,
        "N4",
        None,
        "required segment N3 (Billing Provider Address) is missing",
        "required segment N3",
    ),
    (
        "segments-out-of-order.837",
        11,
        "N4",
        None,
        "required segment N3",
        "N3 is not expected here",
    ),
];

#[test]
fn every_broken_837p_is_rejected_with_a_position_and_its_break_named() {
    let found = files("837p/invalid");
    assert_eq!(found.len(), INVALID.len());
    for path in found {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let expectation = INVALID
            .iter()
            .find(|row| row.0 == file)
            .unwrap_or_else(|| panic!("{file} has no expectation"));
        assert_rejected_as_expected(&fs::read_to_string(&path).unwrap(), expectation);
    }
}

/// The first error at the expected segment, id and element with its phrase, and some error
/// naming the break.
fn assert_rejected_as_expected(text: &str, expectation: &Expectation) {
    let (name, segment, id, element, first_phrase, break_phrase) = expectation;
    let report = validate(text);
    assert!(!report.is_valid(), "{name}");
    let first = report.errors.first().unwrap();
    assert_eq!(
        (
            first.segment,
            first.id.as_str(),
            first.element.map(|e| e.element)
        ),
        (*segment, *id, *element),
        "{name}: {first}"
    );
    assert!(first.to_string().contains(first_phrase), "{name}: {first}");
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.to_string().contains(break_phrase)),
        "{name}: {:?}",
        report.errors
    );
}

#[test]
fn the_valid_837p_structures_agree_with_the_plain_file() {
    // BOM, CRLF and indentation, or other delimiters, change nothing the reader sees.
    let plain = cleanclaim_x12::x837::read_claims(&fixture("837p/plain.837")).unwrap();
    for other in ["bom-crlf-indented.837", "different-separators.837"] {
        let text = fixture(&format!("837p/{other}"));
        assert_eq!(
            cleanclaim_x12::x837::read_claims(&text).unwrap(),
            plain,
            "{other}"
        );
    }
    let two = cleanclaim_x12::x837::read_claims(&fixture("837p/multiple-interchanges.837"))
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect::<Vec<_>>();
    assert_eq!(two, ["PT-0001", "OT-0002"]);
}

#[test]
fn a_remittance_reads_field_by_field() {
    let items = items("paid-and-denied.835");
    let RemitItem::Payment(payment) = &items[0] else {
        panic!("the payment comes first: {:?}", items[0])
    };
    assert_eq!(
        (payment.handling.as_str(), payment.method.as_str()),
        ("I", "ACH")
    );
    assert_eq!(payment.total_cents, Cents(18_303));
    assert_eq!(payment.trace_number, "EFT20250415A");
    assert_eq!(payment.payer.name, "MEDICARE PART B");
    assert_eq!(
        payment.payment_date,
        chrono::NaiveDate::from_ymd_opt(2025, 4, 15)
    );
    let payee = payment.payee_ids();
    assert_eq!(
        (payee.npi.as_str(), payee.tax_id.as_str()),
        ("1245319599", "371234567")
    );

    let found = claims(&items);
    assert_eq!(found.len(), 3);
    let paid = found[0];
    assert_eq!(paid.patient_control_number, "PT-0001");
    assert_eq!(paid.status, Some(ClaimStatus::Processed { sequence: 1 }));
    assert_eq!(
        (
            paid.charge_cents,
            paid.paid_cents,
            paid.patient_responsibility_cents
        ),
        (Cents(13_400), Cents(8_576), Cents(2_144))
    );
    assert_eq!(paid.payer_claim_number, "PCN-PT-0001");
    assert_eq!(paid.patient_name, "CASE, TEST");
    let line = &paid.lines[1];
    assert_eq!(
        (line.qualifier.as_str(), line.code.as_str()),
        ("HC", "97140")
    );
    assert_eq!(line.modifiers, ["GP"]);
    assert_eq!(line.units_paid, "2");
    assert_eq!(line.allowed_cents, Some(Cents(7_360)));
    assert_eq!(line.control_number.as_deref(), Some("PT-0001-2"));
    assert_eq!(
        line.service_date,
        chrono::NaiveDate::from_ymd_opt(2025, 3, 10)
    );
    let reasons: Vec<_> = line
        .adjustments
        .iter()
        .map(|a| (a.group.code(), a.reason.as_str(), a.amount_cents))
        .collect();
    assert_eq!(
        reasons,
        [("PR", "2", Cents(1_472)), ("CO", "45", Cents(1_840))]
    );
    assert_eq!(found[1].status, Some(ClaimStatus::Denied));

    let plb: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            RemitItem::ProviderAdjustment(p) => {
                Some((p.reason.as_str(), p.reference.as_str(), p.amount_cents))
            }
            _ => None,
        })
        .collect();
    assert_eq!(plb, [("L6", "INTEREST", Cents(-127))]);
    let RemitItem::End(totals) = items.last().unwrap() else {
        panic!("the end comes last")
    };
    assert_eq!(
        (
            totals.claims,
            totals.claims_paid_cents,
            totals.imbalance_cents()
        ),
        (3, Cents(18_176), Cents::ZERO)
    );
}

fn imbalances(items: &[RemitItem]) -> usize {
    let mut found = 0;
    for item in items {
        match item {
            RemitItem::Claim(claim) => {
                found += usize::from(!claim.imbalance_cents().is_zero());
                found += claim
                    .lines
                    .iter()
                    .filter(|l| !l.imbalance_cents().is_zero())
                    .count();
            }
            RemitItem::End(totals) => found += usize::from(!totals.imbalance_cents().is_zero()),
            _ => {}
        }
    }
    found
}

#[test]
fn every_fixture_835_balances_except_the_unbalanced_one() {
    for path in files("835") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let items = read_all(&fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!claims(&items).is_empty(), "{name} yielded no claims");
        let off = imbalances(&items);
        match name.as_str() {
            // CLP04 one dollar more than the lines: the claim and the transaction are off.
            "unbalanced.835" => assert_eq!(off, 2, "{name}"),
            // The damaged line has no charge or payment, so it cannot balance.
            "damaged-line.835" => assert!(off > 0, "{name}"),
            _ => assert_eq!(off, 0, "{name}"),
        }
    }
}

#[test]
fn a_damaged_line_stays_on_its_claim_as_element_errors() {
    let items = items("damaged-line.835");
    let claim = claims(&items)[0];
    assert_eq!(claim.errors.len(), 2, "{:?}", claim.errors);
    assert!(
        claim
            .errors
            .iter()
            .all(|e| e.segment == claim.lines[1].segment && e.kind == ErrorKind::MissingElement)
    );
    // The claims after it read as usual.
    assert_eq!(claims(&items).len(), 3);
}

/// What a claim says, without the segment ordinals that differ between layouts.
type ClaimAmounts = (String, Cents, Cents, Vec<(String, Cents, usize)>);

fn amounts(items: &[RemitItem]) -> Vec<ClaimAmounts> {
    claims(items)
        .iter()
        .map(|c| {
            let lines = c
                .lines
                .iter()
                .map(|l| (l.code.to_string(), l.paid_cents, l.adjustments.len()))
                .collect();
            (
                c.patient_control_number.to_string(),
                c.charge_cents,
                c.paid_cents,
                lines,
            )
        })
        .collect()
}

#[test]
fn a_fragment_and_a_pretty_printed_file_of_two_interchanges_read_like_the_plain_one() {
    let plain = items("paid-and-denied.835");
    let fragment = items("fragment.835");
    assert_eq!(amounts(&fragment), amounts(&plain));

    let two = items("bom-crlf-two-interchanges.835");
    let traces: Vec<_> = two
        .iter()
        .filter_map(|i| match i {
            RemitItem::Payment(p) => Some(p.trace_number.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(traces, ["EFT20250415B", "EFT20250415C"]);
    assert_eq!(amounts(&two), amounts(&plain)[..2]);
}

#[test]
fn recycled_claims_carry_nothing_over() {
    for path in files("835") {
        let bytes = fs::read(&path).unwrap();
        let fresh = read_all(&bytes).unwrap();
        let recycled = read_recycling(&bytes);
        assert_eq!(fresh, recycled, "{}", path.display());
    }
}

#[test]
fn other_transaction_sets_are_skipped_and_an_input_without_835s_is_an_error() {
    let error = read_all(fixture("999/accepted.999").as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("no 835 transaction set"), "{error}");
    let error = read_acknowledgments(&fixture("835/paid-and-denied.835")).unwrap_err();
    assert!(
        error.to_string().contains("not an acknowledgment"),
        "{error}"
    );
}

#[test]
fn a_999_with_ta1_rejects_the_set_and_names_the_segments() {
    let file = read_acknowledgments(&fixture("999/rejected-with-ta1.999")).unwrap();
    assert_eq!(
        (file.sender.as_str(), file.receiver.as_str()),
        ("CLEARINGHOUSE", "CLEANCLAIM01")
    );
    let Acknowledgment::Interchange(ta1) = &file.acknowledgments[0] else {
        panic!("TA1 first")
    };
    assert_eq!((ta1.control.as_str(), ta1.accepted()), ("000001201", true));
    let Acknowledgment::Functional(ack) = &file.acknowledgments[1] else {
        panic!("then the 999")
    };
    assert_eq!(
        (ack.group_control.as_str(), ack.group_status),
        ("1201", AckCode::Rejected)
    );
    let set = &ack.sets[0];
    assert_eq!(
        (set.code.as_str(), set.control.as_str(), set.status),
        ("837", "0001", AckCode::Rejected)
    );
    let positions: Vec<_> = set
        .segment_errors
        .iter()
        .map(|e| (e.segment_id.as_str(), e.position.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(positions, [("CLM", "22", "8"), ("NM1", "17", "8")]);
    assert_eq!(set.segment_errors[1].elements[0].position, "9");

    let accepted = read_acknowledgments(&fixture("999/accepted.999")).unwrap();
    let Acknowledgment::Functional(ack) = &accepted.acknowledgments[0] else {
        panic!("a 999")
    };
    assert_eq!(ack.sets[0].status, AckCode::Accepted);
}

#[test]
fn a_999_of_several_sets_ties_errors_to_claims_through_ctx() {
    let file = read_acknowledgments(&fixture("999/partial-with-ctx.999")).unwrap();
    let Acknowledgment::Functional(ack) = &file.acknowledgments[0] else {
        panic!("a 999")
    };
    assert_eq!(ack.group_status, AckCode::PartiallyAccepted);
    assert_eq!((ack.included, ack.received, ack.accepted), (3, 3, 1));
    let verdicts: Vec<_> = ack
        .sets
        .iter()
        .map(|s| (s.control.as_str(), s.status.accepted()))
        .collect();
    assert_eq!(verdicts, [("0001", true), ("0002", false), ("0003", false)]);
    assert_eq!(
        ack.sets[1].segment_errors[0].claim_id.as_deref(),
        Some("PT-0001")
    );
    // The third set's CTX carries a situational trigger first, then the claim.
    assert_eq!(
        ack.sets[2].segment_errors[0].claim_id.as_deref(),
        Some("OT-0002")
    );
}

#[test]
fn a_277ca_accepts_or_rejects_claim_by_claim() {
    let file = read_acknowledgments(&fixture("277ca/one-rejected.277")).unwrap();
    let Acknowledgment::Claims(ack) = &file.acknowledgments[0] else {
        panic!("a 277CA")
    };
    let verdicts: Vec<_> = ack
        .claims
        .iter()
        .map(|c| (c.claim_id.as_str(), c.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("PT-0001", StatusVerdict::Accepted),
            ("OT-0002", StatusVerdict::Rejected)
        ]
    );
    let rejected = &ack.claims[1];
    assert_eq!(
        (
            rejected.statuses[0].status.as_str(),
            rejected.statuses[0].entity.as_str()
        ),
        ("562", "85")
    );
    assert_eq!(
        ack.claims[0].payer_claim_number.as_deref(),
        Some("PCN-PT-0001")
    );
    let accepted = read_acknowledgments(&fixture("277ca/accepted.277")).unwrap();
    let Acknowledgment::Claims(ack) = &accepted.acknowledgments[0] else {
        panic!("a 277CA")
    };
    assert!(
        ack.claims
            .iter()
            .all(|c| c.verdict == StatusVerdict::Accepted)
    );
}

#[test]
fn a_claim_status_response_is_refused_as_an_acknowledgment() {
    let error =
        read_acknowledgments(&fixture("277ca/not-277ca-x212/claim-status.277")).unwrap_err();
    assert!(error.to_string().contains("not a 277CA"), "{error}");
    assert_eq!(error.id, "ST");
}

/// pyx12 refused the payer simulator's first files for two things we did not check: each is
/// checked now, on a copy of a valid fixture that differs by that one change.
#[test]
fn a_277ca_status_date_at_the_billing_provider_level_and_an_837_filing_code_in_an_835_are_refused()
{
    let accepted = fixture("277ca/accepted.277");
    assert!(validate(&accepted).is_valid());
    let dated = accepted.replacen("STC*A1:19**WQ*286", "STC*A1:19*20250314*WQ*286", 1);
    assert_ne!(dated, accepted);
    let errors = validate(&dated).errors;
    assert!(
        errors
            .iter()
            .any(|e| matches!(e.kind, cleanclaim_x12::ErrorKind::NotUsed(_)) && e.id == "STC"),
        "{errors:?}"
    );

    let paid = fixture("835/paid-and-denied.835");
    assert!(validate(&paid).is_valid());
    let commercial = paid.replacen("*0*0*12*PCN-OT-0002~", "*0*0*CI*PCN-OT-0002~", 1);
    assert_ne!(commercial, paid);
    let errors = validate(&commercial).errors;
    assert!(
        errors.iter().any(|e| e.id == "CLP" && matches!(&e.kind, cleanclaim_x12::ErrorKind::BadCode { value, .. } if value == "CI")),
        "{errors:?}"
    );
}

/// A reader that hands over one byte at a time: every segment and every multi-byte
/// character crosses a read.
struct ByteByByte<'a>(&'a [u8]);

impl std::io::Read for ByteByByte<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), out.first_mut()) {
            (Some((byte, rest)), Some(slot)) => {
                *slot = *byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn streamed_validation_finds_what_whole_file_validation_finds_however_the_bytes_arrive() {
    let mut compared = 0;
    for folder in ["837p", "835", "999", "277ca", "277ca/not-277ca-x212"] {
        for path in files(folder) {
            let text = fs::read_to_string(&path).unwrap();
            // One change that breaks a valid file, so that errors are compared too.
            for input in [text.clone(), text.replacen("~", "~ZZZ*1~", 3)] {
                let whole = validate(&input);
                let mut streamed = Vec::new();
                let summary = cleanclaim_x12::validate_reader(ByteByByte(input.as_bytes()), |e| {
                    streamed.push(e)
                })
                .unwrap();
                assert_eq!(streamed, whole.errors, "{}", path.display());
                assert_eq!(
                    (summary.errors, summary.segments, summary.fatal),
                    (whole.errors.len(), whole.segments, whole.fatal),
                    "{}",
                    path.display()
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "{compared}");
}

/// The payer's sets, broken the same way: one change each to a valid fixture (the file names
/// say which), with the error each must give, as in [`INVALID`].
const ANSWERS_INVALID: &[Expectation] = &[
    (
        "835/invalid/dtm-150-february-30.835",
        18,
        "DTM",
        Some(2),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "835/invalid/dtm-151-month-13.835",
        18,
        "DTM",
        Some(2),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "835/invalid/gs05-not-a-time.835",
        2,
        "GS",
        Some(5),
        "not a valid time",
        "HHMM",
    ),
    (
        "835/invalid/svc06-bad-qualifier.835",
        17,
        "SVC",
        Some(6),
        "`ZZ` is not a valid code here",
        "AD, ER, HC",
    ),
    (
        "835/invalid/ts3-ts309-not-used.835",
        14,
        "TS3",
        Some(9),
        "element is not used here",
        "Not Used",
    ),
    (
        "835/invalid/ts3-ts311-not-used.835",
        14,
        "TS3",
        Some(11),
        "element is not used here",
        "Not Used",
    ),
    (
        "999/invalid/business-unit-ctx-repeated.999",
        15,
        "CTX",
        None,
        "a second business unit identifier",
        "allows one",
    ),
    (
        "999/invalid/ctx06-in-business-unit.999",
        9,
        "CTX",
        Some(6),
        "element is not used here",
        "CTX06",
    ),
    (
        "999/invalid/gs05-not-a-time.999",
        2,
        "GS",
        Some(5),
        "not a valid time",
        "HHMM",
    ),
    (
        "277ca/invalid/dtp-050-february-30.277",
        8,
        "DTP",
        Some(3),
        "not a valid date",
        "CCYYMMDD",
    ),
    (
        "277ca/invalid/stc01-status-not-in-list.277",
        35,
        "STC",
        Some(1),
        "`36` is not a valid code here",
        "code source 508",
    ),
    (
        "277ca/invalid/stc01-unknown-category.277",
        35,
        "STC",
        Some(1),
        "`A9` is not a valid code here",
        "code source 507",
    ),
];

#[test]
fn every_broken_answer_is_rejected_with_a_position_and_its_break_named() {
    let found: Vec<PathBuf> = ["835/invalid", "999/invalid", "277ca/invalid"]
        .iter()
        .flat_map(|folder| files(folder))
        .collect();
    assert_eq!(found.len(), ANSWERS_INVALID.len());
    for expectation in ANSWERS_INVALID {
        assert_rejected_as_expected(&fixture(expectation.0), expectation);
    }
}

fn segments_of(text: &str) -> Vec<String> {
    cleanclaim_x12::tokenize(text)
        .unwrap()
        .map(|s| s.unwrap().raw().to_owned())
        .collect()
}

/// What makes each broken file a single-change test: it holds at most one segment that some
/// valid fixture of its kind does not, or two where the change carries into its trailer (a
/// control number in GS and GE, a segment added and SE's count). Files broken by leaving
/// segments out add none.
#[test]
fn each_broken_file_is_one_change_to_a_valid_fixture() {
    for kind in ["837p", "835", "999", "277ca"] {
        let valid: Vec<Vec<String>> = files(kind)
            .iter()
            .map(|p| segments_of(&fs::read_to_string(p).unwrap()))
            .collect();
        for broken in files(&format!("{kind}/invalid")) {
            let text = fs::read_to_string(&broken).unwrap();
            let Ok(segments) = cleanclaim_x12::tokenize(&text) else {
                continue; // an ISA broken on purpose
            };
            let segments: Vec<String> = segments
                .map_while(Result::ok)
                .map(|s| s.raw().to_owned())
                .collect();
            let closest = valid
                .iter()
                .map(|base| segments.iter().filter(|s| !base.contains(s)).count())
                .min()
                .unwrap();
            assert!(closest <= 2, "{}: {closest} changes", broken.display());
        }
    }
}

#[test]
fn a_set_without_a_guide_is_envelope_checked_and_never_called_valid() {
    let report = validate(&fixture("277ca/not-277ca-x212/claim-status.277"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!report.is_valid());
    assert_eq!(report.sets.len(), 1);
    assert_eq!(report.sets[0].guide, cleanclaim_x12::Guide::EnvelopeOnly);
    let report = validate(&fixture("837p/invalid/gs08-4010.837"));
    assert_eq!(
        report.sets[0].guide,
        cleanclaim_x12::Guide::UnsupportedVersion
    );
}
