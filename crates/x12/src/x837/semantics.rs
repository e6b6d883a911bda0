//! 837P rules that span segments: the HL hierarchy, service line numbering, diagnosis
//! pointers, and the claim total balancing to its lines.
//!
//! Sources: 005010X222A1 section 2.3.2.1 (HL structure: billing provider 20, subscriber 22
//! under 20, patient 23 under 22; HL04 says whether children follow), the LX01 note (numbers
//! start at 1 and increase by 1 within a claim), the SV107 note (pointers refer to HI
//! positions 1-12), and the CLM02 note (the total claim charge must equal the sum of SV102).

/// A charge below zero: the guide's amounts are what was billed, never credits.
const NEGATIVE_CHARGE: &str = "a charge is never negative";

use crate::error::{ErrorKind, X12Error};
use cleanclaim_model::Cents;

use crate::money::parse_cents;
use crate::token::{Segment, tag};
use std::collections::HashMap;

#[derive(Debug)]
struct Level {
    code: String,
    has_children_flag: Option<bool>,
    saw_children: bool,
    ordinal: usize,
    offset: usize,
}

#[derive(Debug, Default)]
struct OpenClaim {
    ordinal: usize,
    offset: usize,
    declared: Option<Cents>,
    /// None once the line charges add up past what an amount can hold.
    lines_total: Option<Cents>,
    diagnoses: usize,
    next_line: u64,
}

/// Cross-segment checks for one transaction set.
#[derive(Debug, Default)]
pub struct Semantics {
    levels: HashMap<String, Level>,
    order: Vec<String>,
    claim: Option<OpenClaim>,
}

fn hierarchy(segment: &Segment<'_>, element: usize, message: String) -> X12Error {
    segment.element_error(element, None, ErrorKind::Hierarchy(message))
}

impl Semantics {
    pub fn feed(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        const HL: u32 = tag("HL");
        const CLM: u32 = tag("CLM");
        const LX: u32 = tag("LX");
        const SV1: u32 = tag("SV1");
        const HI: u32 = tag("HI");
        match segment.tag() {
            HL => {
                self.close_claim(errors);
                self.hl(segment, errors);
            }
            CLM => {
                self.close_claim(errors);
                let declared = parse_cents(segment.element(2));
                if declared.is_some_and(Cents::is_negative) {
                    errors.push(segment.element_error(
                        2,
                        None,
                        ErrorKind::Structure(NEGATIVE_CHARGE.to_owned()),
                    ));
                }
                self.claim = Some(OpenClaim {
                    ordinal: segment.ordinal,
                    offset: segment.offset,
                    declared,
                    lines_total: Some(Cents::ZERO),
                    next_line: 1,
                    ..OpenClaim::default()
                });
            }
            HI if matches!(segment.component(1, 1), "ABK" | "BK") => {
                if let Some(claim) = &mut self.claim {
                    claim.diagnoses = segment.elements().filter(|e| !e.is_empty()).count();
                }
            }
            LX => {
                if let Some(claim) = &mut self.claim {
                    let number = segment.element(1).parse::<u64>().ok();
                    if number != Some(claim.next_line) {
                        errors.push(segment.element_error(
                            1,
                            None,
                            ErrorKind::Structure(format!(
                                "service lines are numbered from 1 in steps of 1: expected {}",
                                claim.next_line
                            )),
                        ));
                    }
                    claim.next_line += 1;
                }
            }
            SV1 => self.service_line(segment, errors),
            _ => {}
        }
    }

    fn hl(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        let id = segment.element(1).to_owned();
        let parent = segment.element(2);
        let code = segment.element(3).to_owned();
        let expected = (self.order.len() + 1).to_string();
        if id != expected {
            errors.push(hierarchy(
                segment,
                1,
                format!("HL01 must number levels 1, 2, 3... in order: expected {expected}"),
            ));
        }
        let wanted_parent = match code.as_str() {
            "20" => None,
            "22" => Some("20"),
            "23" => Some("22"),
            _ => return,
        };
        match (wanted_parent, parent) {
            (None, "") => {}
            (None, _) => errors.push(hierarchy(
                segment,
                2,
                "a billing provider level (20) has no parent".into(),
            )),
            (Some(level), "") => errors.push(hierarchy(
                segment,
                2,
                format!("a level {code} needs a parent HL of level {level}"),
            )),
            (Some(level), parent) => match self.levels.get_mut(parent) {
                None => errors.push(hierarchy(
                    segment,
                    2,
                    format!("parent HL {parent:?} does not appear before this level"),
                )),
                Some(found) if found.code != level => errors.push(hierarchy(
                    segment,
                    2,
                    format!(
                        "the parent of a level {code} must be a level {level}, not {}",
                        found.code
                    ),
                )),
                Some(found) => found.saw_children = true,
            },
        }
        let has_children_flag = match segment.element(4) {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        if self.levels.contains_key(&id) {
            // HL01 already reported the repeat; the first level of that id keeps its children.
            return;
        }
        self.levels.insert(
            id.clone(),
            Level {
                code,
                has_children_flag,
                saw_children: false,
                ordinal: segment.ordinal,
                offset: segment.offset,
            },
        );
        self.order.push(id);
    }

    fn service_line(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        let Some(claim) = &mut self.claim else {
            return;
        };
        if let Some(charge) = parse_cents(segment.element(2)) {
            if charge.is_negative() {
                errors.push(segment.element_error(
                    2,
                    None,
                    ErrorKind::Structure(NEGATIVE_CHARGE.to_owned()),
                ));
            }
            claim.lines_total = claim
                .lines_total
                .and_then(|total| total.checked_add(charge));
        }
        for (index, pointer) in segment.components(7).enumerate() {
            let Ok(number) = pointer.parse::<usize>() else {
                continue;
            };
            if number == 0 || number > claim.diagnoses {
                errors.push(segment.element_error(
                    7,
                    Some(index + 1),
                    ErrorKind::Structure(format!(
                        "diagnosis pointer {number} points past the {} diagnosis code(s) in HI",
                        claim.diagnoses
                    )),
                ));
            }
        }
    }

    fn close_claim(&mut self, errors: &mut Vec<X12Error>) {
        let Some(claim) = self.claim.take() else {
            return;
        };
        let Some(lines_total) = claim.lines_total else {
            errors.push(
                X12Error {
                    segment: claim.ordinal,
                    id: "CLM".into(),
                    element: None,
                    offset: claim.offset,
                    kind: ErrorKind::Structure(
                        "the service line charges add up past what an amount can hold".into(),
                    ),
                }
                .with_element(2, None),
            );
            return;
        };
        if let Some(declared) = claim.declared
            && declared != lines_total
        {
            errors.push(
                X12Error {
                    segment: claim.ordinal,
                    id: "CLM".into(),
                    element: None,
                    offset: claim.offset,
                    kind: ErrorKind::Structure(format!(
                        "total claim charge {} does not equal the sum of its service line charges {}",
                        crate::money::format_cents(declared),
                        crate::money::format_cents(lines_total)
                    )),
                }
                .with_element(2, None),
            );
        }
    }

    /// At SE: the last claim's balance, and every HL04 against the levels that followed.
    pub fn finish(&mut self, errors: &mut Vec<X12Error>) {
        self.close_claim(errors);
        for id in &self.order {
            let Some(level) = self.levels.get(id) else {
                continue;
            };
            if let Some(flag) = level.has_children_flag
                && flag != level.saw_children
            {
                errors.push(
                    X12Error {
                        segment: level.ordinal,
                        id: "HL".into(),
                        element: None,
                        offset: level.offset,
                        kind: ErrorKind::Hierarchy(format!(
                            "HL04 is {} but {} level names this one as its parent",
                            u8::from(flag),
                            if level.saw_children {
                                "a later"
                            } else {
                                "no later"
                            }
                        )),
                    }
                    .with_element(4, None),
                );
            }
        }
    }
}
