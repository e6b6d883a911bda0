//! The 999 (005010X231A1) for the validator: its loops as data (see `crate::loops`) and its
//! element rules, checked with the 837P's element engine.
//!
//! Source: ASC X12C 005010X231A1 Implementation Acknowledgment for Health Care Insurance,
//! section 2.4 (transaction set listing) and the segment detail pages for AK1, AK2, IK3,
//! IK4, IK5 and AK9. CTX is left to the reader: its composites vary with the context named.
//!
//! IK5 closes each AK2 loop and AK9 the set, after their child loops. The walker places a
//! loop's own segments before its children, so each trailer is modelled as a one-segment
//! child loop: its presence and count are checked, its place among the children is not.

use crate::error::X12Error;
use crate::loops::{LoopSpec, MANY, child, seg};
use crate::token::{Segment, tag};
use crate::x837::elements::{Element, Kind, check_against, o, r, rc};

/// Whether a transaction set is a 999 of the 5010 guide, whose loops and elements the
/// validator checks.
pub fn is_implementation_acknowledgment(code: &str, version: &str) -> bool {
    code == "999" && version.starts_with("005010X231")
}

/// The 999 transaction set, from ST.
pub static HEADER: LoopSpec = LoopSpec {
    id: "HEADER",
    name: "Transaction set header",
    segments: &[
        seg("ST", "Transaction Set Header", 1, 1),
        seg("AK1", "Functional Group Response Header", 1, 1),
    ],
    children: &[child(&L2000, 0, MANY), child(&TRAILER, 1, 1)],
};

static L2000: LoopSpec = LoopSpec {
    id: "2000",
    name: "Transaction Set Response Header",
    segments: &[seg("AK2", "Transaction Set Response Header", 1, 1)],
    children: &[child(&L2100, 0, MANY), child(&L2000_TRAILER, 1, 1)],
};

static L2100: LoopSpec = LoopSpec {
    id: "2100",
    name: "Error Identification",
    segments: &[
        seg("IK3", "Error Identification", 1, 1),
        // Segment context (up to 9) and business unit identifier (1): one position.
        seg("CTX", "Segment Context / Business Unit Identifier", 0, 10),
    ],
    children: &[child(&L2110, 0, MANY)],
};

static L2110: LoopSpec = LoopSpec {
    id: "2110",
    name: "Implementation Data Element Note",
    segments: &[
        seg("IK4", "Implementation Data Element Note", 1, 1),
        seg("CTX", "Element Context", 0, 10),
    ],
    children: &[],
};

static L2000_TRAILER: LoopSpec = LoopSpec {
    id: "IK5",
    name: "Transaction Set Response Trailer",
    segments: &[seg("IK5", "Transaction Set Response Trailer", 1, 1)],
    children: &[],
};

static TRAILER: LoopSpec = LoopSpec {
    id: "AK9",
    name: "Functional Group Response Trailer",
    segments: &[seg("AK9", "Functional Group Response Trailer", 1, 1)],
    children: &[],
};

/// IK403, IK502–IK506: implementation syntax error codes (X12 code list 718 and 618 as the
/// guide restricts them).
const SYNTAX_ERRORS: Kind = Kind::Id(&[
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
]);
/// AK905–AK909: functional group syntax error codes (code list 716).
const GROUP_ERRORS: Kind = Kind::Id(&[
    "1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15",
]);

/// IK401 (C030): element position, component position, repetition position.
const POSITION_IN_SEGMENT: &[Element] = &[
    r(1, 2, Kind::Integer),
    o(1, 2, Kind::Integer),
    o(1, 4, Kind::Integer),
];

/// Checks the elements of a 999 segment (AK1, AK2, IK3, IK4, IK5, AK9).
pub fn check_elements(segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    if let Some(rules) = rules(segment.tag()) {
        check_against(rules, segment, errors);
    }
}

fn rules(segment: u32) -> Option<&'static [Element]> {
    const AK1: u32 = tag("AK1");
    const AK2: u32 = tag("AK2");
    const IK3: u32 = tag("IK3");
    const IK4: u32 = tag("IK4");
    const IK5: u32 = tag("IK5");
    const AK9: u32 = tag("AK9");
    Some(match segment {
        AK1 => {
            const {
                &[
                    r(
                        2,
                        2,
                        Kind::Id(&["BE", "HB", "HC", "HI", "HN", "HP", "HR", "HS", "RA"]),
                    ),
                    r(1, 9, Kind::Integer),
                    r(1, 12, Kind::Text),
                ]
            }
        }
        AK2 => {
            const {
                &[
                    r(
                        3,
                        3,
                        Kind::Id(&[
                            "270", "271", "276", "277", "278", "820", "834", "835", "837",
                        ]),
                    ),
                    r(4, 9, Kind::Text),
                    o(1, 35, Kind::Text),
                ]
            }
        }
        IK3 => {
            const {
                &[
                    r(2, 3, Kind::Text),
                    r(1, 10, Kind::Integer),
                    o(1, 4, Kind::Text),
                    o(
                        1,
                        3,
                        Kind::Id(&[
                            "1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8",
                        ]),
                    ),
                ]
            }
        }
        IK4 => {
            const {
                &[
                    rc(POSITION_IN_SEGMENT),
                    o(1, 4, Kind::Integer),
                    r(1, 3, SYNTAX_ERRORS),
                    o(1, 99, Kind::Text),
                ]
            }
        }
        IK5 => {
            const {
                &[
                    r(1, 1, Kind::Id(&["A", "E", "M", "R", "W", "X"])),
                    o(1, 3, SYNTAX_ERRORS),
                    o(1, 3, SYNTAX_ERRORS),
                    o(1, 3, SYNTAX_ERRORS),
                    o(1, 3, SYNTAX_ERRORS),
                    o(1, 3, SYNTAX_ERRORS),
                ]
            }
        }
        AK9 => {
            const {
                &[
                    r(1, 1, Kind::Id(&["A", "E", "M", "P", "R", "W", "X"])),
                    r(1, 6, Kind::Integer),
                    r(1, 6, Kind::Integer),
                    r(1, 6, Kind::Integer),
                    o(1, 3, GROUP_ERRORS),
                    o(1, 3, GROUP_ERRORS),
                    o(1, 3, GROUP_ERRORS),
                    o(1, 3, GROUP_ERRORS),
                    o(1, 3, GROUP_ERRORS),
                ]
            }
        }
        _ => return None,
    })
}
