//! The cleanclaim therapy encounter model.
//!
//! An [`Encounter`] is one patient, one date of service, one discipline's plan of care and one
//! billing provider, grouped in four domains: clinical, timing, administrative, compliance.
//! Codes are validated newtypes and money is integer cents, so a value that exists is valid.
//!
//! Invariant: this crate performs no I/O. It turns JSON text into encounters (and back) and
//! describes the format as a JSON Schema; reading files is the caller's business.

mod administrative;
mod clinical;
mod clock;
mod codes;
mod compliance;
mod date;
mod encounter;
mod error;
mod ingest;
mod money;
mod timing;

pub use administrative::{
    Administrative, Insured, Modality, OrderKind, Payer, PlanType, ReferringProvider, Relationship,
    YearToDateSpend,
};
pub use clinical::{
    Clinical, Goal, GoalStatus, GoalTerm, MAX_DIAGNOSES, Measure, ReEvaluationBasis,
    TestsAndMeasures, VisitType,
};
pub use clock::ClockTime;
pub use codes::{Icd10Cm, Modifier, Npi, PlaceOfService, ProcedureCode};
pub use compliance::{
    Compliance, Frequency, PlanOfCare, ProgressReport, ProviderRole, RenderingProvider,
};
pub use encounter::{Discipline, Encounter, Patient, PersonName, PostalAddress, Sex};
pub use error::{CodeError, EncounterError};
pub use ingest::{Record, parse_encounter, parse_records, redact_quoted, safe_path};
pub use money::Cents;
pub use timing::{Delivery, FurnishedBy, ProcedureLine, Timing};

/// The JSON Schema of the native encounter format, generated from the types above.
pub fn encounter_schema() -> schemars::Schema {
    schemars::schema_for!(Encounter)
}
