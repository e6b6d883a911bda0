//! The 837P (005010X222A1) implementation guide: loop structure, element rules and
//! cross-segment rules.

pub mod elements;
pub mod schema;
mod semantics;
mod walker;

pub use semantics::Semantics;
pub use walker::LoopWalker;

/// Whether a transaction set is one this module knows: an 837 of the professional guide.
/// X222A2 is the later errata; its loop structure is the same as A1's.
pub fn is_professional(code: &str, version: &str) -> bool {
    code == "837" && version.starts_with("005010X222")
}
