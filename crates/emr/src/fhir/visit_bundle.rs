//! Visits as the FHIR R4 transaction bundle [`super::read_bundle`] reads; for each visit: Patient, Coverage,
//! the rendering Practitioner with its PractitionerRole, the referring Practitioner and its
//! ServiceRequest, the plan of care as a CarePlan, the Encounter, its Conditions and one
//! Procedure per line (minutes as `performedPeriod`, charge and modifiers as cleanclaim's
//! extensions). What the reader has no element for (assistant minutes, the supervising
//! therapist, authorization numbers, telehealth) is not written. Entries are named by
//! `urn:uuid:` UUIDs derived from the visit id and the resource's part, so a bundle of many
//! visits keeps them apart and the same visit always gets the same names.

use chrono::{Duration, NaiveDate, NaiveTime};
use cleanclaim_model::{Encounter, PlanType, ProviderRole};
use serde_json::{Value, json};

use super::{CHARGE_EXTENSION, MODIFIER_EXTENSION, NPI_SYSTEM, ROLE_EXTENSION};

fn entry(url: String, resource: Value) -> Value {
    let kind = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    json!({"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": kind}})
}

fn plan_code(plan: PlanType) -> &'static str {
    match plan {
        PlanType::MedicarePartB => "medicare_part_b",
        PlanType::MedicareAdvantage => "medicare_advantage",
        PlanType::Commercial => "commercial",
        PlanType::Medicaid => "medicaid",
        PlanType::WorkersComp => "workers_comp",
        _ => "other",
    }
}

fn role_code(role: ProviderRole) -> &'static str {
    match role {
        ProviderRole::Pt => "pt",
        ProviderRole::Pta => "pta",
        ProviderRole::Ot => "ot",
        ProviderRole::Ota => "ota",
        ProviderRole::Slp => "slp",
        _ => "student",
    }
}

fn practitioner(npi: &str, name: Option<&cleanclaim_model::PersonName>) -> Value {
    let mut resource = json!({
        "resourceType": "Practitioner",
        "identifier": [{"system": NPI_SYSTEM, "value": npi}],
    });
    if let (Some(name), Some(map)) = (name, resource.as_object_mut()) {
        map.insert(
            "name".into(),
            json!([{"family": name.family, "given": [name.given]}]),
        );
    }
    resource
}

/// A dateTime on the visit's day in UTC, `minute` minutes after midnight.
fn at(date: NaiveDate, minute: u32) -> String {
    let time = NaiveTime::MIN + Duration::minutes(i64::from(minute));
    format!("{}T{}Z", date, time.format("%H:%M:%S"))
}

/// A `transaction` bundle of the visits' resources.
pub fn bundle_for(encounters: &[Encounter]) -> Value {
    let entries: Vec<Value> = encounters.iter().flat_map(entries_of).collect();
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

/// A UUID (RFC 9562 version 8, custom) from the visit id and a part name: two FNV-1a hashes.
fn urn(visit: &str, part: &str) -> String {
    let hash = |seed: u64| {
        visit
            .bytes()
            .chain([0])
            .chain(part.bytes())
            .fold(seed, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    };
    let (high, low) = (hash(0xcbf2_9ce4_8422_2325), hash(0x6c62_272e_07bb_0142));
    let high = (high & !0xf000) | 0x8000;
    let low = (low & !(0b11 << 62)) | (0b10 << 62);
    format!(
        "urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

fn entries_of(encounter: &Encounter) -> Vec<Value> {
    let id = |part: &str| urn(&encounter.id, part);
    let record = serde_json::to_value(encounter).unwrap_or(Value::Null);
    let text = |pointer: &str| {
        record
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let patient = &encounter.patient;
    let mut patient_resource = json!({
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}, "value": patient.id}],
        "name": [{"family": patient.name.family, "given": [patient.name.given]}],
        "gender": text("/patient/sex"),
        "birthDate": patient.birth_date.to_string(),
    });
    if let (Some(address), Some(map)) = (&patient.address, patient_resource.as_object_mut()) {
        let mut lines = vec![address.line1.clone()];
        lines.extend(address.line2.clone());
        map.insert(
            "address".into(),
            json!([{"line": lines, "city": address.city, "state": address.state, "postalCode": address.zip}]),
        );
    }
    let administrative = &encounter.administrative;
    let mut entries = vec![
        entry(id("patient"), patient_resource),
        entry(
            id("coverage"),
            json!({
                "resourceType": "Coverage",
                "status": "active",
                "beneficiary": {"reference": id("patient")},
                "subscriberId": administrative.member_id,
                "type": {"coding": [{"code": plan_code(administrative.payer.plan)}]},
                "payor": [{"identifier": {"value": administrative.payer.id}, "display": administrative.payer.name}],
            }),
        ),
    ];
    let rendering = encounter.compliance.rendering.as_ref();
    if let Some(rendering) = rendering {
        entries.push(entry(
            id("rendering"),
            practitioner(rendering.npi.as_str(), rendering.name.as_ref()),
        ));
        entries.push(entry(
            id("rendering-role"),
            json!({
                "resourceType": "PractitionerRole",
                "practitioner": {"reference": id("rendering")},
                "extension": [{"url": ROLE_EXTENSION, "valueCode": role_code(rendering.role)}],
            }),
        ));
    }
    let mut encounter_resource = json!({
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"code": "AMB"},
        "identifier": [{"value": encounter.id}],
        "subject": {"reference": id("patient")},
        "period": {"start": at(encounter.date_of_service, 8 * 60)},
        "serviceType": {"coding": [{"code": encounter.discipline.label()}]},
    });
    let map = encounter_resource.as_object_mut();
    if let (Some(location), Some(map)) = (&administrative.location, map) {
        map.insert(
            "location".into(),
            json!([{"location": {"identifier": {"value": location}}}]),
        );
    }
    if let Some(referrer) = &administrative.referring_provider {
        entries.push(entry(
            id("referrer"),
            practitioner(referrer.npi.as_str(), referrer.name.as_ref()),
        ));
        let mut request = json!({
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "order",
            "subject": {"reference": id("patient")},
            "requester": {"reference": id("referrer")},
        });
        if let (Some(signed), Some(map)) = (referrer.order_signed_on, request.as_object_mut()) {
            map.insert("authoredOn".into(), json!(signed.to_string()));
        }
        entries.push(entry(id("referral"), request));
        if let Some(map) = encounter_resource.as_object_mut() {
            map.insert("basedOn".into(), json!([{"reference": id("referral")}]));
        }
    }
    if let Some(plan) = &encounter.compliance.plan_of_care {
        let mut care = json!({
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "subject": {"reference": id("patient")},
            "category": [{"coding": [{"code": plan.discipline.label()}]}],
            "period": {"start": plan.certification_start.to_string(), "end": plan.certification_end.to_string()},
        });
        if let Some(map) = care.as_object_mut() {
            if let Some(signed) = plan.signed_on {
                map.insert("created".into(), json!(signed.to_string()));
            }
            if let Some(signer) = plan.signer_npi {
                entries.push(entry(
                    id("plan-signer"),
                    practitioner(signer.as_str(), None),
                ));
                map.insert("author".into(), json!({"reference": id("plan-signer")}));
            }
        }
        entries.push(entry(id("care-plan"), care));
    }
    entries.push(entry(id("encounter"), encounter_resource));
    for (n, diagnosis) in encounter.clinical.diagnoses.iter().enumerate() {
        entries.push(entry(
            id(&format!("condition-{n}")),
            json!({
                "resourceType": "Condition",
                "subject": {"reference": id("patient")},
                "encounter": {"reference": id("encounter")},
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": diagnosis.to_string()}]},
            }),
        ));
    }
    let mut clock = 8 * 60;
    for (n, line) in encounter.timing.lines.iter().enumerate() {
        let mut extension = Vec::new();
        if let Some(charge) = line.charge_per_unit {
            extension.push(json!({"url": CHARGE_EXTENSION, "valueString": charge.decimal()}));
        }
        for modifier in &line.modifiers {
            extension.push(json!({"url": MODIFIER_EXTENSION, "valueCode": modifier.as_str()}));
        }
        let mut procedure = json!({
            "resourceType": "Procedure",
            "status": "completed",
            "subject": {"reference": id("patient")},
            "encounter": {"reference": id("encounter")},
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": line.code.as_str()}]},
            "extension": extension,
        });
        if let Some(map) = procedure.as_object_mut() {
            if let Some(minutes) = line.minutes {
                map.insert(
                    "performedPeriod".into(),
                    json!({"start": at(encounter.date_of_service, clock), "end": at(encounter.date_of_service, clock + minutes)}),
                );
                clock += minutes;
            }
            if rendering.is_some() {
                map.insert(
                    "performer".into(),
                    json!([{"actor": {"reference": id("rendering")}}]),
                );
            }
        }
        entries.push(entry(id(&format!("procedure-{n}")), procedure));
    }
    entries
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::fhir::read_bundle;

    #[test]
    fn generated_visits_read_back_with_what_the_bundle_carries() {
        let visits: Vec<Encounter> = cleanclaim_synth::Generator::new(4).take(60).collect();
        let text = bundle_for(&visits).to_string();
        let intake =
            read_bundle(&text, None).unwrap_or_else(|outcome| panic!("{:?}", outcome.issues));
        assert_eq!(intake.encounters.len(), visits.len());
        let mut plans = intake.plans_of_care.iter();
        for ((_, read), sent) in intake.encounters.iter().zip(&visits) {
            assert_eq!(read.id, sent.id);
            assert_eq!(read.date_of_service, sent.date_of_service);
            assert_eq!(read.discipline, sent.discipline);
            assert_eq!(read.patient, sent.patient);
            assert_eq!(read.clinical.diagnoses, sent.clinical.diagnoses);
            assert_eq!(read.administrative.payer, sent.administrative.payer);
            assert_eq!(read.administrative.member_id, sent.administrative.member_id);
            assert_eq!(read.administrative.location, sent.administrative.location);
            let rendering =
                |e: &Encounter| e.compliance.rendering.as_ref().map(|r| (r.npi, r.role));
            assert_eq!(rendering(read), rendering(sent));
            let lines = |e: &Encounter| -> Vec<(String, Option<u32>, Option<i64>)> {
                e.timing
                    .lines
                    .iter()
                    .map(|l| {
                        (
                            l.code.as_str().to_owned(),
                            l.minutes,
                            l.charge_per_unit.map(|c| c.0),
                        )
                    })
                    .collect()
            };
            assert_eq!(lines(read), lines(sent));
            if let Some(plan) = &sent.compliance.plan_of_care {
                let record: Value = serde_json::from_str(&plans.next().unwrap().2).unwrap();
                assert_eq!(
                    record["plan_of_care"]["certification_end"],
                    plan.certification_end.to_string()
                );
            }
        }
    }

    #[test]
    fn entry_names_are_uuids_unique_per_visit_and_part() {
        let a = urn("V1", "patient");
        assert_eq!(a, urn("V1", "patient"));
        assert_ne!(a, urn("V2", "patient"));
        assert_ne!(a, urn("V1", "coverage"));
        let hex = a.trim_start_matches("urn:uuid:");
        let groups: Vec<usize> = hex.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&hex[14..15], "8", "version 8");
        assert!(
            matches!(&hex[19..20], "8" | "9" | "a" | "b"),
            "the RFC variant"
        );
    }
}
