//! The 835 (005010X221A1) remittance advice: a streaming reader that yields the payment, each
//! claim with its lines and adjustments, and provider-level adjustments.

pub(crate) mod elements;
mod fields;
pub mod read;
pub mod remit;
pub mod schema;
pub mod synthetic;

pub(crate) use read::RemitChecker;
pub use read::RemitReader;
pub use remit::{
    Adjustment, AdjustmentGroup, ClaimPayment, ClaimStatus, LinePayment, Party, PayeeIds, Payment,
    ProviderAdjustment, RemitItem, TransactionTotals,
};
pub use synthetic::SyntheticRemittance;

/// Whether a transaction set is an 835 of the 5010 guide (X221, or its errata X221A1), whose
/// loop structure the validator checks. Older 835s are read, not checked against a guide.
pub fn is_remittance_advice(code: &str, version: &str) -> bool {
    code == "835" && version.starts_with("005010X221")
}
