//! Acknowledgments (ACK): MSA code, the inbound control id echoed in MSA-2, and one ERR per
//! problem: ERR-2 (where), ERR-3 (HL7 table 0357 code), ERR-4 (severity), ERR-8 (what to fix)
//! for 2.5 and later; ERR-1 (the older ELD form) for 2.3 and 2.4 partners.

use crate::{Delimiters, Header, Location, MessageWriter};

/// MSA-1, table 0008.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// Application accept.
    Accept,
    /// Application error: the content is wrong; fix it before sending again.
    Error,
    /// Application reject: the message type, version or processing id is not accepted, or the
    /// receiver failed for reasons unrelated to the content; the sender may send it again.
    Reject,
}

impl AckCode {
    pub fn code(self) -> &'static str {
        match self {
            Self::Accept => "AA",
            Self::Error => "AE",
            Self::Reject => "AR",
        }
    }
}

/// ERR-3, table 0357.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    SegmentSequence,
    RequiredFieldMissing,
    DataType,
    TableValueNotFound,
    UnsupportedMessageType,
    UnsupportedEvent,
    UnsupportedProcessingId,
    UnsupportedVersion,
    UnknownKey,
    DuplicateKey,
    InternalError,
}

impl ErrorCode {
    pub fn number(self) -> u16 {
        match self {
            Self::SegmentSequence => 100,
            Self::RequiredFieldMissing => 101,
            Self::DataType => 102,
            Self::TableValueNotFound => 103,
            Self::UnsupportedMessageType => 200,
            Self::UnsupportedEvent => 201,
            Self::UnsupportedProcessingId => 202,
            Self::UnsupportedVersion => 203,
            Self::UnknownKey => 204,
            Self::DuplicateKey => 205,
            Self::InternalError => 207,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::SegmentSequence => "Segment sequence error",
            Self::RequiredFieldMissing => "Required field missing",
            Self::DataType => "Data type error",
            Self::TableValueNotFound => "Table value not found",
            Self::UnsupportedMessageType => "Unsupported message type",
            Self::UnsupportedEvent => "Unsupported event code",
            Self::UnsupportedProcessingId => "Unsupported processing id",
            Self::UnsupportedVersion => "Unsupported version id",
            Self::UnknownKey => "Unknown key identifier",
            Self::DuplicateKey => "Duplicate key identifier",
            Self::InternalError => "Application internal error",
        }
    }
}

/// ERR-4, table 0516.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Information,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Self::Error => "E",
            Self::Warning => "W",
            Self::Information => "I",
        }
    }
}

/// One problem reported in an ERR segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckIssue {
    pub location: Option<Location>,
    pub code: ErrorCode,
    pub severity: Severity,
    /// What is wrong and what to fix, for the sender's interface analyst (ERR-8).
    pub message: String,
}

/// An acknowledgment to render for an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub code: AckCode,
    pub issues: Vec<AckIssue>,
}

impl Ack {
    pub fn accept() -> Self {
        Self {
            code: AckCode::Accept,
            issues: Vec::new(),
        }
    }

    /// The ACK text for `inbound`, sent by us as `control_id` at `timestamp` (`YYYYMMDDHHMMSS`).
    /// The sender's and receiver's application and facility are swapped; MSH-11 and MSH-12
    /// follow the inbound message.
    pub fn render(&self, inbound: &Header, control_id: &str, timestamp: &str) -> String {
        let d = Delimiters::default();
        let writer = MessageWriter::new(d);
        let old_error_form =
            inbound.version.starts_with("2.3") || inbound.version.starts_with("2.4");
        let mut msh = writer
            .header()
            .field(3, &inbound.receiving_application)
            .field(4, &inbound.receiving_facility)
            .field(5, &inbound.sending_application)
            .field(6, &inbound.sending_facility)
            .field(7, timestamp)
            .set(9, 1, "ACK")
            .set(9, 2, &inbound.trigger_event)
            .field(10, control_id)
            .field(
                11,
                if inbound.processing_id.is_empty() {
                    "P"
                } else {
                    &inbound.processing_id
                },
            )
            .field(
                12,
                if inbound.version.is_empty() {
                    "2.5.1"
                } else {
                    &inbound.version
                },
            );
        if inbound.version != "2.3" {
            msh = msh.set(9, 3, "ACK");
        }
        let summary = match (self.code, self.issues.first()) {
            (AckCode::Accept, _) => "accepted".to_owned(),
            (_, Some(first)) => first.message.clone(),
            (_, None) => "refused".to_owned(),
        };
        let msa = writer
            .segment("MSA")
            .field(1, self.code.code())
            .field(2, &inbound.control_id)
            .field(3, &truncate(&summary, 80));
        let mut message = writer.clone().push(msh).push(msa);
        for issue in &self.issues {
            let mut err = writer.segment("ERR");
            let number = issue.code.number().to_string();
            if old_error_form {
                if let Some(at) = &issue.location {
                    err = err
                        .set(1, 1, &at.segment)
                        .set(1, 2, &at.occurrence.to_string())
                        .set(1, 3, &at.field.to_string());
                }
                err = err.set(1, 4, &number);
            } else {
                if let Some(at) = &issue.location {
                    err = err
                        .set(2, 1, &at.segment)
                        .set(2, 2, &at.occurrence.to_string())
                        .set(2, 3, &at.field.to_string())
                        .set(2, 4, &at.repetition.to_string())
                        .set(2, 5, &at.component.to_string())
                        .set(2, 6, &at.subcomponent.to_string());
                }
                err = err
                    .set(3, 1, &number)
                    .set(3, 2, issue.code.text())
                    .set(3, 3, "HL70357")
                    .field(4, issue.severity.code())
                    .field(8, &issue.message);
            }
            message = message.push(err);
        }
        message.finish()
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::Message;

    fn inbound(version: &str) -> Header {
        let text = format!(
            "MSH|^~\\&|WEBPT|NORTH|CLEANCLAIM|CC|20260309||DFT^P03^DFT_P03|DSD1184185250|P|{version}"
        );
        Message::parse(&text).unwrap().header()
    }

    #[test]
    fn an_error_ack_names_the_field_and_echoes_the_control_id() {
        let ack = Ack {
            code: AckCode::Error,
            issues: vec![AckIssue {
                location: Some("FT1-25".parse().unwrap()),
                code: ErrorCode::RequiredFieldMissing,
                severity: Severity::Error,
                message: "FT1-25 (procedure code) is empty".into(),
            }],
        };
        let text = ack.render(&inbound("2.5.1"), "CC000123", "20260309101500");
        let message = Message::parse(&text).unwrap();
        let header = message.header();
        assert_eq!(
            (
                header.sending_application.as_str(),
                header.receiving_application.as_str()
            ),
            ("CLEANCLAIM", "WEBPT")
        );
        assert_eq!(
            (
                header.message_type.as_str(),
                header.trigger_event.as_str(),
                header.structure.as_str()
            ),
            ("ACK", "P03", "ACK")
        );
        let msa = message.segment("MSA").unwrap();
        assert_eq!(msa.field(1).value(), "AE");
        assert_eq!(msa.field(2).value(), "DSD1184185250");
        let err = message.segment("ERR").unwrap();
        assert_eq!(err.field(2).component(1).value(), "FT1");
        assert_eq!(err.field(2).component(3).value(), "25");
        assert_eq!(err.field(3).component(1).value(), "101");
        assert_eq!(err.field(4).value(), "E");
        assert_eq!(err.field(8).value(), "FT1-25 (procedure code) is empty");
    }

    #[test]
    fn older_partners_get_the_eld_form() {
        let ack = Ack {
            code: AckCode::Reject,
            issues: vec![AckIssue {
                location: Some("MSH-9".parse().unwrap()),
                code: ErrorCode::UnsupportedMessageType,
                severity: Severity::Error,
                message: "ORU^R01 is not read here".into(),
            }],
        };
        let text = ack.render(&inbound("2.3"), "CC1", "20260309");
        let message = Message::parse(&text).unwrap();
        assert_eq!(message.header().structure, "");
        let err = message.segment("ERR").unwrap();
        assert_eq!(err.field(1).component(1).value(), "MSH");
        assert_eq!(err.field(1).component(4).value(), "200");
        assert!(err.field(3).is_empty());
    }
}
