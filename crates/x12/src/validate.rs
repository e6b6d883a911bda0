//! `validate`: the whole-file check behind `cleanclaim x12 validate`. Every file gets the
//! envelope checks; 837P transaction sets also get the implementation guide's loops, element
//! rules and cross-segment rules; 835, 277CA and 999 sets get their guide's loops and the
//! shared address rules, 999s their element rules, and 835s are read by the typed reader for
//! element errors.

use crate::ack::{schema277ca, schema999};
use crate::envelope::{EnvelopeChecker, Event};
use crate::error::{ErrorKind, X12Error};
use crate::loops::LoopWalker;
use crate::stream::ReadError;
use crate::token::{Segment, tokenize};
use crate::x835::{self, RemitItem, RemitReader};
use crate::x837::{self, Semantics};

/// What validation found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every error, in file order. A fatal error (one that stops reading) is last.
    pub errors: Vec<X12Error>,
    pub segments: usize,
    /// ST01 and ST03 (or GS08) of each transaction set read.
    pub transactions: Vec<(String, String)>,
    /// Whether reading stopped early.
    pub fatal: bool,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

struct Professional {
    walker: LoopWalker,
    semantics: Semantics,
}

/// A set a payer or clearinghouse sends back (835, 277CA, 999): its guide's loops, and the
/// element rules the validator holds for it.
struct Answer {
    walker: LoopWalker,
    check_elements: fn(&Segment<'_>, &mut Vec<X12Error>),
    is_claim_acknowledgment: bool,
    /// HL03 of the 277CA level being read.
    level: String,
}

impl Answer {
    fn of(code: &str, version: &str) -> Option<Self> {
        let (header, guide, check_elements): (_, _, fn(&Segment<'_>, &mut Vec<X12Error>)) =
            if x835::is_remittance_advice(code, version) {
                (&x835::schema::HEADER, "835", x837::elements::check_address)
            } else if schema277ca::is_claim_acknowledgment(code, version) {
                (&schema277ca::HEADER, "277CA", x837::elements::check_address)
            } else if schema999::is_implementation_acknowledgment(code, version) {
                (&schema999::HEADER, "999", schema999::check_elements)
            } else {
                return None;
            };
        Some(Self {
            walker: LoopWalker::new(header, guide),
            check_elements,
            is_claim_acknowledgment: guide == "277CA",
            level: String::new(),
        })
    }

    /// Rules that depend on the 277CA level: STC02 (status effective date) is not used at the
    /// billing provider level, loop 2200C (005010X214; pyx12 enforces it too).
    fn check_levels(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        if !self.is_claim_acknowledgment {
            return;
        }
        match segment.id() {
            "HL" => self.level = segment.element(3).to_owned(),
            "STC" if self.level == "19" && !segment.element(2).is_empty() => {
                errors.push(segment.element_error(
                    2,
                    None,
                    ErrorKind::NotUsed("STC02 at the billing provider level, loop 2200C"),
                ))
            }
            _ => {}
        }
    }
}

/// Validates a whole file held in memory.
pub fn validate(input: &str) -> Report {
    let mut report = Report::default();
    let segments = match tokenize(input) {
        Ok(segments) => segments,
        Err(error) => {
            report.errors.push(error);
            report.fatal = true;
            return report;
        }
    };
    let mut envelope = EnvelopeChecker::new();
    let mut errors = Vec::new();
    let mut isa: Option<Segment<'_>> = None;
    let mut gs: Option<Segment<'_>> = None;
    let mut professional: Option<Professional> = None;
    // The 835, 277CA or 999 set being read; their content beyond structure and elements is
    // the readers' to judge.
    let mut answer: Option<Answer> = None;
    let mut fatal = None;
    for segment in segments {
        let segment = match segment {
            Ok(segment) => segment,
            Err(error) => {
                fatal = Some(error);
                break;
            }
        };
        report.segments += 1;
        let event = match envelope.feed(&segment) {
            Ok(event) => event,
            Err(error) => {
                fatal = Some(error);
                break;
            }
        };
        match event {
            Event::Envelope => match segment.id() {
                "ISA" => isa = Some(segment),
                "GS" => gs = Some(segment),
                "GE" | "IEA" if professional_envelope(&report) => {
                    x837::elements::check(&segment, &mut errors);
                }
                _ => {}
            },
            Event::TransactionStart(header) => {
                report
                    .transactions
                    .push((header.code.clone(), header.version.clone()));
                if x837::is_professional(&header.code, &header.version) {
                    for envelope_segment in [isa.take(), gs.take()].into_iter().flatten() {
                        x837::elements::check(&envelope_segment, &mut errors);
                    }
                    x837::elements::check(&segment, &mut errors);
                    professional = Some(Professional {
                        walker: LoopWalker::new(&x837::schema::HEADER, "837P"),
                        semantics: Semantics::default(),
                    });
                } else {
                    professional = None;
                }
                answer = Answer::of(&header.code, &header.version);
            }
            Event::Body => {
                if let Some(p) = &mut professional {
                    x837::elements::check(&segment, &mut errors);
                    p.walker.feed(&segment, &mut errors);
                    p.semantics.feed(&segment, &mut errors);
                }
                if let Some(answer) = &mut answer {
                    answer.walker.feed(&segment, &mut errors);
                    (answer.check_elements)(&segment, &mut errors);
                    answer.check_levels(&segment, &mut errors);
                }
            }
            Event::TransactionEnd => {
                if let Some(mut answer) = answer.take() {
                    answer.walker.finish(&segment, &mut errors);
                }
                if let Some(mut p) = professional.take() {
                    x837::elements::check(&segment, &mut errors);
                    p.walker.finish(&segment, &mut errors);
                    p.semantics.finish(&mut errors);
                }
            }
        }
    }
    if fatal.is_none()
        && let Err(error) = envelope.finish()
    {
        fatal = Some(error);
    }
    errors.append(&mut envelope.findings);
    if fatal.is_none() && report.transactions.iter().any(|(code, _)| code == "835") {
        remittance_errors(input, &mut errors, &mut fatal);
    }
    errors.sort_by_key(|e| (e.segment, e.element.map(|p| (p.element, p.component))));
    report.errors = errors;
    if let Some(error) = fatal {
        report.errors.push(error);
        report.fatal = true;
    }
    report
}

fn professional_envelope(report: &Report) -> bool {
    report
        .transactions
        .last()
        .is_some_and(|(code, version)| x837::is_professional(code, version))
}

/// 835 sets are checked by reading them: the reader's element errors (kept on the payment or
/// claim) and structure errors are the validator's.
fn remittance_errors(input: &str, errors: &mut Vec<X12Error>, fatal: &mut Option<X12Error>) {
    for item in RemitReader::new(input.as_bytes()) {
        match item {
            Ok(RemitItem::Payment(payment)) => errors.extend(payment.errors),
            Ok(RemitItem::Claim(claim)) => errors.extend(claim.errors),
            Ok(_) => {}
            Err(ReadError::X12(error)) => {
                *fatal = Some(error);
                return;
            }
            // Reading from memory cannot fail.
            Err(ReadError::Io(_)) => return,
        }
    }
}
