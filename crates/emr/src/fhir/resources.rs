//! The FHIR R4 elements read here, as serde structs: only what maps to a therapy claim.
//! Unknown elements are ignored (FHIR resources carry far more than we read); a known element
//! of the wrong type is an error with its path.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeableConcept {
    #[serde(default)]
    pub coding: Vec<Coding>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Identifier {
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<CodeableConcept>,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub identifier: Option<Identifier>,
    #[serde(default)]
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HumanName {
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub given: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    pub line: Vec<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Extension {
    #[serde(default)]
    pub url: String,
    #[serde(default, rename = "valueCode")]
    pub value_code: Option<String>,
    #[serde(default, rename = "valueString")]
    pub value_string: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Practitioner {
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PractitionerRole {
    #[serde(default)]
    pub practitioner: Option<Reference>,
    #[serde(default)]
    pub code: Vec<CodeableConcept>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    #[serde(default)]
    pub beneficiary: Option<Reference>,
    #[serde(default)]
    pub subscriber_id: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<CodeableConcept>,
    #[serde(default)]
    pub payor: Vec<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EncounterLocation {
    #[serde(default)]
    pub location: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encounter {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub subject: Option<Reference>,
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub service_type: Option<CodeableConcept>,
    #[serde(default)]
    pub location: Vec<EncounterLocation>,
    #[serde(default)]
    pub based_on: Vec<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Performer {
    #[serde(default)]
    pub actor: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Procedure {
    #[serde(default)]
    pub code: Option<CodeableConcept>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "checked as a Reference when the resource is read; the links themselves are found once, in Bundle::link"
    )]
    pub encounter: Option<Reference>,
    #[serde(default)]
    pub performed_period: Option<Period>,
    #[serde(default)]
    pub performer: Vec<Performer>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Condition {
    #[serde(default)]
    pub code: Option<CodeableConcept>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "checked as a Reference when the resource is read; the links themselves are found once, in Bundle::link"
    )]
    pub subject: Option<Reference>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "checked as a Reference when the resource is read; the links themselves are found once, in Bundle::link"
    )]
    pub encounter: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CarePlan {
    #[serde(default)]
    pub subject: Option<Reference>,
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub category: Vec<CodeableConcept>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub author: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequest {
    #[serde(default)]
    pub requester: Option<Reference>,
    #[serde(default)]
    pub authored_on: Option<String>,
}
