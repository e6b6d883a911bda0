//! 837P element rules that depend on the loop a segment is in, not only on its id: NM108
//! (the identification code qualifier) and AMT01 (the amount qualifier) differ per loop.
//!
//! Source: ASC X12N 005010X222A1, the NM1 and AMT segment detail of each loop. NM108 is
//! "Not Used" where a loop carries no identifier (2010AB pay-to address, 2010CA patient,
//! 2310E/F and 2420G/H ambulance locations, and the other payer's providers in 2330C-G).

use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;

/// NM108 by loop: the codes allowed, or `None` where the guide marks it Not Used.
const NM108: &[(&str, Option<&[&str]>)] = &[
    ("1000A", Some(&["46"])),
    ("1000B", Some(&["46"])),
    ("2010AA", Some(&["XX"])),
    ("2010AB", None),
    ("2010AC", Some(&["PI", "XV"])),
    ("2010BA", Some(&["II", "MI"])),
    ("2010BB", Some(&["PI", "XV"])),
    ("2010CA", None),
    ("2310A", Some(&["XX"])),
    ("2310B", Some(&["XX"])),
    ("2310C", Some(&["XX"])),
    ("2310D", Some(&["XX"])),
    ("2310E", None),
    ("2310F", None),
    ("2330A", Some(&["II", "MI"])),
    ("2330B", Some(&["PI", "XV"])),
    ("2330C", None),
    ("2330D", None),
    ("2330E", None),
    ("2330F", None),
    ("2330G", None),
    ("2420A", Some(&["XX"])),
    ("2420B", Some(&["XX"])),
    ("2420C", Some(&["XX"])),
    ("2420D", Some(&["XX"])),
    ("2420E", Some(&["XX"])),
    ("2420F", Some(&["XX"])),
    ("2420G", None),
    ("2420H", None),
];

/// AMT01 by loop. `AMT*F2` (patient responsibility) was a 4010 qualifier; 005010 has none
/// such in 2320.
const AMT01: &[(&str, &[&str])] = &[
    ("2300", &["F5"]),
    ("2320", &["D", "A8", "EAF"]),
    ("2400", &["T", "F4"]),
    ("2430", &["EAF"]),
];

/// Checks `segment`, which the loop walker placed in `loop_id`.
pub(crate) fn check(loop_id: &str, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
    match segment.id() {
        "NM1" => {
            let Some((_, allowed)) = NM108.iter().find(|(id, _)| *id == loop_id) else {
                return;
            };
            let value = segment.element(8);
            match allowed {
                None if !value.is_empty() => errors.push(segment.element_error(
                    8,
                    None,
                    ErrorKind::NotUsed("this loop carries no identifier in 005010X222A1"),
                )),
                Some(codes) if !value.is_empty() && !codes.contains(&value) => {
                    errors.push(bad_code(segment, 8, value, codes, loop_id));
                }
                _ => {}
            }
        }
        "AMT" => {
            let Some((_, codes)) = AMT01.iter().find(|(id, _)| *id == loop_id) else {
                return;
            };
            let value = segment.element(1);
            if value.is_empty() {
                errors.push(segment.element_error(1, None, ErrorKind::MissingElement));
            } else if !codes.contains(&value) {
                errors.push(bad_code(segment, 1, value, codes, loop_id));
            }
        }
        _ => {}
    }
}

fn bad_code(
    segment: &Segment<'_>,
    n: usize,
    value: &str,
    codes: &[&str],
    loop_id: &str,
) -> X12Error {
    segment.element_error(
        n,
        None,
        ErrorKind::BadCode {
            value: value.to_owned(),
            expected: format!("{} in loop {loop_id}", codes.join(", ")),
        },
    )
}
