//! The 837P writer. Every value is checked before it is written: a delimiter or a character
//! outside the X12 basic and extended sets inside data would change the file's structure
//! (a name like `O*Brien~` would add an element and end the segment early), so such data is
//! rejected with the field named and nothing is written.

use super::claim::Claim;
use super::profile::BillingProfile;
use crate::codes;
use crate::delimiters::Delimiters;
use crate::money::format_cents;
use chrono::{NaiveDate, NaiveDateTime};
use cleanclaim_model::{Cents, PersonName, PostalAddress, Sex};

/// Claims per transaction set: the guide recommends no more than 5000 CLM segments in one ST
/// (005010X222A1 section 1.4.3.1).
pub const CLAIMS_PER_TRANSACTION: usize = 5000;

/// Control numbers reserved (from storage) for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlNumbers {
    /// ISA13 / IEA02: 1..=999_999_999.
    pub interchange: u64,
    /// GS06 / GE02.
    pub group: u64,
    /// ST02 of the first transaction set; the rest follow in sequence.
    pub first_transaction: u64,
}

/// The ST02 of the transaction set that carries the claim at `index` of the written slice.
pub fn transaction_of(controls: ControlNumbers, index: usize) -> u64 {
    controls.first_transaction + (index / CLAIMS_PER_TRANSACTION) as u64
}

/// How many ST02 numbers a file of `claims` claims uses.
pub fn transactions_needed(claims: usize) -> usize {
    claims.div_ceil(CLAIMS_PER_TRANSACTION).max(1)
}

#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub delimiters: Delimiters,
    /// ISA09/ISA10, GS04/GS05, BHT04/BHT05.
    pub created: NaiveDateTime,
    pub controls: ControlNumbers,
    /// A line break after each segment terminator: easier to read, and tolerated by readers
    /// (ours included), but some payers want none.
    pub line_breaks: bool,
}

/// Why a file was not written. Names the field (and claim); never repeats the value.
/// The digits an X12 amount (type R, 1/18) may hold.
const MAX_AMOUNT_DIGITS: usize = 18;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("{}{field}: character {position} is {what}, which cannot appear in X12 data", claim_prefix(claim.as_deref()))]
    ForbiddenCharacter {
        claim: Option<String>,
        field: String,
        /// 1-based character position in the value.
        position: usize,
        what: String,
    },
    #[error("{}{field}: {len} characters; at most {max} fit", claim_prefix(claim.as_deref()))]
    TooLong {
        claim: Option<String>,
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{}{field}: {len} characters; at least {min} are required", claim_prefix(claim.as_deref()))]
    TooShort {
        claim: Option<String>,
        field: String,
        len: usize,
        min: usize,
    },
    /// The value is left out of the message: it may be PHI.
    #[error("{}{field}: not one of {expected}", claim_prefix(claim.as_deref()))]
    UnknownCode {
        claim: Option<String>,
        field: String,
        expected: &'static str,
    },
    #[error("{}{field}: required and empty", claim_prefix(claim.as_deref()))]
    Empty {
        claim: Option<String>,
        field: String,
    },
    /// An amount the guide cannot carry: negative, or more than 18 digits (type R, 1/18).
    #[error("{}{field}: {reason}", claim_prefix(claim.as_deref()))]
    Amount {
        claim: Option<String>,
        field: String,
        reason: &'static str,
    },
    #[error("the delimiters are unusable: {0}")]
    Delimiters(&'static str),
    #[error("control number {value} for {of} is out of range (at most {max})")]
    ControlNumber {
        of: &'static str,
        value: u64,
        max: u64,
    },
    #[error("claim {claim}: {count} service lines; split claims at 50")]
    TooManyLines { claim: String, count: usize },
    #[error("no claims to write")]
    NoClaims,
}

impl WriteError {
    /// The claim whose data cannot be written, or `None` when the problem is the file's own
    /// (profile, delimiters, control numbers): one claim can be left out, the file cannot.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Self::ForbiddenCharacter { claim, .. }
            | Self::TooLong { claim, .. }
            | Self::TooShort { claim, .. }
            | Self::UnknownCode { claim, .. }
            | Self::Empty { claim, .. }
            | Self::Amount { claim, .. } => claim.as_deref(),
            Self::TooManyLines { claim, .. } => Some(claim),
            Self::Delimiters(_) | Self::ControlNumber { .. } | Self::NoClaims => None,
        }
    }
}

fn claim_prefix(claim: Option<&str>) -> String {
    claim.map(|c| format!("claim {c}: ")).unwrap_or_default()
}

struct Out {
    text: String,
    delimiters: Delimiters,
    line_breaks: bool,
    in_transaction: usize,
    claim: Option<String>,
}

impl Out {
    /// Checks one value for the file: printable ASCII, no delimiter, within `max`.
    fn value(&self, field: &str, value: &str, max: usize) -> Result<String, WriteError> {
        let claim = self.claim.clone();
        for (index, c) in value.chars().enumerate() {
            let what = if c.is_ascii() && self.delimiters.is_delimiter(c as u8) {
                Some(format!("the delimiter `{c}`"))
            } else if !(' '..='~').contains(&c) {
                Some("outside the X12 basic and extended character sets".to_owned())
            } else {
                None
            };
            if let Some(what) = what {
                return Err(WriteError::ForbiddenCharacter {
                    claim,
                    field: field.to_owned(),
                    position: index + 1,
                    what,
                });
            }
        }
        let len = value.chars().count();
        if len > max {
            return Err(WriteError::TooLong {
                claim,
                field: field.to_owned(),
                len,
                max,
            });
        }
        Ok(value.to_owned())
    }

    /// A required value: also must not be empty or only spaces.
    /// A charge as the guide writes it: never negative, at most 18 digits.
    fn amount(&self, field: &str, cents: Cents) -> Result<String, WriteError> {
        let refuse = |reason| WriteError::Amount {
            claim: self.claim.clone(),
            field: field.to_owned(),
            reason,
        };
        if cents.is_negative() {
            return Err(refuse("a charge is never negative"));
        }
        let text = format_cents(cents);
        if text.bytes().filter(u8::is_ascii_digit).count() > MAX_AMOUNT_DIGITS {
            return Err(refuse("more than the 18 digits an X12 amount holds"));
        }
        Ok(text)
    }

    fn required(&self, field: &str, value: &str, max: usize) -> Result<String, WriteError> {
        if value.trim().is_empty() {
            return Err(WriteError::Empty {
                claim: self.claim.clone(),
                field: field.to_owned(),
            });
        }
        self.value(field, value, max)
    }

    /// A required value with a minimum length (the guide's element minimum).
    fn sized(
        &self,
        field: &str,
        value: &str,
        min: usize,
        max: usize,
    ) -> Result<String, WriteError> {
        let value = self.required(field, value, max)?;
        let len = value.chars().count();
        if len < min {
            return Err(WriteError::TooShort {
                claim: self.claim.clone(),
                field: field.to_owned(),
                len,
                min,
            });
        }
        Ok(value)
    }

    fn composite(&self, parts: &[&str]) -> String {
        let mut parts = parts.to_vec();
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        parts.join(&char::from(self.delimiters.component).to_string())
    }

    fn segment(&mut self, id: &str, elements: &[&str]) {
        let last = elements
            .iter()
            .rposition(|e| !e.is_empty())
            .map_or(0, |i| i + 1);
        self.text.push_str(id);
        for element in elements.iter().take(last) {
            self.text.push(char::from(self.delimiters.element));
            self.text.push_str(element);
        }
        self.text.push(char::from(self.delimiters.segment));
        if self.line_breaks {
            self.text.push('\n');
        }
        self.in_transaction += 1;
    }

    fn name(
        &mut self,
        entity: &str,
        person: bool,
        name: &PersonName,
        qualifier: &str,
        id: &str,
        field: &str,
    ) -> Result<(), WriteError> {
        let family = self.required(&format!("{field}.family"), &name.family, 60)?;
        let given = if person {
            self.required(&format!("{field}.given"), &name.given, 35)?
        } else {
            String::new()
        };
        let id = self.sized(&format!("{field} id"), id, 2, 80)?;
        let kind = if person { "1" } else { "2" };
        self.segment(
            "NM1",
            &[entity, kind, &family, &given, "", "", "", qualifier, &id],
        );
        Ok(())
    }

    fn organization(
        &mut self,
        entity: &str,
        name: &str,
        qualifier: &str,
        id: &str,
        field: &str,
    ) -> Result<(), WriteError> {
        let name = self.required(&format!("{field}.name"), name, 60)?;
        let id = self.sized(&format!("{field} id"), id, 2, 80)?;
        self.segment("NM1", &[entity, "2", &name, "", "", "", "", qualifier, &id]);
        Ok(())
    }

    fn address(&mut self, address: &PostalAddress, field: &str) -> Result<(), WriteError> {
        let line1 = self.required(&format!("{field}.line1"), &address.line1, 55)?;
        let line2 = match &address.line2 {
            Some(l) => self.required(&format!("{field}.line2"), l, 55)?,
            None => String::new(),
        };
        self.segment("N3", &[&line1, &line2]);
        let city = self.sized(&format!("{field}.city"), &address.city, 2, 30)?;
        let state = self.sized(&format!("{field}.state"), &address.state, 2, 2)?;
        if !codes::STATES.contains(&state.as_str()) {
            return Err(WriteError::UnknownCode {
                claim: self.claim.clone(),
                field: format!("{field}.state"),
                expected: codes::STATES_NAME,
            });
        }
        let zip = self.required(&format!("{field}.zip"), &address.zip, 15)?;
        if !(zip.len() == 5 || zip.len() == 9) || !zip.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WriteError::ForbiddenCharacter {
                claim: self.claim.clone(),
                field: format!("{field}.zip"),
                position: zip
                    .bytes()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(zip.len(), |p| p + 1),
                what: "not part of a 5- or 9-digit ZIP code".to_owned(),
            });
        }
        self.segment("N4", &[&city, &state, &zip]);
        Ok(())
    }
}

fn pad(value: &str, width: usize) -> String {
    format!("{value:<width$}")
}

/// Writes one interchange holding every claim, in one functional group.
pub fn write_837p(
    profile: &BillingProfile,
    claims: &[Claim],
    options: &WriteOptions,
) -> Result<String, WriteError> {
    if claims.is_empty() {
        return Err(WriteError::NoClaims);
    }
    options
        .delimiters
        .check_distinct()
        .map_err(WriteError::Delimiters)?;
    let controls = options.controls;
    for (of, value, max) in [
        ("ISA13", controls.interchange, 999_999_999),
        ("GS06", controls.group, 999_999_999),
        (
            "ST02",
            controls.first_transaction + transactions_needed(claims.len()) as u64 - 1,
            999_999_999,
        ),
    ] {
        if value == 0 || value > max {
            return Err(WriteError::ControlNumber { of, value, max });
        }
    }
    if let Some(claim) = claims
        .iter()
        .find(|c| c.lines.len() > super::claim::MAX_LINES)
    {
        return Err(WriteError::TooManyLines {
            claim: claim.id.clone(),
            count: claim.lines.len(),
        });
    }
    let mut out = Out {
        text: String::with_capacity(1024 + claims.len() * 900),
        delimiters: options.delimiters,
        line_breaks: options.line_breaks,
        in_transaction: 0,
        claim: None,
    };
    let ix = &profile.interchange;
    let date6 = options.created.format("%y%m%d").to_string();
    let date8 = options.created.format("%Y%m%d").to_string();
    let time = options.created.format("%H%M").to_string();
    let isa13 = format!("{:09}", controls.interchange);
    let sender = pad(
        &out.required("interchange.sender_id", &ix.sender_id, 15)?,
        15,
    );
    let receiver = pad(
        &out.required("interchange.receiver_id", &ix.receiver_id, 15)?,
        15,
    );
    let sender_q = out.required("interchange.sender_qualifier", &ix.sender_qualifier, 2)?;
    let receiver_q = out.required("interchange.receiver_qualifier", &ix.receiver_qualifier, 2)?;
    let usage = out.required("interchange.usage", &ix.usage, 1)?;
    let repetition = options
        .delimiters
        .repetition
        .map_or("U".to_owned(), |r| char::from(r).to_string());
    let component = char::from(options.delimiters.component).to_string();
    out.segment(
        "ISA",
        &[
            "00",
            &pad("", 10),
            "00",
            &pad("", 10),
            &sender_q,
            &sender,
            &receiver_q,
            &receiver,
            &date6,
            &time,
            &repetition,
            "00501",
            &isa13,
            if ix.acknowledgment_requested {
                "1"
            } else {
                "0"
            },
            &usage,
            &component,
        ],
    );
    let group = controls.group.to_string();
    let app_sender = out.required("interchange.application_sender", &ix.application_sender, 15)?;
    let app_receiver = out.required(
        "interchange.application_receiver",
        &ix.application_receiver,
        15,
    )?;
    out.segment(
        "GS",
        &[
            "HC",
            &app_sender,
            &app_receiver,
            &date8,
            &time,
            &group,
            "X",
            "005010X222A1",
        ],
    );
    let chunks: Vec<&[Claim]> = claims.chunks(CLAIMS_PER_TRANSACTION).collect();
    for (n, chunk) in chunks.iter().enumerate() {
        let st02 = format!(
            "{:04}",
            transaction_of(controls, n * CLAIMS_PER_TRANSACTION)
        );
        transaction(&mut out, profile, chunk, &st02, &isa13, &date8, &time)?;
    }
    out.segment("GE", &[&chunks.len().to_string(), &group]);
    out.segment("IEA", &["1", &isa13]);
    Ok(out.text)
}

fn transaction(
    out: &mut Out,
    profile: &BillingProfile,
    claims: &[Claim],
    st02: &str,
    isa13: &str,
    date8: &str,
    time: &str,
) -> Result<(), WriteError> {
    out.in_transaction = 0;
    out.segment("ST", &["837", st02, "005010X222A1"]);
    let batch = format!("{isa13}{st02}");
    out.segment("BHT", &["0019", "00", &batch, date8, time, "CH"]);
    let submitter = &profile.submitter;
    out.organization("41", &submitter.name, "46", &submitter.id, "submitter")?;
    let contact = out.required("submitter.contact_name", &submitter.contact_name, 60)?;
    let phone = out.required("submitter.phone", &submitter.phone, 256)?;
    out.segment("PER", &["IC", &contact, "TE", &phone]);
    out.organization(
        "40",
        &profile.receiver.name,
        "46",
        &profile.receiver.id,
        "receiver",
    )?;
    let billing = &profile.billing_provider;
    out.segment("HL", &["1", "", "20", "1"]);
    let taxonomy = out.required("billing_provider.taxonomy", &billing.taxonomy, 50)?;
    out.segment("PRV", &["BI", "PXC", &taxonomy]);
    out.organization(
        "85",
        &billing.name,
        "XX",
        billing.npi.as_str(),
        "billing_provider",
    )?;
    out.address(&billing.address, "billing_provider.address")?;
    let tax_id = out.required("billing_provider.tax_id", &billing.tax_id, 9)?;
    out.segment("REF", &["EI", &tax_id]);
    // HL 1 is the billing provider; each claim adds a subscriber level and, for a
    // dependent, a patient level under it.
    let mut next_hl = 2usize;
    for claim in claims {
        out.claim = Some(claim.id.clone());
        let subscriber_hl = next_hl.to_string();
        next_hl += 1;
        let has_patient = if claim.patient.is_some() { "1" } else { "0" };
        out.segment("HL", &[&subscriber_hl, "1", "22", has_patient]);
        subscriber(out, claim)?;
        if let Some(patient) = &claim.patient {
            let patient_hl = next_hl.to_string();
            next_hl += 1;
            out.segment("HL", &[&patient_hl, &subscriber_hl, "23", "0"]);
            out.segment("PAT", &[patient.relationship.code()]);
            let family = out.required("patient.name.family", &patient.name.family, 60)?;
            let given = out.required("patient.name.given", &patient.name.given, 35)?;
            out.segment("NM1", &["QC", "1", &family, &given]);
            out.address(&patient.address, "patient.address")?;
            demographics(out, patient.birth_date, patient.sex);
        }
        claim_loop(out, profile, claim)?;
        out.claim = None;
    }
    let count = (out.in_transaction + 1).to_string();
    out.segment("SE", &[&count, st02]);
    Ok(())
}

fn demographics(out: &mut Out, birth_date: NaiveDate, sex: Sex) {
    let sex = match sex {
        Sex::Female => "F",
        Sex::Male => "M",
        Sex::Unknown => "U",
    };
    out.segment(
        "DMG",
        &["D8", &birth_date.format("%Y%m%d").to_string(), sex],
    );
}

/// Loop 2000B: SBR, the subscriber (2010BA) and the payer (2010BB).
fn subscriber(out: &mut Out, claim: &Claim) -> Result<(), WriteError> {
    let filing = out.required("filing_indicator", &claim.filing_indicator, 2)?;
    // SBR02 is 18 (self) when the subscriber is the patient, and not used otherwise.
    let relationship = if claim.patient.is_some() { "" } else { "18" };
    out.segment("SBR", &["P", relationship, "", "", "", "", "", "", &filing]);
    let subscriber = &claim.subscriber;
    let (name_field, address_field) = if claim.patient.is_some() {
        (
            "administrative.subscriber.name / administrative.member_id",
            "administrative.subscriber.address",
        )
    } else {
        ("patient.name / administrative.member_id", "patient.address")
    };
    out.name(
        "IL",
        true,
        &subscriber.name,
        "MI",
        &subscriber.member_id,
        name_field,
    )?;
    out.address(&subscriber.address, address_field)?;
    demographics(out, subscriber.birth_date, subscriber.sex);
    out.organization(
        "PR",
        &claim.payer_name,
        "PI",
        &claim.payer_id,
        "administrative.payer",
    )
}

/// Loop 2300 and its lines.
fn claim_loop(out: &mut Out, profile: &BillingProfile, claim: &Claim) -> Result<(), WriteError> {
    let id = out.required("encounter id (CLM01)", &claim.id, 38)?;
    let total = out.amount("total charge (CLM02)", claim.total())?;
    let facility = out.composite(&[claim.place_of_service.as_str(), "B", claim.frequency.code()]);
    out.segment("CLM", &[&id, &total, "", "", &facility, "Y", "A", "Y", "Y"]);
    if let Some(date) = claim.initial_treatment {
        out.segment("DTP", &["454", "D8", &date.format("%Y%m%d").to_string()]);
    }
    if let Some(date) = claim.last_seen {
        out.segment("DTP", &["304", "D8", &date.format("%Y%m%d").to_string()]);
    }
    if let Some(auth) = &claim.prior_authorization {
        let auth = out.required("administrative.authorization", auth, 50)?;
        out.segment("REF", &["G1", &auth]);
    }
    if let Some(number) = &claim.payer_claim_number {
        let number = out.required("payer claim control number", number, 50)?;
        out.segment("REF", &["F8", &number]);
    }
    let codes: Vec<String> = claim
        .diagnoses
        .iter()
        .enumerate()
        .map(|(i, dx)| out.composite(&[if i == 0 { "ABK" } else { "ABF" }, dx.as_str()]))
        .collect();
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    out.segment("HI", &code_refs);
    if let Some(referring) = &claim.referring {
        out.name(
            "DN",
            true,
            &referring.name,
            "XX",
            referring.npi.as_str(),
            "administrative.referring_provider.name",
        )?;
    }
    if let Some(rendering) = &claim.rendering {
        out.name(
            "82",
            true,
            &rendering.name,
            "XX",
            rendering.npi.as_str(),
            "compliance.rendering.name",
        )?;
        let taxonomy = out.required("rendering taxonomy", &rendering.taxonomy, 50)?;
        out.segment("PRV", &["PE", "PXC", &taxonomy]);
    }
    if let Some(facility) = &profile.service_facility {
        out.organization(
            "77",
            &facility.name,
            "XX",
            facility.npi.as_str(),
            "service_facility",
        )?;
        out.address(&facility.address, "service_facility.address")?;
    }
    if let Some(supervising) = &claim.supervising {
        out.name(
            "DQ",
            true,
            &supervising.name,
            "XX",
            supervising.npi.as_str(),
            "compliance.rendering.supervising_name",
        )?;
    }
    for (index, line) in claim.lines.iter().enumerate() {
        out.segment("LX", &[&(index + 1).to_string()]);
        let mut procedure = vec!["HC", line.code.as_str()];
        procedure.extend(line.modifiers.iter().map(|m| m.as_str()));
        let procedure = out.composite(&procedure);
        let pointers: Vec<String> = line.diagnosis_pointers.iter().map(u8::to_string).collect();
        let pointer_refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let pointers = out.composite(&pointer_refs);
        let charge = out.amount("line charge (SV102)", line.charge)?;
        out.segment(
            "SV1",
            &[
                &procedure,
                &charge,
                "UN",
                &line.units.to_string(),
                "",
                "",
                &pointers,
            ],
        );
        out.segment(
            "DTP",
            &["472", "D8", &line.date.format("%Y%m%d").to_string()],
        );
        let control = out.required("line control number (REF*6R)", &line.control_number, 50)?;
        out.segment("REF", &["6R", &control]);
    }
    Ok(())
}
