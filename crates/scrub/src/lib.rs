//! The therapy claim scrubber. [`Scrubber`] runs the engine's units and modifiers, then the
//! payer rule pack's gates with the history they need (the episode of care, the
//! authorization ledger, the year's visits and spend), and routes every encounter to exactly
//! one work queue with findings a biller and a therapist can act on.
//!
//! History comes from the encounters scrubbed before (a batch is processed in date order per
//! patient) and from context records ([`ContextData`]): plans of care, authorizations and
//! prior usage. Invariant: no I/O; the caller hands in parsed encounters and context text.

mod context;
mod context_index;
mod episode;
mod gates;
mod result;
mod schedule;
mod scrubber;

pub use context::{
    AuthStatus, AuthorizationItem, ContextData, ContextEntry, ContextError, ContextKind,
    PlanRecord, PriorUsage,
};
pub use result::{AuthorizationStanding, BenefitStanding, ScrubFinding, ScrubResult};
pub use schedule::{ScheduleGap, ScheduleProblem, ScheduledVisit, check_schedule};
pub use scrubber::{LedgerEntry, ScrubOptions, Scrubber};
