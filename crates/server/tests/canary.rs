#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! No PHI in the service's logs: a whole session of work on both backends (stores, reads,
//! lists, corrections, bad bodies, failed logins, queue comments) made of canary values, with
//! every log line the process writes captured; none may hold a canary.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use cleanclaim_app::access::Role;
use cleanclaim_test_support::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Server, encounters_at};

const CANARIES: [&str; 8] = [
    "CANARYFAMILYZQ",
    "CANARYGIVENZQ",
    "CANARYMEMBERZQ",
    "CANARYMRNZQ",
    "CANARYENCZQ",
    "CANARYCOMMENTZQ",
    "CANARYPASSWORDZQ",
    "CANARYSTREETZQ",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test process, from every thread.
fn captured() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .init();
        log
    })
}

async fn work(database: TestDatabase) {
    let server = Server::start(database).await;
    let mut encounters = encounters_at(21, 3, "north", None);
    for (n, encounter) in encounters.iter_mut().enumerate() {
        encounter.id = format!("CANARYENCZQ-{n}");
        encounter.patient.id = format!("CANARYMRNZQ-{n}");
        encounter.patient.name.family = "CANARYFAMILYZQ".into();
        encounter.patient.name.given = "CANARYGIVENZQ".into();
        encounter.administrative.member_id = format!("CANARYMEMBERZQ{n}");
        if let Some(address) = encounter.patient.address.as_mut() {
            address.line1 = "1 CANARYSTREETZQ".into();
        }
        let (status, body) = server.post_encounter(Role::Integration, encounter).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let first = &encounters[0];
    let path = format!("/api/encounters/{}", first.id);
    let (status, _) = server
        .call_as(Some(Role::Biller), Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters?after=CANARYENCZQ-0&payer=CANARYMEMBERZQ",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Bad bodies that carry canaries in the wrong places.
    let mut bad = serde_json::to_value(first).unwrap();
    bad["date_of_service"] = json!("CANARYFAMILYZQ");
    bad["patient"]["birth_date"] = json!("CANARYGIVENZQ");
    let (status, body) = server
        .call_as(
            Some(Role::Integration),
            Method::POST,
            "/api/encounters",
            Some(bad),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !body.to_string().contains("CANARY"),
        "the answer quotes a value: {body}"
    );
    let (status, _) = server
        .call_as(
            Some(Role::Integration),
            Method::PUT,
            "/api/encounters/CANARYENCZQ-9",
            Some(serde_json::to_value(first).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = server
        .call(
            Method::POST,
            "/api/session",
            None,
            Some(json!({"username": "biller_north", "password": "CANARYPASSWORDZQ"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, items) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/queue-items", None)
        .await;
    let item = items["items"][0]["id"].as_i64().unwrap();
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            &format!("/api/queue-items/{item}/comments"),
            Some(json!({"text": "called CANARYFAMILYZQ about CANARYCOMMENTZQ"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_phi_reaches_the_log_on_either_backend() {
    let log = captured();
    work(TestDatabase::sqlite()).await;
    work(TestDatabase::create()).await;
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.matches("route=/api/encounters").count() >= 10,
        "the log holds the requests:\n{text}"
    );
    assert!(
        text.contains("route=/api/encounters/{id}"),
        "routes are logged as templates"
    );
    for canary in CANARIES {
        assert!(
            !text.contains(canary),
            "`{canary}` reached the log:\n{text}"
        );
    }
}
