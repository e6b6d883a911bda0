//! What cleanclaim makes of a payer's answer: every adjustment of an 835 put into a root-cause
//! category (from a CARC/RARC map that users can override), each claim assessed as paid,
//! partly denied or denied, and remittance claims and lines linked back to what we submitted.
//!
//! Invariant: no I/O. The default map is compiled in; an override is text the caller read.

pub mod assess;
pub mod category;
pub mod link;
pub mod map;

pub use assess::{AssessedAdjustment, ClaimOutcome, assess};
pub use category::Category;
pub use link::{ClaimLink, LineLink, Submitted, link};
pub use map::{Basis, Categorized, CategoryMap, MapEntry, MapError};
