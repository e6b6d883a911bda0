//! 835 element rules the validator adds to the typed reader's: elements the guide marks Not
//! Used, and the SVC06 composite (the procedure the payer adjudicated, when it differs).
//!
//! Source: ASC X12N 005010X221A1, TS3 (loop 2000) and SVC (loop 2110) segment detail.

use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;
use crate::x837::elements::{Element, Kind, check_address, check_against, n, o, r};

const AMOUNT: Element = o(1, 18, Kind::Decimal);

/// TS3: TS306-TS312, TS314, TS316 and TS319 are Not Used.
const TS3: &[Element] = &[
    r(1, 50, Kind::Text),
    r(1, 2, Kind::Id(&[])),
    r(8, 8, Kind::Date),
    r(1, 15, Kind::Decimal),
    r(1, 18, Kind::Decimal),
    n(),
    n(),
    n(),
    n(),
    n(),
    n(),
    n(),
    AMOUNT,
    n(),
    AMOUNT,
    n(),
    AMOUNT,
    AMOUNT,
    n(),
    AMOUNT,
    AMOUNT,
    AMOUNT,
    o(1, 15, Kind::Decimal),
    AMOUNT,
];

/// SVC06-1: the product or service id qualifier of the code adjudicated.
const SVC06_QUALIFIERS: &[&str] = &["AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK"];

pub(crate) fn check(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    check_address(segment, errors);
    match segment.id() {
        "TS3" => check_against(TS3, segment, errors),
        "SVC" => check_adjudicated_procedure(segment, errors),
        _ => {}
    }
}

fn check_adjudicated_procedure(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    if segment.element(6).is_empty() {
        return;
    }
    let qualifier = segment.component(6, 1);
    if !SVC06_QUALIFIERS.contains(&qualifier) {
        let kind = if qualifier.is_empty() {
            ErrorKind::MissingElement
        } else {
            ErrorKind::BadCode {
                value: qualifier.to_owned(),
                expected: SVC06_QUALIFIERS.join(", "),
            }
        };
        errors.push(segment.element_error(6, Some(1), kind));
    }
    if segment.component(6, 2).is_empty() {
        errors.push(segment.element_error(6, Some(2), ErrorKind::MissingElement));
    }
}
