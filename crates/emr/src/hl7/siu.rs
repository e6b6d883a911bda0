//! SIU^S12 (new appointment), S14 (modified) and S15 (cancelled): the scheduled visits that
//! forecast authorization use. Keyed by the filler appointment id (SCH-2), else the placer's
//! (SCH-1). The start is TQ1-7 (2.5 and later), else SCH-11 component 4, else AIS-4 or AIP-6;
//! the duration SCH-9 in SCH-10 units, else AIS-7 or AIP-9.

use chrono::NaiveDate;
use cleanclaim_hl7::{ErrorCode, Location, Message};
use serde::Serialize;

use super::MappingIssue;
use super::common::{clinician, date_time, patient_identifier};
use crate::Channel;
use crate::visit::discipline_of_role;

/// One appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledVisit {
    pub appointment_id: String,
    pub patient_id: String,
    pub clinic: String,
    pub date: NaiveDate,
    /// `HH:MM`, when sent.
    pub start_time: Option<String>,
    pub duration_minutes: Option<u32>,
    /// `booked`, `cancelled`, or the sender's SCH-25 status as sent (`ARRIVED`, `NOSHOW`...).
    pub status: String,
    /// The scheduled clinician's NPI and the discipline it implies, when AIP names one the
    /// channel knows.
    pub clinician_npi: Option<String>,
    pub discipline: Option<String>,
    /// AIS-3 services that look like procedure codes.
    pub planned_codes: Vec<String>,
    /// Who booked it (SCH-20, entered by person): the user id, else the name as sent.
    pub scheduled_by: Option<String>,
}

pub(super) fn map(
    channel: &Channel,
    message: &Message<'_>,
    event: &str,
) -> Result<ScheduledVisit, Vec<MappingIssue>> {
    let mut issues = Vec::new();
    let Some(sch) = message.segment("SCH") else {
        return Err(vec![MappingIssue::at(
            Location::field("SCH", 1),
            ErrorCode::SegmentSequence,
            "the message has no SCH segment",
        )]);
    };
    let filler = sch.field(2).value().trim().to_owned();
    let appointment_id = if filler.is_empty() {
        sch.field(1).value().trim().to_owned()
    } else {
        filler
    };
    if appointment_id.is_empty() {
        issues.push(MappingIssue::at(
            Location::field("SCH", 2),
            ErrorCode::RequiredFieldMissing,
            "neither SCH-2 nor SCH-1 (appointment id) is sent",
        ));
    }
    let patient_id = message
        .segment("PID")
        .map(patient_identifier)
        .unwrap_or_default();
    if patient_id.is_empty() {
        issues.push(MappingIssue::at(
            Location::field("PID", 3),
            ErrorCode::RequiredFieldMissing,
            "PID-3 (patient identifier) is empty",
        ));
    }
    let candidates = [
        Location::field("TQ1", 7),
        Location::field("SCH", 11).with_component(4),
        Location::field("AIS", 4),
        Location::field("AIP", 6),
    ];
    let start = candidates.iter().find_map(|at| {
        let value = message.value(at)?.trim().to_owned();
        (!value.is_empty()).then_some((at.clone(), value))
    });
    let when = match start {
        Some((at, value)) => date_time(&value, &at, "the appointment start")
            .map_err(|e| issues.push(e))
            .ok(),
        None => {
            issues.push(MappingIssue::at(
                Location::field("SCH", 11).with_component(4),
                ErrorCode::RequiredFieldMissing,
                "no appointment start (TQ1-7, SCH-11.4, AIS-4 or AIP-6)",
            ));
            None
        }
    };
    let duration_minutes = duration(message);
    let aip = message.segment("AIP");
    let scheduled = aip.and_then(|aip| {
        clinician(
            channel,
            &aip.field(3).repetition(1),
            &Location::field("AIP", 3),
        )
        .ok()
    });
    let clinician_npi = scheduled
        .as_ref()
        .and_then(|c| c.get("npi"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    let discipline = scheduled
        .as_ref()
        .and_then(|c| c.get("role"))
        .and_then(serde_json::Value::as_str)
        .and_then(discipline_of_role)
        .map(str::to_owned);
    let planned_codes = message
        .segments_named("AIS")
        .map(|ais| ais.field(3).component(1).value().trim().to_owned())
        .filter(|code| code.parse::<cleanclaim_model::ProcedureCode>().is_ok())
        .collect();
    let status = match event {
        "S15" => "cancelled".to_owned(),
        _ => {
            let sent = sch.field(25).component(1).value().trim().to_owned();
            if sent.is_empty() {
                "booked".to_owned()
            } else {
                sent
            }
        }
    };
    let scheduled_by = entered_by(&sch.field(20).repetition(1));
    match (when, issues.is_empty()) {
        (Some((date, start_time)), true) => Ok(ScheduledVisit {
            appointment_id,
            patient_id,
            clinic: channel.clinic.clone(),
            date,
            start_time,
            duration_minutes,
            status,
            clinician_npi,
            discipline,
            planned_codes,
            scheduled_by,
        }),
        _ => Err(issues),
    }
}

/// An XCN's id (component 1), else its given and family names (components 3 and 2).
fn entered_by(person: &cleanclaim_hl7::Repetition<'_>) -> Option<String> {
    let id = person.component(1).value().trim().to_owned();
    if !id.is_empty() {
        return Some(id);
    }
    let name = [3, 2]
        .map(|n| person.component(n).value().trim().to_owned())
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// SCH-9 in SCH-10 units (minutes or hours), else AIS-7 or AIP-9 (minutes).
fn duration(message: &Message<'_>) -> Option<u32> {
    let sch = message.segment("SCH")?;
    let amount: Option<u32> = sch.field(9).value().trim().parse().ok();
    let unit = sch
        .field(10)
        .component(1)
        .value()
        .trim()
        .to_ascii_uppercase();
    if let Some(amount) = amount {
        return match unit.as_str() {
            "" | "MIN" | "M" => Some(amount),
            "HR" | "H" | "HOUR" => amount.checked_mul(60),
            _ => None,
        };
    }
    ["AIS", "AIP"]
        .iter()
        .filter_map(|id| message.segment(id))
        .find_map(|s| {
            s.field(if s.id() == "AIS" { 7 } else { 9 })
                .value()
                .trim()
                .parse()
                .ok()
        })
}
