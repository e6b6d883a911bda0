//! DFT^P03: charges (FT1) become visits. Lines are grouped by date of service (FT1-4),
//! performing clinician (FT1-20) and discipline; each group is one encounter of the patient
//! (PID), with the message's diagnoses (DG1, then FT1-19), coverage (IN1) and referrer (PV1-8).
//!
//! Minutes are read where the channel says (PR1-7, a Z-segment field, or FT1-10 when the
//! sender's quantity is minutes), in the FT1's own group: the FT1 and the segments after it
//! up to the next FT1. Units are never converted into minutes: the engine derives units from
//! minutes by the payer's method, and a line without minutes is judged by the scrubber.

use std::collections::BTreeMap;

use cleanclaim_hl7::{ErrorCode, Location, Message, Segment};
use cleanclaim_model::{Cents, Encounter, parse_encounter};
use serde_json::{Map, Value, json};

use super::MappingIssue;
use super::common::{clinician, coverage, date, patient, referring};
use crate::Channel;
use crate::channel::{Locations, Quantity};
use crate::visit::{discipline_of_role, visit_type};

/// One charge line and where it came from.
struct Charge {
    ft1: usize,
    date: chrono::NaiveDate,
    clinician: Value,
    discipline: String,
    line: Value,
}

pub(super) fn map(
    channel: &Channel,
    locations: &Locations,
    message: &Message<'_>,
) -> Result<Vec<Encounter>, Vec<MappingIssue>> {
    let mut issues = Vec::new();
    let patient = patient(message).map_err(|e| issues.extend(e)).ok();
    let coverage = coverage(channel, locations, message)
        .map_err(|e| issues.extend(e))
        .ok()
        .flatten();
    let referrer = referring(channel, message)
        .map_err(|e| issues.push(e))
        .ok()
        .flatten();
    let diagnoses = diagnoses(message, &mut issues);
    let segments = message.segments();
    let mut charges = Vec::new();
    let mut ft1_number = 0;
    for (index, segment) in segments.iter().enumerate() {
        if segment.id() != "FT1" {
            continue;
        }
        ft1_number += 1;
        let group_end = segments
            .iter()
            .skip(index + 1)
            .position(|s| s.id() == "FT1")
            .map_or(segments.len(), |p| index + 1 + p);
        let group = segments.get(index..group_end).unwrap_or_default();
        match charge(channel, locations, segment, group, ft1_number) {
            Ok(Some(c)) => charges.push(c),
            Ok(None) => {}
            Err(e) => issues.extend(e),
        }
    }
    if ft1_number == 0 {
        issues.push(MappingIssue::at(
            Location::field("FT1", 1),
            ErrorCode::SegmentSequence,
            "the message has no FT1 (charge) segment",
        ));
    } else if charges.is_empty() && issues.is_empty() {
        issues.push(MappingIssue::at(
            Location::field("FT1", 6),
            ErrorCode::TableValueNotFound,
            "no FT1 is a charge (FT1-6 = CG)",
        ));
    }
    if coverage.is_none() && message.segment("IN1").is_none() {
        issues.push(MappingIssue::at(
            Location::field("IN1", 1),
            ErrorCode::SegmentSequence,
            "the message has no IN1 (coverage) segment",
        ));
    }
    let (Some((patient_id, patient)), Some(coverage), true) =
        (patient, coverage, issues.is_empty())
    else {
        return Err(issues);
    };
    let authorization = message
        .segment("IN1")
        .map(|in1| in1.field(14).component(1).value().trim().to_owned())
        .filter(|n| !n.is_empty());
    let discharged = message
        .segment("PV1")
        .is_some_and(|pv1| !pv1.field(36).is_empty());
    let visit_number = message
        .value(&locations.visit_number)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default();
    let mut groups: BTreeMap<(chrono::NaiveDate, String, String), Vec<Charge>> = BTreeMap::new();
    for c in charges {
        let npi = c
            .clinician
            .get("npi")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        groups
            .entry((c.date, npi, c.discipline.clone()))
            .or_default()
            .push(c);
    }
    let several = groups.len() > 1;
    let mut encounters = Vec::new();
    for (n, ((day, _, discipline), lines)) in groups.into_iter().enumerate() {
        let id = match (visit_number.is_empty(), several) {
            (false, false) => visit_number.clone(),
            (false, true) => format!("{visit_number}-{}", n + 1),
            (true, _) => format!("{patient_id}-{}-{discipline}", day.format("%Y%m%d")),
        };
        let ft1s: Vec<usize> = lines.iter().map(|c| c.ft1).collect();
        let clinician = lines
            .first()
            .map(|c| c.clinician.clone())
            .unwrap_or(Value::Null);
        let codes: Vec<&str> = lines
            .iter()
            .filter_map(|c| c.line.get("code").and_then(Value::as_str))
            .collect();
        let mut administrative = coverage.clone();
        administrative.insert(
            "place_of_service".into(),
            Value::String(channel.place_of_service.clone()),
        );
        administrative.insert("modality".into(), Value::String("in_person".into()));
        administrative.insert("location".into(), Value::String(channel.clinic.clone()));
        if let Some(number) = &authorization {
            administrative.insert("authorization".into(), Value::String(number.clone()));
        }
        if let Some(referrer) = &referrer {
            administrative.insert("referring_provider".into(), referrer.clone());
        }
        let record = json!({
            "id": id,
            "date_of_service": day.to_string(),
            "discipline": discipline,
            "patient": patient,
            "clinical": {"diagnoses": diagnoses, "visit_type": visit_type(&discipline, &codes, discharged)},
            "timing": {"lines": lines.iter().map(|c| c.line.clone()).collect::<Vec<_>>()},
            "administrative": administrative,
            "compliance": {"rendering": clinician},
        });
        match parse_encounter(&record.to_string()) {
            Ok(encounter) => encounters.push(encounter),
            Err(error) => issues.push(MappingIssue {
                location: Some(location_of(error.path(), &ft1s, &locations.minutes)),
                code: ErrorCode::DataType,
                message: format!("visit {id}: {error}"),
            }),
        }
    }
    if issues.is_empty() {
        Ok(encounters)
    } else {
        Err(issues)
    }
}

/// One FT1 as a line, or `None` for a transaction that is not a charge (payment, adjustment).
fn charge(
    channel: &Channel,
    locations: &Locations,
    ft1: &Segment<'_>,
    group: &[Segment<'_>],
    number: usize,
) -> Result<Option<Charge>, Vec<MappingIssue>> {
    let at = |field: usize| Location {
        occurrence: number,
        ..Location::field("FT1", field)
    };
    match ft1.field(6).value().as_ref() {
        "" | "CG" => {}
        "PY" | "AJ" => return Ok(None),
        other => {
            return Err(vec![MappingIssue::at(
                at(6),
                ErrorCode::TableValueNotFound,
                format!(
                    "FT1 {number}: transaction type `{other}` is not applied here (send the corrected charges as CG lines)"
                ),
            )]);
        }
    }
    let mut issues = Vec::new();
    let day = date(
        &ft1.field(4).component(1).value(),
        &at(4),
        "FT1-4 transaction date",
    )
    .map_err(|e| issues.push(e))
    .ok();
    let mut code = ft1.field(25).component(1).value().trim().to_owned();
    if code.is_empty() && channel.charges.charge_code_is_cpt {
        code = ft1.field(7).component(1).value().trim().to_owned();
    }
    if code.is_empty() {
        issues.push(MappingIssue::at(
            at(25),
            ErrorCode::RequiredFieldMissing,
            format!("FT1 {number}: FT1-25 (procedure code) is empty"),
        ));
    }
    let clinician = clinician(channel, &ft1.field(20).repetition(1), &at(20))
        .map_err(|e| issues.push(e))
        .ok();
    let hint = value_in_group(group, &locations.discipline);
    let discipline = match channel.disciplines.get(hint.trim()) {
        Some(d) => Some(d.clone()),
        None => clinician
            .as_ref()
            .and_then(|c| c.get("role"))
            .and_then(Value::as_str)
            .and_then(discipline_of_role)
            .map(str::to_owned),
    };
    if discipline.is_none() && clinician.is_some() {
        issues.push(MappingIssue::at(
            locations.discipline.clone(),
            ErrorCode::TableValueNotFound,
            format!("FT1 {number}: no discipline: `{}` ({}) is not in [disciplines] and the clinician is a student", hint.trim(), locations.discipline),
        ));
    }
    let mut line = Map::new();
    line.insert("code".into(), Value::String(code));
    let minutes_text = value_in_group(group, &locations.minutes);
    let minutes_text = minutes_text.trim();
    let minutes_from_quantity = locations.minutes.segment == "FT1" && locations.minutes.field == 10;
    if !minutes_text.is_empty()
        && (channel.fields.quantity == Quantity::Minutes || !minutes_from_quantity)
    {
        match minutes_text.parse::<u32>() {
            Ok(minutes) => {
                line.insert("minutes".into(), json!(minutes));
            }
            Err(_) => issues.push(MappingIssue::at(
                locations.minutes.clone(),
                ErrorCode::DataType,
                format!(
                    "FT1 {number}: minutes ({}) must be a whole number",
                    locations.minutes
                ),
            )),
        }
    }
    let modifiers: Vec<String> = ft1
        .field(26)
        .repetitions()
        .map(|r| r.value().trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    if !modifiers.is_empty() {
        line.insert("modifiers".into(), json!(modifiers));
    }
    match charge_per_unit(ft1, channel.fields.quantity) {
        Ok(Some(cents)) => {
            line.insert("charge_per_unit".into(), json!(cents.0));
        }
        Ok(None) => {}
        Err(field) => issues.push(MappingIssue::at(
            at(field),
            ErrorCode::DataType,
            format!("FT1 {number}: FT1-{field} is not an amount in dollars (like 46.00)"),
        )),
    }
    match (day, clinician, discipline, issues.is_empty()) {
        (Some(date), Some(clinician), Some(discipline), true) => Ok(Some(Charge {
            ft1: number,
            date,
            clinician,
            discipline,
            line: Value::Object(line),
        })),
        _ => Err(issues),
    }
}

/// The value at `location` in the FT1's group (the FT1 itself for FT1 locations).
fn value_in_group(group: &[Segment<'_>], location: &Location) -> String {
    group
        .iter()
        .find(|s| s.id() == location.segment)
        .map(|s| s.value(location).into_owned())
        .unwrap_or_default()
}

/// FT1-12 (unit amount), else FT1-11 (extended amount) over FT1-10 units when it divides
/// exactly. `Err(field)` names an amount that does not read.
fn charge_per_unit(ft1: &Segment<'_>, quantity: Quantity) -> Result<Option<Cents>, usize> {
    let amount = |field: usize| -> Result<Option<Cents>, usize> {
        let text = ft1.field(field).component(1).sub(1);
        if text.trim().is_empty() {
            return Ok(None);
        }
        Cents::parse_dollars(&text).map(Some).ok_or(field)
    };
    if let Some(unit) = amount(12)? {
        return Ok(Some(unit));
    }
    let Some(extended) = amount(11)? else {
        return Ok(None);
    };
    if quantity == Quantity::Minutes {
        return Ok(None);
    }
    let units: i64 = ft1.field(10).value().trim().parse().unwrap_or(0);
    Ok((units > 0 && extended.0 % units == 0).then(|| Cents(extended.0 / units)))
}

/// Diagnoses in order: DG1 by set id, then FT1-19 codes not already listed. ICD-9 is refused.
fn diagnoses(message: &Message<'_>, issues: &mut Vec<MappingIssue>) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for (n, dg1) in message.segments_named("DG1").enumerate() {
        let system = format!(
            "{} {}",
            dg1.field(2).value(),
            dg1.field(3).component(3).value()
        );
        if system.contains("I9") || system.contains("ICD9") {
            issues.push(MappingIssue::at(
                Location {
                    occurrence: n + 1,
                    ..Location::field("DG1", 3)
                },
                ErrorCode::TableValueNotFound,
                format!(
                    "DG1 {}: an ICD-9 diagnosis; claims since October 2015 need ICD-10-CM",
                    n + 1
                ),
            ));
            continue;
        }
        let code = dg1.field(3).component(1).value().trim().to_owned();
        if !code.is_empty() && !codes.contains(&code) {
            codes.push(code);
        }
    }
    for ft1 in message.segments_named("FT1") {
        for rep in ft1.field(19).repetitions() {
            let code = rep.value().trim().to_owned();
            if !code.is_empty() && !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

/// The HL7 location an encounter JSON path came from, for the ACK's ERR-2.
fn location_of(path: &str, ft1s: &[usize], minutes: &Location) -> Location {
    // `timing.lines[i]` is the i-th FT1 of the visit; other paths point at its first.
    let line = path
        .strip_prefix("timing.lines[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(0);
    let ft1 = ft1s.get(line).or(ft1s.first()).copied().unwrap_or(1);
    let in_ft1 = |field| Location {
        occurrence: ft1,
        ..Location::field("FT1", field)
    };
    if path.starts_with("patient.birth_date") {
        Location::field("PID", 7)
    } else if path.starts_with("patient.address") {
        Location::field("PID", 11)
    } else if path.starts_with("patient.name") {
        Location::field("PID", 5)
    } else if path.starts_with("patient") {
        Location::field("PID", 3)
    } else if path.starts_with("clinical.diagnoses") {
        Location::field("DG1", 3)
    } else if path.starts_with("administrative.subscriber") {
        Location::field("IN1", 16)
    } else if path.starts_with("administrative.referring_provider") {
        Location::field("PV1", 8)
    } else if path.starts_with("administrative") {
        Location::field("IN1", 1)
    } else if path.starts_with("compliance.rendering") {
        in_ft1(20)
    } else if path.contains(".modifiers") {
        in_ft1(26)
    } else if path.contains(".charge_per_unit") {
        in_ft1(12)
    } else if path.contains(".minutes") {
        if minutes.segment == "FT1" {
            in_ft1(minutes.field)
        } else {
            minutes.clone()
        }
    } else {
        in_ft1(25)
    }
}
