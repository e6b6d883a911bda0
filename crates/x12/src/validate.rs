//! `validate`: the whole-file check behind `cleanclaim x12 validate`. Every file gets the
//! envelope checks; 837P transaction sets also get the implementation guide's loops, element
//! rules and cross-segment rules; 835, 277CA and 999 sets get their guide's loops and the
//! shared address rules, 999s their element rules, and 835s are read by the typed reader for
//! element errors.
//!
//! Validation streams: segments are read from any reader a buffer at a time, and errors are
//! handed to the caller as each transaction set ends, so memory does not grow with the file.

use std::io::{self, Read};

use crate::ack::{schema277ca, schema999};
use crate::delimiters::Delimiters;
use crate::envelope::{EnvelopeChecker, Event};
use crate::error::{ErrorKind, X12Error};
use crate::loops::LoopWalker;
use crate::stream::{ReadError, SegmentStream};
use crate::token::Segment;
use crate::x835::{self, RemitChecker};
use crate::x837::{self, Semantics};

/// What validation found, for a file held in memory: [`validate`].
#[derive(Debug, Default)]
pub struct Report {
    /// Every error, in file order. A fatal error (one that stops reading) is last.
    pub errors: Vec<X12Error>,
    pub segments: usize,
    /// Each kind of transaction set read, in the order first met, with how many.
    pub sets: Vec<SetCount>,
    /// Whether reading stopped early.
    pub fatal: bool,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many transaction sets were read, of every kind.
    pub fn set_count(&self) -> usize {
        self.sets.iter().map(|s| s.count).sum()
    }

    /// Whether any set of `code` (`"835"`) was read.
    pub fn has_set(&self, code: &str) -> bool {
        self.sets.iter().any(|s| s.code == code)
    }
}

/// One kind of transaction set (ST01 with ST03, or GS08 when ST03 is empty) and how many of
/// it a file holds: a file of a million sets is summarized in a line, not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCount {
    pub code: String,
    pub version: String,
    pub count: usize,
}

/// What validation found, for a file read as a stream: [`validate_reader`]. The errors
/// themselves went to the caller as they were found.
#[derive(Debug, Default)]
pub struct Summary {
    pub errors: usize,
    pub segments: usize,
    pub sets: Vec<SetCount>,
    /// Whether reading stopped early (the last error handed over says why).
    pub fatal: bool,
}

impl Summary {
    pub fn is_valid(&self) -> bool {
        self.errors == 0
    }
}

/// Validates a whole file held in memory.
pub fn validate(input: &str) -> Report {
    let mut errors = Vec::new();
    // Reading from memory cannot fail.
    let summary = validate_reader(input.as_bytes(), |error| errors.push(error)).unwrap_or_default();
    Report {
        errors,
        segments: summary.segments,
        sets: summary.sets,
        fatal: summary.fatal,
    }
}

/// Errors held before they are handed over: sorted by position and passed on when a
/// transaction set ends, or sooner when this many wait, so that one enormous set cannot hold
/// the whole file's errors.
const HELD_ERRORS: usize = 4096;

/// Validates X12 read from `reader`, handing each error to `on_error` in file order (within
/// each transaction set; the fatal error, if any, comes last). Only a failure to read is an
/// `Err`; bad X12 is an error handed over.
pub fn validate_reader<R: Read>(
    reader: R,
    mut on_error: impl FnMut(X12Error),
) -> io::Result<Summary> {
    let mut stream = SegmentStream::new(reader);
    let mut validator = Validator::default();
    let mut fatal = None;
    loop {
        match stream.next_segment() {
            Ok(Some(segment)) => {
                if let Err(error) = validator.feed(&segment) {
                    fatal = Some(error);
                    break;
                }
            }
            Ok(None) => break,
            Err(ReadError::X12(error)) => {
                fatal = Some(error);
                break;
            }
            Err(ReadError::Io(error)) => return Err(error),
        }
        if validator.errors.len() >= HELD_ERRORS || validator.between_sets() {
            validator.hand_over(&mut on_error);
        }
    }
    if fatal.is_none()
        && let Err(error) = validator.envelope.finish()
    {
        fatal = Some(error);
    }
    validator.errors.append(&mut validator.envelope.findings);
    // The 835 reader stops at what it cannot read, where the loop walker reports and reads
    // on: its verdict comes last, as before, unless reading stopped for another reason.
    let fatal = fatal.or(validator.remit_fatal.take());
    validator.hand_over(&mut on_error);
    validator.summary.fatal = fatal.is_some();
    if let Some(error) = fatal {
        validator.summary.errors += 1;
        on_error(error);
    }
    Ok(validator.summary)
}

/// An envelope segment kept owned: the ISA and GS are checked (and shown to the 835 reader)
/// once the set they open says what it is.
#[derive(Debug)]
struct HeldSegment {
    raw: String,
    ordinal: usize,
    offset: usize,
    delimiters: Delimiters,
}

impl HeldSegment {
    fn of(segment: &Segment<'_>) -> Self {
        Self {
            raw: segment.raw().to_owned(),
            ordinal: segment.ordinal,
            offset: segment.offset,
            delimiters: segment.delimiters(),
        }
    }

    fn segment(&self) -> Segment<'_> {
        Segment::new(self.ordinal, self.offset, &self.raw, self.delimiters)
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

/// The validator's state between segments.
#[derive(Default)]
struct Validator {
    envelope: EnvelopeChecker,
    /// Errors found and not yet handed over.
    errors: Vec<X12Error>,
    summary: Summary,
    isa: Option<HeldSegment>,
    gs: Option<HeldSegment>,
    /// The held ISA and GS were checked as an 837P's (see [`Validator::start`]).
    isa_checked: bool,
    gs_checked: bool,
    in_set: bool,
    last_set_professional: bool,
    professional: Option<Professional>,
    /// The 835, 277CA or 999 set being read; their content beyond structure and elements is
    /// the readers' to judge.
    answer: Option<Answer>,
    /// The 835 reader, from the first 835 set on: it reports the element errors the typed
    /// reader finds.
    remit: Option<RemitChecker>,
    remit_fatal: Option<X12Error>,
}

impl Validator {
    fn feed(&mut self, segment: &Segment<'_>) -> Result<(), X12Error> {
        self.summary.segments += 1;
        let event = self.envelope.feed(segment)?;
        let errors = &mut self.errors;
        match event {
            Event::Envelope => match segment.id() {
                "ISA" => {
                    self.isa = Some(HeldSegment::of(segment));
                    self.isa_checked = false;
                }
                "GS" => {
                    self.gs = Some(HeldSegment::of(segment));
                    self.gs_checked = false;
                }
                "GE" | "IEA" if self.last_set_professional => {
                    x837::elements::check(segment, errors);
                }
                _ => {}
            },
            Event::TransactionStart(header) => {
                self.in_set = true;
                count_set(&mut self.summary.sets, &header.code, &header.version);
                self.start(segment, &header.code, &header.version);
            }
            Event::Body => {
                if let Some(p) = &mut self.professional {
                    x837::elements::check(segment, errors);
                    p.walker.feed(segment, errors);
                    p.semantics.feed(segment, errors);
                }
                if let Some(answer) = &mut self.answer {
                    answer.walker.feed(segment, errors);
                    (answer.check_elements)(segment, errors);
                    answer.check_levels(segment, errors);
                }
            }
            Event::TransactionEnd => {
                self.in_set = false;
                if let Some(mut answer) = self.answer.take() {
                    answer.walker.finish(segment, errors);
                }
                if let Some(mut p) = self.professional.take() {
                    x837::elements::check(segment, errors);
                    p.walker.finish(segment, errors);
                    p.semantics.finish(errors);
                }
            }
        }
        if let Some(remit) = &mut self.remit
            && self.remit_fatal.is_none()
            && let Err(error) = remit.feed(segment, &mut self.errors)
        {
            self.remit_fatal = Some(error);
        }
        Ok(())
    }

    fn start(&mut self, segment: &Segment<'_>, code: &str, version: &str) {
        let errors = &mut self.errors;
        self.last_set_professional = x837::is_professional(code, version);
        if self.last_set_professional {
            for (held, checked) in [
                (&self.isa, &mut self.isa_checked),
                (&self.gs, &mut self.gs_checked),
            ] {
                if let Some(held) = held
                    && !*checked
                {
                    x837::elements::check(&held.segment(), errors);
                    *checked = true;
                }
            }
            x837::elements::check(segment, errors);
            self.professional = Some(Professional {
                walker: LoopWalker::new(&x837::schema::HEADER, "837P"),
                semantics: Semantics::default(),
            });
        } else {
            self.professional = None;
        }
        self.answer = Answer::of(code, version);
        if code == "835" && self.remit.is_none() {
            // The reader starts here, so that files without an 835 pay nothing for it; it
            // is shown the envelope it missed.
            let mut remit = RemitChecker::new();
            for held in [&self.isa, &self.gs].into_iter().flatten() {
                if let Err(error) = remit.feed(&held.segment(), errors) {
                    self.remit_fatal.get_or_insert(error);
                }
            }
            self.remit = Some(remit);
        }
    }

    fn between_sets(&self) -> bool {
        let nothing_held = self.errors.is_empty() && self.envelope.findings.is_empty();
        !self.in_set && !nothing_held
    }

    fn hand_over(&mut self, on_error: &mut impl FnMut(X12Error)) {
        self.errors.append(&mut self.envelope.findings);
        self.errors
            .sort_by_key(|e| (e.segment, e.element.map(|p| (p.element, p.component))));
        self.summary.errors += self.errors.len();
        for error in self.errors.drain(..) {
            on_error(error);
        }
    }
}

fn count_set(sets: &mut Vec<SetCount>, code: &str, version: &str) {
    match sets
        .iter_mut()
        .find(|s| s.code == code && s.version == version)
    {
        Some(kind) => kind.count += 1,
        None => sets.push(SetCount {
            code: code.to_owned(),
            version: version.to_owned(),
            count: 1,
        }),
    }
}
