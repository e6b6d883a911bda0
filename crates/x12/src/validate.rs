//! `validate`: the whole-file check behind `cleanclaim x12 validate`. Every file gets the
//! envelope checks; 837P transaction sets also get the implementation guide's loops, element
//! rules and cross-segment rules; 835, 277CA and 999 sets get their guide's loops and the
//! shared address rules, 999s their element rules, and 835s are read by the typed reader for
//! element errors.
//!
//! Validation streams: segments are read from any reader a buffer at a time, and errors are
//! handed to the caller as each transaction set ends, so memory does not grow with the file.

use std::io::{self, Read};

use crate::ack::{schema277ca, schema999, status_codes};
use crate::dates::{self, Checked};
use crate::delimiters::Delimiters;
use crate::envelope::{EnvelopeChecker, Event};
use crate::envelope_rules;
use crate::error::{ErrorKind, X12Error};
use crate::loops::LoopWalker;
use crate::stream::{ReadError, SegmentStream};
use crate::token::{Segment, tag};
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
    /// No error, and every set checked against its own guide (a set we hold no guide for is
    /// not called valid: [`Guide::EnvelopeOnly`]).
    pub fn is_valid(&self) -> bool {
        valid(self.errors.len(), &self.sets)
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

/// One kind of transaction set (ST01 with ST03, or GS08 when ST03 is empty), the guide it
/// was checked against, and how many of it a file holds: a file of a million sets is
/// summarized in a line, not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCount {
    pub code: String,
    pub version: String,
    pub guide: Guide,
    pub count: usize,
}

/// What a transaction set was checked against, besides the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guide {
    /// 005010X222A1: loops, elements and cross-segment rules.
    Professional,
    /// 005010X221A1: loops, element rules and the typed reader's checks.
    Remittance,
    /// 005010X214: loops and element rules.
    ClaimAcknowledgment,
    /// 005010X231A1: loops and element rules.
    ImplementationAcknowledgment,
    /// A 005010 set we hold no guide for (a 277 claim status response, a 270...): only its
    /// envelope was checked, so it is not called valid.
    EnvelopeOnly,
    /// Not a 005010 set (4010, or a bare `5010`): refused, envelope checked.
    UnsupportedVersion,
}

impl Guide {
    /// Whether the set's own guide was applied.
    pub fn checked(self) -> bool {
        !matches!(self, Self::EnvelopeOnly | Self::UnsupportedVersion)
    }

    /// For the summary line.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Professional => "837P guide checked",
            Self::Remittance => "835 guide checked",
            Self::ClaimAcknowledgment => "277CA guide checked",
            Self::ImplementationAcknowledgment => "999 guide checked",
            Self::EnvelopeOnly => "envelope checked, guide not checked",
            Self::UnsupportedVersion => "version not supported, envelope checked",
        }
    }
}

/// Valid means no error and every set checked against its own guide.
fn valid(errors: usize, sets: &[SetCount]) -> bool {
    errors == 0 && sets.iter().all(|s| s.guide.checked())
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
    /// As [`Report::is_valid`].
    pub fn is_valid(&self) -> bool {
        valid(self.errors, &self.sets)
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
    guide: Guide,
    /// HL03 of the 277CA level being read.
    level: String,
    /// A 999's IK3 loop already has its business unit identifier (CTX).
    business_unit: bool,
}

impl Answer {
    fn of(code: &str, version: &str) -> Option<Self> {
        let (header, name, guide, check_elements): (_, _, _, fn(&Segment<'_>, &mut Vec<X12Error>)) =
            if x835::is_remittance_advice(code, version) {
                (
                    &x835::schema::HEADER,
                    "835",
                    Guide::Remittance,
                    x835::elements::check,
                )
            } else if schema277ca::is_claim_acknowledgment(code, version) {
                (
                    &schema277ca::HEADER,
                    "277CA",
                    Guide::ClaimAcknowledgment,
                    x837::elements::check_address,
                )
            } else if schema999::is_implementation_acknowledgment(code, version) {
                (
                    &schema999::HEADER,
                    "999",
                    Guide::ImplementationAcknowledgment,
                    schema999::check_elements,
                )
            } else {
                return None;
            };
        Some(Self {
            walker: LoopWalker::new(header, name),
            check_elements,
            guide,
            level: String::new(),
            business_unit: false,
        })
    }

    /// Rules that depend on where a segment is, beyond its loop: the 277CA level and a
    /// 999's IK3 loop.
    fn check_context(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        match (self.guide, segment.id()) {
            (Guide::ClaimAcknowledgment, "HL") => self.level = segment.element(3).to_owned(),
            (Guide::ClaimAcknowledgment, "STC") => {
                // STC02 (status effective date) is not used at the billing provider level,
                // loop 2200C (005010X214; pyx12 enforces it too).
                if self.level == "19" && !segment.element(2).is_empty() {
                    errors.push(segment.element_error(
                        2,
                        None,
                        ErrorKind::NotUsed("STC02 at the billing provider level, loop 2200C"),
                    ));
                }
                check_statuses(segment, errors);
            }
            (Guide::ImplementationAcknowledgment, "AK2" | "IK3") => self.business_unit = false,
            (Guide::ImplementationAcknowledgment, "CTX") => {
                self.check_business_unit(segment, errors)
            }
            _ => {}
        }
    }

    /// A CTX that is not a situational trigger names the claim or patient in error (the
    /// business unit identifier, 005010X231A1 loop 2100): once per IK3 loop, and CTX06 is
    /// Not Used in it.
    fn check_business_unit(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        if segment.component(1, 1) == "SITUATIONAL TRIGGER" {
            return;
        }
        if !segment.element(6).is_empty() {
            errors.push(segment.element_error(
                6,
                None,
                ErrorKind::NotUsed("CTX06 in the business unit identifier"),
            ));
        }
        if std::mem::replace(&mut self.business_unit, true) {
            errors.push(
                segment.error(ErrorKind::Structure(
                    "a second business unit identifier (CTX) in one IK3 loop: the guide allows one"
                        .to_owned(),
                )),
            );
        }
    }
}

/// STC01, STC10 and STC11: a category from code source 507, a status from 508.
fn check_statuses(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    for n in [1, 10, 11] {
        if segment.element(n).is_empty() {
            continue;
        }
        for (c, ok, list) in [
            (
                1,
                status_codes::is_category as fn(&str) -> bool,
                status_codes::CATEGORY_LIST,
            ),
            (2, status_codes::is_status, status_codes::STATUS_LIST),
        ] {
            let code = segment.component(n, c);
            if !ok(code) {
                let kind = if code.is_empty() {
                    ErrorKind::MissingElement
                } else {
                    ErrorKind::BadCode {
                        value: code.to_owned(),
                        expected: list.to_owned(),
                    }
                };
                errors.push(segment.element_error(n, Some(c), kind));
            }
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
    /// The group's GS, checked when its first set says what the group carries.
    gs: Option<HeldSegment>,
    gs_checked: bool,
    in_set: bool,
    professional: Option<Professional>,
    /// The 835, 277CA or 999 set being read; their content beyond structure and elements is
    /// the readers' to judge.
    answer: Option<Answer>,
    /// The interchange's ISA, shown to the 835 reader when it starts.
    isa: Option<HeldSegment>,
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
        if segment.tag() != ISA && ends_with_separator(segment) {
            errors.push(segment.error(ErrorKind::TrailingSeparator));
        }
        match event {
            Event::Envelope => {
                envelope_rules::check(segment, errors);
                match segment.tag() {
                    ISA => self.isa = Some(HeldSegment::of(segment)),
                    GS => {
                        self.gs = Some(HeldSegment::of(segment));
                        self.gs_checked = false;
                    }
                    _ => {}
                }
            }
            Event::TransactionStart(header) => {
                self.in_set = true;
                let guide = self.start(segment, &header.code, &header.version);
                count_set(&mut self.summary.sets, &header.code, &header.version, guide);
            }
            Event::Body => {
                if let Some(p) = &mut self.professional {
                    x837::elements::check(segment, errors);
                    p.walker.feed(segment, errors);
                    x837::loop_rules::check(p.walker.current_loop(), segment, errors);
                    p.semantics.feed(segment, errors);
                    dates::check(segment, Checked::ByProfessionalTable, errors);
                }
                if let Some(answer) = &mut self.answer {
                    answer.walker.feed(segment, errors);
                    (answer.check_elements)(segment, errors);
                    answer.check_context(segment, errors);
                    dates::check(segment, Checked::Nothing, errors);
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

    /// At ST: checks the group's GS against what it carries and picks the set's guide.
    fn start(&mut self, segment: &Segment<'_>, code: &str, version: &str) -> Guide {
        let first_in_group = !std::mem::replace(&mut self.gs_checked, true);
        if let Some(gs) = &self.gs
            && first_in_group
        {
            envelope_rules::check_group(&gs.segment(), code, &mut self.errors);
        }
        self.professional = None;
        self.answer = None;
        if let Some((error, in_set)) = self.unsupported_version(segment, version) {
            // Said once per group when the envelope is at fault, once per set when ST03 is.
            if in_set || first_in_group {
                self.errors.push(error);
            }
            return Guide::UnsupportedVersion;
        }
        let errors = &mut self.errors;
        if x837::is_professional(code, version) {
            x837::elements::check(segment, errors);
            self.professional = Some(Professional {
                walker: LoopWalker::new(&x837::schema::HEADER, "837P"),
                semantics: Semantics::default(),
            });
            return Guide::Professional;
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
        self.answer
            .as_ref()
            .map_or(Guide::EnvelopeOnly, |a| a.guide)
    }

    /// A 4010 interchange (ISA12 `00401`), group (GS08 `004010X098A1`, a bare `5010`) or set
    /// (ST03): where it is said, and the version found. A 4010 set has no ST03, so its
    /// version is the group's.
    /// Whether the error is the set's own (ST03) or its envelope's.
    fn unsupported_version(&self, st: &Segment<'_>, version: &str) -> Option<(X12Error, bool)> {
        let refuse = |segment: &Segment<'_>, n: usize| {
            let found = segment.element(n).to_owned();
            segment.element_error(n, None, ErrorKind::UnsupportedVersion(found))
        };
        if let Some(isa) = &self.isa
            && isa.segment().element(12) != "00501"
        {
            return Some((refuse(&isa.segment(), 12), false));
        }
        if let Some(gs) = &self.gs
            && !envelope_rules::supported_version(gs.segment().element(8))
        {
            return Some((refuse(&gs.segment(), 8), false));
        }
        (!envelope_rules::supported_version(version)).then(|| (refuse(st, 3), true))
    }

    fn between_sets(&self) -> bool {
        let nothing_held = self.errors.is_empty() && self.envelope.findings.is_empty();
        !self.in_set && !nothing_held
    }

    fn hand_over(&mut self, on_error: &mut impl FnMut(X12Error)) {
        self.errors.append(&mut self.envelope.findings);
        self.errors
            .sort_by_key(|e| (e.segment, e.element.map(|p| (p.element, p.component))));
        // The 835 reader and the date rules both read the 835's dates: one error each.
        self.errors.dedup();
        self.summary.errors += self.errors.len();
        for error in self.errors.drain(..) {
            on_error(error);
        }
    }
}

const ISA: u32 = tag("ISA");
const GS: u32 = tag("GS");

/// A separator right before the terminator: an empty last element or component.
fn ends_with_separator(segment: &Segment<'_>) -> bool {
    let delimiters = segment.delimiters();
    segment
        .raw()
        .as_bytes()
        .last()
        .is_some_and(|b| *b == delimiters.element || *b == delimiters.component)
}

fn count_set(sets: &mut Vec<SetCount>, code: &str, version: &str, guide: Guide) {
    match sets
        .iter_mut()
        .find(|s| s.code == code && s.version == version && s.guide == guide)
    {
        Some(kind) => kind.count += 1,
        None => sets.push(SetCount {
            code: code.to_owned(),
            version: version.to_owned(),
            guide,
            count: 1,
        }),
    }
}
