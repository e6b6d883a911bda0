#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! `POST /fhir/Bundle` on both backends: a visit bundle is stored in one intake and answered
//! with a transaction-response; the visit and its plan of care are then the service's; an
//! invalid bundle is refused whole with an OperationOutcome (nothing stored); a bundle for
//! another clinic is forbidden and audited.

mod support;

use cleanclaim_app::access::Role;
use cleanclaim_test_support::{TestDatabase, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::Server;

on_both_backends!(a_bundle_is_stored_whole_or_refused_with_an_outcome);

const BUNDLE: &str = include_str!("../../emr/tests/data/bundle.json");

async fn post_bundle(server: &Server, role: Role, bundle: Value) -> (StatusCode, Value) {
    server
        .call_as(Some(role), Method::POST, "/fhir/Bundle", Some(bundle))
        .await
}

async fn a_bundle_is_stored_whole_or_refused_with_an_outcome(database: TestDatabase) {
    let server = Server::start(database).await;
    let bundle: Value = serde_json::from_str(BUNDLE).unwrap();

    // Invalid first: a Procedure that ends before it starts. Nothing may be stored.
    let mut invalid = bundle.clone();
    invalid["entry"][11]["resource"]["performedPeriod"]["end"] = json!("2026-03-09T09:00:00-06:00");
    let (status, outcome) = post_bundle(&server, Role::Integration, invalid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{outcome}");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(
        outcome["issue"][0]["expression"][0],
        "Bundle.entry[11].resource.performedPeriod"
    );
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters/V-20260309-1001",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another clinic's visit: forbidden for a north user.
    let mut south = bundle.clone();
    south["entry"][7]["resource"]["location"][0]["location"]["identifier"]["value"] =
        json!("south");
    let (status, outcome) = post_bundle(&server, Role::Integration, south).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "forbidden");

    // An unknown clinic is refused with its path.
    let mut nowhere = bundle.clone();
    nowhere["entry"][7]["resource"]["location"][0]["location"]["identifier"]["value"] =
        json!("west");
    let (status, outcome) = post_bundle(&server, Role::Admin, nowhere).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{outcome}");
    assert_eq!(
        outcome["issue"][0]["expression"][0],
        "Bundle.entry[7].resource.location"
    );

    // The bundle as sent: stored, with one response entry per entry.
    let (status, answer) = server
        .call_as(
            Some(Role::Integration),
            Method::POST,
            "/fhir/Bundle",
            Some(bundle.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["type"], "transaction-response");
    let entries = answer["entry"].as_array().unwrap();
    assert_eq!(entries.len(), bundle["entry"].as_array().unwrap().len());
    assert_eq!(entries[7]["response"]["status"], "201 Created");
    assert_eq!(
        entries[7]["response"]["location"],
        "Encounter/V-20260309-1001"
    );
    assert_eq!(
        entries[12]["response"]["outcome"]["issue"][0]["severity"],
        "information"
    );
    let (status, visit) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters/V-20260309-1001",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{visit}");
    // The plan of care came with it: no plan-of-care hold.
    let findings = visit.to_string();
    assert!(!findings.contains("doc.plan-of-care-missing"), "{findings}");

    // Sent again: the same visit, updated, not doubled.
    let (status, again) = post_bundle(&server, Role::Integration, bundle).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["entry"][7]["response"]["status"], "200 OK");
    server.stop().await;
}
