//! Element rules for the 837P segments cleanclaim writes: requirement, length, type and code
//! values.
//!
//! Source: ASC X12N 005010X222A1 segment detail pages. The envelope's elements are the same
//! for every set: `envelope_rules`.
//! Lengths count characters of the value only (a decimal point or minus sign is not counted
//! for R and N types, X12.6 section 3.7).

use crate::codes;
use crate::error::ErrorKind;
use crate::error::X12Error;
use crate::token::{Segment, tag};

#[derive(Debug)]
pub enum Kind {
    /// String: printable characters of the basic and extended sets.
    Text,
    /// Identifier from a code list; an empty list means any code of the right length.
    Id(&'static [&'static str]),
    /// Identifier from an external code list too long to print in a message: its name.
    ListedIn(&'static str, &'static [&'static str]),
    /// Unsigned integer with no decimal point.
    Integer,
    /// Decimal number.
    Decimal,
    /// CCYYMMDD (or YYMMDD when the maximum is 6).
    Date,
    /// HHMM, HHMMSS or HHMMSSDD.
    Time,
    /// A composite: its components' rules.
    Composite(&'static [Element]),
    /// Marked "Not Used" by the guide: any value is an error.
    NotUsed,
}

#[derive(Debug)]
pub struct Element {
    pub required: bool,
    pub min: usize,
    pub max: usize,
    pub kind: Kind,
}

pub(crate) const fn r(min: usize, max: usize, kind: Kind) -> Element {
    Element {
        required: true,
        min,
        max,
        kind,
    }
}

pub(crate) const fn o(min: usize, max: usize, kind: Kind) -> Element {
    Element {
        required: false,
        min,
        max,
        kind,
    }
}

pub(crate) const fn rc(components: &'static [Element]) -> Element {
    Element {
        required: true,
        min: 0,
        max: 0,
        kind: Kind::Composite(components),
    }
}

/// An element the guide marks Not Used.
pub(crate) const fn n() -> Element {
    Element {
        required: false,
        min: 0,
        max: 0,
        kind: Kind::NotUsed,
    }
}

const fn oc(components: &'static [Element]) -> Element {
    Element {
        required: false,
        min: 0,
        max: 0,
        kind: Kind::Composite(components),
    }
}

const ANY: Kind = Kind::Id(&[]);

/// N402: see [`codes::STATES`].
const STATES: Kind = Kind::ListedIn(codes::STATES_NAME, codes::STATES);
const SKIP: Element = o(0, 256, Kind::Text);

/// CLM05: facility code (place of service), qualifier B, claim frequency type.
const CLM05: &[Element] = &[
    r(1, 2, Kind::Text),
    r(1, 2, Kind::Id(&["B"])),
    r(1, 1, Kind::Id(&["1", "7", "8"])),
];
/// C022: code list qualifier and code (HI01..HI12).
const HEALTH_CODE: &[Element] = &[r(1, 3, ANY), r(1, 30, Kind::Text)];
/// C003: product/service id qualifier, procedure code, four modifiers, description.
const SV101: &[Element] = &[
    r(2, 2, Kind::Id(&["ER", "HC", "IV", "WK"])),
    r(1, 48, Kind::Text),
    o(2, 2, Kind::Text),
    o(2, 2, Kind::Text),
    o(2, 2, Kind::Text),
    o(2, 2, Kind::Text),
    o(1, 80, Kind::Text),
];
/// C004: up to four diagnosis code pointers.
const SV107: &[Element] = &[
    r(1, 2, Kind::Integer),
    o(1, 2, Kind::Integer),
    o(1, 2, Kind::Integer),
    o(1, 2, Kind::Integer),
];

/// Segment ids as [`tag`]s, so that looking up rules compares integers, not strings.
mod ids {
    use crate::token::tag;

    pub const AMT: u32 = tag("AMT");
    pub const BHT: u32 = tag("BHT");
    pub const CLM: u32 = tag("CLM");
    pub const DMG: u32 = tag("DMG");
    pub const DTP: u32 = tag("DTP");
    pub const FRM: u32 = tag("FRM");
    pub const HI: u32 = tag("HI");
    pub const HL: u32 = tag("HL");
    pub const LX: u32 = tag("LX");
    pub const N3: u32 = tag("N3");
    pub const N4: u32 = tag("N4");
    pub const NM1: u32 = tag("NM1");
    pub const OI: u32 = tag("OI");
    pub const PAT: u32 = tag("PAT");
    pub const PER: u32 = tag("PER");
    pub const PRV: u32 = tag("PRV");
    pub const REF: u32 = tag("REF");
    pub const SBR: u32 = tag("SBR");
    pub const SE: u32 = tag("SE");
    pub const ST: u32 = tag("ST");
    pub const SV1: u32 = tag("SV1");
}

/// Element rules for a segment id, element 1 first; `None` for segments whose elements are
/// not checked (those cleanclaim never writes).
pub fn rules(id: &str) -> Option<&'static [Element]> {
    Some(match tag(id) {
        ids::ST => {
            const {
                &[
                    r(3, 3, Kind::Id(&["837"])),
                    r(4, 9, Kind::Text),
                    r(1, 35, Kind::Id(&["005010X222A1", "005010X222A2"])),
                ]
            }
        }
        ids::BHT => {
            const {
                &[
                    r(4, 4, Kind::Id(&["0019"])),
                    r(2, 2, Kind::Id(&["00", "18"])),
                    r(1, 50, Kind::Text),
                    r(8, 8, Kind::Date),
                    r(4, 8, Kind::Time),
                    r(2, 2, Kind::Id(&["31", "CH", "RP"])),
                ]
            }
        }
        ids::NM1 => {
            const {
                &[
                    r(2, 3, ANY),
                    r(1, 1, Kind::Id(&["1", "2"])),
                    o(1, 60, Kind::Text),
                    o(1, 35, Kind::Text),
                    o(1, 25, Kind::Text),
                    SKIP,
                    o(1, 10, Kind::Text),
                    // NM108's codes depend on the loop: `loop_rules`.
                    o(1, 2, ANY),
                    o(2, 80, Kind::Text),
                ]
            }
        }
        ids::PER => {
            const {
                &[
                    r(2, 2, Kind::Id(&["IC"])),
                    o(1, 60, Kind::Text),
                    o(2, 2, Kind::Id(&["EM", "FX", "TE", "EX"])),
                    o(1, 256, Kind::Text),
                    o(2, 2, Kind::Id(&["EM", "FX", "TE", "EX"])),
                    o(1, 256, Kind::Text),
                    o(2, 2, Kind::Id(&["EM", "FX", "TE", "EX"])),
                    o(1, 256, Kind::Text),
                ]
            }
        }
        ids::HL => {
            const {
                &[
                    r(1, 12, Kind::Text),
                    o(1, 12, Kind::Text),
                    r(1, 2, Kind::Id(&["20", "22", "23"])),
                    o(1, 1, Kind::Id(&["0", "1"])),
                ]
            }
        }
        ids::PRV => {
            const {
                &[
                    r(1, 3, Kind::Id(&["BI", "PE"])),
                    r(2, 3, Kind::Id(&["PXC"])),
                    r(1, 50, Kind::Text),
                ]
            }
        }
        ids::N3 => const { &[r(1, 55, Kind::Text), o(1, 55, Kind::Text)] },
        ids::N4 => {
            const {
                &[
                    r(2, 30, Kind::Text),
                    o(2, 2, STATES),
                    o(3, 15, ANY),
                    o(2, 3, ANY),
                ]
            }
        }
        ids::REF => const { &[r(2, 3, ANY), r(1, 50, Kind::Text)] },
        ids::SBR => {
            const {
                &[
                    r(
                        1,
                        1,
                        Kind::Id(&["A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"]),
                    ),
                    o(2, 2, ANY),
                    o(1, 50, Kind::Text),
                    o(1, 60, Kind::Text),
                    o(1, 3, ANY),
                    SKIP,
                    SKIP,
                    SKIP,
                    o(
                        1,
                        2,
                        Kind::Id(&[
                            "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS",
                            "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
                        ]),
                    ),
                ]
            }
        }
        ids::DMG => {
            const {
                &[
                    r(2, 3, Kind::Id(&["D8"])),
                    r(1, 35, Kind::Date),
                    r(1, 1, Kind::Id(&["F", "M", "U"])),
                ]
            }
        }
        ids::PAT => const { &[o(2, 2, ANY), SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP] },
        ids::CLM => {
            const {
                &[
                    r(1, 38, Kind::Text),
                    r(1, 18, Kind::Decimal),
                    SKIP,
                    SKIP,
                    rc(CLM05),
                    r(1, 1, Kind::Id(&["N", "Y"])),
                    r(1, 1, Kind::Id(&["A", "B", "C"])),
                    r(1, 1, Kind::Id(&["N", "W", "Y"])),
                    r(1, 1, Kind::Id(&["I", "Y"])),
                    o(1, 1, Kind::Id(&["P"])),
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    SKIP,
                    o(1, 2, ANY),
                ]
            }
        }
        ids::DTP => {
            const {
                &[
                    r(3, 3, ANY),
                    r(2, 3, Kind::Id(&["D8", "RD8"])),
                    r(1, 35, Kind::Text),
                ]
            }
        }
        ids::HI => {
            const {
                &[
                    rc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                    oc(HEALTH_CODE),
                ]
            }
        }
        ids::LX => const { &[r(1, 6, Kind::Integer)] },
        // AMT01's codes depend on the loop: `loop_rules`.
        ids::AMT => const { &[r(1, 3, ANY), r(1, 18, Kind::Decimal)] },
        ids::OI => {
            const {
                &[
                    n(),
                    n(),
                    r(1, 1, Kind::Id(&["N", "W", "Y"])),
                    o(1, 1, Kind::Id(&["P"])),
                    n(),
                    r(1, 1, Kind::Id(&["I", "Y"])),
                ]
            }
        }
        ids::FRM => {
            const {
                &[
                    r(1, 20, Kind::Text),
                    o(1, 1, Kind::Id(&["N", "W", "Y"])),
                    o(1, 50, Kind::Text),
                    o(8, 8, Kind::Date),
                    o(1, 6, Kind::Decimal),
                ]
            }
        }
        ids::SV1 => {
            const {
                &[
                    rc(SV101),
                    r(1, 18, Kind::Decimal),
                    r(2, 2, Kind::Id(&["MJ", "UN"])),
                    r(1, 15, Kind::Decimal),
                    o(1, 2, Kind::Text),
                    SKIP,
                    rc(SV107),
                    SKIP,
                    o(1, 1, Kind::Id(&["Y"])),
                    SKIP,
                    o(1, 1, Kind::Id(&["Y"])),
                    o(1, 1, Kind::Id(&["Y"])),
                ]
            }
        }
        ids::SE => const { &[r(1, 10, Kind::Integer), r(4, 9, Kind::Text)] },
        _ => return None,
    })
}

/// Checks every element of `segment` that has a rule; returns the errors found.
/// N3 and N4 are used unchanged by every 005010 health care guide, so the addresses of other
/// guides' sets (the 835's payer and payee) are checked with the same rules.
pub fn check_address(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    if matches!(segment.tag(), ids::N3 | ids::N4) {
        check(segment, errors);
    }
}

pub fn check(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    if let Some(rules) = rules(segment.id()) {
        check_against(rules, segment, errors);
    }
    // FRM: each question is answered by one of FRM02-FRM05 (005010X222A1 loop 2440).
    if segment.tag() == ids::FRM && (2..=5).all(|n| segment.element(n).is_empty()) {
        errors.push(segment.error(ErrorKind::Structure(
            "FRM answers its question with one of FRM02, FRM03, FRM04 or FRM05; none is present"
                .to_owned(),
        )));
    }
}

/// Checks a segment's elements against `rules` (element 1 first): presence, length, type and
/// code values. Other guides' tables (the 999's) use the same checks.
pub(crate) fn check_against(rules: &[Element], segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    let count = segment.element_count();
    if count > rules.len() {
        errors.push(segment.element_error(
            count,
            None,
            ErrorKind::TooManyElements {
                found: count,
                max: rules.len(),
            },
        ));
    }
    let mut values = [""; 32];
    segment.split_into(&mut values);
    for (index, rule) in rules.iter().enumerate() {
        let n = index + 1;
        let value = values.get(index).copied().unwrap_or("");
        match &rule.kind {
            Kind::Composite(components) => {
                if value.is_empty() {
                    if rule.required {
                        errors.push(segment.element_error(n, None, ErrorKind::MissingElement));
                    }
                    continue;
                }
                let separator = char::from(segment.delimiters().component);
                let mut parts = value.split(separator);
                for (c_index, component_rule) in components.iter().enumerate() {
                    let c = c_index + 1;
                    let part = parts.next().unwrap_or("");
                    if let Err(kind) = check_value(part, component_rule) {
                        errors.push(segment.element_error(n, Some(c), kind));
                    }
                }
            }
            _ => {
                if let Err(kind) = check_value(value, rule) {
                    errors.push(segment.element_error(n, None, kind));
                }
            }
        }
    }
}

fn check_value(value: &str, rule: &Element) -> Result<(), ErrorKind> {
    if value.is_empty() {
        return if rule.required {
            Err(ErrorKind::MissingElement)
        } else {
            Ok(())
        };
    }
    if let Kind::NotUsed = rule.kind {
        return Err(ErrorKind::NotUsed("the guide marks it Not Used"));
    }
    let len = match rule.kind {
        Kind::Decimal | Kind::Integer => value.bytes().filter(u8::is_ascii_digit).count(),
        _ if value.is_ascii() => value.len(),
        _ => value.chars().count(),
    };
    if len < rule.min {
        return Err(ErrorKind::TooShort { len, min: rule.min });
    }
    if len > rule.max {
        return Err(ErrorKind::TooLong { len, max: rule.max });
    }
    match rule.kind {
        Kind::Text | Kind::Composite(_) => {
            if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                Ok(())
            } else {
                Err(ErrorKind::BadValue(
                    "string: a character outside the X12 basic and extended sets",
                ))
            }
        }
        Kind::Id(codes) => {
            if codes.is_empty() || codes.contains(&value) {
                Ok(())
            } else {
                Err(ErrorKind::BadCode {
                    value: value.to_owned(),
                    expected: codes.join(", "),
                })
            }
        }
        Kind::ListedIn(name, codes) => {
            if codes.contains(&value) {
                Ok(())
            } else {
                Err(ErrorKind::BadCode {
                    value: value.to_owned(),
                    expected: (*name).to_owned(),
                })
            }
        }
        Kind::Integer => digits(value)
            .then_some(())
            .ok_or(ErrorKind::BadValue("number (digits only)")),
        Kind::Decimal => decimal(value)
            .then_some(())
            .ok_or(ErrorKind::BadValue("decimal number")),
        Kind::Date => date(value).then_some(()).ok_or(ErrorKind::BadValue("date")),
        Kind::Time => time(value)
            .then_some(())
            .ok_or(ErrorKind::BadValue("time (HHMM[SS[DD]])")),
        Kind::NotUsed => Err(ErrorKind::NotUsed("the guide marks it Not Used")),
    }
}

fn digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

fn decimal(value: &str) -> bool {
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let mut parts = unsigned.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    match parts.next() {
        Some(fraction) => {
            (whole.is_empty() || digits(whole))
                && (fraction.is_empty() || digits(fraction))
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => digits(whole),
    }
}

/// CCYYMMDD, or YYMMDD for the ISA date.
pub fn date(value: &str) -> bool {
    let format = match value.len() {
        8 => "%Y%m%d",
        6 => "%y%m%d",
        _ => return false,
    };
    digits(value) && chrono::NaiveDate::parse_from_str(value, format).is_ok()
}

pub(crate) fn time(value: &str) -> bool {
    if !digits(value) || ![4, 6, 7, 8].contains(&value.len()) {
        return false;
    }
    let field =
        |range: std::ops::Range<usize>| value.get(range).and_then(|v| v.parse::<u32>().ok());
    field(0..2).is_some_and(|h| h < 24)
        && field(2..4).is_some_and(|m| m < 60)
        && field(4..6).is_none_or(|s| s < 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_x12_r_type() {
        for ok in ["12.25", "100", "-5.5", ".5", "5."] {
            assert!(decimal(ok), "{ok}");
        }
        for bad in ["", ".", "1.2.3", "1,5", "+3", "1e5"] {
            assert!(!decimal(bad), "{bad}");
        }
    }

    #[test]
    fn dates_and_times_must_exist() {
        assert!(date("20240229"));
        assert!(!date("20230229"));
        assert!(!date("20002316"));
        assert!(time("0932") && time("093215") && !time("2460") && !time("123"));
    }
}
