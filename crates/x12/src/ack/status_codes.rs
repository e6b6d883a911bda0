//! The code lists of the 277CA's STC01 (and STC10, STC11) composites.
//!
//! Sources: X12 external code source 507 (Health Care Claim Status Category Codes) and 508
//! (Health Care Claim Status Codes), as maintained by the X12 Code Maintenance Committee; the
//! values here match the lists pyx12 4.0.0 ships (map/codes.xml), which were checked against
//! them.

/// Code source 507.
const CATEGORIES: &[&str] = &[
    "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "D0", "E0", "E1", "E2", "E3", "E4", "F0",
    "F1", "F2", "F3", "F3F", "F3N", "F4", "F5", "P0", "P1", "P2", "P3", "P4", "P5", "R0", "R1",
    "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "R16",
    "R17", "RQ", "X0",
];

/// Code source 508 holds numbers from 0 up; these were never assigned or have been retired.
/// Numbers above the last one the list held when this table was written are accepted: the
/// committee adds codes every few months, and a new code must not fail a valid file.
const NOT_STATUS_CODES: &[u16] = &[36, 43, 58, 62, 63, 74, 75, 76, 77, 79, 80, 82, 151];

pub(crate) fn is_category(code: &str) -> bool {
    CATEGORIES.contains(&code)
}

pub(crate) fn is_status(code: &str) -> bool {
    if code.is_empty() || code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    code.parse::<u16>()
        .is_ok_and(|n| !NOT_STATUS_CODES.contains(&n))
}

/// The names of the lists, for messages.
pub(crate) const CATEGORY_LIST: &str = "the claim status category codes (code source 507)";
pub(crate) const STATUS_LIST: &str = "the claim status codes (code source 508)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_status_codes_come_from_their_lists() {
        assert!(is_category("A2") && is_category("A7") && is_category("F3N"));
        assert!(!is_category("A9") && !is_category("a2") && !is_category(""));
        assert!(is_status("0") && is_status("20") && is_status("771") && is_status("812"));
        assert!(!is_status("36") && !is_status("151") && !is_status("2O") && !is_status(""));
        assert!(!is_status("12345"));
    }
}
