//! Units and modifiers for outpatient therapy claims.
//!
//! [`Engine::derive`] turns one [`cleanclaim_model::Encounter`] into billed lines (code, units,
//! modifiers, charge), the claim's place of service, and findings. Every unit count and every
//! modifier carries a reason a person can read, with the policy it comes from.
//!
//! The billing facts are data ([`Catalogue`], [`RulePacks`], [`Thresholds`], [`PtpTable`],
//! [`MueTable`], [`DiagnosisRules`]),
//! shipped inside the binary and replaceable; the rules are small functions named after what
//! they decide.
//!
//! Invariant: no I/O. Data files arrive as text or bytes; the caller reads them.

mod assistant;
mod catalogue;
mod day_pool;
mod diagnosis;
mod engine;
mod error;
mod fee_schedule;
mod finding;
mod line;
mod mue;
mod ncci;
pub mod pack;
mod payer;
pub mod rules;
mod thresholds;
mod units;

pub use assistant::{AssistantSplit, split_timed, split_untimed};
pub use catalogue::{Catalogue, CodeInfo, CodeTiming, EvaluationKind, EvaluationOf, TherapyStatus};
pub use day_pool::{DayShare, EarlierToday, allocate_after};
pub use diagnosis::{Conflict, DiagnosisEdit, DiagnosisRules, PairingGroup, RequiredSex};
pub use engine::{Derivation, Engine, Selection, discipline_modifier};
pub use error::DataError;
pub use fee_schedule::FeeSchedule;
pub use finding::Finding;
pub use line::{AppliedModifier, BilledLine, ModifierReason, PosDecision, PosReason, UnitBasis};
pub use mue::{Adjudication, Mue, MueTable};
pub use ncci::{ModifierIndicator, PtpEdit, PtpTable};
pub use pack::{LifetimeScope, PackError, PackSelection, Period, RulePack, RulePacks};
pub use payer::{PayerPolicy, UnitMethod};
pub use rules::{Queue, Rule, Severity};
pub use thresholds::{Bucket, Thresholds};
pub use units::{PooledShare, Tie, TimedMinutes, allocate_pooled, units_for_minutes};
