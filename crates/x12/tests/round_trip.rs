#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]
//! Invariants of the 837P writer over generated claims: what is written validates clean and
//! reads back to the same claims, and data holding a delimiter is never written.

use chrono::NaiveDate;
use cleanclaim_model::{
    Cents, Icd10Cm, Modifier, Npi, PersonName, PlaceOfService, PostalAddress, ProcedureCode,
    Relationship, Sex,
};
use cleanclaim_x12::x837::{
    BillingProfile, Claim, ClaimFrequency, ControlNumbers, DependentPatient, NamedProvider,
    RenderingProvider, ServiceLine, Subscriber, WriteOptions, read_claims, write_837p,
};
use cleanclaim_x12::{Delimiters, validate};
use proptest::prelude::*;

fn profile() -> BillingProfile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/billing.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn options() -> WriteOptions {
    WriteOptions {
        delimiters: Delimiters::default(),
        created: NaiveDate::from_ymd_opt(2025, 1, 2)
            .unwrap()
            .and_hms_opt(8, 30, 0)
            .unwrap(),
        controls: ControlNumbers {
            interchange: 7,
            group: 7,
            first_transaction: 1,
        },
        line_breaks: false,
    }
}

const CODES: &[&str] = &[
    "97110", "97112", "97116", "97140", "97530", "97535", "92507", "97161", "G0283",
];
const MODIFIERS: &[&str] = &["GP", "GO", "GN", "CQ", "CO", "59", "KX", "95", "XU"];
const DIAGNOSES: &[&str] = &[
    "M1711", "R2689", "M6281", "Z96651", "M25561", "R296", "Z9181", "M5450", "R4701", "I69320",
    "S83511A", "M7551", "G8191",
];

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9][A-Za-z0-9 .,'&/()-]{{0,{}}}", max - 1))
        .unwrap()
        .prop_map(|s| s.trim_end().to_owned())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2020..2027i32, 1..=12u32, 1..=28u32)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn name() -> impl Strategy<Value = PersonName> {
    (text(30), text(20)).prop_map(|(family, given)| PersonName { family, given })
}

fn npi() -> impl Strategy<Value = Npi> {
    (100_000_000u32..200_000_000).prop_map(Npi::with_check_digit)
}

fn line(id: String, n: usize, diagnoses: usize) -> impl Strategy<Value = ServiceLine> {
    let max_pointers = diagnoses.min(4);
    (
        proptest::sample::select(CODES),
        proptest::sample::subsequence(MODIFIERS, 0..=4),
        1..200_000i64,
        1..30u32,
        1..=max_pointers,
        date(),
    )
        .prop_map(
            move |(code, modifiers, charge, units, pointers, date)| ServiceLine {
                control_number: format!("{id}-{n}"),
                code: code.parse::<ProcedureCode>().unwrap(),
                modifiers: modifiers
                    .iter()
                    .map(|m| m.parse::<Modifier>().unwrap())
                    .collect(),
                charge: Cents(charge),
                units,
                diagnosis_pointers: (1..=u8::try_from(pointers).unwrap()).collect(),
                date,
            },
        )
}

fn claim() -> impl Strategy<Value = Claim> {
    (
        "[A-Z0-9][A-Z0-9-]{0,20}",
        proptest::sample::subsequence(DIAGNOSES, 1..=12),
        1..=12usize,
        proptest::sample::select(&["1", "7", "8"][..]),
        (
            name(),
            "[A-Z0-9]{2,20}",
            date(),
            proptest::sample::select(&[Sex::Female, Sex::Male, Sex::Unknown][..]),
        ),
        (
            text(40),
            proptest::option::of(text(20)),
            "[A-Z][A-Za-z .-]{0,18}[a-z]",
            proptest::sample::select(cleanclaim_x12::codes::STATES),
            "[0-9]{5}([0-9]{4})?",
        ),
        (
            proptest::option::of(text(30)),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        (
            proptest::option::of((npi(), name())),
            proptest::option::of((npi(), name())),
        ),
        (
            proptest::sample::select(&["11", "02", "10", "12", "22"][..]),
            proptest::sample::select(&["MB", "CI", "MC", "WC", "16"][..]),
            text(40),
            "[A-Z0-9]{2,10}",
        ),
        proptest::option::of((
            name(),
            date(),
            proptest::sample::select(&[Sex::Female, Sex::Male, Sex::Unknown][..]),
            proptest::sample::select(
                &[
                    Relationship::Spouse,
                    Relationship::Child,
                    Relationship::LifePartner,
                    Relationship::Other,
                ][..],
            ),
        )),
    )
        .prop_flat_map(
            |(
                id,
                diagnoses,
                line_count,
                frequency,
                person,
                address,
                extras,
                providers,
                payer,
                dependent,
            )| {
                let diagnosis_count = diagnoses.len();
                let lines: Vec<_> = (1..=line_count)
                    .map(|n| line(id.clone(), n, diagnosis_count))
                    .collect();
                (
                    Just((
                        id, diagnoses, frequency, person, address, extras, providers, payer,
                        dependent,
                    )),
                    lines,
                )
            },
        )
        .prop_map(
            |(
                (id, diagnoses, frequency, person, address, extras, providers, payer, dependent),
                lines,
            )| {
                let frequency = ClaimFrequency::from_code(frequency).unwrap();
                let address = PostalAddress {
                    line1: address.0,
                    line2: address.1,
                    city: address.2,
                    state: address.3.to_owned(),
                    zip: address.4,
                };
                Claim {
                    payer_claim_number: (frequency != ClaimFrequency::Original)
                        .then(|| format!("{id}9")),
                    id,
                    frequency,
                    place_of_service: payer.0.parse::<PlaceOfService>().unwrap(),
                    filing_indicator: payer.1.to_owned(),
                    payer_name: payer.2,
                    payer_id: payer.3,
                    subscriber: Subscriber {
                        member_id: person.1,
                        name: person.0,
                        birth_date: person.2,
                        sex: person.3,
                        address: address.clone(),
                    },
                    patient: dependent.map(|(name, birth_date, sex, relationship)| {
                        DependentPatient {
                            relationship,
                            name,
                            birth_date,
                            sex,
                            address,
                        }
                    }),
                    diagnoses: diagnoses
                        .iter()
                        .map(|d| d.parse::<Icd10Cm>().unwrap())
                        .collect(),
                    prior_authorization: extras.0,
                    initial_treatment: extras.1,
                    last_seen: extras.2,
                    referring: providers.0.map(|(npi, name)| NamedProvider { npi, name }),
                    // The same person as the rendering provider keeps the generator small;
                    // the loop is what is checked.
                    supervising: providers
                        .1
                        .clone()
                        .map(|(npi, name)| NamedProvider { npi, name }),
                    rendering: providers.1.map(|(npi, name)| RenderingProvider {
                        npi,
                        name,
                        taxonomy: "225100000X".into(),
                    }),
                    lines,
                }
            },
        )
}

/// Charges no X12 amount carries: negative, or more than 18 digits.
const UNWRITABLE: &[i64] = &[-1, -5000, i64::MAX, 9_000_000_000_000_000_001, i64::MIN];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn read_of_write_is_identity_and_valid(claims in proptest::collection::vec(claim(), 1..4)) {
        let written = write_837p(&profile(), &claims, &options()).unwrap();
        let report = validate(&written);
        prop_assert!(report.is_valid(), "{:?}", report.errors.iter().map(ToString::to_string).collect::<Vec<_>>());
        prop_assert_eq!(read_claims(&written).unwrap(), claims);
    }

    #[test]
    fn a_delimiter_anywhere_in_a_name_is_never_written(mut claim in claim(), at in 0usize..30, delimiter in proptest::sample::select(&['*', ':', '^', '~'][..])) {
        let family = &mut claim.subscriber.name.family;
        let at = at.min(family.len());
        family.insert(at, delimiter);
        prop_assert!(write_837p(&profile(), &[claim], &options()).is_err());
    }

    #[test]
    fn an_amount_the_guide_cannot_carry_is_never_written(mut claim in claim(), charge in proptest::sample::select(UNWRITABLE)) {
        claim.lines[0].charge = cleanclaim_model::Cents(charge);
        let error = write_837p(&profile(), &[claim], &options()).unwrap_err();
        prop_assert!(
            matches!(error, cleanclaim_x12::x837::WriteError::Amount { .. }),
            "{error}"
        );
    }
}
