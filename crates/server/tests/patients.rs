#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! Authorizations through the service, on both backends: a patient's visits held for a missing
//! authorization move when the front desk enters it; the ledger shows what the stored visits
//! used and what is left; a smaller authorization holds the visits past it; another clinic's
//! patient is not found.

mod support;

use std::collections::BTreeMap;

use cleanclaim_app::access::Role;
use cleanclaim_model::{Encounter, PlanType};
use cleanclaim_test_support::{TestDatabase, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Server, encounters_at};

on_both_backends!(an_authorization_moves_held_visits_and_its_ledger_counts_them);

/// The visits of the first Medicaid patient with at least four visits, in date order.
fn medicaid_patient() -> Vec<Encounter> {
    let mut by_patient: BTreeMap<String, Vec<Encounter>> = BTreeMap::new();
    for encounter in encounters_at(41, 600, "north", None) {
        if encounter.administrative.payer.plan == PlanType::Medicaid {
            by_patient
                .entry(encounter.patient.id.clone())
                .or_default()
                .push(encounter);
        }
    }
    let mut visits = by_patient
        .into_values()
        .find(|visits| visits.len() >= 4)
        .unwrap();
    visits.sort_by_key(|e| e.date_of_service);
    visits
}

async fn an_authorization_moves_held_visits_and_its_ledger_counts_them(database: TestDatabase) {
    let server = Server::start(database).await;
    let visits = medicaid_patient();
    let patient = visits[0].patient.id.clone();
    for visit in &visits {
        let (status, body) = server.post_encounter(Role::Integration, visit).await;
        assert!(status.is_success(), "{body}");
    }
    let (_, list) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters?queue=authorization",
            None,
        )
        .await;
    let held = list["items"].as_array().unwrap().len();
    assert!(held > 0, "no authorization on file holds visits: {list}");

    let first = visits.first().unwrap().date_of_service;
    let last = visits.last().unwrap().date_of_service;
    let number = visits[0].administrative.authorization.clone().unwrap();
    let authorization = |allowed: usize| {
        json!({
            "patient_id": patient,
            "payer_id": visits[0].administrative.payer.id,
            "number": number,
            "from": first,
            "to": last,
            "disciplines": [visits[0].discipline],
            "visits": allowed,
        })
    };
    let (status, stored) = server
        .call_as(
            Some(Role::FrontDesk),
            Method::PUT,
            "/api/authorizations",
            Some(authorization(100)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert!(
        stored["changed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["previous_queue"] == "authorization"),
        "{stored}"
    );
    let path = format!("/api/patients/{patient}/authorizations");
    let (status, ledger) = server
        .call_as(Some(Role::Biller), Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    let line = &ledger["authorizations"][0];
    let used = line["used_visits"].as_u64().unwrap();
    assert!(used > 0 && used <= visits.len() as u64, "{ledger}");
    assert_eq!(line["remaining_visits"].as_u64().unwrap(), 100 - used);

    // Fewer visits than were used: the ledger is at zero and a visit is held again.
    let (status, _) = server
        .call_as(
            Some(Role::FrontDesk),
            Method::PUT,
            "/api/authorizations",
            Some(authorization(1)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ledger) = server
        .call_as(Some(Role::Biller), Method::GET, &path, None)
        .await;
    assert_eq!(ledger["authorizations"][0]["remaining_visits"], 0);
    let (_, list) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters?queue=authorization",
            None,
        )
        .await;
    assert!(!list["items"].as_array().unwrap().is_empty(), "{list}");

    // A bad record is refused with the field named; nothing is stored.
    let mut backwards = authorization(5);
    backwards["to"] = json!("2020-01-01");
    let (status, body) = server
        .call_as(
            Some(Role::FrontDesk),
            Method::PUT,
            "/api/authorizations",
            Some(backwards),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "to");

    // A south patient's record is neither read nor written from the north.
    let south = encounters_at(42, 1, "south", None).remove(0);
    let admin = server.login("admin_all", support::PASSWORD).await;
    let (status, _) = server
        .call(
            Method::POST,
            "/api/encounters",
            Some(&admin),
            Some(serde_json::to_value(&south).unwrap()),
        )
        .await;
    assert!(status.is_success());
    let mut theirs = authorization(5);
    theirs["patient_id"] = json!(south.patient.id);
    let (status, _) = server
        .call_as(
            Some(Role::FrontDesk),
            Method::PUT,
            "/api/authorizations",
            Some(theirs),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            &format!("/api/patients/{}/authorizations", south.patient.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}
