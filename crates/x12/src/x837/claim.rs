//! The professional claim as the 837P carries it: what the writer renders and the reader
//! returns, so that `read(write(claims)) == claims`.

use chrono::NaiveDate;
use cleanclaim_model::{
    Cents, Icd10Cm, Modifier, Npi, PersonName, PlaceOfService, PostalAddress, ProcedureCode,
    Relationship, Sex,
};
use serde::Serialize;

/// The 2400 loop repeats at most 50 times (005010X222A1 §2.4): a visit with more lines is
/// split into several claims.
pub const MAX_LINES: usize = 50;
/// HI (loop 2300) holds at most 12 diagnosis codes.
pub const MAX_DIAGNOSES: usize = 12;

/// CLM05-3: whether the claim is new, replaces an earlier one, or voids it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimFrequency {
    Original,
    Replacement,
    Void,
}

impl ClaimFrequency {
    pub fn code(self) -> &'static str {
        match self {
            Self::Original => "1",
            Self::Replacement => "7",
            Self::Void => "8",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::Original),
            "7" => Some(Self::Replacement),
            "8" => Some(Self::Void),
            _ => None,
        }
    }
}

/// The subscriber (loop 2010BA): the patient (SBR02 = 18, self), or the insured person of a
/// dependent patient (then [`Claim::patient`] is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscriber {
    pub member_id: String,
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: PostalAddress,
}

/// Loop 2000C/2010CA: a patient who is not the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependentPatient {
    /// PAT01.
    pub relationship: Relationship,
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: PostalAddress,
}

/// A provider named on the claim by NPI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedProvider {
    pub npi: Npi,
    pub name: PersonName,
}

/// Loop 2310B: the rendering provider, with the PRV taxonomy code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderingProvider {
    pub npi: Npi,
    pub name: PersonName,
    pub taxonomy: String,
}

/// One 2400 loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceLine {
    /// REF*6R: our line id, echoed back on the 835 to match payments to lines.
    pub control_number: String,
    pub code: ProcedureCode,
    pub modifiers: Vec<Modifier>,
    pub charge: Cents,
    pub units: u32,
    /// 1-based positions in the claim's diagnosis list (SV107, at most four).
    pub diagnosis_pointers: Vec<u8>,
    pub date: NaiveDate,
}

/// One 2300 loop, with the subscriber and payer it is sent under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// CLM01, the patient control number: stable across resubmissions of the same visit.
    pub id: String,
    pub frequency: ClaimFrequency,
    /// REF*F8: the payer's control number of the claim a replacement or void refers to.
    pub payer_claim_number: Option<String>,
    pub place_of_service: PlaceOfService,
    /// SBR09: MB, MC, CI, WC...
    pub filing_indicator: String,
    pub payer_name: String,
    pub payer_id: String,
    pub subscriber: Subscriber,
    /// The patient, when not the subscriber (loop 2000C).
    pub patient: Option<DependentPatient>,
    /// HI: first is the principal diagnosis (ABK), the rest ABF; at most 12.
    pub diagnoses: Vec<Icd10Cm>,
    /// REF*G1.
    pub prior_authorization: Option<String>,
    /// DTP*454.
    pub initial_treatment: Option<NaiveDate>,
    /// DTP*304.
    pub last_seen: Option<NaiveDate>,
    pub referring: Option<NamedProvider>,
    pub rendering: Option<RenderingProvider>,
    /// Loop 2310D: the supervising provider, when the payer asks for it.
    pub supervising: Option<NamedProvider>,
    pub lines: Vec<ServiceLine>,
}

impl Claim {
    /// CLM02: the sum of the line charges.
    pub fn total(&self) -> Cents {
        self.lines.iter().map(|l| l.charge).sum()
    }
}
