//! Who sends the claims and who bills: what a clinic configures once (`billing.toml`), as
//! opposed to what each encounter carries.

use cleanclaim_model::{Npi, PostalAddress};
use serde::{Deserialize, Serialize};

/// The sender, receiver and billing provider of an 837P file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingProfile {
    pub interchange: Interchange,
    pub submitter: Submitter,
    pub receiver: Receiver,
    pub billing_provider: BillingProvider,
    #[serde(default)]
    pub service_facility: Option<ServiceFacility>,
}

/// ISA and GS identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interchange {
    /// ISA05/ISA07 qualifier, usually `ZZ` (mutually defined) or `30` (tax id).
    pub sender_qualifier: String,
    /// ISA06, up to 15 characters.
    pub sender_id: String,
    pub receiver_qualifier: String,
    pub receiver_id: String,
    /// GS02 and GS03 (application sender and receiver codes).
    pub application_sender: String,
    pub application_receiver: String,
    /// ISA15: `P` production or `T` test.
    pub usage: String,
    /// ISA14: ask for a TA1 interchange acknowledgment.
    #[serde(default)]
    pub acknowledgment_requested: bool,
}

/// Loop 1000A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submitter {
    pub name: String,
    /// NM109 with qualifier 46: the id the clearinghouse assigned.
    pub id: String,
    pub contact_name: String,
    /// Ten digits.
    pub phone: String,
}

/// Loop 1000B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    pub name: String,
    pub id: String,
}

/// Loop 2000A/2010AA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingProvider {
    pub name: String,
    pub npi: Npi,
    /// Employer identification number: nine digits, no hyphen.
    pub tax_id: String,
    /// Provider taxonomy code (PRV03), e.g. `225100000X` for a physical therapist.
    pub taxonomy: String,
    pub address: PostalAddress,
}

/// Loop 2310C, sent when care was given somewhere other than the billing address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFacility {
    pub name: String,
    pub npi: Npi,
    pub address: PostalAddress,
}
