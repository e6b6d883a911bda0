//! The interchange envelope: ISA/IEA, GS/GE, ST/SE nesting, control numbers and counts.
//!
//! Source: ASC X12 005010 implementation guides, appendix B (ISA, IEA, GS, GE) and the ST/SE
//! definitions in each guide's transaction set header and trailer.

use crate::control_numbers::ControlNumbers;

use crate::error::{ErrorKind, X12Error};
use crate::token::{Segment, tag};

/// What a segment means to the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// ISA, GS, TA1, GE, IEA: envelope only.
    Envelope,
    /// ST: a transaction set begins.
    TransactionStart(TransactionHeader),
    /// A segment inside a transaction set (between ST and SE).
    Body,
    /// SE: the transaction set ends.
    TransactionEnd,
}

/// What ST and its enclosing GS say about a transaction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionHeader {
    /// ST01: 837, 835, 999, 277...
    pub code: String,
    /// ST02.
    pub control: String,
    /// ST03, or GS08 when ST03 is absent (4010-era files).
    pub version: String,
    /// GS01 (HC, HP, FA, HN), empty for a bare ST..SE fragment.
    pub functional_id: String,
    /// GS02 and GS03, empty for a fragment.
    pub sender: String,
    pub receiver: String,
    /// ISA13 / GS06, empty for a fragment.
    pub interchange_control: String,
    pub group_control: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    InInterchange,
    InGroup,
    InTransaction,
    AfterInterchange,
    /// A bare ST..SE with no ISA/GS.
    FragmentDone,
}

/// Follows the envelope segment by segment. Fatal problems (a segment where the envelope
/// does not allow it, a missing trailer) are returned as `Err`; count and control-number
/// mismatches are collected in [`EnvelopeChecker::findings`] so that a reader can still
/// report what it read.
#[derive(Debug)]
pub struct EnvelopeChecker {
    state: State,
    fragment: bool,
    isa_control: String,
    group_count: usize,
    group_control: String,
    group: (String, String, String, String),
    transaction_count: usize,
    /// The ST02s of the current group: a group of a million transaction sets is checked in
    /// linear time, and in flat memory when they are numbered in sequence.
    st_controls: ControlNumbers,
    /// Every ISA13 and GS06 of the file: each must be unique within it (X12.5 and X12.6;
    /// pyx12 checks the same).
    isa_controls: ControlNumbers,
    group_controls: ControlNumbers,
    header: Option<TransactionHeader>,
    segments_in_transaction: usize,
    last: LastSegment,
    pub findings: Vec<X12Error>,
}

impl Default for EnvelopeChecker {
    fn default() -> Self {
        Self::new()
    }
}

fn structure(segment: &Segment<'_>, message: impl Into<String>) -> X12Error {
    segment.error(ErrorKind::Envelope(message.into()))
}

impl EnvelopeChecker {
    pub fn new() -> Self {
        Self {
            state: State::Start,
            fragment: false,
            isa_control: String::new(),
            group_count: 0,
            group_control: String::new(),
            group: Default::default(),
            transaction_count: 0,
            st_controls: ControlNumbers::default(),
            isa_controls: ControlNumbers::default(),
            group_controls: ControlNumbers::default(),
            header: None,
            segments_in_transaction: 0,
            last: LastSegment::default(),
            findings: Vec::new(),
        }
    }

    pub fn feed(&mut self, segment: &Segment<'_>) -> Result<Event, X12Error> {
        self.last = LastSegment::of(segment);
        if self.state == State::InTransaction {
            self.segments_in_transaction += 1;
            const SE: u32 = tag("SE");
            const ST: u32 = tag("ST");
            const GS: u32 = tag("GS");
            const GE: u32 = tag("GE");
            const ISA: u32 = tag("ISA");
            const IEA: u32 = tag("IEA");
            return match segment.tag() {
                SE => self.end_transaction(segment),
                ST | GS | GE | ISA | IEA => Err(structure(
                    segment,
                    format!("{} inside a transaction set: SE is missing", segment.id()),
                )),
                _ => Ok(Event::Body),
            };
        }
        match (segment.id(), self.state) {
            ("ISA", State::Start | State::AfterInterchange) => {
                self.isa_control = segment.element(13).to_owned();
                if !is_digits(&self.isa_control, 9, 9) {
                    self.findings.push(segment.element_error(
                        13,
                        None,
                        ErrorKind::BadValue("interchange control number (9 digits)"),
                    ));
                }
                if !self.isa_controls.insert(&self.isa_control) {
                    self.findings.push(segment.element_error(
                        13,
                        None,
                        ErrorKind::Envelope(
                            "interchange control number repeats within the file".into(),
                        ),
                    ));
                }
                self.group_count = 0;
                self.state = State::InInterchange;
                Ok(Event::Envelope)
            }
            ("TA1", State::InInterchange) => Ok(Event::Envelope),
            ("GS", State::InInterchange) => {
                self.group_control = segment.element(6).to_owned();
                if !is_digits(&self.group_control, 1, 9) {
                    self.findings.push(segment.element_error(
                        6,
                        None,
                        ErrorKind::BadValue("group control number (1-9 digits)"),
                    ));
                }
                if !self.group_controls.insert(&self.group_control) {
                    self.findings.push(segment.element_error(
                        6,
                        None,
                        ErrorKind::Envelope("group control number repeats within the file".into()),
                    ));
                }
                self.group = (
                    segment.element(1).to_owned(),
                    segment.element(2).to_owned(),
                    segment.element(3).to_owned(),
                    segment.element(8).to_owned(),
                );
                self.group_count += 1;
                self.transaction_count = 0;
                self.st_controls.clear();
                self.state = State::InGroup;
                Ok(Event::Envelope)
            }
            ("ST", State::InGroup) => self.start_transaction(segment),
            ("ST", State::Start) => {
                self.fragment = true;
                self.start_transaction(segment)
            }
            ("GE", State::InGroup) => {
                self.check_count(segment, 1, self.transaction_count, "transaction sets");
                self.check_control(segment, 2, &self.group_control.clone(), "GS06");
                self.state = State::InInterchange;
                Ok(Event::Envelope)
            }
            ("IEA", State::InInterchange) => {
                self.check_count(segment, 1, self.group_count, "functional groups");
                self.check_control(segment, 2, &self.isa_control.clone(), "ISA13");
                self.state = State::AfterInterchange;
                Ok(Event::Envelope)
            }
            (id, state) => Err(structure(segment, unexpected(id, state))),
        }
    }

    fn start_transaction(&mut self, segment: &Segment<'_>) -> Result<Event, X12Error> {
        let control = segment.element(2).to_owned();
        if !(4..=9).contains(&control.len()) {
            self.findings.push(segment.element_error(
                2,
                None,
                ErrorKind::BadValue("transaction set control number (4-9 characters)"),
            ));
        }
        if !self.st_controls.insert(&control) {
            self.findings.push(segment.element_error(
                2,
                None,
                ErrorKind::Envelope(
                    "transaction set control number repeats within the functional group".into(),
                ),
            ));
        }
        let version = match segment.element(3) {
            "" => self.group.3.clone(),
            v => v.to_owned(),
        };
        let header = TransactionHeader {
            code: segment.element(1).to_owned(),
            control,
            version,
            functional_id: self.group.0.clone(),
            sender: self.group.1.clone(),
            receiver: self.group.2.clone(),
            interchange_control: self.isa_control.clone(),
            group_control: self.group_control.clone(),
        };
        self.header = Some(header.clone());
        self.segments_in_transaction = 1;
        self.transaction_count += 1;
        self.state = State::InTransaction;
        Ok(Event::TransactionStart(header))
    }

    fn end_transaction(&mut self, segment: &Segment<'_>) -> Result<Event, X12Error> {
        self.check_count(segment, 1, self.segments_in_transaction, "segments");
        let control = self
            .header
            .as_ref()
            .map(|h| h.control.clone())
            .unwrap_or_default();
        self.check_control(segment, 2, &control, "ST02");
        self.header = None;
        self.state = if self.fragment {
            State::FragmentDone
        } else {
            State::InGroup
        };
        Ok(Event::TransactionEnd)
    }

    fn check_count(&mut self, segment: &Segment<'_>, element: usize, actual: usize, what: &str) {
        let declared = segment.element(element);
        if declared.parse::<usize>().ok() != Some(actual) {
            self.findings.push(segment.element_error(
                element,
                None,
                ErrorKind::Envelope(format!(
                    "declares {declared:?} {what} but the envelope holds {actual}"
                )),
            ));
        }
    }

    fn check_control(&mut self, segment: &Segment<'_>, element: usize, expected: &str, of: &str) {
        let found = segment.element(element);
        if found != expected {
            self.findings.push(segment.element_error(
                element,
                None,
                ErrorKind::Envelope(format!(
                    "control number {found:?} does not match {of} {expected:?}"
                )),
            ));
        }
    }

    /// Call at the end of input: any envelope still open is an error.
    pub fn finish(&self) -> Result<(), X12Error> {
        let LastSegment {
            ordinal, offset, ..
        } = self.last;
        let id = self.last.id();
        let missing = match self.state {
            State::AfterInterchange | State::FragmentDone => return Ok(()),
            State::Start => "the input holds no segments",
            State::InTransaction => "the input ends inside a transaction set: SE is missing",
            State::InGroup => "the input ends inside a functional group: GE is missing",
            State::InInterchange => "the input ends inside an interchange: IEA is missing",
        };
        Err(X12Error::at(
            ordinal,
            &id,
            offset,
            ErrorKind::Envelope(missing.into()),
        ))
    }
}

/// Where the input ended, for the error about an open envelope. Kept without allocating:
/// the checker sees every segment of files of any size.
#[derive(Debug, Clone, Copy, Default)]
struct LastSegment {
    ordinal: usize,
    tag: u32,
    offset: usize,
}

impl LastSegment {
    fn of(segment: &Segment<'_>) -> Self {
        Self {
            ordinal: segment.ordinal,
            tag: segment.tag(),
            offset: segment.offset,
        }
    }

    fn id(&self) -> String {
        self.tag
            .to_be_bytes()
            .iter()
            .filter(|b| **b != 0)
            .map(|b| char::from(*b))
            .collect()
    }
}

fn unexpected(id: &str, state: State) -> String {
    let expected = match state {
        State::Start => "the input must start with ISA (or ST for a bare transaction set)",
        State::InInterchange => "after ISA or GE only GS, TA1 or IEA may follow",
        State::InGroup => "after GS or SE only ST or GE may follow",
        State::AfterInterchange => "after IEA only another ISA may follow",
        State::FragmentDone => "nothing may follow the SE of a bare transaction set",
        State::InTransaction => "",
    };
    format!("{id} is out of place: {expected}")
}

fn is_digits(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tokenize;

    fn run(input: &str) -> (Result<(), X12Error>, Vec<X12Error>) {
        let mut checker = EnvelopeChecker::new();
        for segment in tokenize(input).unwrap() {
            let segment = segment.unwrap();
            if let Err(e) = checker.feed(&segment) {
                return (Err(e), checker.findings);
            }
        }
        (checker.finish(), checker.findings)
    }

    const ISA: &str = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~";

    #[test]
    fn a_well_formed_envelope_has_no_findings() {
        let input = format!(
            "{ISA}GS*HC*A*B*20240101*1200*7*X*005010X222A1~ST*837*0001~BHT*0019~SE*3*0001~GE*1*7~IEA*1*000000001~"
        );
        let (result, findings) = run(&input);
        assert!(result.is_ok());
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn wrong_counts_and_controls_are_findings_at_the_trailer() {
        let input = format!(
            "{ISA}GS*HC*A*B*20240101*1200*7*X*005010X222A1~ST*837*0001~BHT*0019~SE*4*0002~GE*2*8~IEA*1*000000002~"
        );
        let (result, findings) = run(&input);
        assert!(result.is_ok());
        let positions: Vec<_> = findings
            .iter()
            .map(|f| (f.id.as_str(), f.element.map(|e| e.element)))
            .collect();
        assert_eq!(
            positions,
            [
                ("SE", Some(1)),
                ("SE", Some(2)),
                ("GE", Some(1)),
                ("GE", Some(2)),
                ("IEA", Some(2))
            ]
        );
    }

    #[test]
    fn a_missing_trailer_is_fatal() {
        let input = format!(
            "{ISA}GS*HC*A*B*20240101*1200*7*X*005010X222A1~ST*837*0001~BHT*0019~GE*1*7~IEA*1*000000001~"
        );
        let (result, _) = run(&input);
        let err = result.unwrap_err();
        assert_eq!((err.segment, err.id.as_str()), (5, "GE"));
    }

    #[test]
    fn a_repeated_transaction_control_is_found_within_its_group_only() {
        let set = |control: &str| format!("ST*837*{control}~BHT*0019~SE*3*{control}~");
        let input = format!(
            "{ISA}GS*HC*A*B*20240101*1200*7*X*005010X222A1~{}{}{}GE*3*7~\
             GS*HC*A*B*20240101*1200*8*X*005010X222A1~{}GE*1*8~IEA*2*000000001~",
            set("0001"),
            set("0002"),
            set("0001"),
            set("0001"),
        );
        let (result, findings) = run(&input);
        assert!(result.is_ok());
        let repeats: Vec<(usize, &str)> = findings
            .iter()
            .map(|f| (f.segment, f.id.as_str()))
            .collect();
        // The third set of the first group repeats 0001; the second group starts afresh.
        assert_eq!(repeats, [(9, "ST")], "{findings:?}");
    }
}
