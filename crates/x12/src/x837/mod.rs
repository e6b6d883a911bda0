//! The 837P (005010X222A1): the claim model, the writer and reader, and the implementation
//! guide's loop structure, element rules and cross-segment rules for validation. Building
//! claims from scrubbed encounters is the application layer's (`cleanclaim-app`): this codec
//! knows claims, not encounters' billing.

pub mod claim;
pub mod elements;
pub(crate) mod loop_rules;
pub mod profile;
pub mod read;
pub mod schema;
mod semantics;
pub mod write;

pub use claim::{
    Claim, ClaimFrequency, DependentPatient, MAX_DIAGNOSES, MAX_LINES, NamedProvider,
    RenderingProvider, ServiceLine, Subscriber,
};
pub use profile::BillingProfile;
pub use read::read_claims;
pub use semantics::Semantics;
pub use write::{
    ControlNumbers, WriteError, WriteOptions, transaction_of, transactions_needed, write_837p,
};

/// Whether a transaction set is one this module knows: an 837 of the professional guide.
/// X222A2 is the later errata; its loop structure is the same as A1's.
pub fn is_professional(code: &str, version: &str) -> bool {
    code == "837" && version.starts_with("005010X222")
}
