#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

//! The project's own 835 fixtures (`crates/x12/tests/data/fixtures/835`), assessed as a biller
//! would read them, on every clone.

use cleanclaim_model::Cents;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use cleanclaim_remit::{Category, CategoryMap, ClaimOutcome, assess};
use cleanclaim_x12::x835::{RemitItem, RemitReader};

static MAP: LazyLock<CategoryMap> = LazyLock::new(|| CategoryMap::builtin().unwrap());

fn outcomes(name: &str) -> Vec<ClaimOutcome<'static>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../x12/tests/data/fixtures/835")
        .join(name);
    RemitReader::new(std::fs::read(path).unwrap().as_slice())
        .filter_map(|item| match item.unwrap() {
            RemitItem::Claim(claim) => Some(assess(&claim, &MAP)),
            _ => None,
        })
        .collect()
}

#[test]
fn paid_denied_and_partly_denied_claims_get_their_causes() {
    let outcomes = outcomes("paid-and-denied.835");
    assert_eq!(outcomes.len(), 3);

    let paid = &outcomes[0];
    assert!(!paid.denied);
    assert_eq!(paid.cause, None);
    let categories: BTreeSet<_> = paid.adjustments.iter().map(|a| a.category).collect();
    assert_eq!(
        categories,
        [Category::Contractual, Category::PatientResponsibility].into()
    );

    let denied = &outcomes[1];
    assert!(denied.denied);
    assert_eq!(denied.cause, Some(Category::Authorization));
    assert_eq!(
        (denied.denied_lines, denied.denied_cents),
        (1, Cents(15_200))
    );

    // CARC 16 is generic: the remark M127 (missing medical record) says it is documentation.
    let partly = &outcomes[2];
    assert_eq!(partly.cause, Some(Category::Documentation));
    assert_eq!(
        (partly.denied_lines, partly.denied_cents),
        (1, Cents(9_500))
    );
    let why = partly
        .adjustments
        .iter()
        .find(|a| a.reason == "16")
        .unwrap()
        .why();
    assert!(why.contains("M127"), "{why}");
}

#[test]
fn every_fixture_adjustment_is_categorized_and_explained() {
    for name in ["paid-and-denied.835", "bom-crlf-two-interchanges.835"] {
        for outcome in outcomes(name) {
            for adjustment in &outcome.adjustments {
                assert!(!adjustment.why().is_empty());
                assert_ne!(adjustment.category, Category::Other, "{name}");
            }
        }
    }
}
