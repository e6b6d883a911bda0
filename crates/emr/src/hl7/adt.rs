//! ADT^A04 (register an outpatient) and ADT^A08 (update patient information): the patient's
//! demographics and coverage as the sender has them now. An A08 carries the whole current
//! record, so the latest version stored is the truth; a field sent as `""` (explicit null)
//! is simply absent from it.

use cleanclaim_hl7::Message;
use serde::Serialize;
use serde_json::{Map, Value};

use super::MappingIssue;
use super::common::{coverage, patient};
use crate::Channel;
use crate::channel::Locations;

/// A patient's record from an ADT message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRecord {
    pub patient_id: String,
    /// The clinic (channel) that registered the patient.
    pub clinic: String,
    /// `patient` (native shape) and, when IN1 was sent, `coverage` (payer, member id, subscriber).
    pub record: Value,
}

pub(super) fn map(
    channel: &Channel,
    locations: &Locations,
    message: &Message<'_>,
) -> Result<PatientRecord, Vec<MappingIssue>> {
    let mut issues = Vec::new();
    let patient = patient(message).map_err(|e| issues.extend(e)).ok();
    let coverage = coverage(channel, locations, message)
        .map_err(|e| issues.extend(e))
        .ok()
        .flatten();
    let Some((patient_id, patient)) = patient else {
        return Err(issues);
    };
    if !issues.is_empty() {
        return Err(issues);
    }
    let mut record = Map::new();
    record.insert("patient".into(), patient.clone());
    if let Some(guarantor) = guarantor(message) {
        record.insert("guarantor".into(), guarantor);
    }
    if let Some(coverage) = coverage {
        record.insert("coverage".into(), Value::Object(coverage));
    }
    // The demographics must read as the native patient, as an encounter's would.
    if let Err(error) = serde_json::from_value::<cleanclaim_model::Patient>(patient) {
        return Err(vec![MappingIssue {
            location: Some(cleanclaim_hl7::Location::field("PID", 3)),
            code: cleanclaim_hl7::ErrorCode::DataType,
            message: format!(
                "the patient does not read: {}",
                cleanclaim_model::redact_quoted(&error.to_string())
            ),
        }]);
    }
    Ok(PatientRecord {
        patient_id,
        clinic: channel.clinic.clone(),
        record: Value::Object(record),
    })
}

/// GT1: who receives the patient's statements (not on the 837P): name, relationship,
/// address and phone.
fn guarantor(message: &Message<'_>) -> Option<Value> {
    let gt1 = message.segment("GT1")?;
    let name = super::common::person_name(&gt1.field(3).repetition(1), 1);
    if !name.as_object().is_some_and(|n| n.contains_key("family")) {
        return None;
    }
    let mut out = Map::new();
    out.insert("name".into(), name);
    let relationship = gt1.field(11).component(1).value().trim().to_owned();
    if !relationship.is_empty() {
        out.insert("relationship".into(), Value::String(relationship));
    }
    if let Some(address) = super::common::address(&gt1.field(5).repetition(1)) {
        out.insert("address".into(), address);
    }
    let phone = gt1.field(6).component(1).value().trim().to_owned();
    if !phone.is_empty() {
        out.insert("phone".into(), Value::String(phone));
    }
    Some(Value::Object(out))
}
