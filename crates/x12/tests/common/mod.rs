//! The public sample corpus beside the project (`../shared/corpus`), for the X12 corpus checks:
//! an external check that runs where the corpus exists and says so when it is skipped. The
//! project's own fixtures (`tests/fixtures.rs`) cover the same structures on every clone.

pub use cleanclaim_test_support::Corpus;

/// The corpus, or `None` (after saying the test is skipped) when it is absent.
pub fn corpus(test: &str) -> Option<Corpus> {
    Corpus::find(test)
}
