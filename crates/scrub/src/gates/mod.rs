//! The scrubber's gates: each looks at one visit with its history and raises findings of
//! built-in rules. The pack decides (per date) whether a gate runs and how severe it is.

pub(crate) mod authorization;
pub(crate) mod claim_data;
pub(crate) mod coding;
pub(crate) mod documentation;
pub(crate) mod filing;
pub(crate) mod orders;
pub(crate) mod same_day;

use chrono::NaiveDate;
use cleanclaim_billing::{Derivation, Engine, Period, Rule};
use cleanclaim_model::{Encounter, PlanOfCare, ProcedureCode};

/// What the episode of care says about this visit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EpisodeView {
    /// The episode's first treatment day.
    pub start: NaiveDate,
    /// This visit's treatment day number.
    pub treatment_day: u32,
    /// Treatment days in this visit's week (Monday on), this one included.
    pub days_this_week: u32,
    /// Treatment days since the last clinician progress report (or since the episode began),
    /// including this one; the larger of the scrubber's count and the EMR's.
    pub days_since_report: u32,
    /// The last report counted, if any.
    pub last_report: Option<NaiveDate>,
    /// Initial evaluations billed in the episode before this visit.
    pub evaluations_before: u32,
}

/// One visit, as the gates see it.
pub(crate) struct Visit<'a, 'e> {
    pub encounter: &'a Encounter,
    pub engine: &'e Engine,
    pub derivation: &'a Derivation<'e>,
    pub period: &'e Period,
    /// The encounter's plan of care, or the one on file for its date.
    pub plan: Option<&'a PlanOfCare>,
    pub episode: EpisodeView,
    /// The date the caller judges as of (`--as-of`), if any.
    pub as_of: Option<NaiveDate>,
}

/// A finding a gate raised, before the pack's severity is applied.
#[derive(Debug)]
pub(crate) struct Raised {
    pub rule: &'static Rule,
    pub message: String,
    pub code: Option<ProcedureCode>,
}

impl Raised {
    pub fn new(rule: &'static Rule, message: String) -> Self {
        Self {
            rule,
            message,
            code: None,
        }
    }

    pub fn on(rule: &'static Rule, code: ProcedureCode, message: String) -> Self {
        Self {
            rule,
            message,
            code: Some(code),
        }
    }
}
