//! What DFT, ADT and SIU share: the patient (PID), coverage (IN1), clinicians (XCN), dates.

use chrono::NaiveDate;
use cleanclaim_hl7::{ErrorCode, Location, Message, Repetition, Segment};
use serde_json::{Map, Value, json};

use super::MappingIssue;
use crate::Channel;
use crate::channel::Locations;

/// A date from a DT, TS or DR value (its first 8 digits), or an issue at `at`.
pub(crate) fn date(value: &str, at: &Location, what: &str) -> Result<NaiveDate, MappingIssue> {
    let digits = value.get(..8).unwrap_or(value);
    NaiveDate::parse_from_str(digits, "%Y%m%d").map_err(|_| {
        MappingIssue::at(
            at.clone(),
            ErrorCode::DataType,
            format!("{what} ({at}) is not a date YYYYMMDD"),
        )
    })
}

/// The date and time (`YYYY-MM-DDTHH:MM`) of a TS value, the time when given.
pub(crate) fn date_time(
    value: &str,
    at: &Location,
    what: &str,
) -> Result<(NaiveDate, Option<String>), MappingIssue> {
    let day = date(value, at, what)?;
    let time = value
        .get(8..12)
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        .map(|t| {
            format!(
                "{}:{}",
                t.get(..2).unwrap_or("00"),
                t.get(2..).unwrap_or("00")
            )
        });
    Ok((day, time))
}

fn text(value: &str) -> Option<Value> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| Value::String(trimmed.to_owned()))
}

/// `{family, given}` from an XPN (or the name components of an XCN starting at `first`).
pub(crate) fn person_name(rep: &Repetition<'_>, first: usize) -> Value {
    let mut name = Map::new();
    if let Some(family) = text(&rep.component(first).sub(1)) {
        name.insert("family".into(), family);
    }
    if let Some(given) = text(&rep.component(first + 1).sub(1)) {
        name.insert("given".into(), given);
    }
    Value::Object(name)
}

/// PID-3's medical record number (the repetition of type `MR`, else the first), or empty.
pub(crate) fn patient_identifier(pid: &Segment<'_>) -> String {
    let identifiers = pid.field(3);
    identifiers
        .repetitions()
        .find(|r| r.component(5).value() == "MR")
        .or_else(|| identifiers.repetitions().next())
        .map(|r| r.value().trim().to_owned())
        .unwrap_or_default()
}

/// The patient of PID: the MR identifier (or the first), name, birth date, sex, address.
pub(crate) fn patient(message: &Message<'_>) -> Result<(String, Value), Vec<MappingIssue>> {
    let Some(pid) = message.segment("PID") else {
        return Err(vec![MappingIssue::at(
            Location::field("PID", 1),
            ErrorCode::SegmentSequence,
            "the message has no PID segment",
        )]);
    };
    let mut issues = Vec::new();
    let id = patient_identifier(pid);
    if id.is_empty() {
        issues.push(MappingIssue::at(
            Location::field("PID", 3),
            ErrorCode::RequiredFieldMissing,
            "PID-3 (patient identifier) is empty",
        ));
    }
    let mut patient = Map::new();
    patient.insert("id".into(), Value::String(id.clone()));
    patient.insert("name".into(), person_name(&pid.field(5).repetition(1), 1));
    let birth = pid.field(7).value();
    if birth.is_empty() {
        issues.push(MappingIssue::at(
            Location::field("PID", 7),
            ErrorCode::RequiredFieldMissing,
            "PID-7 (birth date) is empty",
        ));
    } else {
        match date(&birth, &Location::field("PID", 7), "PID-7 birth date") {
            Ok(day) => {
                patient.insert("birth_date".into(), Value::String(day.to_string()));
            }
            Err(issue) => issues.push(issue),
        }
    }
    let sex = match pid.field(8).value().as_ref() {
        "F" => "female",
        "M" => "male",
        _ => "unknown",
    };
    patient.insert("sex".into(), Value::String(sex.into()));
    if let Some(address) = address(&pid.field(11).repetition(1)) {
        patient.insert("address".into(), address);
    }
    if issues.is_empty() {
        Ok((id, Value::Object(patient)))
    } else {
        Err(issues)
    }
}

/// An XAD as the native address, when it has a street line.
pub(crate) fn address(rep: &Repetition<'_>) -> Option<Value> {
    let line1 = text(&rep.component(1).sub(1))?;
    let mut address = Map::new();
    address.insert("line1".into(), line1);
    if let Some(line2) = text(&rep.component(2).value()) {
        address.insert("line2".into(), line2);
    }
    for (key, component) in [("city", 3), ("state", 4), ("zip", 5)] {
        address.insert(
            key.into(),
            text(&rep.component(component).value()).unwrap_or(Value::String(String::new())),
        );
    }
    Some(Value::Object(address))
}

/// The payer, member id and (for a dependent) subscriber from the first IN1.
pub(crate) fn coverage(
    channel: &Channel,
    locations: &Locations,
    message: &Message<'_>,
) -> Result<Option<Map<String, Value>>, Vec<MappingIssue>> {
    let Some(in1) = message.segment("IN1") else {
        return Ok(None);
    };
    let mut issues = Vec::new();
    let key = in1.value(&locations.payer).trim().to_owned();
    let mut out = Map::new();
    match channel.payers.get(&key) {
        Some(payer) => {
            out.insert(
                "payer".into(),
                json!({"id": payer.id, "name": payer.name, "plan": payer.plan}),
            );
        }
        None => issues.push(MappingIssue::at(
            locations.payer.clone(),
            ErrorCode::UnknownKey,
            format!(
                "payer `{key}` ({}) is not in channel {}'s [payers]",
                locations.payer, channel.id
            ),
        )),
    }
    let member = in1.value(&locations.member_id).trim().to_owned();
    if member.is_empty() {
        issues.push(MappingIssue::at(
            locations.member_id.clone(),
            ErrorCode::RequiredFieldMissing,
            format!("the member id ({}) is empty", locations.member_id),
        ));
    }
    out.insert("member_id".into(), Value::String(member));
    if let Some(relationship) = relationship(&in1.field(17).value()) {
        let birth = in1.field(18).value();
        let mut subscriber = Map::new();
        subscriber.insert("name".into(), person_name(&in1.field(16).repetition(1), 1));
        match date(
            &birth,
            &Location::field("IN1", 18),
            "IN1-18 insured's birth date",
        ) {
            Ok(day) => {
                subscriber.insert("birth_date".into(), Value::String(day.to_string()));
            }
            Err(issue) => issues.push(issue),
        }
        let sex = match in1.field(43).value().as_ref() {
            "F" => "female",
            "M" => "male",
            _ => "unknown",
        };
        subscriber.insert("sex".into(), Value::String(sex.into()));
        subscriber.insert("relationship".into(), Value::String(relationship.into()));
        if let Some(address) = address(&in1.field(19).repetition(1)) {
            subscriber.insert("address".into(), address);
        }
        out.insert("subscriber".into(), Value::Object(subscriber));
    }
    if issues.is_empty() {
        Ok(Some(out))
    } else {
        Err(issues)
    }
}

/// IN1-17 (HL7 table 0063, or the X12 code some senders put there) to the native relationship;
/// `None` for the insured themself.
fn relationship(code: &str) -> Option<&'static str> {
    match code.trim() {
        "" | "SEL" | "18" | "01-SELF" => None,
        "SPO" | "01" => Some("spouse"),
        "CHD" | "FCH" | "SCH" | "19" => Some("child"),
        "DOM" | "53" => Some("life_partner"),
        _ => Some("other"),
    }
}

/// A clinician from an XCN: the channel's entry for XCN-1, or XCN-1 itself when XCN-13 says
/// it is an NPI and the channel lists it.
pub(crate) fn clinician(
    channel: &Channel,
    rep: &Repetition<'_>,
    at: &Location,
) -> Result<Value, MappingIssue> {
    let id = rep.value().trim().to_owned();
    if id.is_empty() {
        return Err(MappingIssue::at(
            at.clone(),
            ErrorCode::RequiredFieldMissing,
            format!("{at} (clinician) is empty"),
        ));
    }
    let entry = channel.providers.get(&id).or_else(|| {
        channel
            .providers
            .values()
            .find(|p| p.npi == id && rep.component(13).value() == "NPI")
    });
    let Some(provider) = entry else {
        return Err(MappingIssue::at(
            at.clone(),
            ErrorCode::UnknownKey,
            format!(
                "clinician `{id}` ({at}) is not in channel {}'s [providers]",
                channel.id
            ),
        ));
    };
    let mut clinician = Map::new();
    clinician.insert("npi".into(), Value::String(provider.npi.clone()));
    clinician.insert("role".into(), Value::String(provider.role.clone()));
    let name = person_name(rep, 2);
    if name.as_object().is_some_and(|n| n.contains_key("family")) {
        clinician.insert("name".into(), name);
    }
    if let Some(supervisor) = &provider.supervising_npi {
        clinician.insert("supervising_npi".into(), Value::String(supervisor.clone()));
    }
    if let Some(name) = &provider.supervising_name {
        let (family, given) = name.split_once('^').unwrap_or((name.as_str(), ""));
        let mut person = Map::new();
        person.insert("family".into(), Value::String(family.to_owned()));
        if !given.is_empty() {
            person.insert("given".into(), Value::String(given.to_owned()));
        }
        clinician.insert("supervising_name".into(), Value::Object(person));
    }
    Ok(Value::Object(clinician))
}

/// The referring provider (PV1-8, else FT1-21), when sent: its NPI (crosswalked, or XCN-1
/// when XCN-13 is `NPI`) and name.
pub(crate) fn referring(
    channel: &Channel,
    message: &Message<'_>,
) -> Result<Option<Value>, MappingIssue> {
    // PV1-8 (referring doctor), else the first FT1-21 (ordered by): the two places senders
    // put the ordering or referring clinician.
    let sources = [Location::field("PV1", 8), Location::field("FT1", 21)];
    let found = sources.iter().find_map(|at| {
        let segment: &Segment<'_> = message.segment(&at.segment)?;
        let rep = segment.field(at.field).repetition(1);
        let id = rep.value().trim().to_owned();
        (!id.is_empty()).then_some((at.clone(), rep, id))
    });
    let Some((at, rep, id)) = found else {
        return Ok(None);
    };
    let npi = match channel.providers.get(&id) {
        Some(p) => p.npi.clone(),
        None if rep.component(13).value() == "NPI" => id,
        None => {
            return Err(MappingIssue::at(
                at.clone(),
                ErrorCode::UnknownKey,
                format!(
                    "referring clinician `{id}` ({at}) is neither an NPI (XCN-13 = NPI) nor in channel {}'s [providers]",
                    channel.id
                ),
            ));
        }
    };
    let mut referrer = Map::new();
    referrer.insert("npi".into(), Value::String(npi));
    let name = person_name(&rep, 2);
    if name.as_object().is_some_and(|n| n.contains_key("family")) {
        referrer.insert("name".into(), name);
    }
    Ok(Some(Value::Object(referrer)))
}
