//! Acknowledgments of what we sent: TA1 (interchange), 999 (implementation acknowledgment,
//! 005010X231A1) and 277CA (claim acknowledgment, 005010X214).
//!
//! A 277 claim status response (005010X212) is refused: it answers a 276 inquiry, it does
//! not acknowledge a submission, and reading it as one would mark claims wrongly.

pub mod codes;
pub mod schema277ca;
pub mod schema999;
pub(crate) mod status_codes;
mod x277ca;
mod x999;

use serde::Serialize;

use crate::envelope::{EnvelopeChecker, Event};
use crate::error::{ErrorKind, X12Error};
use crate::token::{Segment, tokenize};

pub use x277ca::{ClaimAcknowledgment, LineAcknowledgment, StatusCode, StatusVerdict};
pub use x999::{AckCode, ElementError, FunctionalAck, SegmentError, SetAck};

/// TA1: the receiver's verdict on a whole interchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterchangeAck {
    /// TA101: the ISA13 of the interchange acknowledged (ours).
    pub control: String,
    /// TA104: A (accepted), E (accepted with errors), R (rejected).
    pub status: String,
    /// TA105: the interchange note code.
    pub note: String,
}

impl InterchangeAck {
    pub fn accepted(&self) -> bool {
        self.status != "R"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Acknowledgment {
    Interchange(InterchangeAck),
    Functional(FunctionalAck),
    Claims(ClaimsAck),
}

/// One 277CA transaction set: claim by claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimsAck {
    /// ST02.
    pub control: String,
    /// The status the receiver (HL 21) gave the whole batch, if any.
    pub batch_status: Vec<StatusCode>,
    pub claims: Vec<ClaimAcknowledgment>,
}

/// Everything an acknowledgment file holds, with the interchange it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AckFile {
    /// ISA06 and ISA08, trimmed: the payer or clearinghouse, and us.
    pub sender: String,
    pub receiver: String,
    /// ISA13 of the acknowledgment itself, for telling one file from another.
    pub interchange_control: String,
    pub acknowledgments: Vec<Acknowledgment>,
    /// Envelope counts and control numbers that do not match.
    #[serde(skip)]
    pub findings: Vec<X12Error>,
}

/// Reads every TA1, 999 and 277CA in `input`. Any other transaction set is an error.
pub fn read_acknowledgments(input: &str) -> Result<AckFile, X12Error> {
    let mut envelope = EnvelopeChecker::new();
    let mut file = AckFile {
        sender: String::new(),
        receiver: String::new(),
        interchange_control: String::new(),
        acknowledgments: Vec::new(),
        findings: Vec::new(),
    };
    let mut current: Option<Reader> = None;
    for segment in tokenize(input)? {
        let segment = segment?;
        match envelope.feed(&segment)? {
            Event::Envelope => match segment.id() {
                "ISA" if file.sender.is_empty() => {
                    file.sender = segment.element(6).trim().to_owned();
                    file.receiver = segment.element(8).trim().to_owned();
                    file.interchange_control = segment.element(13).to_owned();
                }
                "TA1" => file
                    .acknowledgments
                    .push(Acknowledgment::Interchange(InterchangeAck {
                        control: segment.element(1).to_owned(),
                        status: segment.element(4).to_owned(),
                        note: segment.element(5).to_owned(),
                    })),
                _ => {}
            },
            Event::TransactionStart(header) => {
                current = Some(match (header.code.as_str(), header.version.as_str()) {
                    ("999", _) => Reader::Functional(x999::Builder::new(&header.control)),
                    ("277", v) if v.starts_with("005010X214") => {
                        Reader::Claims(x277ca::Builder::new(&header.control))
                    }
                    ("277", v) if v.starts_with("005010X212") => {
                        return Err(segment.error(ErrorKind::Structure(
                            "this is a 277 claim status response (005010X212), which answers a 276 inquiry; it is not a 277CA claim acknowledgment (005010X214)".into(),
                        )));
                    }
                    (code, version) => {
                        return Err(segment.error(ErrorKind::Structure(format!(
                            "transaction set {code} {version} is not an acknowledgment: expected 999 or 277 005010X214"
                        ))));
                    }
                });
            }
            Event::Body => match current.as_mut() {
                Some(Reader::Functional(b)) => b.feed(&segment)?,
                Some(Reader::Claims(b)) => b.feed(&segment)?,
                None => {}
            },
            Event::TransactionEnd => match current.take() {
                Some(Reader::Functional(b)) => file
                    .acknowledgments
                    .push(Acknowledgment::Functional(b.finish(&segment)?)),
                Some(Reader::Claims(b)) => file
                    .acknowledgments
                    .push(Acknowledgment::Claims(b.finish(&segment)?)),
                None => {}
            },
        }
    }
    envelope.finish()?;
    file.findings = std::mem::take(&mut envelope.findings);
    if file.acknowledgments.is_empty() {
        return Err(X12Error::at(
            0,
            "",
            0,
            ErrorKind::Structure("the input holds no TA1, 999 or 277CA".into()),
        ));
    }
    Ok(file)
}

enum Reader {
    Functional(x999::Builder),
    Claims(x277ca::Builder),
}

fn structure(segment: &Segment<'_>, message: impl Into<String>) -> X12Error {
    segment.error(ErrorKind::Structure(message.into()))
}

fn required<'a>(segment: &Segment<'a>, n: usize) -> Result<&'a str, X12Error> {
    match segment.element(n) {
        "" => Err(segment.element_error(n, None, ErrorKind::MissingElement)),
        value => Ok(value),
    }
}
