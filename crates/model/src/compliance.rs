//! The compliance domain: who rendered and supervised, the plan of care and its
//! certification, progress reporting, medical-necessity attestation.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::Npi;
use crate::encounter::{Discipline, PersonName};

/// The credential of the person who furnished the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderRole {
    /// Physical therapist.
    Pt,
    /// Physical therapist assistant.
    Pta,
    /// Occupational therapist.
    Ot,
    /// Occupational therapy assistant.
    Ota,
    /// Speech-language pathologist.
    Slp,
    /// A therapy student under supervision.
    Student,
}

impl ProviderRole {
    /// Whether this is a therapy assistant, whose services carry CQ or CO.
    pub fn is_assistant(self) -> bool {
        matches!(self, Self::Pta | Self::Ota)
    }

    /// The credential as written in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pt => "PT",
            Self::Pta => "PTA",
            Self::Ot => "OT",
            Self::Ota => "OTA",
            Self::Slp => "SLP",
            Self::Student => "student",
        }
    }

    /// The discipline a licensed role practices; students have none of their own.
    pub fn discipline(self) -> Option<Discipline> {
        match self {
            Self::Pt | Self::Pta => Some(Discipline::Pt),
            Self::Ot | Self::Ota => Some(Discipline::Ot),
            Self::Slp => Some(Discipline::Slp),
            Self::Student => None,
        }
    }
}

/// The provider who furnished the visit (loop 2310B NM1*82 when it differs from billing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderingProvider {
    pub npi: Npi,
    pub role: ProviderRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    /// The supervising therapist, required when an assistant or student renders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervising_npi: Option<Npi>,
    /// The supervising therapist's name, for payers that want the supervising provider on
    /// the claim (837P loop 2310D, NM1*DQ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervising_name: Option<PersonName>,
}

/// Planned frequency and duration (42 CFR 410.61(c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    pub visits_per_week: u8,
    pub weeks: u8,
}

/// The plan of care and its certification (42 CFR 424.24(c); MBPM ch.15 §220.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanOfCare {
    pub discipline: Discipline,
    #[serde(deserialize_with = "crate::date::strict")]
    pub certification_start: NaiveDate,
    #[serde(deserialize_with = "crate::date::strict")]
    pub certification_end: NaiveDate,
    /// When the physician/NPP signed the certification; absent while unsigned.
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub signed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_npi: Option<Npi>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    /// When the plan went to the referring practitioner: with a signed referral it stands in
    /// for the initial certification signature from 2025 (CY2025 PFS, 89 FR 97912).
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sent_to_referrer_on: Option<NaiveDate>,
    /// Why the certification (or recertification) was signed late: a delayed certification
    /// is accepted with its reason documented (MBPM ch.15 §220.1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_reason: Option<String>,
}

/// The last progress report before this visit (MBPM ch.15 §220.3.D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressReport {
    #[serde(deserialize_with = "crate::date::strict")]
    pub date: NaiveDate,
    /// Treatment days since that report, counting this visit.
    pub treatment_days_since: u32,
    pub written_by: ProviderRole,
}

/// The compliance domain of an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// Missing is a documentation hold, not bad input: the visit still belongs in a queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendering: Option<RenderingProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_of_care: Option<PlanOfCare>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_progress_report: Option<ProgressReport>,
    /// The record documents medical necessity for services above the KX threshold.
    #[serde(default)]
    pub medical_necessity_documented: bool,
}
