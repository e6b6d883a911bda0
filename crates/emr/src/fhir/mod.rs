//! FHIR R4 bundles (`transaction` or `collection`) mapped into encounters and plans of care.
//!
//! Each Encounter becomes one visit: its subject (Patient), the Procedures that name it (CPT
//! or HCPCS code; minutes from `performedPeriod`), their performer (Practitioner with its NPI,
//! and the PractitionerRole that gives the role), the Conditions of the encounter (ICD-10-CM),
//! the patient's Coverage, and the ServiceRequest it is `basedOn` (the referral). CarePlans
//! become plans of care. A bundle is read whole: any problem refuses it with an
//! [`OperationOutcome`] whose issues name the FHIRPath of the element at fault, and nothing is
//! stored. Resource types not read here (Observation, Organization...) are listed as ignored.

pub mod export;
mod outcome;
mod resources;
mod visit_bundle;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use cleanclaim_model::{Cents, Encounter, parse_encounter};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

pub use outcome::{OperationOutcome, OutcomeIssue};
use resources::{CodeableConcept, Reference};
pub use visit_bundle::bundle_for;

use crate::visit::{discipline_of_role, visit_type};

/// The extensions cleanclaim reads where FHIR has no element.
pub const MODIFIER_EXTENSION: &str =
    "https://cleanclaim.dev/fhir/StructureDefinition/procedure-modifier";
pub const CHARGE_EXTENSION: &str =
    "https://cleanclaim.dev/fhir/StructureDefinition/charge-per-unit";
pub const ROLE_EXTENSION: &str = "https://cleanclaim.dev/fhir/StructureDefinition/therapy-role";
const NPI_SYSTEM: &str = "http://hl7.org/fhir/sid/us-npi";

/// What a bundle gave.
#[derive(Debug, Default)]
pub struct BundleIntake {
    /// `transaction` or `collection`.
    pub kind: String,
    /// Each visit and the index of its Encounter entry.
    pub encounters: Vec<(usize, Encounter)>,
    /// Each plan of care (a `plans_of_care.json` record) and the index of its CarePlan entry.
    pub plans_of_care: Vec<(usize, String, String)>,
    /// Every entry's resource type, in order, and whether it was read.
    pub entries: Vec<(String, bool)>,
}

struct Entry {
    kind: String,
    resource: Value,
}

struct Bundle {
    entries: Vec<Entry>,
    by_reference: HashMap<String, usize>,
    /// (kind, target) → the entries of that kind that point at the target: each Encounter's
    /// Procedures and Conditions, each Patient's Conditions without an encounter. Found once,
    /// so a bundle of many visits is read in time proportional to its size.
    pointing_at: HashMap<(Link, usize), Vec<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Link {
    ProcedureOfEncounter,
    ConditionOfEncounter,
    ConditionOfPatient,
}

impl Bundle {
    fn resolve(&self, reference: Option<&Reference>, kind: &str) -> Option<usize> {
        let text = reference?.reference.as_deref()?;
        let index = *self.by_reference.get(text)?;
        (self.entries.get(index)?.kind == kind).then_some(index)
    }

    fn typed<T: DeserializeOwned>(
        &self,
        index: usize,
        issues: &mut Vec<OutcomeIssue>,
    ) -> Option<T> {
        let entry = self.entries.get(index)?;
        let mut track = serde_path_to_error::Track::new();
        let deserializer = serde_path_to_error::Deserializer::new(&entry.resource, &mut track);
        match T::deserialize(deserializer) {
            Ok(value) => Some(value),
            Err(error) => {
                let path = track.path().to_string();
                issues.push(OutcomeIssue::invalid(
                    format!("{}{}", resource_path(index), fhir_path(&path)),
                    format!(
                        "{} is not valid: {}",
                        entry.kind,
                        cleanclaim_model::redact_quoted(&error.to_string())
                    ),
                ));
                None
            }
        }
    }

    /// The entry `field.reference` of entry `index` names, when it is of `kind`.
    fn target(&self, index: usize, field: &str, kind: &str) -> Option<usize> {
        let text = self
            .entries
            .get(index)?
            .resource
            .get(field)?
            .get("reference")?
            .as_str()?;
        let target = *self.by_reference.get(text)?;
        (self.entries.get(target)?.kind == kind).then_some(target)
    }

    fn link(&mut self) {
        let mut pointing_at: HashMap<(Link, usize), Vec<usize>> = HashMap::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let link = match entry.kind.as_str() {
                "Procedure" => self
                    .target(index, "encounter", "Encounter")
                    .map(|e| (Link::ProcedureOfEncounter, e)),
                "Condition" => match self.target(index, "encounter", "Encounter") {
                    Some(e) => Some((Link::ConditionOfEncounter, e)),
                    None if entry.resource.get("encounter").is_none_or(Value::is_null) => self
                        .target(index, "subject", "Patient")
                        .map(|p| (Link::ConditionOfPatient, p)),
                    None => None,
                },
                _ => None,
            };
            if let Some(key) = link {
                pointing_at.entry(key).or_default().push(index);
            }
        }
        self.pointing_at = pointing_at;
    }

    fn pointing_at(&self, link: Link, target: usize) -> Vec<usize> {
        self.pointing_at
            .get(&(link, target))
            .cloned()
            .unwrap_or_default()
    }

    /// Entries of `kind` that point at nothing the reader follows: read once so that a
    /// malformed one is still reported.
    fn unlinked(&self, kind: &str) -> Vec<usize> {
        let linked: std::collections::HashSet<usize> =
            self.pointing_at.values().flatten().copied().collect();
        self.indexes_of(kind)
            .filter(|index| !linked.contains(index))
            .collect()
    }

    fn indexes_of<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = usize> + 's {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.kind == kind)
            .map(|(i, _)| i)
    }
}

fn resource_path(index: usize) -> String {
    format!("Bundle.entry[{index}].resource")
}

/// serde_path_to_error's `a.b[0].c` as FHIRPath's `.a.b[0].c`.
fn fhir_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(".{path}")
    }
}

const READ: [&str; 9] = [
    "Patient",
    "Coverage",
    "Practitioner",
    "PractitionerRole",
    "Encounter",
    "Procedure",
    "Condition",
    "CarePlan",
    "ServiceRequest",
];

/// Reads a bundle. `default_clinic` is the location of encounters that name none.
pub fn read_bundle(
    body: &str,
    default_clinic: Option<&str>,
) -> Result<BundleIntake, OperationOutcome> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        OperationOutcome::one(OutcomeIssue::structure(
            "Bundle",
            format!(
                "not JSON: {}",
                cleanclaim_model::redact_quoted(&e.to_string())
            ),
        ))
    })?;
    if value.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(OperationOutcome::one(OutcomeIssue::invalid(
            "Bundle.resourceType",
            "the body must be a Bundle",
        )));
    }
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !matches!(kind.as_str(), "transaction" | "collection") {
        return Err(OperationOutcome::one(OutcomeIssue::not_supported(
            "Bundle.type",
            "only transaction and collection bundles are read",
        )));
    }
    let raw_entries = value
        .get("entry")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut issues = Vec::new();
    let mut bundle = Bundle {
        entries: Vec::new(),
        by_reference: HashMap::new(),
        pointing_at: HashMap::new(),
    };
    for (index, entry) in raw_entries.into_iter().enumerate() {
        let resource = entry.get("resource").cloned().unwrap_or(Value::Null);
        let Some(resource_kind) = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            issues.push(OutcomeIssue::required(
                format!("Bundle.entry[{index}].resource.resourceType"),
                "each entry needs a resource with a resourceType",
            ));
            continue;
        };
        if let Some(url) = entry.get("fullUrl").and_then(Value::as_str) {
            bundle.by_reference.insert(url.to_owned(), index);
        }
        if let Some(id) = resource.get("id").and_then(Value::as_str) {
            bundle
                .by_reference
                .insert(format!("{resource_kind}/{id}"), index);
        }
        bundle.entries.push(Entry {
            kind: resource_kind,
            resource,
        });
    }
    if !issues.is_empty() {
        return Err(OperationOutcome { issues });
    }
    bundle.link();
    for index in bundle.unlinked("Procedure") {
        let _ = bundle.typed::<resources::Procedure>(index, &mut issues);
    }
    for index in bundle.unlinked("Condition") {
        let _ = bundle.typed::<resources::Condition>(index, &mut issues);
    }
    let mut intake = BundleIntake {
        kind,
        entries: bundle
            .entries
            .iter()
            .map(|e| (e.kind.clone(), READ.contains(&e.kind.as_str())))
            .collect(),
        ..BundleIntake::default()
    };
    for index in bundle.indexes_of("Encounter").collect::<Vec<_>>() {
        if let Some(encounter) = encounter_of(&bundle, index, default_clinic, &mut issues) {
            intake.encounters.push((index, encounter));
        }
    }
    for index in bundle.indexes_of("CarePlan").collect::<Vec<_>>() {
        if let Some((patient, record)) = plan_of(&bundle, index, &mut issues) {
            intake.plans_of_care.push((index, patient, record));
        }
    }
    if issues.is_empty() {
        Ok(intake)
    } else {
        Err(OperationOutcome { issues })
    }
}

fn first_code<'c>(concept: Option<&'c CodeableConcept>, system_hint: &[&str]) -> Option<&'c str> {
    let concept = concept?;
    concept
        .coding
        .iter()
        .find(|c| {
            c.system.as_deref().is_some_and(|s| {
                system_hint
                    .iter()
                    .any(|h| s.to_ascii_lowercase().contains(h))
            })
        })
        .or_else(|| concept.coding.first())
        .and_then(|c| c.code.as_deref())
}

/// `YYYY-MM-DD` of a FHIR date or dateTime, as written (the sender's local date).
fn date_of(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn patient_of(
    bundle: &Bundle,
    index: usize,
    issues: &mut Vec<OutcomeIssue>,
) -> Option<(String, Value)> {
    let patient: resources::Patient = bundle.typed(index, issues)?;
    let path = resource_path(index);
    let id = patient
        .identifier
        .iter()
        .find(|i| i.kind.as_ref().and_then(|k| first_code(Some(k), &[])) == Some("MR"))
        .or_else(|| patient.identifier.first())
        .and_then(|i| i.value.clone())
        .or(patient.id.clone());
    let Some(id) = id else {
        issues.push(OutcomeIssue::required(
            format!("{path}.identifier"),
            "the patient needs an identifier (MR) or an id",
        ));
        return None;
    };
    let name = patient.name.first().cloned().unwrap_or_default();
    let birth = patient.birth_date.as_deref().and_then(date_of);
    if birth.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.birthDate"),
            "the patient's birth date is required (YYYY-MM-DD)",
        ));
    }
    let sex = match patient.gender.as_deref() {
        Some("female") => "female",
        Some("male") => "male",
        _ => "unknown",
    };
    let mut out = json!({
        "id": id,
        "name": {"family": name.family.unwrap_or_default(), "given": name.given.join(" ")},
        "birth_date": birth.map(|d| d.to_string()),
        "sex": sex,
    });
    if let Some(address) = patient.address.first()
        && let Some(line1) = address.line.first()
    {
        let mut a = json!({"line1": line1, "city": address.city.clone().unwrap_or_default(), "state": address.state.clone().unwrap_or_default(), "zip": address.postal_code.clone().unwrap_or_default()});
        if let (Some(line2), Some(map)) = (address.line.get(1), a.as_object_mut()) {
            map.insert("line2".into(), json!(line2));
        }
        if let Some(map) = out.as_object_mut() {
            map.insert("address".into(), a);
        }
    }
    Some((id, out))
}

/// A Practitioner's NPI, name and (from a PractitionerRole naming it) role.
fn clinician_of(bundle: &Bundle, index: usize, issues: &mut Vec<OutcomeIssue>) -> Option<Value> {
    let practitioner: resources::Practitioner = bundle.typed(index, issues)?;
    let npi = practitioner
        .identifier
        .iter()
        .find(|i| i.system.as_deref() == Some(NPI_SYSTEM))
        .and_then(|i| i.value.clone());
    let Some(npi) = npi else {
        issues.push(OutcomeIssue::required(
            format!("{}.identifier", resource_path(index)),
            format!("the practitioner needs an NPI identifier (system {NPI_SYSTEM})"),
        ));
        return None;
    };
    let mut clinician = Map::new();
    clinician.insert("npi".into(), json!(npi));
    if let Some(name) = practitioner.name.first() {
        clinician.insert("name".into(), json!({"family": name.family.clone().unwrap_or_default(), "given": name.given.join(" ")}));
    }
    for role_index in bundle.indexes_of("PractitionerRole") {
        let Some(role) = bundle.typed::<resources::PractitionerRole>(role_index, issues) else {
            continue;
        };
        if bundle.resolve(role.practitioner.as_ref(), "Practitioner") != Some(index) {
            continue;
        }
        let from_extension = role
            .extension
            .iter()
            .find(|e| e.url == ROLE_EXTENSION)
            .and_then(|e| e.value_code.clone());
        let from_code = role
            .code
            .iter()
            .flat_map(|c| c.coding.iter())
            .find_map(|c| c.code.as_deref().and_then(role_of_code));
        if let Some(role) = from_extension.or(from_code.map(str::to_owned)) {
            clinician.insert("role".into(), json!(role));
        }
    }
    Some(Value::Object(clinician))
}

/// Our role for a PractitionerRole code: ours, or the NUCC taxonomy code of the discipline.
fn role_of_code(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_lowercase().as_str() {
        "pt" | "225100000x" => "pt",
        "pta" | "225200000x" => "pta",
        "ot" | "225x00000x" => "ot",
        "ota" | "224z00000x" => "ota",
        "slp" | "235z00000x" => "slp",
        "student" => "student",
        _ => return None,
    })
}

fn discipline_of_code(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_lowercase().as_str() {
        "pt" | "physical therapy" => "pt",
        "ot" | "occupational therapy" => "ot",
        "slp" | "st" | "speech therapy" => "slp",
        _ => return None,
    })
}

fn plan_type_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "medicare_part_b" | "MCPOL" => "medicare_part_b",
        "medicare_advantage" => "medicare_advantage",
        "commercial" | "HIP" | "EHCPOL" | "PPO" | "HMO" | "POS" => "commercial",
        "medicaid" | "MCDPOL" => "medicaid",
        "workers_comp" | "WCBPOL" => "workers_comp",
        "other" => "other",
        _ => return None,
    })
}

fn encounter_of(
    bundle: &Bundle,
    index: usize,
    default_clinic: Option<&str>,
    issues: &mut Vec<OutcomeIssue>,
) -> Option<Encounter> {
    let before = issues.len();
    let encounter: resources::Encounter = bundle.typed(index, issues)?;
    let path = resource_path(index);
    let id = encounter
        .identifier
        .first()
        .and_then(|i| i.value.clone())
        .or(encounter.id.clone());
    if id.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.identifier"),
            "the encounter needs an identifier or an id (it becomes the claim id)",
        ));
    }
    let patient_index = bundle.resolve(encounter.subject.as_ref(), "Patient");
    if patient_index.is_none() {
        issues.push(OutcomeIssue::not_found(
            format!("{path}.subject"),
            "the subject must reference a Patient in the bundle",
        ));
    }
    let patient = patient_index.and_then(|p| patient_of(bundle, p, issues));
    let dos = encounter
        .period
        .as_ref()
        .and_then(|p| p.start.as_deref())
        .and_then(date_of);
    if dos.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.period.start"),
            "the encounter's period.start (the date of service) is required",
        ));
    }
    let location = encounter
        .location
        .first()
        .and_then(|l| l.location.as_ref())
        .and_then(|r| {
            r.identifier
                .as_ref()
                .and_then(|i| i.value.clone())
                .or(r.display.clone())
        })
        .or(default_clinic.map(str::to_owned));
    // Procedures of this encounter, in bundle order.
    let mut lines = Vec::new();
    let mut rendering: Option<Value> = None;
    for p in bundle.pointing_at(Link::ProcedureOfEncounter, index) {
        let Some(procedure) = bundle.typed::<resources::Procedure>(p, issues) else {
            continue;
        };
        let ppath = resource_path(p);
        let Some(code) = first_code(procedure.code.as_ref(), &["cpt", "hcpcs"]) else {
            issues.push(OutcomeIssue::required(
                format!("{ppath}.code"),
                "the procedure needs a CPT or HCPCS code",
            ));
            continue;
        };
        let mut line = Map::new();
        line.insert("code".into(), json!(code));
        if let Some(period) = &procedure.performed_period {
            match minutes_between(period.start.as_deref(), period.end.as_deref()) {
                Ok(Some(minutes)) => {
                    line.insert("minutes".into(), json!(minutes));
                }
                Ok(None) => {}
                Err(reason) => issues.push(OutcomeIssue::invalid(
                    format!("{ppath}.performedPeriod"),
                    reason,
                )),
            }
        }
        let modifiers: Vec<&str> = procedure
            .extension
            .iter()
            .filter(|e| e.url == MODIFIER_EXTENSION)
            .filter_map(|e| e.value_code.as_deref())
            .collect();
        if !modifiers.is_empty() {
            line.insert("modifiers".into(), json!(modifiers));
        }
        if let Some(charge) = procedure
            .extension
            .iter()
            .find(|e| e.url == CHARGE_EXTENSION)
        {
            match charge
                .value_string
                .as_deref()
                .and_then(Cents::parse_dollars)
            {
                Some(cents) => {
                    line.insert("charge_per_unit".into(), json!(cents.0));
                }
                None => issues.push(OutcomeIssue::invalid(
                    format!("{ppath}.extension"),
                    "charge-per-unit must be a valueString in dollars, like 46.00",
                )),
            }
        }
        if rendering.is_none()
            && let Some(actor) = procedure.performer.first().and_then(|f| f.actor.as_ref())
        {
            match bundle.resolve(Some(actor), "Practitioner") {
                Some(practitioner) => rendering = clinician_of(bundle, practitioner, issues),
                None => issues.push(OutcomeIssue::not_found(
                    format!("{ppath}.performer[0].actor"),
                    "the performer must reference a Practitioner in the bundle",
                )),
            }
        }
        lines.push(Value::Object(line));
    }
    if lines.is_empty() {
        issues.push(OutcomeIssue::required(
            path.clone(),
            "no Procedure references this encounter",
        ));
    }
    let diagnoses = diagnoses_of(bundle, index, patient_index, issues);
    let discipline = first_code(encounter.service_type.as_ref(), &[])
        .and_then(discipline_of_code)
        .or_else(|| {
            rendering
                .as_ref()
                .and_then(|r| r.get("role"))
                .and_then(Value::as_str)
                .and_then(discipline_of_role)
        });
    if discipline.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.serviceType"),
            "the discipline (serviceType PT, OT or SLP, or the performer's role) is required",
        ));
    }
    let mut administrative = coverage_of(bundle, patient_index, issues).unwrap_or_default();
    administrative.insert("place_of_service".into(), json!("11"));
    if let Some(location) = &location {
        administrative.insert("location".into(), json!(location));
    }
    if let Some(referral) = encounter
        .based_on
        .iter()
        .find_map(|r| bundle.resolve(Some(r), "ServiceRequest"))
        && let Some(referrer) = referral_of(bundle, referral, issues)
    {
        administrative.insert("referring_provider".into(), referrer);
    }
    if issues.len() > before {
        return None;
    }
    let codes: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.get("code").and_then(Value::as_str))
        .collect();
    let discipline = discipline.unwrap_or("pt");
    let mut compliance = Map::new();
    if let Some(rendering) = rendering {
        compliance.insert("rendering".into(), rendering);
    }
    let record = json!({
        "id": id,
        "date_of_service": dos.map(|d| d.to_string()),
        "discipline": discipline,
        "patient": patient.map(|(_, p)| p),
        "clinical": {"diagnoses": diagnoses, "visit_type": visit_type(discipline, &codes, false)},
        "timing": {"lines": lines},
        "administrative": administrative,
        "compliance": compliance,
    });
    match parse_encounter(&record.to_string()) {
        Ok(encounter) => Some(encounter),
        Err(error) => {
            issues.push(OutcomeIssue::invalid(
                path,
                format!("the visit does not read: {error}"),
            ));
            None
        }
    }
}

/// Whole minutes between two FHIR dateTimes (with their zones); none when either is absent.
fn minutes_between(start: Option<&str>, end: Option<&str>) -> Result<Option<u32>, String> {
    let (Some(start), Some(end)) = (start, end) else {
        return Ok(None);
    };
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t).map_err(|_| {
            "performedPeriod start and end must be dateTimes with a time zone".to_owned()
        })
    };
    let minutes = (parse(end)? - parse(start)?).num_minutes();
    u32::try_from(minutes)
        .map(Some)
        .map_err(|_| "performedPeriod ends before it starts".to_owned())
}

fn diagnoses_of(
    bundle: &Bundle,
    encounter: usize,
    patient: Option<usize>,
    issues: &mut Vec<OutcomeIssue>,
) -> Vec<String> {
    let mut codes_of = |indexes: Vec<usize>| -> Vec<String> {
        indexes
            .into_iter()
            .filter_map(|index| bundle.typed::<resources::Condition>(index, issues))
            .filter_map(|c| first_code(c.code.as_ref(), &["icd-10"]).map(str::to_owned))
            .collect()
    };
    let of_encounter = codes_of(bundle.pointing_at(Link::ConditionOfEncounter, encounter));
    let of_patient = match patient {
        Some(patient) => codes_of(bundle.pointing_at(Link::ConditionOfPatient, patient)),
        None => Vec::new(),
    };
    if of_encounter.is_empty() {
        of_patient
    } else {
        of_encounter
    }
}

fn coverage_of(
    bundle: &Bundle,
    patient: Option<usize>,
    issues: &mut Vec<OutcomeIssue>,
) -> Option<Map<String, Value>> {
    let patient = patient?;
    for index in bundle.indexes_of("Coverage").collect::<Vec<_>>() {
        let Some(coverage) = bundle.typed::<resources::Coverage>(index, issues) else {
            continue;
        };
        if bundle.resolve(coverage.beneficiary.as_ref(), "Patient") != Some(patient) {
            continue;
        }
        let path = resource_path(index);
        let payor = coverage.payor.first().cloned().unwrap_or_default();
        let payer_id = payor.identifier.as_ref().and_then(|i| i.value.clone());
        let plan = coverage.kind.as_ref().and_then(|k| {
            k.coding
                .iter()
                .find_map(|c| c.code.as_deref().and_then(plan_type_of))
        });
        if payer_id.is_none() {
            issues.push(OutcomeIssue::required(
                format!("{path}.payor[0].identifier"),
                "the payer's id is required",
            ));
        }
        if plan.is_none() {
            issues.push(OutcomeIssue::required(format!("{path}.type"), "the plan type is required (a cleanclaim plan type, or MCPOL, MCDPOL, WCBPOL, HIP, PPO, HMO)"));
        }
        if coverage.subscriber_id.is_none() {
            issues.push(OutcomeIssue::required(
                format!("{path}.subscriberId"),
                "the member id is required",
            ));
        }
        let mut out = Map::new();
        out.insert(
            "payer".into(),
            json!({"id": payer_id, "name": payor.display.unwrap_or_default(), "plan": plan}),
        );
        out.insert("member_id".into(), json!(coverage.subscriber_id));
        return Some(out);
    }
    None
}

fn referral_of(bundle: &Bundle, index: usize, issues: &mut Vec<OutcomeIssue>) -> Option<Value> {
    let request: resources::ServiceRequest = bundle.typed(index, issues)?;
    let practitioner = bundle.resolve(request.requester.as_ref(), "Practitioner")?;
    let clinician = clinician_of(bundle, practitioner, issues)?;
    let mut referrer = Map::new();
    referrer.insert(
        "npi".into(),
        clinician.get("npi").cloned().unwrap_or(Value::Null),
    );
    if let Some(name) = clinician.get("name") {
        referrer.insert("name".into(), name.clone());
    }
    if let Some(day) = request.authored_on.as_deref().and_then(date_of) {
        referrer.insert("order_signed_on".into(), json!(day.to_string()));
    }
    Some(Value::Object(referrer))
}

fn plan_of(
    bundle: &Bundle,
    index: usize,
    issues: &mut Vec<OutcomeIssue>,
) -> Option<(String, String)> {
    let plan: resources::CarePlan = bundle.typed(index, issues)?;
    let path = resource_path(index);
    let before = issues.len();
    let patient = bundle
        .resolve(plan.subject.as_ref(), "Patient")
        .and_then(|p| patient_of(bundle, p, issues));
    if patient.is_none() && issues.len() == before {
        issues.push(OutcomeIssue::not_found(
            format!("{path}.subject"),
            "the subject must reference a Patient in the bundle",
        ));
    }
    let discipline = plan
        .category
        .iter()
        .find_map(|c| first_code(Some(c), &[]).and_then(discipline_of_code));
    let start = plan
        .period
        .as_ref()
        .and_then(|p| p.start.as_deref())
        .and_then(date_of);
    let end = plan
        .period
        .as_ref()
        .and_then(|p| p.end.as_deref())
        .and_then(date_of);
    if discipline.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.category"),
            "the plan's discipline (category PT, OT or SLP) is required",
        ));
    }
    if start.is_none() || end.is_none() {
        issues.push(OutcomeIssue::required(
            format!("{path}.period"),
            "the certification period (period.start and period.end) is required",
        ));
    }
    let signer = match plan.author.as_ref() {
        Some(author) => bundle
            .resolve(Some(author), "Practitioner")
            .and_then(|p| clinician_of(bundle, p, issues))
            .and_then(|c| c.get("npi").cloned()),
        None => None,
    };
    if issues.len() > before {
        return None;
    }
    let (patient_id, _) = patient?;
    let mut care = json!({
        "discipline": discipline,
        "certification_start": start.map(|d| d.to_string()),
        "certification_end": end.map(|d| d.to_string()),
    });
    if let Some(map) = care.as_object_mut() {
        if let Some(signed) = plan.created.as_deref().and_then(date_of) {
            map.insert("signed_on".into(), json!(signed.to_string()));
        }
        if let Some(npi) = signer {
            map.insert("signer_npi".into(), npi);
        }
    }
    Some((
        patient_id.clone(),
        json!({"patient_id": patient_id, "plan_of_care": care}).to_string(),
    ))
}
