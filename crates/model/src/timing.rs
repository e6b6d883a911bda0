//! The timing domain: procedure lines with their minutes, who furnished them, and how.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::ClockTime;
use crate::codes::{Modifier, ProcedureCode};
use crate::money::Cents;

/// How the patient was treated during a line's minutes (MBPM ch.15 §230.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// One patient, one clinician: the only delivery timed codes describe.
    #[default]
    OneOnOne,
    /// Two or more patients doing the same or similar activities (97150).
    Group,
    /// Two patients at once doing different activities; Medicare bills it as group (97150).
    Concurrent,
}

/// Who furnished a line's minutes. Minutes the therapist and the assistant spent together
/// count as the therapist's for the assistant modifier (CMS CQ/CO billing examples; APTA).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FurnishedBy {
    #[serde(default)]
    pub therapist_alone: u32,
    #[serde(default)]
    pub assistant_alone: u32,
    #[serde(default)]
    pub together: u32,
    /// Minutes a student furnished without the therapist in the room; payers differ on
    /// whether these are billable (Medicare Part B: not, MBPM ch.15 §230.B).
    #[serde(default)]
    pub student_alone: u32,
}

impl FurnishedBy {
    /// All minutes of the line.
    pub fn total(self) -> u32 {
        self.therapist_alone
            .saturating_add(self.assistant_alone)
            .saturating_add(self.together)
            .saturating_add(self.student_alone)
    }

    /// Minutes that count as the therapist's: alone plus together.
    pub fn therapist(self) -> u32 {
        self.therapist_alone.saturating_add(self.together)
    }
}

/// One documented procedure: a code and the time spent on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureLine {
    pub code: ProcedureCode,
    /// Direct treatment minutes. Derived from `start`/`stop` or `furnished_by` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<ClockTime>,
    /// The split of the minutes between therapist and assistant. When absent, every minute
    /// was furnished by the rendering provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub furnished_by: Option<FurnishedBy>,
    #[serde(default)]
    pub delivery: Delivery,
    /// The documentation states this service was performed in a separate interval from the
    /// other services of the day: what an NCCI-associated modifier (59/XU) needs.
    #[serde(default)]
    pub separate_interval: bool,
    /// Modifiers the clinic documented itself; the engine derives the rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// The clinic's charge for one unit of this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_per_unit: Option<Cents>,
    /// Units the EMR documented or exported for the line. The payer's method decides what
    /// is billed; a difference is a coding-review finding that shows both, never a silent
    /// override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<u32>,
}

/// The timing domain of an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    pub lines: Vec<ProcedureLine>,
    /// Total treatment time, timed plus untimed (MBPM ch.15 §220.3.E requires it in the note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_treatment_minutes: Option<u32>,
}
