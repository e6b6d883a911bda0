#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The same suite on both backends: an SQLite file, and the PostgreSQL server CI runs beside
//! the tests (`DATABASE_URL`, default the local `test` database). Each test makes an empty
//! database of its own, so it sees nothing another test or an earlier run left behind.

use cleanclaim_store::{
    Acknowledgment, PostedAdjustment, PostedClaim, RemittanceRecord, Started, Store, StoreError,
    SubmittedClaim,
};
use cleanclaim_test_support::TestDatabase;
use std::collections::HashSet;

fn sender(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{nanos}", std::process::id())
}

async fn control_numbers_never_repeat_even_when_reserved_concurrently(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
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

async fn numbers_survive_a_new_connection(database: TestDatabase) {
    let sender = sender("restart");
    let first = Store::connect(database.url())
        .await
        .unwrap()
        .reserve_controls(&sender, 1)
        .await
        .unwrap();
    let second = Store::connect(database.url())
        .await
        .unwrap()
        .reserve_controls(&sender, 1)
        .await
        .unwrap();
    assert_eq!((first.interchange, second.interchange), (1, 2));
}

async fn exhausted_numbers_fail_instead_of_wrapping(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let sender = sender("exhausted");
    store.reserve_controls(&sender, 999_999_998).await.unwrap();
    let error = store.reserve_controls(&sender, 2).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Exhausted { kind: "ST", .. }),
        "{error}"
    );
}

async fn a_submission_is_recorded_whole_or_not_at_all(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let sender = sender("record");
    let claim = SubmittedClaim {
        claim_id: format!("{sender}-C1"),
        frequency: "1".into(),
        transaction_control: 1,
        total_cents: 13400,
        line_controls: vec!["C1-1".into(), "C1-2".into()],
        billing_npi: "1234567893".into(),
        billing_tax_id: "123456789".into(),
        resend: false,
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

async fn an_835_links_only_to_the_submissions_of_the_provider_it_paid(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    // Two clinics in one database, each with an encounter of the same id.
    let shared_id = format!("{}-1001", sender("shared"));
    let of_clinic = |sender: &str, npi: &str, tin: &str, line: &str| {
        let claim = SubmittedClaim {
            claim_id: shared_id.clone(),
            frequency: "1".into(),
            transaction_control: 1,
            total_cents: 100,
            line_controls: vec![line.to_owned()],
            billing_npi: npi.to_owned(),
            billing_tax_id: tin.to_owned(),
            resend: false,
        };
        (sender.to_owned(), claim)
    };
    let (north, north_claim) = of_clinic(&sender("north"), "1111111112", "111111111", "N-1");
    let (south, south_claim) = of_clinic(&sender("south"), "2222222224", "222222222", "S-1");
    store
        .record_submission(&north, 1, &[north_claim])
        .await
        .unwrap();
    store
        .record_submission(&south, 1, &[south_claim])
        .await
        .unwrap();
    let ids = std::slice::from_ref(&shared_id);
    let lines = |found: std::collections::HashMap<String, Vec<String>>| {
        found.get(&shared_id).cloned().unwrap_or_default()
    };

    let by_npi = store.line_controls_of(ids, "1111111112", "").await.unwrap();
    assert_eq!(lines(by_npi), ["N-1"]);
    let by_tax_id = store.line_controls_of(ids, "", "222222222").await.unwrap();
    assert_eq!(lines(by_tax_id), ["S-1"]);
    // A payee that is neither clinic: no link, rather than the wrong one.
    let stranger = store
        .line_controls_of(ids, "3333333336", "333333333")
        .await
        .unwrap();
    assert!(lines(stranger).is_empty());
    // An 835 naming no payee id links by claim id alone (the latest submission).
    let anonymous = store.line_controls_of(ids, "", "").await.unwrap();
    assert_eq!(lines(anonymous), ["S-1"]);
}

fn remittance<'a>(payer: &'a str, trace: &'a str) -> RemittanceRecord<'a> {
    RemittanceRecord {
        payer_key: payer,
        trace_number: trace,
        payer_name: "ACME HEALTH",
        payment_cents: 12_000,
        payment_date: chrono::NaiveDate::from_ymd_opt(2024, 11, 1),
        method: "ACH",
    }
}

fn posted(claim_id: &str, cause: Option<&str>) -> PostedClaim {
    PostedClaim {
        claim_id: claim_id.into(),
        matched: true,
        status: "1".into(),
        charge_cents: 20_000,
        paid_cents: 12_000,
        patient_responsibility_cents: 3_000,
        payer_claim_number: "PCN1".into(),
        denied: cause.is_some(),
        denied_lines: i32::from(cause.is_some()),
        denied_cents: 0,
        cause: cause.map(str::to_owned),
        needs_review: false,
        adjustments: vec![PostedAdjustment {
            line_control: Some(format!("{claim_id}-1")),
            group: "CO".into(),
            reason: "45".into(),
            amount_cents: 5_000,
            category: "contractual".into(),
        }],
    }
}

async fn the_same_payment_is_posted_once(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let payer = sender("payer");
    let mut posting = store.begin_posting().await.unwrap();
    let Started::New(id) = posting.start(&remittance(&payer, "EFT1")).await.unwrap() else {
        panic!("a new trace number is new")
    };
    posting
        .add_claims(
            id,
            0,
            &[posted("R1", None), posted("R2", Some("authorization"))],
        )
        .await
        .unwrap();
    // The same trace twice in one file: the second is the duplicate.
    assert!(matches!(
        posting.start(&remittance(&payer, "EFT1")).await.unwrap(),
        Started::Duplicate { .. }
    ));
    posting.commit().await.unwrap();
    let claims = store.posted_claims(id).await.unwrap();
    assert_eq!(
        claims,
        [
            ("R1".to_owned(), false, None, false),
            (
                "R2".to_owned(),
                true,
                Some("authorization".to_owned()),
                false
            )
        ]
    );

    let mut again = store.begin_posting().await.unwrap();
    assert!(matches!(
        again.start(&remittance(&payer, "EFT1")).await.unwrap(),
        Started::Duplicate { .. }
    ));
    // Another payer may use the same trace number.
    let other = format!("{payer}-other");
    assert!(matches!(
        again.start(&remittance(&other, "EFT1")).await.unwrap(),
        Started::New(_)
    ));
}

async fn an_abandoned_posting_leaves_nothing(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let payer = sender("abandoned");
    {
        let mut posting = store.begin_posting().await.unwrap();
        let Started::New(id) = posting.start(&remittance(&payer, "EFT9")).await.unwrap() else {
            panic!("new")
        };
        posting
            .add_claims(id, 0, &[posted("A1", None)])
            .await
            .unwrap();
        // Dropped without commit: the file failed half way.
    }
    let mut posting = store.begin_posting().await.unwrap();
    assert!(matches!(
        posting.start(&remittance(&payer, "EFT9")).await.unwrap(),
        Started::New(_)
    ));
}

async fn two_postings_of_one_payment_at_once_post_it_once(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let payer = sender("race");
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        let payer = payer.clone();
        tasks.push(tokio::spawn(async move {
            let mut posting = store.begin_posting().await.unwrap();
            let started = posting.start(&remittance(&payer, "EFT5")).await.unwrap();
            posting.commit().await.unwrap();
            matches!(started, Started::New(_))
        }));
    }
    let mut new = 0;
    for task in tasks {
        new += usize::from(task.await.unwrap());
    }
    assert_eq!(new, 1);
}

async fn acknowledgments_are_recorded_once_per_source_and_reference(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let sender = sender("ack");
    let claim = SubmittedClaim {
        claim_id: format!("{sender}-K1"),
        frequency: "1".into(),
        transaction_control: 41,
        total_cents: 100,
        line_controls: vec!["K1-1".into()],
        billing_npi: String::new(),
        billing_tax_id: String::new(),
        resend: false,
    };
    store
        .record_submission(&sender, 7, std::slice::from_ref(&claim))
        .await
        .unwrap();
    assert_eq!(
        store.claims_in_transaction(&sender, 41).await.unwrap(),
        std::slice::from_ref(&claim.claim_id)
    );
    let ack = Acknowledgment {
        claim_id: claim.claim_id.clone(),
        source: "999",
        reference: "000000101/0001".into(),
        accepted: false,
        detail: "IK5 R".into(),
    };
    assert_eq!(
        store
            .record_acknowledgments(std::slice::from_ref(&ack))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.record_acknowledgments(&[ack]).await.unwrap(), 0);
    assert_eq!(
        store.acknowledgments_of(&claim.claim_id).await.unwrap(),
        [("999".to_owned(), false, "IK5 R".to_owned())]
    );
}

/// Migrations run once: a second connect applies nothing, and it does not wait on a posting
/// another process holds open (a connect used to take schema locks and deadlock behind it).
async fn a_connect_applies_nothing_twice_and_never_waits_on_a_posting(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    assert_eq!(store.migrate().await.unwrap(), 0);
    assert!(store.migrations().await.unwrap().iter().all(|m| m.2));
    let payer = sender("migrate");
    let mut posting = store.begin_posting().await.unwrap();
    let Started::New(id) = posting.start(&remittance(&payer, "EFT7")).await.unwrap() else {
        panic!("new")
    };
    // Rows in the posting's tables, as `remit --post` holds them until the file ends.
    posting
        .add_claims(id, 0, &[posted("M1", None)])
        .await
        .unwrap();
    let second = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        Store::connect(database.url()),
    )
    .await
    .expect("a connect waited on an open posting")
    .unwrap();
    assert_eq!(second.migrate().await.unwrap(), 0);
    posting.commit().await.unwrap();
}

/// Two runs recording the same original at once: exactly one records it, the other fails
/// whole with the typed error; an original sent again on purpose (`resend`) is allowed.
async fn one_original_per_claim_even_when_two_runs_race(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let sender = sender("race-claims");
    let claim = SubmittedClaim {
        claim_id: "R-1".into(),
        frequency: "1".into(),
        transaction_control: 1,
        total_cents: 100,
        line_controls: vec!["R-1-1".into()],
        billing_npi: String::new(),
        billing_tax_id: String::new(),
        resend: false,
    };
    let mut runs = Vec::new();
    for interchange in 1..=4u64 {
        let store = store.clone();
        let sender = sender.clone();
        let claim = claim.clone();
        runs.push(tokio::spawn(async move {
            store
                .record_submission(&sender, interchange, std::slice::from_ref(&claim))
                .await
        }));
    }
    let mut recorded = 0;
    for run in runs {
        match run.await.unwrap() {
            Ok(()) => recorded += 1,
            Err(error) => assert!(
                matches!(error, StoreError::AlreadySubmitted { .. }),
                "{error}"
            ),
        }
    }
    assert_eq!(recorded, 1);
    let resend = SubmittedClaim {
        resend: true,
        ..claim.clone()
    };
    store
        .record_submission(&sender, 9, std::slice::from_ref(&resend))
        .await
        .unwrap();
    assert_eq!(store.submissions_of("R-1").await.unwrap().len(), 2);
}

/// An encounter is billed by a claim of its own id or of its id with `-n` (a visit split
/// into several claims), not by a claim whose id merely starts with it.
async fn billed_encounters_are_found_by_claim_id_and_split_suffix(database: TestDatabase) {
    let store = Store::connect(database.url()).await.unwrap();
    let claim = |id: &str| SubmittedClaim {
        claim_id: id.into(),
        frequency: "1".into(),
        transaction_control: 1,
        total_cents: 100,
        line_controls: vec![format!("{id}-1")],
        billing_npi: String::new(),
        billing_tax_id: String::new(),
        resend: false,
    };
    store
        .record_submission("S", 1, &[claim("A"), claim("B-2"), claim("C-X-1")])
        .await
        .unwrap();
    let asked: Vec<String> = ["A", "B", "C", "C-X", "D"].map(String::from).to_vec();
    assert_eq!(
        store.billed_encounters(&asked).await.unwrap(),
        ["A", "B", "C-X"]
    );
}

/// Each write the KPIs count moves the stamp the dashboard keeps its facts under; a comment
/// (which no KPI counts) does not.
async fn every_write_the_kpis_count_moves_their_stamp(database: TestDatabase) {
    use cleanclaim_store::{Filing, IntakeCounts, QueueAction, ScrubRecord, StoredEncounter};
    let store = Store::connect(database.url()).await.unwrap();
    let mut stamp = store.kpi_stamp().await.unwrap();
    fn moved(stamp: &mut cleanclaim_store::KpiStamp, what: &str, now: cleanclaim_store::KpiStamp) {
        assert_ne!(now, *stamp, "{what} left the stamp as it was");
        *stamp = now;
    }

    let mut intake = store.begin_intake().await.unwrap();
    let version = StoredEncounter {
        encounter_id: "K-1".into(),
        version: 1,
        patient_id: "P1".into(),
        date_of_service: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        record: "{\"discipline\":\"ot\"}".into(),
        received: None,
        source: None,
        filing: Filing {
            discipline: Some("ot".into()),
            ..Filing::default()
        },
    };
    let result = ScrubRecord {
        encounter_id: "K-1".into(),
        encounter_version: 1,
        queue: "documentation_hold".into(),
        pack_id: "p".into(),
        pack_version: "1".into(),
        findings: String::new(),
        charge_cents: 100,
        reason: "new".into(),
        claim_basis: None,
    };
    intake.write(&[version], &[result]).await.unwrap();
    intake.commit(IntakeCounts::default()).await.unwrap();
    moved(&mut stamp, "an intake", store.kpi_stamp().await.unwrap());
    let facts = store.kpi_facts().await.unwrap();
    assert_eq!(facts.visits[0].discipline.as_deref(), Some("ot"));
    assert_eq!(facts.holds.len(), 1);

    let item = store.queue_items(None, true).await.unwrap()[0].id;
    let comment = QueueAction::Comment {
        author: "ana".into(),
        text: "called the clinic".into(),
    };
    assert!(store.act_on_queue_item(item, &comment, &[]).await.unwrap());
    assert_eq!(store.kpi_stamp().await.unwrap(), stamp);
    let resolve = QueueAction::Status {
        status: "resolved".into(),
    };
    assert!(store.act_on_queue_item(item, &resolve, &[]).await.unwrap());
    moved(
        &mut stamp,
        "resolving a hold",
        store.kpi_stamp().await.unwrap(),
    );

    let sender = sender("stamp");
    let claim = SubmittedClaim {
        claim_id: "K-1".into(),
        frequency: "1".into(),
        transaction_control: 1,
        total_cents: 100,
        line_controls: vec!["K-1-1".into()],
        billing_npi: String::new(),
        billing_tax_id: String::new(),
        resend: false,
    };
    store
        .record_submission(&sender, 1, std::slice::from_ref(&claim))
        .await
        .unwrap();
    moved(&mut stamp, "a submission", store.kpi_stamp().await.unwrap());
    let ack = Acknowledgment {
        claim_id: "K-1".into(),
        source: "277CA",
        reference: "1".into(),
        accepted: true,
        detail: String::new(),
    };
    store.record_acknowledgments(&[ack]).await.unwrap();
    moved(
        &mut stamp,
        "an acknowledgment",
        store.kpi_stamp().await.unwrap(),
    );
    // Only rejections are read: an accepted verdict changes no KPI.
    assert!(store.kpi_facts().await.unwrap().acknowledgments.is_empty());
    let mut posting = store.begin_posting().await.unwrap();
    let Started::New(id) = posting.start(&remittance(&sender, "EFT9")).await.unwrap() else {
        panic!("a new trace number is new")
    };
    posting
        .add_claims(id, 0, &[posted("K-1", None)])
        .await
        .unwrap();
    posting.commit().await.unwrap();
    moved(&mut stamp, "a posting", store.kpi_stamp().await.unwrap());
}

/// A queue list is scoped by the clinic and rendering NPI of each item's encounter as it
/// latest stands: a new version at another clinic moves its open stay there; a list in a
/// dollars order walks the kept charges.
async fn queue_lists_follow_the_latest_version_of_each_visit(database: TestDatabase) {
    use cleanclaim_store::{
        Filing, IntakeCounts, QueueFilter, QueueOrder, Scope, ScrubRecord, StoredEncounter,
    };
    let store = Store::connect(database.url()).await.unwrap();
    let visit = |id: &str, version: i32, clinic: &str, charge: i64| {
        (
            StoredEncounter {
                encounter_id: id.into(),
                version,
                patient_id: "P1".into(),
                date_of_service: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                record: "{}".into(),
                received: None,
                source: None,
                filing: Filing {
                    clinic_id: Some(clinic.into()),
                    rendering_npi: Some("1245319599".into()),
                    ..Filing::default()
                },
            },
            ScrubRecord {
                encounter_id: id.into(),
                encounter_version: version,
                queue: "documentation_hold".into(),
                pack_id: "p".into(),
                pack_version: "1".into(),
                findings: String::new(),
                charge_cents: charge,
                reason: "new".into(),
                claim_basis: None,
            },
        )
    };
    let take = |batch: Vec<(StoredEncounter, ScrubRecord)>| {
        let store = store.clone();
        async move {
            let (versions, results): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            let mut intake = store.begin_intake().await.unwrap();
            intake.write(&versions, &results).await.unwrap();
            intake.commit(IntakeCounts::default()).await.unwrap();
        }
    };
    take(vec![
        visit("A", 1, "north", 100),
        visit("B", 1, "north", 300),
    ])
    .await;
    let listed = |clinics: Option<Vec<&str>>, npi: Option<&str>, order: QueueOrder| {
        let store = store.clone();
        let scope = Scope {
            clinics: clinics.map(|c| c.into_iter().map(str::to_owned).collect()),
            rendering_npi: npi.map(str::to_owned),
        };
        async move {
            let filter = QueueFilter {
                queue: None,
                open_only: true,
                owner: None,
                clinic_id: None,
                limit: 10,
                order,
            };
            store
                .list_queue_items(&scope, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|item| item.encounter_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(Some(vec!["north"]), None, QueueOrder::Dollars).await,
        ["B", "A"]
    );
    assert!(
        listed(Some(vec!["south"]), None, QueueOrder::Newest)
            .await
            .is_empty()
    );
    assert!(
        listed(None, Some("1003000126"), QueueOrder::Newest)
            .await
            .is_empty()
    );
    // A's second version is south's, and costs more: it moves, and leads the dollars order.
    take(vec![visit("A", 2, "south", 500)]).await;
    assert_eq!(
        listed(Some(vec!["south"]), None, QueueOrder::Newest).await,
        ["A"]
    );
    assert_eq!(
        listed(Some(vec!["north"]), None, QueueOrder::Newest).await,
        ["B"]
    );
    assert_eq!(
        listed(None, Some("1245319599"), QueueOrder::Dollars).await,
        ["A", "B"]
    );
}

cleanclaim_test_support::on_both_backends!(
    control_numbers_never_repeat_even_when_reserved_concurrently,
    numbers_survive_a_new_connection,
    exhausted_numbers_fail_instead_of_wrapping,
    a_submission_is_recorded_whole_or_not_at_all,
    an_835_links_only_to_the_submissions_of_the_provider_it_paid,
    the_same_payment_is_posted_once,
    an_abandoned_posting_leaves_nothing,
    two_postings_of_one_payment_at_once_post_it_once,
    acknowledgments_are_recorded_once_per_source_and_reference,
    a_connect_applies_nothing_twice_and_never_waits_on_a_posting,
    one_original_per_claim_even_when_two_runs_race,
    billed_encounters_are_found_by_claim_id_and_split_suffix,
    every_write_the_kpis_count_moves_their_stamp,
    queue_lists_follow_the_latest_version_of_each_visit,
);

/// A database an earlier cleanclaim made (its tables created on connect, no migration table)
/// takes the first migration without losing a row.
#[tokio::test]
async fn a_postgres_database_from_before_migrations_keeps_its_rows() {
    let database = TestDatabase::create();
    let url = database.url().to_owned();
    let old_schema = include_str!("../migrations/postgres/20261130000001_initial.sql");
    {
        use sqlx::Connection;
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(old_schema)
            .execute(&mut connection)
            .await
            .unwrap();
        sqlx::raw_sql(
            "INSERT INTO x12_control_numbers (sender_id, kind, last) VALUES ('OLD', 'ISA', 41)",
        )
        .execute(&mut connection)
        .await
        .unwrap();
    }
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(
        store.reserve_controls("OLD", 1).await.unwrap().interchange,
        42
    );
}

/// Regression (issue 12): a posting waiting on a lock another (stopped) posting holds gives
/// up after the lock timeout with a typed error, instead of waiting forever without a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_on_a_held_lock_ends_with_a_lock_timeout() {
    let database = TestDatabase::create();
    let holder = Store::connect(database.url()).await.unwrap();
    let payer = sender("lock");
    let mut held = holder.begin_posting().await.unwrap();
    held.start(&remittance(&payer, "EFT3")).await.unwrap();
    // The same payment from another session waits on the first one's uncommitted row.
    let impatient = Store::connect(&format!(
        "{}?options=-c%20lock_timeout%3D300ms",
        database.url()
    ))
    .await
    .unwrap();
    let mut waiting = impatient.begin_posting().await.unwrap();
    let error = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        waiting.start(&remittance(&payer, "EFT3")),
    )
    .await
    .expect("the wait did not end")
    .unwrap_err();
    assert!(matches!(error, StoreError::LockTimeout { .. }), "{error}");
    assert!(error.to_string().contains("another cleanclaim"), "{error}");
    held.rollback().await.unwrap();
}
