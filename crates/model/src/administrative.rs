//! The administrative domain: payer, member, referral, place and modality, authorization,
//! year-to-date spend.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::{Npi, PlaceOfService};
use crate::encounter::PersonName;
use crate::money::Cents;

/// The kind of coverage; it selects the default billing policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    MedicarePartB,
    MedicareAdvantage,
    Commercial,
    Medicaid,
    WorkersComp,
    Other,
}

/// The payer that will receive the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    /// The payer id used on the 837P (NM109 of loop 2010BB).
    pub id: String,
    pub name: String,
    pub plan: PlanType,
}

/// A referring or ordering provider (loop 2310A NM1*DN on an 837P).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferringProvider {
    pub npi: Npi,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    /// The date the practitioner signed the order or referral, if it is in the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_signed_on: Option<NaiveDate>,
    /// The date this practitioner last saw the patient, for payers that ask for it on therapy
    /// claims (837P DTP*304, the CMS-1500 item 19 "date last seen").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_last_seen_on: Option<NaiveDate>,
}

/// How the patient was seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    #[default]
    InPerson,
    /// Telehealth with the patient at home (POS 10).
    TelehealthHome,
    /// Telehealth with the patient somewhere other than home (POS 02).
    TelehealthOther,
}

/// Therapy already incurred this calendar year before this visit, per threshold bucket:
/// PT and SLP share one amount, OT has its own (BBA 2018 §50202).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YearToDateSpend {
    #[serde(default)]
    pub pt_slp: Cents,
    #[serde(default)]
    pub ot: Cents,
}

/// The administrative domain of an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Administrative {
    pub payer: Payer,
    pub member_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referring_provider: Option<ReferringProvider>,
    /// Where the service was furnished as documented (for telehealth, where the clinician was).
    pub place_of_service: PlaceOfService,
    #[serde(default)]
    pub modality: Modality,
    /// The payer's prior-authorization number, when the visit is authorized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    #[serde(default)]
    pub year_to_date_spend: YearToDateSpend,
}
