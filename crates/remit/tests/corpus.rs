#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

//! Every adjustment in the public corpus 835s gets a category with an explanation; the
//! denials there are assessed as a biller would read them.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use cleanclaim_remit::{Category, CategoryMap, ClaimOutcome, assess};
use cleanclaim_x12::x835::{RemitItem, RemitReader};

static MAP: LazyLock<CategoryMap> = LazyLock::new(|| CategoryMap::builtin().unwrap());

fn outcomes(name: &str) -> Vec<ClaimOutcome<'static>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/x12-835")
        .join(name);
    RemitReader::new(fs::read(&path).unwrap().as_slice())
        .filter_map(|item| match item.unwrap() {
            RemitItem::Claim(claim) => Some(assess(&claim, &MAP)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_corpus_adjustment_is_categorized_and_explained() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/x12-835");
    let mut unmapped = BTreeSet::new();
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        for outcome in outcomes(&name) {
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
    let outcomes = outcomes("edi835parser__emedny_sample.txt");
    let denied: Vec<_> = outcomes.iter().filter(|o| o.denied).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].cause, Some(Category::TimelyFiling));
    assert_eq!(denied[0].denied_lines, 2);
    assert_eq!(denied[0].denied_cents, 3_400);
}

#[test]
fn the_managed_care_sample_is_contractual_and_patient_share_only() {
    for outcome in outcomes("lfh-x12__managed-care.835") {
        assert!(!outcome.denied);
        assert_eq!(outcome.cause, None);
        let categories: BTreeSet<_> = outcome.adjustments.iter().map(|a| a.category).collect();
        assert_eq!(
            categories,
            [Category::Contractual, Category::PatientResponsibility].into()
        );
    }
}
