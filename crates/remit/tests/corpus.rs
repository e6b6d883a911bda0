#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

//! Every adjustment in the public corpus 835s gets a category with an explanation; the
//! denials there are assessed as a biller would read them. The corpus is an external check:
//! these tests say they are skipped where it is absent, and the project's own 835 fixtures
//! (`fixtures.rs`) are assessed on every clone.

use cleanclaim_model::Cents;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use cleanclaim_test_support::Corpus;
use std::sync::LazyLock;

use cleanclaim_remit::{Category, CategoryMap, ClaimOutcome, assess};
use cleanclaim_x12::x835::{RemitItem, RemitReader};

static MAP: LazyLock<CategoryMap> = LazyLock::new(|| CategoryMap::builtin().unwrap());

fn outcomes(path: &Path) -> Vec<ClaimOutcome<'static>> {
    RemitReader::new(fs::read(path).unwrap().as_slice())
        .filter_map(|item| match item.unwrap() {
            RemitItem::Claim(claim) => Some(assess(&claim, &MAP)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_corpus_adjustment_is_categorized_and_explained() {
    let Some(corpus) = Corpus::find("every_corpus_adjustment_is_categorized_and_explained") else {
        return;
    };
    let mut unmapped = BTreeSet::new();
    for path in corpus.files("x12-835") {
        for outcome in outcomes(&path) {
            for adjustment in &outcome.adjustments {
                assert!(!adjustment.why().is_empty());
                if adjustment.category == Category::Other {
                    unmapped.insert(adjustment.reason.to_string());
                }
            }
        }
    }
    // Nothing in the corpus falls through to `other` for want of an entry.
    assert_eq!(
        unmapped.into_iter().collect::<Vec<_>>(),
        Vec::<String>::new()
    );
}

#[test]
fn the_emedny_sample_denies_for_timely_filing() {
    let Some(corpus) = Corpus::find("the_emedny_sample_denies_for_timely_filing") else {
        return;
    };
    let outcomes = outcomes(&corpus.file("x12-835", "edi835parser__emedny_sample.txt"));
    let denied: Vec<_> = outcomes.iter().filter(|o| o.denied).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].cause, Some(Category::TimelyFiling));
    assert_eq!(denied[0].denied_lines, 2);
    assert_eq!(denied[0].denied_cents, Cents(3_400));
}

#[test]
fn the_managed_care_sample_is_contractual_and_patient_share_only() {
    let Some(corpus) =
        Corpus::find("the_managed_care_sample_is_contractual_and_patient_share_only")
    else {
        return;
    };
    for outcome in outcomes(&corpus.file("x12-835", "lfh-x12__managed-care.835")) {
        assert!(!outcome.denied);
        assert_eq!(outcome.cause, None);
        let categories: BTreeSet<_> = outcome.adjustments.iter().map(|a| a.category).collect();
        assert_eq!(
            categories,
            [Category::Contractual, Category::PatientResponsibility].into()
        );
    }
}
