//! HL7 v2 messages mapped through a channel: DFT^P03 charges become encounters, ADT^A04/A08
//! patient records, SIU^S12/S14/S15 scheduled visits. Problems come back as issues that name
//! the HL7 location and the table 0357 code the ACK's ERR segment carries.

mod adt;
mod common;
mod dft;
mod siu;
mod write;

use cleanclaim_hl7::{ErrorCode, Location, Message};
use cleanclaim_model::Encounter;
use serde::Serialize;

use crate::Channel;

pub use adt::PatientRecord;
pub use siu::ScheduledVisit;
pub use write::{ChannelBuilder, Sender, channel_toml, dft_for};

/// What a message maps to.
#[derive(Debug, Clone)]
pub enum Mapped {
    /// DFT^P03: the visits its charges make (one per patient, date, clinician and discipline).
    Visits(Vec<Encounter>),
    /// ADT^A04 / ADT^A08: the patient's demographics and coverage as the sender now has them.
    Patient(PatientRecord),
    /// SIU^S12 / S14 / S15: an appointment, new, changed or cancelled.
    Schedule(ScheduledVisit),
}

/// One reason a message cannot be mapped, for the ACK and the error queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingIssue {
    #[serde(serialize_with = "location_text")]
    pub location: Option<Location>,
    #[serde(skip)]
    pub code: ErrorCode,
    pub message: String,
}

fn location_text<S: serde::Serializer>(
    location: &Option<Location>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match location {
        Some(l) => s.serialize_some(&l.to_string()),
        None => s.serialize_none(),
    }
}

impl MappingIssue {
    pub(crate) fn at(location: Location, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            location: Some(location),
            code,
            message: message.into(),
        }
    }

    /// Whether the sender should be told AR (not accepted here, may be resent unchanged)
    /// rather than AE (the content must be fixed).
    pub fn is_reject(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::UnsupportedMessageType
                | ErrorCode::UnsupportedEvent
                | ErrorCode::UnsupportedProcessingId
                | ErrorCode::UnsupportedVersion
        )
    }
}

/// Maps one message through its channel.
pub fn map_message(channel: &Channel, message: &Message<'_>) -> Result<Mapped, Vec<MappingIssue>> {
    let header = message.header();
    let locations = channel.locations().map_err(|reason| {
        vec![MappingIssue {
            location: None,
            code: ErrorCode::InternalError,
            message: format!("channel {}: {reason}", channel.id),
        }]
    })?;
    if !channel.processing_ids.contains(&header.processing_id) {
        return Err(vec![MappingIssue::at(
            Location::field("MSH", 11),
            ErrorCode::UnsupportedProcessingId,
            format!(
                "processing id `{}` is not accepted on channel {} (accepted: {})",
                header.processing_id,
                channel.id,
                channel.processing_ids.join(", ")
            ),
        )]);
    }
    if !SUPPORTED_VERSIONS.contains(&header.version.as_str()) {
        return Err(vec![MappingIssue::at(
            Location::field("MSH", 12),
            ErrorCode::UnsupportedVersion,
            format!(
                "version `{}` is not read here (2.3 to 2.5.1 are)",
                header.version
            ),
        )]);
    }
    match (header.message_type.as_str(), header.trigger_event.as_str()) {
        ("DFT", "P03") => dft::map(channel, &locations, message).map(Mapped::Visits),
        ("ADT", "A04" | "A08") => adt::map(channel, &locations, message).map(Mapped::Patient),
        ("SIU", "S12" | "S14" | "S15") => {
            siu::map(channel, message, &header.trigger_event).map(Mapped::Schedule)
        }
        ("DFT" | "ADT" | "SIU", event) => Err(vec![MappingIssue::at(
            Location::field("MSH", 9).with_component(2),
            ErrorCode::UnsupportedEvent,
            format!(
                "event `{event}` is not read here (DFT^P03, ADT^A04, ADT^A08, SIU^S12, SIU^S14, SIU^S15 are)"
            ),
        )]),
        (kind, event) => Err(vec![MappingIssue::at(
            Location::field("MSH", 9),
            ErrorCode::UnsupportedMessageType,
            format!(
                "`{kind}^{event}` is not read here (DFT^P03, ADT^A04/A08 and SIU^S12/S14/S15 are)"
            ),
        )]),
    }
}

const SUPPORTED_VERSIONS: [&str; 6] = ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", ""];
