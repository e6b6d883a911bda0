//! cleanclaim's workflows, in one place that the command line and the coming HTTP server both
//! call: from a scrubbed encounter to the claim (`claim`), and submitting a batch as an 837P
//! (`submit`: scrub, build, check each claim, reserve control numbers, write, deliver,
//! record), reading and posting an 835 (`remittance`), recording acknowledgments
//! (`acknowledgment`), storing encounters and scrubbing them against stored history
//! (`intake`). Codecs stay codecs: the X12 crate knows claims and segments, not encounters; the
//! scrubber knows rules, not files or databases. This crate is where they meet the store.
//!
//! Invariant (checked by `tests/dependencies.rs`): the domain crates (model, billing, scrub,
//! x12, remit) never depend on this crate, on the store, or on each other against the graph
//! in ARCHITECTURE.md; only the CLI (and the server) depend on it.

pub mod access;
pub mod acknowledgment;
pub mod claim;
pub mod claim_basis;
pub mod demo;
pub mod fhir;
pub mod history_cache;
pub mod intake;
pub mod interfaces;
mod kpi_index;
pub mod kpi_periods;
pub mod kpis;
pub mod patient_records;
pub mod queues;
pub mod record;
pub mod remittance;
pub mod schedule;
mod stored;
pub mod submit;
pub mod trace;

pub use acknowledgment::{
    AckPosting, post_acknowledgments, post_acknowledgments_audited, set_summary,
};
pub use claim::{
    BuildError, MAX_DIAGNOSES, MAX_LINES, Resubmission, build_claims, build_claims_from,
};
pub use claim_basis::ClaimBasis;
pub use demo::{
    DemoCounts, DemoError, DemoEvent, DemoOptions, DemoReport, DemoTimes, PAYMENT_LAG_DAYS,
    RUN_OUT_DAYS, run_demo,
};
pub use history_cache::HistoryCache;
pub use intake::{
    Arrival, Change, ChunkReport, Duplicate, Intake, IntakeError, IntakeReport, intake,
    intake_with_cache, judge_filing,
};
pub use queues::{QueueFigures, auto_cleared, queue_figures};
pub use remittance::{
    FileResult, PostingCounts, RemitError, RemitSink, RemitTally, RemittancePoster, read_remittance,
};
pub use schedule::{HistoryError, Unplaced, check_schedule_stored, stored_appointments};
pub use submit::{
    Delivery, Keep, Prepared, Resubmit, SubmitError, SubmitOptions, SubmitReport, Unbilled,
    prepare, prepare_stored, prepare_stored_as_documented, prepare_stored_as_of,
    prepare_stored_within, prepare_with, submit,
};
