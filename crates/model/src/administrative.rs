//! The administrative domain: payer, member, referral, place and modality, authorization,
//! year-to-date spend.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::{Npi, PlaceOfService};
use crate::encounter::{PersonName, PostalAddress, Sex};
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

/// The subscriber of a dependent patient's coverage (837P loops 2000B/2010BA, with the patient
/// in 2000C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Insured {
    pub name: PersonName,
    #[serde(deserialize_with = "crate::date::strict")]
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// The patient's relationship to the subscriber.
    pub relationship: Relationship,
    /// The subscriber's address, when it differs from the patient's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

/// The patient's relationship to the subscriber (837P PAT01 in loop 2000C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Spouse,
    Child,
    LifePartner,
    Other,
}

impl Relationship {
    /// The X12 individual relationship code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Spouse => "01",
            Self::Child => "19",
            Self::LifePartner => "53",
            Self::Other => "G8",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "01" => Self::Spouse,
            "19" => Self::Child,
            "53" => Self::LifePartner,
            "G8" => Self::Other,
            _ => return None,
        })
    }
}

/// A referring or ordering provider (loop 2310A NM1*DN on an 837P).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferringProvider {
    pub npi: Npi,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    /// The date the practitioner signed the order or referral, if it is in the record.
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub order_signed_on: Option<NaiveDate>,
    /// How the order was given; absent = written (signed when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_kind: Option<OrderKind>,
    /// The date a verbal or telephone order was taken down, which starts the time the
    /// practitioner has to sign it.
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub order_received_on: Option<NaiveDate>,
    /// The date this practitioner last saw the patient, for payers that ask for it on therapy
    /// claims (837P DTP*304, the CMS-1500 item 19 "date last seen").
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub patient_last_seen_on: Option<NaiveDate>,
}

/// How a referral or order was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Written,
    /// Spoken to the clinic and written down there; the practitioner signs it later.
    Verbal,
    Telephone,
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
    /// The member id on the insurance card: the patient's own, or the subscriber's when the
    /// patient is a dependent without one.
    pub member_id: String,
    /// The insured person, when the patient is a dependent the payer knows only through them
    /// (no member id of the patient's own). Absent means the patient is the subscriber.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<Insured>,
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
    /// The clinic (location) the visit belongs to, by its id in cleanclaim: the service lets a
    /// user see the visits of their own clinics only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Who booked the visit, as the EMR names them (a front-desk user id): authorization and
    /// eligibility denials are counted by it, since checking them is the scheduler's job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_by: Option<String>,
}
