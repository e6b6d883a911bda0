//! Reads 837P claims back into [`Claim`]s: the other half of the round trip, and how a
//! resubmission or an audit sees what was sent.

use super::claim::{
    Claim, ClaimFrequency, DependentPatient, NamedProvider, RenderingProvider, ServiceLine,
    Subscriber,
};
use crate::envelope::{EnvelopeChecker, Event};
use crate::error::{ErrorKind, X12Error};
use crate::money::parse_cents;
use crate::token::{Segment, tokenize};
use chrono::NaiveDate;
use cleanclaim_model::{PersonName, PostalAddress, Relationship, Sex};
use std::str::FromStr;

#[derive(Debug, Default)]
struct SubscriberParts {
    member_id: String,
    name: Option<PersonName>,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    address: Option<PostalAddress>,
    filing: String,
    payer_name: String,
    payer_id: String,
}

/// Loop 2000C as read so far.
#[derive(Debug, Default)]
struct PatientParts {
    relationship: Option<Relationship>,
    name: Option<PersonName>,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    address: Option<PostalAddress>,
}

/// A person's N3/N4/DMG, wherever they are read.
trait Demographics {
    fn address(&mut self) -> &mut Option<PostalAddress>;
    fn birth(&mut self) -> (&mut Option<NaiveDate>, &mut Option<Sex>);
}

impl Demographics for SubscriberParts {
    fn address(&mut self) -> &mut Option<PostalAddress> {
        &mut self.address
    }
    fn birth(&mut self) -> (&mut Option<NaiveDate>, &mut Option<Sex>) {
        (&mut self.birth_date, &mut self.sex)
    }
}

impl Demographics for PatientParts {
    fn address(&mut self) -> &mut Option<PostalAddress> {
        &mut self.address
    }
    fn birth(&mut self) -> (&mut Option<NaiveDate>, &mut Option<Sex>) {
        (&mut self.birth_date, &mut self.sex)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Subscriber,
    Patient,
    Payer,
    Rendering,
    Other,
}

fn parse<T: FromStr>(
    segment: &Segment<'_>,
    n: usize,
    c: Option<usize>,
    what: &'static str,
) -> Result<T, X12Error> {
    let text = match c {
        Some(c) => segment.component(n, c),
        None => segment.element(n),
    };
    text.parse()
        .map_err(|_| segment.element_error(n, c, ErrorKind::BadValue(what)))
}

fn date(segment: &Segment<'_>, n: usize) -> Result<NaiveDate, X12Error> {
    NaiveDate::parse_from_str(segment.element(n), "%Y%m%d")
        .map_err(|_| segment.element_error(n, None, ErrorKind::BadValue("date (CCYYMMDD)")))
}

fn person(segment: &Segment<'_>) -> PersonName {
    PersonName {
        family: segment.element(3).to_owned(),
        given: segment.element(4).to_owned(),
    }
}

fn missing(segment: &Segment<'_>, what: &str) -> X12Error {
    segment.error(ErrorKind::Structure(format!("claim has no {what}")))
}

/// Reads every claim of every 837P transaction set in `input`.
pub fn read_claims(input: &str) -> Result<Vec<Claim>, X12Error> {
    let mut envelope = EnvelopeChecker::new();
    let mut claims = Vec::new();
    let mut subscriber = SubscriberParts::default();
    let mut patient: Option<PatientParts> = None;
    let mut claim: Option<Claim> = None;
    let mut entity = Entity::Other;
    let mut in_professional = false;
    for segment in tokenize(input)? {
        let segment = segment?;
        match envelope.feed(&segment)? {
            Event::TransactionStart(header) => {
                in_professional = super::is_professional(&header.code, &header.version);
                continue;
            }
            Event::TransactionEnd => {
                claims.extend(claim.take());
                continue;
            }
            Event::Envelope => continue,
            Event::Body if !in_professional => continue,
            Event::Body => {}
        }
        match (segment.id(), segment.element(1)) {
            ("HL", _) => {
                claims.extend(claim.take());
                match segment.element(3) {
                    "22" => {
                        subscriber = SubscriberParts::default();
                        patient = None;
                    }
                    "23" => {
                        patient = Some(PatientParts::default());
                        entity = Entity::Patient;
                    }
                    _ => {}
                }
            }
            ("SBR", _) => subscriber.filing = segment.element(9).to_owned(),
            ("PAT", _) => {
                if let Some(patient) = &mut patient {
                    patient.relationship =
                        Some(Relationship::from_code(segment.element(1)).ok_or_else(|| {
                            segment.element_error(
                                1,
                                None,
                                ErrorKind::BadValue("relationship code (01, 19, 53, G8)"),
                            )
                        })?);
                }
            }
            ("NM1", "IL") => {
                entity = Entity::Subscriber;
                subscriber.name = Some(person(&segment));
                subscriber.member_id = segment.element(9).to_owned();
            }
            ("NM1", "QC") => {
                entity = Entity::Patient;
                if let Some(patient) = &mut patient {
                    patient.name = Some(person(&segment));
                }
            }
            ("NM1", "PR") => {
                entity = Entity::Payer;
                subscriber.payer_name = segment.element(3).to_owned();
                subscriber.payer_id = segment.element(9).to_owned();
            }
            ("N3" | "N4" | "DMG", _) if claim.is_none() => {
                let person: Option<&mut dyn Demographics> = match entity {
                    Entity::Subscriber => Some(&mut subscriber),
                    Entity::Patient => patient.as_mut().map(|p| p as &mut dyn Demographics),
                    _ => None,
                };
                if let Some(person) = person {
                    demographics(&segment, person)?;
                }
            }
            ("CLM", _) => {
                claims.extend(claim.take());
                entity = Entity::Other;
                claim = Some(start_claim(&segment, &subscriber, patient.as_ref())?);
            }
            (id, qualifier) => {
                if let Some(claim) = &mut claim {
                    claim_segment(claim, &segment, id, qualifier, &mut entity)?;
                }
            }
        }
    }
    envelope.finish()?;
    Ok(claims)
}

/// N3, N4 or DMG of the subscriber or the patient.
fn demographics(segment: &Segment<'_>, person: &mut dyn Demographics) -> Result<(), X12Error> {
    match segment.id() {
        "N3" => {
            *person.address() = Some(PostalAddress {
                line1: segment.element(1).to_owned(),
                line2: Some(segment.element(2).to_owned()).filter(|l| !l.is_empty()),
                city: String::new(),
                state: String::new(),
                zip: String::new(),
            });
        }
        "N4" => {
            if let Some(address) = person.address() {
                address.city = segment.element(1).to_owned();
                address.state = segment.element(2).to_owned();
                address.zip = segment.element(3).to_owned();
            }
        }
        _ => {
            let (birth_date, sex) = person.birth();
            *birth_date = Some(date(segment, 2)?);
            *sex = Some(match segment.element(3) {
                "F" => Sex::Female,
                "M" => Sex::Male,
                "U" => Sex::Unknown,
                _ => {
                    return Err(segment.element_error(
                        3,
                        None,
                        ErrorKind::BadValue("sex code (F, M, U)"),
                    ));
                }
            });
        }
    }
    Ok(())
}

fn dependent(segment: &Segment<'_>, parts: &PatientParts) -> Result<DependentPatient, X12Error> {
    Ok(DependentPatient {
        relationship: parts
            .relationship
            .ok_or_else(|| missing(segment, "patient relationship (PAT)"))?,
        name: parts
            .name
            .clone()
            .ok_or_else(|| missing(segment, "patient name (NM1*QC)"))?,
        birth_date: parts
            .birth_date
            .ok_or_else(|| missing(segment, "patient birth date (DMG)"))?,
        sex: parts
            .sex
            .ok_or_else(|| missing(segment, "patient sex (DMG)"))?,
        address: parts
            .address
            .clone()
            .ok_or_else(|| missing(segment, "patient address (N3/N4)"))?,
    })
}

fn start_claim(
    segment: &Segment<'_>,
    subscriber: &SubscriberParts,
    patient: Option<&PatientParts>,
) -> Result<Claim, X12Error> {
    let frequency = ClaimFrequency::from_code(segment.component(5, 3)).ok_or_else(|| {
        segment.element_error(5, Some(3), ErrorKind::BadValue("claim frequency (1, 7, 8)"))
    })?;
    Ok(Claim {
        id: segment.element(1).to_owned(),
        frequency,
        payer_claim_number: None,
        place_of_service: parse(segment, 5, Some(1), "place of service")?,
        filing_indicator: subscriber.filing.clone(),
        payer_name: subscriber.payer_name.clone(),
        payer_id: subscriber.payer_id.clone(),
        subscriber: Subscriber {
            member_id: subscriber.member_id.clone(),
            name: subscriber
                .name
                .clone()
                .ok_or_else(|| missing(segment, "subscriber name (NM1*IL)"))?,
            birth_date: subscriber
                .birth_date
                .ok_or_else(|| missing(segment, "subscriber birth date (DMG)"))?,
            sex: subscriber
                .sex
                .ok_or_else(|| missing(segment, "subscriber sex (DMG)"))?,
            address: subscriber
                .address
                .clone()
                .ok_or_else(|| missing(segment, "subscriber address (N3/N4)"))?,
        },
        patient: patient.map(|p| dependent(segment, p)).transpose()?,
        diagnoses: Vec::new(),
        prior_authorization: None,
        initial_treatment: None,
        last_seen: None,
        referring: None,
        rendering: None,
        supervising: None,
        lines: Vec::new(),
    })
}

fn claim_segment(
    claim: &mut Claim,
    segment: &Segment<'_>,
    id: &str,
    qualifier: &str,
    entity: &mut Entity,
) -> Result<(), X12Error> {
    let in_line = !claim.lines.is_empty();
    match (id, qualifier) {
        ("DTP", "454") if !in_line => claim.initial_treatment = Some(date(segment, 3)?),
        ("DTP", "304") if !in_line => claim.last_seen = Some(date(segment, 3)?),
        ("DTP", "472") => {
            if let Some(line) = claim.lines.last_mut() {
                line.date = date(segment, 3)?;
            }
        }
        ("REF", "G1") if !in_line => {
            claim.prior_authorization = Some(segment.element(2).to_owned())
        }
        ("REF", "F8") if !in_line => claim.payer_claim_number = Some(segment.element(2).to_owned()),
        ("REF", "6R") => {
            if let Some(line) = claim.lines.last_mut() {
                line.control_number = segment.element(2).to_owned();
            }
        }
        ("HI", _) if matches!(segment.component(1, 1), "ABK" | "BK") => {
            for (n, _) in segment
                .elements()
                .enumerate()
                .filter(|(_, e)| !e.is_empty())
            {
                claim
                    .diagnoses
                    .push(parse(segment, n + 1, Some(2), "ICD-10-CM code")?);
            }
        }
        ("NM1", "DN") => {
            *entity = Entity::Other;
            claim.referring = Some(NamedProvider {
                npi: parse(segment, 9, None, "NPI")?,
                name: person(segment),
            });
        }
        ("NM1", "82") if !in_line => {
            *entity = Entity::Rendering;
            claim.rendering = Some(RenderingProvider {
                npi: parse(segment, 9, None, "NPI")?,
                name: person(segment),
                taxonomy: String::new(),
            });
        }
        ("NM1", "DQ") if !in_line => {
            *entity = Entity::Other;
            claim.supervising = Some(NamedProvider {
                npi: parse(segment, 9, None, "NPI")?,
                name: person(segment),
            });
        }
        ("PRV", "PE") if *entity == Entity::Rendering => {
            if let Some(rendering) = &mut claim.rendering {
                rendering.taxonomy = segment.element(3).to_owned();
            }
        }
        ("NM1", _) => *entity = Entity::Other,
        ("SV1", _) => claim.lines.push(service_line(segment)?),
        _ => {}
    }
    Ok(())
}

fn service_line(segment: &Segment<'_>) -> Result<ServiceLine, X12Error> {
    let mut modifiers = Vec::new();
    for c in 3..=6 {
        if !segment.component(1, c).is_empty() {
            modifiers.push(parse(segment, 1, Some(c), "procedure modifier")?);
        }
    }
    let charge = parse_cents(segment.element(2))
        .ok_or_else(|| segment.element_error(2, None, ErrorKind::BadValue("charge amount")))?;
    let mut diagnosis_pointers = Vec::new();
    for (index, pointer) in segment
        .components(7)
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
    {
        diagnosis_pointers.push(pointer.parse().map_err(|_| {
            segment.element_error(7, Some(index + 1), ErrorKind::BadValue("diagnosis pointer"))
        })?);
    }
    Ok(ServiceLine {
        control_number: String::new(),
        code: parse(segment, 1, Some(2), "procedure code")?,
        modifiers,
        charge,
        units: parse(segment, 4, None, "whole number of units")?,
        diagnosis_pointers,
        date: NaiveDate::default(),
    })
}
