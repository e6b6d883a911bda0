//! The 835 (005010X221A1) remittance advice: a streaming reader that yields the payment, each
//! claim with its lines and adjustments, and provider-level adjustments.

mod fields;
pub mod read;
pub mod remit;
pub mod synthetic;

pub use read::RemitReader;
pub use remit::{
    Adjustment, AdjustmentGroup, ClaimPayment, ClaimStatus, LinePayment, Party, PayeeIds, Payment,
    ProviderAdjustment, RemitItem, TransactionTotals,
};
pub use synthetic::SyntheticRemittance;
