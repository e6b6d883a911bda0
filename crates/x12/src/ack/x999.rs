//! The 999 implementation acknowledgment (005010X231A1): loop 2000 (AK2 per transaction set
//! acknowledged), loop 2100 (IK3 segment errors with their CTX context and IK4 element
//! errors), IK5 per set and AK9 for the functional group.

use serde::Serialize;

use crate::ack::{required, structure};
use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;

/// IK501 / AK901.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckCode {
    /// A.
    Accepted,
    /// E: accepted, errors noted.
    AcceptedWithErrors,
    /// P (AK9 only): some sets accepted, some rejected.
    PartiallyAccepted,
    /// R.
    Rejected,
    /// M: rejected, message authentication code failed.
    AuthenticationFailed,
    /// W: rejected, assurance failed validity tests.
    ValidityFailed,
    /// X: rejected, content could not be analyzed after decryption.
    ContentRejected,
}

impl AckCode {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "A" => Self::Accepted,
            "E" => Self::AcceptedWithErrors,
            "P" => Self::PartiallyAccepted,
            "R" => Self::Rejected,
            "M" => Self::AuthenticationFailed,
            "W" => Self::ValidityFailed,
            "X" => Self::ContentRejected,
            _ => return None,
        })
    }

    /// Whether the claims acknowledged go on to the payer's adjudication.
    pub fn accepted(self) -> bool {
        matches!(self, Self::Accepted | Self::AcceptedWithErrors)
    }
}

/// IK4: one element in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementError {
    /// IK401: element position, with component and repetition where given (`2`, `5:3`).
    pub position: String,
    /// IK402: the data element reference number.
    pub reference: String,
    /// IK403.
    pub code: String,
    /// IK404: a copy of the bad data, when the sender included it.
    pub bad_value: String,
}

/// IK3 with its CTX and IK4s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentError {
    /// IK301: the segment id in error.
    pub segment_id: String,
    /// IK302: the segment's position in the transaction set (ST is 1).
    pub position: String,
    /// IK303: the loop id.
    pub loop_id: String,
    /// IK304.
    pub code: String,
    /// The claim the error belongs to, from CTX*CLM01 (business unit context).
    pub claim_id: Option<String>,
    pub elements: Vec<ElementError>,
}

/// AK2 ... IK5: the verdict on one transaction set we sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetAck {
    /// AK201 and AK202: the set acknowledged (837 and our ST02).
    pub code: String,
    pub control: String,
    pub status: AckCode,
    /// IK502-06.
    pub errors: Vec<String>,
    pub segment_errors: Vec<SegmentError>,
}

/// One 999 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionalAck {
    /// ST02 of the 999.
    pub control: String,
    /// AK101-03: the functional group acknowledged (HC for claims), its GS06 and GS08.
    pub functional_id: String,
    pub group_control: String,
    pub group_version: String,
    pub sets: Vec<SetAck>,
    /// AK901.
    pub group_status: AckCode,
    /// AK902-04: sets included, received, accepted.
    pub included: u32,
    pub received: u32,
    pub accepted: u32,
}

#[derive(Debug)]
pub(crate) struct Builder {
    control: String,
    group: Option<(String, String, String)>,
    sets: Vec<SetAck>,
    open: Option<SetAck>,
    status: Option<(AckCode, u32, u32, u32)>,
}

fn count(segment: &Segment<'_>, n: usize) -> Result<u32, X12Error> {
    required(segment, n)?
        .parse()
        .map_err(|_| segment.element_error(n, None, ErrorKind::BadValue("count")))
}

fn code(segment: &Segment<'_>, n: usize) -> Result<AckCode, X12Error> {
    let value = required(segment, n)?;
    AckCode::from_code(value).ok_or_else(|| {
        segment.element_error(
            n,
            None,
            ErrorKind::BadCode {
                value: value.to_owned(),
                expected: "A, E, P, R, M, W, X".into(),
            },
        )
    })
}

impl Builder {
    pub(crate) fn new(control: &str) -> Self {
        Self {
            control: control.to_owned(),
            group: None,
            sets: Vec::new(),
            open: None,
            status: None,
        }
    }

    fn open_set(&mut self, segment: &Segment<'_>) -> Result<&mut SetAck, X12Error> {
        self.open
            .as_mut()
            .ok_or_else(|| structure(segment, format!("{} outside an AK2 loop", segment.id())))
    }

    pub(crate) fn feed(&mut self, segment: &Segment<'_>) -> Result<(), X12Error> {
        match segment.id() {
            "AK1" => {
                self.group = Some((
                    required(segment, 1)?.to_owned(),
                    required(segment, 2)?.to_owned(),
                    segment.element(3).to_owned(),
                ));
            }
            "AK2" => {
                if let Some(set) = self.open.take() {
                    return Err(structure(
                        segment,
                        format!("AK2 for set {} has no IK5", set.control),
                    ));
                }
                self.open = Some(SetAck {
                    code: required(segment, 1)?.to_owned(),
                    control: required(segment, 2)?.to_owned(),
                    status: AckCode::Accepted,
                    errors: Vec::new(),
                    segment_errors: Vec::new(),
                });
            }
            "IK3" => {
                let error = SegmentError {
                    segment_id: required(segment, 1)?.to_owned(),
                    position: required(segment, 2)?.to_owned(),
                    loop_id: segment.element(3).to_owned(),
                    code: required(segment, 4)?.to_owned(),
                    claim_id: None,
                    elements: Vec::new(),
                };
                self.open_set(segment)?.segment_errors.push(error);
            }
            "CTX" => {
                let separator = char::from(segment.delimiters().component);
                let context = segment.element(1);
                if let Some(claim) = context
                    .strip_prefix("CLM01")
                    .and_then(|r| r.strip_prefix(separator))
                    && let Some(error) = self.open_set(segment)?.segment_errors.last_mut()
                {
                    error.claim_id = Some(claim.to_owned());
                }
            }
            "IK4" => {
                let element = ElementError {
                    position: required(segment, 1)?.to_owned(),
                    reference: segment.element(2).to_owned(),
                    code: required(segment, 3)?.to_owned(),
                    bad_value: segment.element(4).to_owned(),
                };
                let set = self.open_set(segment)?;
                let Some(error) = set.segment_errors.last_mut() else {
                    return Err(structure(segment, "IK4 before any IK3"));
                };
                error.elements.push(element);
            }
            "IK5" => {
                let status = code(segment, 1)?;
                let errors = (2..=6)
                    .map(|n| segment.element(n))
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect();
                let Some(mut set) = self.open.take() else {
                    return Err(structure(segment, "IK5 without AK2"));
                };
                set.status = status;
                set.errors = errors;
                self.sets.push(set);
            }
            "AK9" => {
                self.status = Some((
                    code(segment, 1)?,
                    count(segment, 2)?,
                    count(segment, 3)?,
                    count(segment, 4)?,
                ));
            }
            other => {
                return Err(structure(
                    segment,
                    format!("{other} is not a segment of the 999"),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self, se: &Segment<'_>) -> Result<FunctionalAck, X12Error> {
        if let Some(set) = self.open {
            return Err(structure(
                se,
                format!("AK2 for set {} has no IK5", set.control),
            ));
        }
        let Some((functional_id, group_control, group_version)) = self.group else {
            return Err(structure(se, "the 999 has no AK1"));
        };
        let Some((group_status, included, received, accepted)) = self.status else {
            return Err(structure(se, "the 999 has no AK9"));
        };
        Ok(FunctionalAck {
            control: self.control,
            functional_id,
            group_control,
            group_version,
            sets: self.sets,
            group_status,
            included,
            received,
            accepted,
        })
    }
}
