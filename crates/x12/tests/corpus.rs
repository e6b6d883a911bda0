#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The public sample corpus in `../shared/corpus`: files other projects wrote, so the real
//! check of our reader and validator.

mod common;

use cleanclaim_x12::validate;
use std::path::Path;

fn name(path: &Path) -> String {
    let parent = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    format!("{parent}/{}", path.file_name().unwrap().to_string_lossy())
}

/// Truncated upstream: ends at segment 10 (an HL) with no SE, GE or IEA. It cannot be read
/// as a whole transaction set, so rejecting it (with a position) is right; pyx12 also fails it.
const TRUNCATED: &str = "x12-277ca/oopfactory__FromBogeyone.txt";

#[test]
fn every_corpus_file_reads_through_its_envelope() {
    let Some(corpus) = common::corpus("every_corpus_file_reads_through_its_envelope") else {
        return;
    };
    let folders = [
        "x12-835",
        "x12-837p",
        "x12-999",
        "x12-277ca",
        "x12-277ca/not-277ca-x212",
    ];
    let mut read = 0;
    for folder in folders {
        for path in corpus.files(folder) {
            let text = std::fs::read_to_string(&path).unwrap();
            let report = validate(&text);
            if name(&path) == TRUNCATED {
                let last = report.errors.last().unwrap();
                assert!(report.fatal);
                assert_eq!((last.segment, last.id.as_str()), (10, "HL"));
                assert!(last.to_string().contains("SE is missing"), "{last}");
                continue;
            }
            assert!(!report.fatal, "{}: {:?}", name(&path), report.errors.last());
            assert!(report.set_count() > 0, "{}", name(&path));
            read += 1;
        }
    }
    assert_eq!(read, 12 + 29 + 7 + 6 + 5);
}

/// What each deliberately broken file must be rejected for: the first error's segment
/// ordinal, id, element, and a phrase of its message.
const INVALID: &[(&str, usize, &str, Option<usize>, &str)] = &[
    (
        "imsweb__x12_bad_first_line.txt",
        1,
        "ISA",
        None,
        "fixed-width",
    ),
    (
        "imsweb__x12_bad_segment_identifier.txt",
        6,
        "<empty>",
        None,
        "bad segment id",
    ),
    (
        "imsweb__x12_bad_valid_code.txt",
        9,
        "NM1",
        Some(1),
        "`117` is not a valid code",
    ),
    (
        "imsweb__x12_loop_errors1_exceeds_max_1_parent.txt",
        15,
        "NM1",
        None,
        "loop 2010AA (Billing Provider Name) repeats more than 1",
    ),
    (
        "imsweb__x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt",
        18,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
    ),
    (
        "imsweb__x12_loop_errors3_missing_loops.txt",
        9,
        "NM1",
        None,
        "required loop 2010AA",
    ),
    (
        "imsweb__x12_missing_elements.txt",
        7,
        "NM1",
        Some(2),
        "required element is missing",
    ),
    (
        "imsweb__x12_missing_first_gs.txt",
        2,
        "ST",
        None,
        "out of place",
    ),
    (
        "imsweb__x12_missing_first_isa.txt",
        1,
        "GS",
        None,
        "neither ISA nor ST",
    ),
    (
        "imsweb__x12_missing_first_st.txt",
        3,
        "BHT",
        None,
        "out of place",
    ),
    (
        "imsweb__x12_missing_last_gs.txt",
        18,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
    ),
    (
        "imsweb__x12_missing_last_isa.txt",
        18,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
    ),
    (
        "imsweb__x12_missing_last_st.txt",
        22,
        "CLM",
        Some(2),
        "does not equal the sum",
    ),
    (
        "imsweb__x12_missing_required_loop_in_one_repeat.txt",
        18,
        "HL",
        Some(2),
        "parent HL \"3\" does not appear",
    ),
    (
        "imsweb__x12_missing_required_loops_mult_repeats.txt",
        18,
        "HL",
        Some(4),
        "HL04 is 1 but no later level",
    ),
    (
        "imsweb__x12_no_isa_line.txt",
        1,
        "GS",
        None,
        "neither ISA nor ST",
    ),
    (
        "imsweb__x12_segment_errors.txt",
        10,
        "N4",
        None,
        "required segment N3 (Billing Provider Address) is missing",
    ),
    (
        "imsweb__x12_segments_out_of_order.txt",
        11,
        "REF",
        None,
        "required segment N4",
    ),
];

#[test]
fn every_invalid_837p_is_rejected_with_a_position() {
    let Some(corpus) = common::corpus("every_invalid_837p_is_rejected_with_a_position") else {
        return;
    };
    let found = corpus.files("x12-837p/invalid");
    assert_eq!(found.len(), INVALID.len());
    for path in found {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let (_, segment, id, element, phrase) = INVALID
            .iter()
            .find(|row| row.0 == file)
            .unwrap_or_else(|| panic!("{file} has no expectation"));
        let report = validate(&std::fs::read_to_string(&path).unwrap());
        assert!(!report.is_valid(), "{file}");
        let first = report.errors.first().unwrap();
        assert_eq!(
            (
                first.segment,
                first.id.as_str(),
                first.element.map(|e| e.element)
            ),
            (*segment, *id, *element),
            "{file}: {first}"
        );
        assert!(first.to_string().contains(phrase), "{file}: {first}");
    }
}

/// The files whose own break is further in than their first error: that break is found too.
#[test]
fn the_named_break_of_each_invalid_file_is_reported() {
    let Some(corpus) = common::corpus("the_named_break_of_each_invalid_file_is_reported") else {
        return;
    };
    let cases: &[(&str, &str)] = &[
        (
            "imsweb__x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt",
            "HL01 must number levels",
        ),
        ("imsweb__x12_missing_last_gs.txt", "IEA is out of place"),
        ("imsweb__x12_missing_last_isa.txt", "IEA is missing"),
        (
            "imsweb__x12_missing_last_st.txt",
            "GE inside a transaction set: SE is missing",
        ),
        (
            "imsweb__x12_missing_required_loops_mult_repeats.txt",
            "SV1 is not expected here",
        ),
        ("imsweb__x12_bad_segment_identifier.txt", "bad segment id"),
        (
            "imsweb__x12_segment_errors.txt",
            "REF (Billing Provider Tax Identification) repeats more than 1",
        ),
        (
            "imsweb__x12_segments_out_of_order.txt",
            "N4 is not expected here",
        ),
    ];
    for (file, phrase) in cases {
        let path = corpus.root().join("x12-837p/invalid").join(file);
        let report = validate(&std::fs::read_to_string(path).unwrap());
        assert!(
            report.errors.iter().any(|e| e.to_string().contains(phrase)),
            "{file}: {:#?}",
            report
                .errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pyx12 {
    Valid,
    Invalid,
    /// pyx12 raised instead of judging (no map for X222A2, or a 4010 envelope).
    NoVerdict,
}

/// pyx12 4.0.0's verdict on each corpus file (from the corpus README), our verdict, and where
/// the two differ, which is right and why.
const VERDICTS: &[(&str, Pyx12, bool, &str)] = &[
    (
        "x12-837p/imsweb__x12_ambiguous_loop.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_complex.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_many_claims.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_multiple_gs.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_multiple_isa.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_multiple_st.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_multiple_transactions.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_no_errors.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    ("x12-837p/imsweb__x12_valid.txt", Pyx12::Invalid, false, ""),
    (
        "x12-837p/imsweb__x12_valid_different_separators.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/imsweb__x12_writer_test.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-837p/lfh-x12__demo.ambulance.example5.837",
        Pyx12::NoVerdict,
        false,
        "we are right: CLM05-2 (facility code qualifier B) is empty",
    ),
    (
        "x12-837p/lfh-x12__demo.autoaccident.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map; the structure is A1's and the file passes our checks",
    ),
    (
        "x12-837p/lfh-x12__demo.cob.2ndary.example4.837",
        Pyx12::NoVerdict,
        false,
        "we are right: data uses `>` as the component separator while ISA16 declares `:`",
    ),
    (
        "x12-837p/lfh-x12__demo.cob.example3.A.837",
        Pyx12::NoVerdict,
        false,
        "we are right: loop 2320 has no 2330B Other Payer Name, which the guide requires",
    ),
    (
        "x12-837p/lfh-x12__demo.cob.example3.B.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.cob.example3.C.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.cob.example4.837",
        Pyx12::NoVerdict,
        false,
        "pyx12 has no X222A2 map; we are right: AMT*F2 in loop 2320 is a 4010 qualifier (5010 allows D, A8, EAF)",
    ),
    (
        "x12-837p/lfh-x12__demo.drug.example10.1.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.drug.example10.2.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.drug.example10.3.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.example1.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.example11.837",
        Pyx12::NoVerdict,
        false,
        "we are right: `>` used as component separator against ISA16 `:`",
    ),
    (
        "x12-837p/lfh-x12__demo.example12.837",
        Pyx12::NoVerdict,
        false,
        "we are right: `>` used as component separator against ISA16 `:`",
    ),
    (
        "x12-837p/lfh-x12__demo.example2.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.example6.837",
        Pyx12::NoVerdict,
        false,
        "we are right: `>` used as component separator against ISA16 `:`",
    ),
    (
        "x12-837p/lfh-x12__demo.example7.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.example8.837",
        Pyx12::NoVerdict,
        true,
        "pyx12 has no X222A2 map",
    ),
    (
        "x12-837p/lfh-x12__demo.example9.837",
        Pyx12::NoVerdict,
        false,
        "we are right: `>` used as component separator against ISA16 `:`",
    ),
    // 835, 277CA and 999 sets are validated by the envelope and by their guide's loop
    // structure; 999 elements by the X231A1 rules. 835 sets: the X221A1 loop structure (required
    // segments and loops, order, repeats, qualifiers) and by reading them with the typed
    // reader (its element errors: amounts, dates, codes, BPR16), and N3/N4 by the rules every
    // guide shares (N402 state codes). Most external code lists are not checked, which is
    // where pyx12 still finds more.
    (
        "x12-835/edi835parser__blue_cross_nc_sample.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/edi835parser__emedny_sample.txt",
        Pyx12::Valid,
        true,
        "",
    ),
    (
        "x12-835/edi835parser__united_healthcare_legacy_sample.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/lfh-x12__cob-contractural-adjustment.835",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/lfh-x12__managed-care.835",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/lfh-x12__medicare-part-a.835",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/lfh-x12__secondary-payment.835",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/lfh-x12__tertiary-payment.835",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/oopfactory__835_WithMultipleInterchanges.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-835/oopfactory__Example1.txt",
        Pyx12::NoVerdict,
        false,
        "we are right: pyx12 has no map for its 4010-era envelope (ISA12 00401), and its reversal claim `CLP*090909*22` lacks CLP03 and CLP04, required in 4010 and 5010 alike",
    ),
    (
        "x12-835/oopfactory__ExampleFromNth.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    ("x12-835/pyx12__835_mult_loops.txt", Pyx12::Valid, true, ""),
    (
        "x12-999/imsweb__x12_999_accepted.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-999/imsweb__x12_999_accepted_ta1.txt",
        Pyx12::NoVerdict,
        false,
        "pyx12 raised on the TA1 before GS, which X12.5 allows; past it, AK202 `101` echoes a transaction set control number shorter than ST02's minimum of 4",
    ),
    (
        "x12-999/imsweb__x12_999_rejected.txt",
        Pyx12::Valid,
        true,
        "",
    ),
    (
        "x12-999/imsweb__x12_x231_test.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-999/oopfactory__DHS_Wisconsin_Sample.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-999/pyx12__834_ls_le_ls_5010.999.txt",
        Pyx12::Valid,
        true,
        "",
    ),
    (
        "x12-999/pyx12__834_lui_id_5010.999.txt",
        Pyx12::Valid,
        true,
        "",
    ),
    (
        "x12-277ca/imsweb__x12_277CA_accepted.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/imsweb__x12_277CA_rejected.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/imsweb__x12_x214_test.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/oopfactory__277_Deidentified_from_nth.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/oopfactory__FromAlexbrodsky.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/oopfactory__FromBogeyone.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
    (
        "x12-277ca/oopfactory__FromLatitude81uk.txt",
        Pyx12::Invalid,
        false,
        "",
    ),
];

#[test]
fn where_we_disagree_with_pyx12_the_file_is_named_and_explained() {
    let Some(corpus) =
        common::corpus("where_we_disagree_with_pyx12_the_file_is_named_and_explained")
    else {
        return;
    };
    for (file, pyx12, ours, why) in VERDICTS {
        let text = std::fs::read_to_string(corpus.root().join(file)).unwrap();
        let report = validate(&text);
        assert_eq!(
            report.is_valid(),
            *ours,
            "{file}: {:?}",
            report.errors.first()
        );
        let agree = match pyx12 {
            Pyx12::Valid => *ours,
            Pyx12::Invalid => !*ours,
            Pyx12::NoVerdict => false,
        };
        assert_eq!(
            why.is_empty(),
            agree,
            "{file}: explain every disagreement, and only those"
        );
    }
}
