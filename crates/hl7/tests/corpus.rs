//! The public HL7 corpus (other projects' sample messages): every message parses, except the
//! two that interfaces.md says must be refused, which are refused for the reason it gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use cleanclaim_hl7::{Message, ParseErrorKind, decode, split_messages};
use cleanclaim_test_support::Corpus;

/// Files a correct reader must refuse, and why.
const REFUSED: [(&str, ParseErrorKind); 3] = [
    // MSH-2 is `^~\\&` (a doubled backslash, as a Java string literal would write it): the
    // escape and subcomponent characters would be the same, and no split of `&` or `\` could
    // be trusted.
    (
        "lfh-hl7fhir__sample_win.hl7",
        ParseErrorKind::BadDelimiters("MSH-2 repeats a delimiter (or repeats MSH-1)"),
    ),
    (
        "lfh-hl7fhir__sample_unix.hl7",
        ParseErrorKind::BadDelimiters("MSH-2 repeats a delimiter (or repeats MSH-1)"),
    ),
    // Segments joined by single spaces.
    (
        "nodehl7complete__healthcare-it-systems__adt-example.hl7",
        ParseErrorKind::SegmentsJoinedBySpaces,
    ),
];

#[test]
fn every_corpus_message_parses_or_is_refused_for_its_known_fault() {
    let Some(corpus) =
        Corpus::find("every_corpus_message_parses_or_is_refused_for_its_known_fault")
    else {
        return;
    };
    let mut parsed = 0;
    let mut files = corpus.files("hl7v2");
    files.extend(corpus.files("hl7v2/invalid"));
    assert!(files.len() >= 37, "{} files", files.len());
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let bytes = std::fs::read(&path).unwrap();
        let text = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let outcome = split_messages(&text).and_then(|messages| {
            messages
                .iter()
                .map(|(offset, m)| Message::parse(m).map_err(|e| e.shifted(*offset)))
                .collect::<Result<Vec<_>, _>>()
        });
        match (REFUSED.iter().find(|(n, _)| *n == name), outcome) {
            (Some((_, kind)), Err(error)) => assert_eq!(&error.kind, kind, "{name}"),
            (Some(_), Ok(_)) => panic!("{name} should be refused"),
            (None, Err(error)) => panic!("{name}: {error}"),
            (None, Ok(messages)) => {
                for message in messages {
                    let header = message.header();
                    assert!(!header.message_type.is_empty(), "{name}: no MSH-9");
                    assert!(message.segments().len() >= 2, "{name}: one segment");
                    parsed += 1;
                }
            }
        }
    }
    assert!(parsed >= 34, "{parsed} messages");
}

#[test]
fn the_corpus_dft_reads_its_charges_and_the_encoded_adt_its_escapes() {
    let Some(corpus) =
        Corpus::find("the_corpus_dft_reads_its_charges_and_the_encoded_adt_its_escapes")
    else {
        return;
    };
    let dft =
        std::fs::read_to_string(corpus.file("hl7v2", "nodehl7complete__mieweb__dft-example.hl7"))
            .unwrap();
    let messages = split_messages(&dft).unwrap();
    assert_eq!(messages.len(), 2);
    let first = Message::parse(messages[0].1).unwrap();
    let ft1 = first.segment("FT1").unwrap();
    assert_eq!(ft1.field(7).value(), "73630");
    let modifiers: Vec<_> = ft1
        .field(26)
        .repetitions()
        .map(|r| r.value().into_owned())
        .collect();
    assert_eq!(modifiers, ["RT", "GA"]);
    let second = Message::parse(messages[1].1).unwrap();
    let diagnoses: Vec<_> = second
        .segment("FT1")
        .unwrap()
        .field(19)
        .repetitions()
        .map(|r| r.value().into_owned())
        .collect();
    assert_eq!(diagnoses, ["440.0", "441.4"]);

    let encoded =
        std::fs::read_to_string(corpus.file("hl7v2", "hl7parser__sample_adt_a01_encoded.hl7"))
            .unwrap();
    assert_eq!(
        Message::parse(&encoded)
            .unwrap()
            .header()
            .receiving_application,
        "Isaac^2"
    );
}
