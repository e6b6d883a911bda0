#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The audit log on both backends: concurrent writers extend one unbroken chain; the database
//! refuses to change or delete a row; and when someone with the database owner's rights does
//! it anyway (triggers dropped), verification names the edited, deleted or reordered row.

use cleanclaim_store::{AuditEvent, AuditOutcome, ChainBreak, Store};
use cleanclaim_test_support::{TestDatabase, on_both_backends};
use sqlx::Connection;

on_both_backends!(
    concurrent_writers_extend_one_unbroken_chain,
    the_database_refuses_to_change_or_delete_a_row,
    an_edited_row_is_found,
    a_deleted_row_is_found,
    reordered_rows_are_found,
);

fn event(actor: &str, n: usize) -> AuditEvent {
    AuditEvent {
        actor: actor.to_owned(),
        action: "read".into(),
        resource: "encounter".into(),
        resource_id: Some(format!("E{n}")),
        patient_id: Some(format!("P{n}")),
        clinic_id: Some("north".into()),
        outcome: AuditOutcome::Success,
    }
}

/// Runs SQL straight on the database, as its owner would: no store, no checks.
async fn raw(url: &str, statements: &[&str]) -> Result<(), sqlx::Error> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        for sql in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut conn)
                .await?;
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        for sql in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut conn)
                .await?;
        }
    }
    Ok(())
}

/// The statements that take the append-only guard away.
fn drop_guard(url: &str) -> Vec<&'static str> {
    if url.starts_with("sqlite:") {
        vec![
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
        ]
    } else {
        vec!["ALTER TABLE audit_events DISABLE TRIGGER USER"]
    }
}

async fn ten_rows(database: &TestDatabase) -> Store {
    let store = Store::connect(database.url()).await.unwrap();
    for n in 1..=10 {
        store.audit(&[event("ana", n)]).await.unwrap();
    }
    let verification = store.verify_audit().await.unwrap();
    assert_eq!(verification.rows, 10);
    assert!(verification.breaks.is_empty());
    store
}

async fn concurrent_writers_extend_one_unbroken_chain(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let mut writers = Vec::new();
    for writer in 0..4 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..25 {
                store
                    .audit(&[event(&format!("user{writer}"), n), event("batch", n)])
                    .await
                    .unwrap();
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let verification = store.verify_audit().await.unwrap();
    assert_eq!(verification.rows, 200);
    assert!(verification.breaks.is_empty(), "{:?}", verification.breaks);
    assert_eq!(verification.head.as_ref().unwrap().0, 200);
}

async fn the_database_refuses_to_change_or_delete_a_row(database: TestDatabase) {
    let store = ten_rows(&database).await;
    for sql in [
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
        "DELETE FROM audit_events WHERE seq = 3",
    ] {
        let refused = raw(database.url(), &[sql]).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }
    if !database.url().starts_with("sqlite:") {
        assert!(
            raw(database.url(), &["TRUNCATE audit_events"])
                .await
                .is_err()
        );
    }
    assert!(store.verify_audit().await.unwrap().breaks.is_empty());
    assert_eq!(store.verify_audit().await.unwrap().rows, 10);
}

async fn an_edited_row_is_found(database: TestDatabase) {
    let store = ten_rows(&database).await;
    let mut statements = drop_guard(database.url());
    statements.push("UPDATE audit_events SET patient_id = 'P999' WHERE seq = 4");
    raw(database.url(), &statements).await.unwrap();
    let breaks = store.verify_audit().await.unwrap().breaks;
    assert_eq!(breaks, vec![ChainBreak::Edited { seq: 4 }]);
}

async fn a_deleted_row_is_found(database: TestDatabase) {
    let store = ten_rows(&database).await;
    let mut statements = drop_guard(database.url());
    statements.push("DELETE FROM audit_events WHERE seq = 6");
    raw(database.url(), &statements).await.unwrap();
    let breaks = store.verify_audit().await.unwrap().breaks;
    assert!(
        breaks.contains(&ChainBreak::Gap {
            seq: 7,
            expected: 6
        }),
        "{breaks:?}"
    );
    assert!(breaks.contains(&ChainBreak::Link { seq: 7 }), "{breaks:?}");
    // Renumbering the rows after it to hide the gap breaks their hashes instead.
    raw(
        database.url(),
        &["UPDATE audit_events SET seq = seq - 1 WHERE seq > 6"],
    )
    .await
    .unwrap();
    let breaks = store.verify_audit().await.unwrap().breaks;
    assert!(
        breaks.contains(&ChainBreak::Edited { seq: 6 }),
        "{breaks:?}"
    );
}

async fn reordered_rows_are_found(database: TestDatabase) {
    let store = ten_rows(&database).await;
    let mut statements = drop_guard(database.url());
    // Swap rows 3 and 4, hashes and all.
    statements.extend([
        "UPDATE audit_events SET seq = 1000 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = 1000",
    ]);
    raw(database.url(), &statements).await.unwrap();
    let breaks = store.verify_audit().await.unwrap().breaks;
    assert!(breaks.contains(&ChainBreak::Link { seq: 3 }), "{breaks:?}");
    assert!(
        breaks.contains(&ChainBreak::Edited { seq: 3 }),
        "{breaks:?}"
    );
}
