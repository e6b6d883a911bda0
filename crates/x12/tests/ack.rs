#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

//! TA1, 999 and 277CA readers against every public acknowledgment in the corpus (skipped, with
//! a word, where the corpus is absent; `fixtures.rs` covers the same structures everywhere).

mod common;

use std::fs;

use cleanclaim_x12::ErrorKind;
use cleanclaim_x12::ack::{AckCode, AckFile, Acknowledgment, StatusVerdict, read_acknowledgments};
use common::Corpus;

fn read(corpus: &Corpus, folder: &str, name: &str) -> AckFile {
    read_acknowledgments(&fs::read_to_string(corpus.file(folder, name)).unwrap()).unwrap()
}

#[test]
fn every_corpus_999_and_277ca_reads_except_the_truncated_one() {
    let Some(corpus) = common::corpus("every_corpus_999_and_277ca_reads_except_the_truncated_one")
    else {
        return;
    };
    for path in corpus
        .files("x12-999")
        .into_iter()
        .chain(corpus.files("x12-277ca"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).unwrap();
        let result = read_acknowledgments(&text);
        if name == "oopfactory__FromBogeyone.txt" {
            // The file stops inside its first transaction set, with no SE, GE or IEA.
            let error = result.unwrap_err();
            assert!(matches!(error.kind, ErrorKind::Envelope(_)), "{error}");
            continue;
        }
        let file = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!file.acknowledgments.is_empty(), "{name}");
    }
}

#[test]
fn claim_status_responses_are_refused_as_acknowledgments() {
    let Some(corpus) = common::corpus("claim_status_responses_are_refused_as_acknowledgments")
    else {
        return;
    };
    for path in corpus.files("x12-277ca/not-277ca-x212") {
        let error = read_acknowledgments(&fs::read_to_string(&path).unwrap()).unwrap_err();
        assert!(
            error.to_string().contains("not a 277CA"),
            "{}: {error}",
            path.display()
        );
        assert_eq!(error.id, "ST");
    }
}

#[test]
fn a_999_with_ta1_rejects_the_set_and_names_the_segments() {
    let Some(corpus) = common::corpus("a_999_with_ta1_rejects_the_set_and_names_the_segments")
    else {
        return;
    };
    let file = read(&corpus, "x12-999", "imsweb__x12_999_accepted_ta1.txt");
    assert_eq!(
        (file.sender.as_str(), file.receiver.as_str()),
        ("330897513", "YAXBCX")
    );
    let Acknowledgment::Interchange(ta1) = &file.acknowledgments[0] else {
        panic!("TA1 first")
    };
    assert_eq!((ta1.control.as_str(), ta1.accepted()), ("101", true));
    let Acknowledgment::Functional(ack) = &file.acknowledgments[1] else {
        panic!("then the 999")
    };
    assert_eq!(
        (ack.group_control.as_str(), ack.group_status),
        ("101", AckCode::Rejected)
    );
    let set = &ack.sets[0];
    assert_eq!((set.code.as_str(), set.control.as_str()), ("837", "101"));
    assert_eq!(
        (set.status, set.errors.as_slice()),
        (AckCode::Rejected, &["5".to_owned()][..])
    );
    let positions: Vec<_> = set
        .segment_errors
        .iter()
        .map(|e| (e.segment_id.as_str(), e.position.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(positions, [("CLM", "289", "6"), ("CLM", "381", "6")]);
}

#[test]
fn a_999_of_several_sets_ties_errors_to_claims_through_ctx() {
    let Some(corpus) = common::corpus("a_999_of_several_sets_ties_errors_to_claims_through_ctx")
    else {
        return;
    };
    let file = read(&corpus, "x12-999", "oopfactory__DHS_Wisconsin_Sample.txt");
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
    assert_eq!(verdicts, [("0001", true), ("002", false), ("0003", false)]);
    let second = &ack.sets[1].segment_errors[0];
    assert_eq!(second.claim_id.as_deref(), Some("123456789"));
    assert_eq!(second.elements[0].position, "2");
    assert_eq!(second.elements[0].code, "1");
    // The third set's CTX carries a situational trigger first, then the claim.
    assert_eq!(
        ack.sets[2].segment_errors[0].claim_id.as_deref(),
        Some("987654321")
    );
}

#[test]
fn a_277ca_accepts_or_rejects_claim_by_claim() {
    let Some(corpus) = common::corpus("a_277ca_accepts_or_rejects_claim_by_claim") else {
        return;
    };
    let file = read(&corpus, "x12-277ca", "imsweb__x12_277CA_rejected.txt");
    let Acknowledgment::Claims(ack) = &file.acknowledgments[0] else {
        panic!("a 277CA")
    };
    assert_eq!(ack.batch_status[0].category, "A1");
    assert_eq!(ack.claims.len(), 1);
    let claim = &ack.claims[0];
    assert_eq!(claim.claim_id, "3920394930203");
    assert_eq!(claim.verdict, StatusVerdict::Rejected);
    assert_eq!(
        (
            claim.statuses[0].status.as_str(),
            claim.statuses[0].entity.as_str()
        ),
        ("562", "85")
    );
    assert!(
        claim.statuses[0]
            .describe()
            .contains("rejected for invalid information")
    );
    assert_eq!(
        claim.payer_claim_number.as_deref(),
        Some("1107000000001120")
    );

    let accepted = read(&corpus, "x12-277ca", "imsweb__x12_277CA_accepted.txt");
    let Acknowledgment::Claims(ack) = &accepted.acknowledgments[0] else {
        panic!("a 277CA")
    };
    assert!(
        ack.claims
            .iter()
            .all(|c| c.verdict == StatusVerdict::Accepted)
    );

    // De-identified categories (`X9`) give no verdict rather than a wrong one.
    let masked = read(
        &corpus,
        "x12-277ca",
        "oopfactory__277_Deidentified_from_nth.txt",
    );
    let Acknowledgment::Claims(ack) = &masked.acknowledgments[0] else {
        panic!("a 277CA")
    };
    assert_eq!(ack.claims.len(), 3);
    assert!(
        ack.claims
            .iter()
            .all(|c| c.verdict == StatusVerdict::Pending)
    );
}

#[test]
fn other_transaction_sets_are_not_acknowledgments() {
    let Some(corpus) = common::corpus("other_transaction_sets_are_not_acknowledgments") else {
        return;
    };
    let path = corpus.files("x12-835").into_iter().next().unwrap();
    let error = read_acknowledgments(&fs::read_to_string(path).unwrap()).unwrap_err();
    assert!(
        error.to_string().contains("not an acknowledgment"),
        "{error}"
    );
}

#[test]
fn a_rejected_billing_provider_rejects_claims_without_a_status_of_their_own() {
    let text = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250320*1200*^*00501*000000001*0*P*:~GS*HN*PAYER*CLINIC*20250320*1200*1*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*B1*20250320*1200*TH~HL*1**20*1~NM1*PR*2*PAYER*****PI*1~HL*2*1*21*1~NM1*41*2*CLINIC*****46*C1~HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~STC*A3:496:85*20250320*U~HL*4*3*PT~NM1*QC*1*DOE*JANE****MI*M1~TRN*2*E-1~HL*5*3*PT~NM1*QC*1*ROE*RAY****MI*M2~TRN*2*E-2~STC*A2:20*20250320*WQ*10~SE*16*0001~GE*1*1~IEA*1*000000001~";
    let file = read_acknowledgments(text).unwrap();
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
            ("E-1", StatusVerdict::Rejected),
            ("E-2", StatusVerdict::Accepted)
        ]
    );
}

#[test]
fn a_277ca_is_validated_against_its_loops() {
    let Some(corpus) = common::corpus("a_277ca_is_validated_against_its_loops") else {
        return;
    };
    let text =
        fs::read_to_string(corpus.file("x12-277ca", "imsweb__x12_277CA_accepted.txt")).unwrap();
    let report = cleanclaim_x12::validate(&text);
    let errors: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{} {}: {}", e.segment, e.id, e.kind))
        .collect();
    // The guide requires the billing provider's status (STC in loop 2200C); this sample has
    // only a TRN there. pyx12 reports the same.
    assert_eq!(
        errors,
        [
            "19 HL: required segment STC (Billing Provider Status Information) is missing from loop 2200C (Provider of Service Information Trace Identifier)"
        ]
    );
    // With the STC the guide asks for, loop 2200C is complete (the SE count, now one short,
    // is the only finding left).
    let fixed = text.replacen(
        "TRN*1*1107000000000135FF~",
        // STC02 stays empty: it is not used at this level.
        "TRN*1*1107000000000135FF~STC*A1:19**WQ~",
        1,
    );
    assert_ne!(fixed, text);
    let errors: Vec<String> = cleanclaim_x12::validate(&fixed)
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("SE"), "{errors:?}");
}

#[test]
fn a_999_is_validated_against_its_loops_and_elements() {
    let Some(corpus) = common::corpus("a_999_is_validated_against_its_loops_and_elements") else {
        return;
    };
    let text = fs::read_to_string(corpus.file("x12-999", "imsweb__x12_999_rejected.txt")).unwrap();
    let errors = |text: &str| -> Vec<String> {
        cleanclaim_x12::validate(text)
            .errors
            .iter()
            .map(|e| format!("{} {}: {}", e.segment, e.id, e.kind))
            .collect()
    };
    assert_eq!(errors(&text), Vec::<String>::new());
    // Each AK2 loop ends with IK5, which the guide requires.
    let no_trailer = text
        .replace("IK5*R*5~", "")
        .replace("SE*7*95832987", "SE*6*95832987");
    assert_ne!(no_trailer, text);
    assert_eq!(
        errors(&no_trailer),
        [
            "7 AK9: required loop IK5 (Transaction Set Response Trailer) is missing from loop 2000 (Transaction Set Response Header)"
        ]
    );
    // AK202 echoes an ST02, which is at least four characters.
    let short = text.replace("AK2*837*0028~", "AK2*837*28~");
    assert_ne!(short, text);
    assert_eq!(
        errors(&short),
        ["5 AK2: element is 2 characters; the minimum is 4"]
    );
}
