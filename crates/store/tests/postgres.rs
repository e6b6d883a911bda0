#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]
//! Against the PostgreSQL server CI runs beside the tests (`DATABASE_URL`, default the local
//! `test` database). Each test uses its own sender id, so runs never collide.

use cleanclaim_store::{Store, StoreError, SubmittedClaim};
use std::collections::HashSet;

fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn sender(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{nanos}", std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_numbers_never_repeat_even_when_reserved_concurrently() {
    let store = Store::connect(&url()).await.unwrap();
    let sender = sender("concurrent");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        let sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            store.reserve_controls(&sender, 3).await.unwrap()
        }));
    }
    let mut interchanges = HashSet::new();
    let mut transactions = HashSet::new();
    for task in tasks {
        let controls = task.await.unwrap();
        assert!(interchanges.insert(controls.interchange));
        for st in controls.first_transaction..controls.first_transaction + 3 {
            assert!(transactions.insert(st), "ST02 {st} reserved twice");
        }
    }
    assert_eq!(interchanges, (1..=16).collect());
    assert_eq!(transactions.len(), 48);
}

#[tokio::test]
async fn numbers_survive_a_new_connection() {
    let sender = sender("restart");
    let first = Store::connect(&url())
        .await
        .unwrap()
        .reserve_controls(&sender, 1)
        .await
        .unwrap();
    let second = Store::connect(&url())
        .await
        .unwrap()
        .reserve_controls(&sender, 1)
        .await
        .unwrap();
    assert_eq!((first.interchange, second.interchange), (1, 2));
}

#[tokio::test]
async fn exhausted_numbers_fail_instead_of_wrapping() {
    let store = Store::connect(&url()).await.unwrap();
    let sender = sender("exhausted");
    store.reserve_controls(&sender, 999_999_998).await.unwrap();
    let error = store.reserve_controls(&sender, 2).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Exhausted { kind: "ST", .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_submission_is_recorded_whole_or_not_at_all() {
    let store = Store::connect(&url()).await.unwrap();
    let sender = sender("record");
    let claim = SubmittedClaim {
        claim_id: format!("{sender}-C1"),
        frequency: "1".into(),
        transaction_control: 1,
        total_cents: 13400,
        line_controls: vec!["C1-1".into(), "C1-2".into()],
    };
    store
        .record_submission(&sender, 1, std::slice::from_ref(&claim))
        .await
        .unwrap();
    // The same claim twice in one interchange violates the key: nothing of this batch lands.
    let other = SubmittedClaim {
        claim_id: format!("{sender}-C2"),
        ..claim.clone()
    };
    assert!(
        store
            .record_submission(&sender, 2, &[other.clone(), claim.clone(), claim.clone()])
            .await
            .is_err()
    );
    assert!(
        store
            .submissions_of(&other.claim_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.submissions_of(&claim.claim_id).await.unwrap(),
        [(1, "1".to_owned())]
    );
}
