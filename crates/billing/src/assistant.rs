//! Which units of a service carry the assistant modifier (CQ for a PTA, CO for an OTA).
//!
//! Sources: SSA §1834(v); CY2020 PFS final rule (84 FR 62702-62707: the 10% de minimis
//! standard, applied per 15-minute unit for timed codes); CY2022 PFS final rule (a unit needs
//! no modifier when the therapist alone meets the billing requirement for it, i.e. furnishes
//! at least 8 of its minutes); CMS "Billing Examples Using CQ/CO Modifiers". Minutes the
//! therapist and assistant spend together count as the therapist's (APTA example C).

use cleanclaim_model::FurnishedBy;

/// How the units of one code split between "with assistant modifier" and "without".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssistantSplit {
    /// Units the assistant furnished in whole or in part beyond de minimis: they carry CQ/CO.
    pub with_modifier: u32,
    /// Units the therapist furnished (or the assistant's share was de minimis).
    pub without_modifier: u32,
    /// Therapist minutes (alone plus together).
    pub therapist_minutes: u32,
    /// Minutes the assistant furnished alone.
    pub assistant_minutes: u32,
}

/// The de minimis standard: an assistant's independent minutes count only when they are more
/// than 10% of the service's minutes (CY2020 PFS final rule).
fn above_de_minimis(assistant_minutes: u32, service_minutes: u32) -> bool {
    u64::from(assistant_minutes) * 10 > u64::from(service_minutes)
}

/// Splits `units` of a timed code. Full 15-minute blocks the therapist furnished alone need no
/// modifier; full blocks the assistant furnished alone need it. Each remaining unit is decided
/// on its leftover minutes: no modifier when the therapist gave at least 8 of them (the
/// midpoint), the modifier when the assistant gave at least 8, and otherwise the modifier when
/// the assistant's share of that unit is above 10% of 15 minutes. When two mixed units remain
/// and each clinician gave 8+ leftover minutes (CY2022: "each 9-14 minutes"), one carries the
/// modifier and one does not.
pub fn split_timed(units: u32, furnished: FurnishedBy) -> AssistantSplit {
    let therapist_minutes = furnished.therapist();
    let assistant_minutes = furnished.assistant_alone;
    let therapist_full = (therapist_minutes / 15).min(units);
    let assistant_full = (assistant_minutes / 15).min(units - therapist_full);
    let mut without_modifier = therapist_full;
    let mut with_modifier = assistant_full;
    let mut therapist_left = therapist_minutes % 15;
    let mut assistant_left = assistant_minutes % 15;
    for _ in 0..units - therapist_full - assistant_full {
        if therapist_left >= 8 {
            without_modifier += 1;
            therapist_left = 0;
        } else if assistant_left >= 8 {
            with_modifier += 1;
            assistant_left = 0;
        } else {
            if above_de_minimis(assistant_left, 15) {
                with_modifier += 1;
            } else {
                without_modifier += 1;
            }
            therapist_left = 0;
            assistant_left = 0;
        }
    }
    AssistantSplit {
        with_modifier,
        without_modifier,
        therapist_minutes,
        assistant_minutes,
    }
}

/// Splits an untimed code's single unit: the modifier applies when the assistant's independent
/// minutes are more than 10% of the service's total time.
pub fn split_untimed(furnished: FurnishedBy) -> AssistantSplit {
    let needs = above_de_minimis(furnished.assistant_alone, furnished.total());
    AssistantSplit {
        with_modifier: u32::from(needs),
        without_modifier: u32::from(!needs),
        therapist_minutes: furnished.therapist(),
        assistant_minutes: furnished.assistant_alone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(therapist_alone: u32, assistant_alone: u32, together: u32) -> FurnishedBy {
        FurnishedBy {
            therapist_alone,
            assistant_alone,
            together,
            student_alone: 0,
        }
    }

    #[test]
    fn therapist_and_assistant_together_needs_no_modifier() {
        // APTA example C: PT and PTA together for 30 minutes of 97112 -> 2 units, no CQ.
        let split = split_timed(2, by(0, 0, 30));
        assert_eq!((split.with_modifier, split.without_modifier), (0, 2));
    }

    #[test]
    fn assistant_ten_therapist_five_is_one_unit_with_modifier() {
        // therapycomply Example A (CY2022): PTA 10 + PT 5 of 97110 = 1 unit with CQ.
        let split = split_timed(1, by(5, 10, 0));
        assert_eq!((split.with_modifier, split.without_modifier), (1, 0));
    }

    #[test]
    fn de_minimis_assistant_minutes_do_not_trigger_the_modifier() {
        // One unit: PT 6 alone, PTA 1 alone, 7 together -> the PTA's 1 minute is under 10%.
        let split = split_timed(1, by(6, 1, 7));
        assert_eq!((split.with_modifier, split.without_modifier), (0, 1));
        // Untimed: PTA 2 of 30 minutes is under 10%; 4 of 30 is over.
        assert_eq!(split_untimed(by(28, 2, 0)).with_modifier, 0);
        assert_eq!(split_untimed(by(26, 4, 0)).with_modifier, 1);
    }

    #[test]
    fn two_mixed_units_of_nine_to_fourteen_minutes_split_one_and_one() {
        // CY2022 rule: PT 12 and PTA 11 of the same code, 2 units -> one with, one without.
        let split = split_timed(2, by(12, 11, 0));
        assert_eq!((split.with_modifier, split.without_modifier), (1, 1));
    }
}
