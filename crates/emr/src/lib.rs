//! EMR interfaces: what clinics' systems send, mapped into cleanclaim's records.
//!
//! Every mapping ends in the native encounter JSON read by
//! [`cleanclaim_model::parse_encounter`]: one mapping target and one set of checks, so a visit
//! that arrives over HL7 or CSV is judged exactly as one sent as JSON. What varies per sender
//! (where minutes live, which IN1 field holds the member id, local provider ids) is data in a
//! channel file ([`Channel`]), not code.
//!
//! Invariant: no I/O. Callers hand in text and get records or positioned issues back.

pub mod channel;
pub mod csv_export;
pub mod csv_import;

pub mod fhir;
pub mod hl7;
mod visit;

pub use channel::{Channel, ChannelError, Channels};
pub use csv_export::csv_for;
pub use csv_import::{CsvError, CsvImport, CsvMapping, RejectedRow};
pub use hl7::{
    ChannelBuilder, Mapped, MappingIssue, PatientRecord, ScheduledVisit, Sender, channel_toml,
    dft_for, map_message,
};
