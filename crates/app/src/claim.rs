//! From a scrubbed encounter to the claim the 837P carries.
//!
//! Choices the guide leaves to the sender, made here once:
//! - CLM01 is the encounter id, so a resubmission of the same visit keeps its number; a visit
//!   with more than 50 lines becomes claims `{id}-1`, `{id}-2`... (the 2400 loop repeats at
//!   most 50 times, 005010X222A1 section 2.4).
//! - REF*6R (line item control number) is `{CLM01}-{line}`, so an 835 line points back to one
//!   claim line.
//! - Every line points at the first (up to) four diagnoses: the encounter does not tie a
//!   diagnosis to a code, and the principal diagnosis comes first.
//! - Names and addresses are upper-cased, as most payers' companion guides ask.
//! - DTP*454 (initial treatment) is the plan of care's certification start: the guide asks
//!   for it on physical and occupational therapy claims when it affects adjudication.
//! - DTP*304 (last seen) is written when the record has the date the referring practitioner
//!   last saw the patient; payers that need it (independent therapists' claims, CMS-1500
//!   item 19) get it from the record, and no date is ever invented.

use cleanclaim_billing::Derivation;

use crate::claim_basis::ClaimBasis;
use cleanclaim_model::{Encounter, PersonName, PlanType, PostalAddress, ProviderRole};
use cleanclaim_x12::x837::{
    Claim, ClaimFrequency, DependentPatient, NamedProvider, RenderingProvider, ServiceLine,
    Subscriber,
};

pub use cleanclaim_x12::x837::{MAX_DIAGNOSES, MAX_LINES};

/// Why an encounter cannot become a claim. Names the encounter and the field; never holds
/// the field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("encounter {encounter}: {field}: {reason}")]
pub struct BuildError {
    pub encounter: String,
    pub field: String,
    pub reason: String,
}

/// A resubmission: the frequency and the payer's number of the claim it replaces or voids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resubmission {
    pub frequency: ClaimFrequency,
    pub payer_claim_number: String,
}

/// NUCC health care provider taxonomy codes for the rendering roles (nucc.org code set,
/// "Physical Therapist 225100000X", "Occupational Therapist 225X00000X", "Speech-Language
/// Pathologist 235Z00000X", assistants 225200000X and 224Z00000X).
pub fn taxonomy(role: ProviderRole) -> Option<&'static str> {
    match role {
        ProviderRole::Pt => Some("225100000X"),
        ProviderRole::Pta => Some("225200000X"),
        ProviderRole::Ot => Some("225X00000X"),
        ProviderRole::Ota => Some("224Z00000X"),
        ProviderRole::Slp => Some("235Z00000X"),
        ProviderRole::Student => None,
    }
}

/// SBR09 claim filing indicator by plan type (005010X222A1 SBR09 code list).
pub fn filing_indicator(plan: PlanType) -> &'static str {
    match plan {
        PlanType::MedicarePartB => "MB",
        PlanType::MedicareAdvantage => "16",
        PlanType::Commercial => "CI",
        PlanType::Medicaid => "MC",
        PlanType::WorkersComp => "WC",
        PlanType::Other => "ZZ",
    }
}

fn upper_name(name: &PersonName) -> PersonName {
    PersonName {
        family: name.family.to_uppercase(),
        given: name.given.to_uppercase(),
    }
}

fn upper_address(address: &PostalAddress) -> PostalAddress {
    PostalAddress {
        line1: address.line1.to_uppercase(),
        line2: address.line2.as_ref().map(|l| l.to_uppercase()),
        city: address.city.to_uppercase(),
        state: address.state.to_uppercase(),
        zip: address.zip.clone(),
    }
}

/// Builds the claim(s) for one encounter: one, or several when it has more than 50 lines.
pub fn build_claims(
    encounter: &Encounter,
    derivation: &Derivation<'_>,
    resubmission: Option<&Resubmission>,
) -> Result<Vec<Claim>, BuildError> {
    build_claims_from(encounter, &ClaimBasis::of(derivation), resubmission)
}

/// [`build_claims`] from the basis a stored scrub result keeps.
pub fn build_claims_from(
    encounter: &Encounter,
    basis: &ClaimBasis,
    resubmission: Option<&Resubmission>,
) -> Result<Vec<Claim>, BuildError> {
    let fail = |field: &str, reason: &str| BuildError {
        encounter: encounter.id.clone(),
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    let address = encounter
        .patient
        .address
        .as_ref()
        .map(upper_address)
        .ok_or_else(|| {
            fail(
                "patient.address",
                "required on an 837P (loop 2010BA N3/N4, or 2010CA for a dependent)",
            )
        })?;
    // A dependent goes in 2000C under the insured's 2000B; otherwise the patient is the
    // subscriber (005010X222A1 section 1.4.3: 2000C only when the patient has no member id
    // of their own, which is what `administrative.subscriber` records).
    let (subscriber, patient) = match &encounter.administrative.subscriber {
        None => (
            Subscriber {
                member_id: encounter.administrative.member_id.clone(),
                name: upper_name(&encounter.patient.name),
                birth_date: encounter.patient.birth_date,
                sex: encounter.patient.sex,
                address: address.clone(),
            },
            None,
        ),
        Some(insured) => (
            Subscriber {
                member_id: encounter.administrative.member_id.clone(),
                name: upper_name(&insured.name),
                birth_date: insured.birth_date,
                sex: insured.sex,
                address: insured
                    .address
                    .as_ref()
                    .map_or_else(|| address.clone(), upper_address),
            },
            Some(DependentPatient {
                relationship: insured.relationship,
                name: upper_name(&encounter.patient.name),
                birth_date: encounter.patient.birth_date,
                sex: encounter.patient.sex,
                address: address.clone(),
            }),
        ),
    };
    let diagnoses = &encounter.clinical.diagnoses;
    if diagnoses.is_empty() {
        return Err(fail(
            "clinical.diagnoses",
            "an 837P needs at least one diagnosis (HI)",
        ));
    }
    if diagnoses.len() > MAX_DIAGNOSES {
        return Err(fail(
            "clinical.diagnoses",
            "more than 12 diagnoses do not fit in HI",
        ));
    }
    // A line that earned no unit (fewer than 8 timed minutes, or no minutes yet) is not
    // billed, so it needs no charge and takes no 2400 loop: the basis keeps none.
    let billed = &basis.lines;
    if billed.is_empty() {
        return Err(fail(
            "timing.lines",
            "no line earns a unit, so there is no service line to bill",
        ));
    }
    let pointer_count = u8::try_from(diagnoses.len().min(4)).unwrap_or(4);
    let pointers: Vec<u8> = (1..=pointer_count).collect();
    let mut lines = Vec::with_capacity(billed.len());
    for line in billed {
        let field = format!("timing.lines (code {})", line.code);
        let charge = line.charge.ok_or_else(|| {
            fail(
                &field,
                "no charge: send charge_per_unit for every billed code",
            )
        })?;
        let modifiers = line.modifiers.clone();
        if modifiers.len() > 4 {
            return Err(fail(&field, "more than four modifiers do not fit in SV101"));
        }
        lines.push((line.code, modifiers, charge, line.units));
    }
    let rendering = match &encounter.compliance.rendering {
        None => None,
        Some(r) => Some(RenderingProvider {
            npi: r.npi,
            name: r.name.as_ref().map(upper_name).ok_or_else(|| {
                fail(
                    "compliance.rendering.name",
                    "the rendering provider's name is required on NM1*82",
                )
            })?,
            taxonomy: taxonomy(r.role)
                .ok_or_else(|| {
                    fail(
                        "compliance.rendering.role",
                        "a student cannot be the rendering provider",
                    )
                })?
                .to_owned(),
        }),
    };
    // An assistant renders and the payer wants the supervising therapist named (2310D).
    let supervising = match &encounter.compliance.rendering {
        Some(r) if basis.supervising_provider_loop && r.role.is_assistant() => {
            let npi = r.supervising_npi.ok_or_else(|| {
                fail(
                    "compliance.rendering.supervising_npi",
                    "the supervising therapist's NPI is required on NM1*DQ",
                )
            })?;
            let name = r.supervising_name.as_ref().map(upper_name).ok_or_else(|| {
                fail(
                    "compliance.rendering.supervising_name",
                    "the supervising therapist's name is required on NM1*DQ",
                )
            })?;
            Some(NamedProvider { npi, name })
        }
        _ => None,
    };
    let referring = match &encounter.administrative.referring_provider {
        None => None,
        Some(r) => Some(NamedProvider {
            npi: r.npi,
            name: r.name.as_ref().map(upper_name).ok_or_else(|| {
                fail(
                    "administrative.referring_provider.name",
                    "the referring provider's name is required on NM1*DN",
                )
            })?,
        }),
    };
    let parts = lines.len().div_ceil(MAX_LINES);
    let mut claims = Vec::with_capacity(parts);
    for (part, chunk) in lines.chunks(MAX_LINES).enumerate() {
        let id = if parts == 1 {
            encounter.id.clone()
        } else {
            format!("{}-{}", encounter.id, part + 1)
        };
        let service_lines = chunk
            .iter()
            .enumerate()
            .map(|(n, (code, modifiers, charge, units))| ServiceLine {
                control_number: format!("{id}-{}", n + 1),
                code: *code,
                modifiers: modifiers.clone(),
                charge: *charge,
                units: *units,
                diagnosis_pointers: pointers.clone(),
                date: encounter.date_of_service,
            })
            .collect();
        claims.push(Claim {
            id,
            frequency: resubmission.map_or(ClaimFrequency::Original, |r| r.frequency),
            payer_claim_number: resubmission.map(|r| r.payer_claim_number.clone()),
            place_of_service: basis.place_of_service,
            filing_indicator: filing_indicator(encounter.administrative.payer.plan).to_owned(),
            payer_name: encounter.administrative.payer.name.to_uppercase(),
            payer_id: encounter.administrative.payer.id.clone(),
            subscriber: subscriber.clone(),
            patient: patient.clone(),
            diagnoses: diagnoses.clone(),
            prior_authorization: encounter.administrative.authorization.clone(),
            initial_treatment: encounter
                .compliance
                .plan_of_care
                .as_ref()
                .map(|p| p.certification_start),
            last_seen: encounter
                .administrative
                .referring_provider
                .as_ref()
                .and_then(|r| r.patient_last_seen_on),
            referring: referring.clone(),
            rendering: rendering.clone(),
            supervising: supervising.clone(),
            lines: service_lines,
        });
    }
    Ok(claims)
}
