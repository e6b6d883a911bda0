//! One therapy encounter: one patient, one date of service, one discipline's plan of care,
//! one billing provider.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::administrative::Administrative;
use crate::clinical::Clinical;
use crate::compliance::Compliance;
use crate::timing::Timing;

/// The three outpatient therapy disciplines; each has its own plan of care and its own
/// claim modifier (MCPM ch.5 §20.1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    /// Physical therapy (GP).
    Pt,
    /// Occupational therapy (GO).
    Ot,
    /// Speech-language pathology (GN).
    Slp,
}

impl Discipline {
    /// Short upper-case label for tables and messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pt => "PT",
            Self::Ot => "OT",
            Self::Slp => "SLP",
        }
    }

    /// The name records carry (`pt`, `ot`, `slp`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Pt => "pt",
            Self::Ot => "ot",
            Self::Slp => "slp",
        }
    }
}

/// Administrative sex as claims carry it (DMG03 on an 837P).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// A person's name as claims carry it (NM103 family, NM104 given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonName {
    pub family: String,
    pub given: String,
}

/// The patient. All of it is PHI: it is carried to the claim and never logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// The clinic's medical record number; episodes and history are keyed on it.
    pub id: String,
    pub name: PersonName,
    #[serde(deserialize_with = "crate::date::strict")]
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Home address. Optional for scrubbing; an 837P needs it (loop 2010BA N3/N4 when the
    /// patient is the subscriber, 2010CA when a dependent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

/// A US postal address as X12 N3/N4 carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// Two-letter state code.
    pub state: String,
    /// Five or nine digits, no hyphen.
    pub zip: String,
}

/// A therapy encounter with everything the claim and the billing rules need, in four domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encounter {
    /// The encounter's id in the source system; becomes the claim's patient control number
    /// (CLM01, at most 38 characters in 005010X222A1).
    pub id: String,
    #[serde(deserialize_with = "crate::date::strict")]
    pub date_of_service: NaiveDate,
    /// The discipline whose plan of care this visit falls under.
    pub discipline: Discipline,
    pub patient: Patient,
    pub clinical: Clinical,
    pub timing: Timing,
    pub administrative: Administrative,
    pub compliance: Compliance,
}
