//! Element rules of the interchange and group envelope (ISA, GS, GE, IEA), the same for
//! every transaction set: a bad GS05 is as wrong in a 999 as in an 837P.
//!
//! Source: ASC X12 005010 implementation guides, appendix B (the ISA/IEA and GS/GE control
//! segments, identical in X222A1, X221A1, X214 and X231A1); GS01 functional identifier codes
//! from X12.6 (data element 479).

use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;
use crate::x837::elements::{Element, Kind, check_against, r};

const PARTY_QUALIFIERS: Kind = Kind::Id(&["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"]);

const ISA: &[Element] = &[
    r(2, 2, Kind::Id(&["00", "03"])),
    r(10, 10, Kind::Text),
    r(2, 2, Kind::Id(&["00", "01"])),
    r(10, 10, Kind::Text),
    r(2, 2, PARTY_QUALIFIERS),
    r(15, 15, Kind::Text),
    r(2, 2, PARTY_QUALIFIERS),
    r(15, 15, Kind::Text),
    r(6, 6, Kind::Date),
    r(4, 4, Kind::Time),
    r(1, 1, Kind::Text),
    // ISA12: a version other than 00501 is refused as a version, not as a bad code.
    r(5, 5, Kind::Integer),
    r(9, 9, Kind::Integer),
    r(1, 1, Kind::Id(&["0", "1"])),
    r(1, 1, Kind::Id(&["P", "T"])),
    r(1, 1, Kind::Text),
];

const GS: &[Element] = &[
    r(2, 2, Kind::Id(&FUNCTIONAL_IDS)),
    r(2, 15, Kind::Text),
    r(2, 15, Kind::Text),
    r(8, 8, Kind::Date),
    r(4, 8, Kind::Time),
    r(1, 9, Kind::Integer),
    r(1, 2, Kind::Id(&["X"])),
    r(1, 12, Kind::Text),
];

const GE: &[Element] = &[r(1, 6, Kind::Integer), r(1, 9, Kind::Integer)];
const IEA: &[Element] = &[r(1, 5, Kind::Integer), r(9, 9, Kind::Integer)];

/// GS01 for each health care transaction set (ST01) of 005010.
const FUNCTIONAL_GROUPS: [(&str, &str); 10] = [
    ("837", "HC"),
    ("835", "HP"),
    ("999", "FA"),
    ("277", "HN"),
    ("276", "HR"),
    ("270", "HS"),
    ("271", "HB"),
    ("278", "HI"),
    ("834", "BE"),
    ("820", "RA"),
];
/// GS01's code list: the groups above (a test keeps the two in step).
const FUNCTIONAL_IDS: [&str; 10] = ["HC", "HP", "FA", "HN", "HR", "HS", "HB", "HI", "BE", "RA"];

/// ISA, GE and IEA: their rules do not depend on what the interchange carries.
pub(crate) fn check(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    let rules = match segment.id() {
        "ISA" => ISA,
        "GE" => GE,
        "IEA" => IEA,
        _ => return,
    };
    check_against(rules, segment, errors);
}

/// GS, once its first transaction set says what the group carries: GS01 must name that set's
/// functional group.
pub(crate) fn check_group(gs: &Segment<'_>, set_code: &str, errors: &mut Vec<X12Error>) {
    let before = errors.len();
    check_against(GS, gs, errors);
    let gs01_already_wrong = errors
        .get(before..)
        .unwrap_or_default()
        .iter()
        .any(|e| e.element.is_some_and(|p| p.element == 1));
    if let Some((_, expected)) = FUNCTIONAL_GROUPS.iter().find(|(code, _)| *code == set_code)
        && gs.element(1) != *expected
        && !gs01_already_wrong
    {
        errors.push(gs.element_error(
            1,
            None,
            ErrorKind::BadCode {
                value: gs.element(1).to_owned(),
                expected: format!("{expected} (the functional group of a {set_code})"),
            },
        ));
    }
}

/// Whether the validator implements guides of this version (GS08, or ST03 where present).
pub(crate) fn supported_version(version: &str) -> bool {
    version.starts_with("005010")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs01_codes_are_the_functional_groups() {
        let groups: Vec<&str> = FUNCTIONAL_GROUPS.iter().map(|(_, id)| *id).collect();
        assert_eq!(groups, FUNCTIONAL_IDS);
        assert!(supported_version("005010X222A1") && !supported_version("004010X098A1"));
        assert!(!supported_version("5010"));
    }
}
