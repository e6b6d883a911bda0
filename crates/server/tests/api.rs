#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The service over real HTTP on loopback, on SQLite and on PostgreSQL: encounters stored,
//! scrubbed, read and corrected; idempotent creates; clinic scoping with audited refusals;
//! every route against every role; queue work; sessions that expire and accounts that lock.

mod support;

use cleanclaim_app::access::Role;
use cleanclaim_server::policy::Policy;
use cleanclaim_server::routes::table;
use cleanclaim_store::{AuditFilter, Store};
use cleanclaim_test_support::{TestDatabase, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Server, THERAPIST_NPI, encounters_at, user_of};

on_both_backends!(
    an_encounter_is_stored_scrubbed_read_and_corrected,
    a_repeated_idempotency_key_answers_once_and_stores_once,
    another_clinics_record_is_not_found_and_the_refusal_is_audited,
    a_therapist_sees_their_own_visits_only,
    every_route_admits_exactly_its_roles,
    queue_items_are_worked_within_the_callers_clinics,
    bad_input_is_refused_whole_with_the_field_named,
    failed_logins_lock_the_account_and_idle_sessions_expire,
    every_route_with_an_id_hides_another_clinics_records,
    clinicians_are_kept_with_credentials_and_supervisors,
    an_uploaded_rule_pack_is_checked_and_never_run,
);

async fn audit_rows(store: &Store, actor: &str) -> Vec<cleanclaim_store::AuditRow> {
    store
        .audit_events(&AuditFilter {
            actor: Some(actor.to_owned()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

async fn an_encounter_is_stored_scrubbed_read_and_corrected(database: TestDatabase) {
    let server = Server::start(database).await;
    let encounter = encounters_at(7, 1, "north", None).remove(0);
    let (status, body) = server.post_encounter(Role::Integration, &encounter).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["encounter_id"], encounter.id);
    assert_eq!(body["created"], true);
    let queue = body["result"]["queue"].as_str().unwrap().to_owned();
    assert!(!queue.is_empty());

    let path = format!("/api/encounters/{}", encounter.id);
    let (status, read) = server
        .call_as(Some(Role::Biller), Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["version"], 1);
    assert_eq!(read["location"], "north");
    assert_eq!(read["result"]["queue"], queue.as_str());
    assert_eq!(read["record"]["patient"]["id"], encounter.patient.id);

    // A correction: fewer minutes on the first line is a new version, scrubbed again.
    let mut corrected = encounter.clone();
    corrected.clinical.diagnoses.truncate(1);
    corrected.administrative.member_id.push('9');
    let (status, body) = server
        .call_as(
            Some(Role::Biller),
            Method::PUT,
            &path,
            Some(serde_json::to_value(&corrected).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], false);
    assert_eq!(body["changed"], true);
    let (_, read) = server
        .call_as(Some(Role::Biller), Method::GET, &path, None)
        .await;
    assert_eq!(read["version"], 2);

    // A PUT of an id that does not exist is 404, and stores nothing.
    let mut unknown = encounter.clone();
    unknown.id = "north-nope".into();
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::PUT,
            "/api/encounters/north-nope",
            Some(serde_json::to_value(&unknown).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        server
            .store
            .encounter_view("north-nope")
            .await
            .unwrap()
            .is_none()
    );

    let (status, list) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/api/encounters?location=north",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Every PHI read and write was audited with the patient.
    let integration = audit_rows(&server.store, &user_of(Role::Integration)).await;
    assert!(
        integration.iter().any(|r| r.action == "create"
            && r.patient_id.as_deref() == Some(encounter.patient.id.as_str()))
    );
    let biller = audit_rows(&server.store, &user_of(Role::Biller)).await;
    for action in ["read", "update", "list"] {
        assert!(
            biller
                .iter()
                .any(|r| r.action == action && r.outcome == "success"),
            "no {action} audited"
        );
    }
    assert!(server.store.verify_audit().await.unwrap().breaks.is_empty());
    server.stop().await;
}

async fn a_repeated_idempotency_key_answers_once_and_stores_once(database: TestDatabase) {
    let server = Server::start(database).await;
    let encounter = encounters_at(8, 1, "north", None).remove(0);
    let send = |key: &'static str, body: Value| {
        let request = server
            .client
            .post(format!("{}/api/encounters", server.base))
            .bearer_auth(&server.tokens[&Role::Integration])
            .header("Idempotency-Key", key)
            .body(body.to_string());
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let body = serde_json::to_value(&encounter).unwrap();
    let first = send("visit-1", body.clone()).await;
    let second = send("visit-1", body.clone()).await;
    assert_eq!(first.0, StatusCode::CREATED);
    assert_eq!(first, second, "the same answer, again");
    let versions = server.store.versions_of(&encounter.id).await.unwrap();
    assert_eq!(versions.len(), 1);

    // The same key with another body is refused, and stores nothing.
    let mut changed = encounter.clone();
    changed.administrative.member_id.push('1');
    let (status, text) = send("visit-1", serde_json::to_value(&changed).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["code"], "idempotency_key_reused");
    assert_eq!(
        server.store.versions_of(&encounter.id).await.unwrap().len(),
        1
    );

    // Concurrent sends of one key store one version.
    let other = encounters_at(9, 1, "north", None).remove(0);
    let body = serde_json::to_value(&other).unwrap();
    let answers = futures_join(send("visit-2", body.clone()), send("visit-2", body.clone())).await;
    assert_eq!(answers.0, answers.1);
    assert_eq!(server.store.versions_of(&other.id).await.unwrap().len(), 1);
    server.stop().await;
}

async fn futures_join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

async fn another_clinics_record_is_not_found_and_the_refusal_is_audited(database: TestDatabase) {
    let server = Server::start(database).await;
    let south = encounters_at(10, 1, "south", None).remove(0);
    // The north integration may not store a south visit.
    let (status, body) = server.post_encounter(Role::Integration, &south).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        server
            .store
            .encounter_view(&south.id)
            .await
            .unwrap()
            .is_none()
    );
    // An organization-wide admin may.
    let admin = server.login("admin_all", support::PASSWORD).await;
    let (status, body) = server
        .call(
            Method::POST,
            "/api/encounters",
            Some(&admin),
            Some(serde_json::to_value(&south).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let path = format!("/api/encounters/{}", south.id);
    for role in [Role::Biller, Role::FrontDesk, Role::Auditor, Role::Admin] {
        let (status, body) = server.call_as(Some(role), Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{role}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
        let rows = audit_rows(&server.store, &user_of(role)).await;
        assert!(
            rows.iter().any(|r| r.action == "read"
                && r.outcome == "denied"
                && r.patient_id.as_deref() == Some(south.patient.id.as_str())),
            "{role}: the refusal is audited"
        );
        let (_, list) = server
            .call_as(Some(role), Method::GET, "/api/encounters", None)
            .await;
        assert!(
            list["items"].as_array().unwrap().is_empty(),
            "{role}: {list}"
        );
    }
    // Correcting it from the north is refused too, and changes nothing.
    let mut changed = south.clone();
    changed.administrative.location = Some("north".into());
    let (status, _) = server.post_encounter(Role::Integration, &changed).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.store.versions_of(&south.id).await.unwrap().len(), 1);
    let (status, _) = server.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

async fn a_therapist_sees_their_own_visits_only(database: TestDatabase) {
    let server = Server::start(database).await;
    let mine = encounters_at(11, 1, "north", Some(THERAPIST_NPI)).remove(0);
    let mut theirs = encounters_at(12, 1, "north", Some("1999999984")).remove(0);
    theirs.id.push_str("-b");
    for encounter in [&mine, &theirs] {
        let (status, body) = server.post_encounter(Role::Integration, encounter).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, list) = server
        .call_as(Some(Role::Therapist), Method::GET, "/api/encounters", None)
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["encounter_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![mine.id.as_str()]);
    let (status, _) = server
        .call_as(
            Some(Role::Therapist),
            Method::GET,
            &format!("/api/encounters/{}", theirs.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/encounters", None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    server.stop().await;
}

/// A request a route can receive without credentials problems: path parameters filled in,
/// a JSON body of the right kind (often refused as input, never as a role).
fn sample_request(path: &str) -> String {
    path.replace("{id}", "1").replace("{username}", "nobody")
}

async fn every_route_admits_exactly_its_roles(database: TestDatabase) {
    let server = Server::start(database).await;
    for route in table() {
        let path = sample_request(route.path);
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let body = (method == Method::POST || method == Method::PUT).then(|| json!({}));
        // Without credentials.
        let (status, answer) = server.call(method.clone(), &path, None, body.clone()).await;
        match route.policy {
            Policy::Public => assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}"),
            Policy::Roles(_) => {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path}: {answer}"
                );
                assert_eq!(answer["error"]["code"], "unauthenticated");
            }
        }
        for role in Role::ALL {
            if route.method == Method::DELETE && route.path == "/api/session" {
                continue; // signing out would end the token the other routes use
            }
            let (status, answer) = server
                .call_as(Some(role), method.clone(), &path, body.clone())
                .await;
            if route.policy.admits(role) {
                // Admitted: whatever the answer, it is not a refusal of the role.
                assert!(
                    answer["error"]["code"] != "forbidden" && status != StatusCode::UNAUTHORIZED,
                    "{role} must reach {method} {path}: {status} {answer}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} on {method} {path}: {answer}"
                );
                assert_eq!(answer["error"]["code"], "forbidden");
            }
        }
    }
    // Refusals by role are audited with the route.
    let front_desk = audit_rows(&server.store, &user_of(Role::FrontDesk)).await;
    assert!(
        front_desk
            .iter()
            .any(|r| r.outcome == "denied" && r.resource_id.as_deref() == Some("GET /api/audit"))
    );

    // The OpenAPI document describes exactly the routes served, with their roles.
    let (status, document) = server
        .call(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut described = 0;
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let route = table()
                .into_iter()
                .find(|r| r.path == path && r.method.as_str().to_lowercase() == *method)
                .unwrap_or_else(|| panic!("{method} {path} is described but not served"));
            if let Policy::Roles(roles) = route.policy {
                let listed: Vec<&str> = operation["x-roles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect();
                assert_eq!(listed, roles.iter().map(|r| r.as_str()).collect::<Vec<_>>());
            }
            described += 1;
        }
    }
    assert_eq!(described, table().len());
    // Paths the table does not have are 404 in the envelope.
    let (status, answer) = server.call(Method::GET, "/api/nothing", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "not_found");
    server.stop().await;
}

async fn queue_items_are_worked_within_the_callers_clinics(database: TestDatabase) {
    let server = Server::start(database).await;
    let admin = server.login("admin_all", support::PASSWORD).await;
    // The therapist rendered the north visits: they may comment on their items.
    let north = encounters_at(13, 3, "north", Some(THERAPIST_NPI));
    let south = encounters_at(13, 3, "south", None);
    for encounter in north.iter().chain(&south) {
        let (status, body) = server
            .call(
                Method::POST,
                "/api/encounters",
                Some(&admin),
                Some(serde_json::to_value(encounter).unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, items) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/queue-items", None)
        .await;
    let items = items["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3, "the north items only");
    assert!(
        items
            .iter()
            .all(|i| i["encounter_id"].as_str().unwrap().starts_with("north-"))
    );
    let item = items[0]["id"].as_i64().unwrap();

    let biller = user_of(Role::Biller);
    let (status, body) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            &format!("/api/queue-items/{item}/assign"),
            Some(json!({"owner": biller})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = server
        .call_as(
            Some(Role::Therapist),
            Method::POST,
            &format!("/api/queue-items/{item}/comments"),
            Some(json!({"text": "the note was signed on the 5th"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = server
        .call_as(
            Some(Role::FrontDesk),
            Method::POST,
            &format!("/api/queue-items/{item}/status"),
            Some(json!({"status": "extension_requested"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            &format!("/api/queue-items/{item}/status"),
            Some(json!({"status": "billed"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "billed is set by claims: {body}"
    );
    assert_eq!(body["error"]["field"], "status");
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            &format!("/api/queue-items/{item}/status"),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let history = server
        .store
        .queue_history(items[0]["encounter_id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(history[0].left_at.is_some(), "resolving ends the stay");

    // A south item is not found from the north, and the attempt is audited.
    let (_, all) = server
        .call(Method::GET, "/api/queue-items", Some(&admin), None)
        .await;
    let south_item = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["encounter_id"].as_str().unwrap().starts_with("south-"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            &format!("/api/queue-items/{south_item}/assign"),
            Some(json!({"owner": biller})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let rows = audit_rows(&server.store, &biller).await;
    assert!(
        rows.iter()
            .any(|r| r.action == "assign" && r.outcome == "denied")
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "assign" && r.outcome == "success")
    );
    server.stop().await;
}

async fn bad_input_is_refused_whole_with_the_field_named(database: TestDatabase) {
    let server = Server::start(database).await;
    let encounter = encounters_at(14, 1, "north", None).remove(0);
    let mut value = serde_json::to_value(&encounter).unwrap();
    value["date_of_service"] = json!("2026-02-30");
    let (status, body) = server
        .call_as(
            Some(Role::Integration),
            Method::POST,
            "/api/encounters",
            Some(value),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(body["error"]["field"], "date_of_service");
    let mut value = serde_json::to_value(&encounter).unwrap();
    value["patient"]["name"]["family"] = json!(42);
    let (status, body) = server
        .call_as(
            Some(Role::Integration),
            Method::POST,
            "/api/encounters",
            Some(value),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "patient.name.family");
    // A visit of no clinic, or of a clinic that does not exist, is not stored.
    for location in [json!(null), json!("west")] {
        let mut value = serde_json::to_value(&encounter).unwrap();
        value["administrative"]["location"] = location;
        let (status, body) = server
            .call_as(
                Some(Role::Integration),
                Method::POST,
                "/api/encounters",
                Some(value),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "administrative.location");
    }
    let response = server
        .client
        .post(format!("{}/api/encounters", server.base))
        .bearer_auth(&server.tokens[&Role::Integration])
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        server
            .store
            .encounter_view(&encounter.id)
            .await
            .unwrap()
            .is_none()
    );
    // A body past the limit is refused before it is read whole.
    let response = server
        .client
        .post(format!("{}/api/encounters", server.base))
        .bearer_auth(&server.tokens[&Role::Integration])
        .body(vec![b' '; 3 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

async fn failed_logins_lock_the_account_and_idle_sessions_expire(database: TestDatabase) {
    let server = Server::start(database).await;
    let biller = user_of(Role::Biller);
    for _ in 0..5 {
        let (status, body) = server
            .call(
                Method::POST,
                "/api/session",
                None,
                Some(json!({"username": biller, "password": "wrong password!"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, body) = server
        .call(
            Method::POST,
            "/api/session",
            None,
            Some(json!({"username": biller, "password": support::PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::LOCKED, "{body}");
    assert_eq!(body["error"]["code"], "account_locked");
    let rows = audit_rows(&server.store, &biller).await;
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "login" && r.outcome == "denied")
            .count(),
        6
    );
    // A user that does not exist is answered like a wrong password.
    let (status, body) = server
        .call(
            Method::POST,
            "/api/session",
            None,
            Some(json!({"username": "nobody", "password": "whatever it is"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");

    // Signing out ends the token; an idle session ends after 20 minutes.
    let token = server
        .login(&user_of(Role::Auditor), support::PASSWORD)
        .await;
    let (status, _) = server
        .call(Method::DELETE, "/api/session", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .call(Method::GET, "/api/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let token = server
        .login(&user_of(Role::Auditor), support::PASSWORD)
        .await;
    let (status, me) = server
        .call(Method::GET, "/api/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "auditor");
    let hash = cleanclaim_app::access::token_hash(&token);
    let idle = chrono::Utc::now() - chrono::Duration::minutes(21);
    server.store.touch_session(&hash, idle).await.unwrap();
    let (status, body) = server
        .call(Method::GET, "/api/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "session_expired");
    server.stop().await;
}

/// Every route that names a record by id, called by every admitted north role on a south
/// record: not found (or, for what only organization-wide users may do, refused as such).
/// A new route with an id fails here until it is given a south record.
async fn every_route_with_an_id_hides_another_clinics_records(database: TestDatabase) {
    let server = Server::start(database).await;
    let admin = server.login("admin_all", support::PASSWORD).await;
    // A south biller, to make a south claim batch.
    cleanclaim_app::access::add_user(
        &server.store,
        &cleanclaim_app::access::NewAccount {
            username: "biller_south".into(),
            password: Some(support::PASSWORD.into()),
            role: Role::Biller,
            npi: None,
            all_clinics: false,
            clinics: vec!["south".into()],
        },
    )
    .await
    .unwrap();
    let south_biller = server.login("biller_south", support::PASSWORD).await;
    let south = encounters_at(51, 30, "south", None);
    for encounter in &south {
        let (status, body) = server
            .call(
                Method::POST,
                "/api/encounters",
                Some(&admin),
                Some(serde_json::to_value(encounter).unwrap()),
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
    let (_, items) = server
        .call(
            Method::GET,
            "/api/queue-items?open=false",
            Some(&admin),
            None,
        )
        .await;
    let item = items["items"][0]["id"].as_i64().unwrap().to_string();
    let (status, batch) = server
        .call(
            Method::POST,
            "/api/claim-batches",
            Some(&south_biller),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{batch}");
    let batch = batch["batch_id"].as_i64().unwrap().to_string();
    let job = server
        .store
        .enqueue_job(
            cleanclaim_store::JobKind::PostRemittance,
            "x",
            "biller_south",
            &[],
        )
        .await
        .unwrap()
        .to_string();
    let encounter = serde_json::to_value(&south[0]).unwrap();
    let south_record = |path: &str| -> (String, Option<Value>) {
        match path {
            "/api/encounters/{id}" => (path.replace("{id}", &south[0].id), Some(encounter.clone())),
            "/api/queue-items/{id}/assign" => (
                path.replace("{id}", &item),
                Some(json!({"owner": user_of(Role::Biller)})),
            ),
            "/api/queue-items/{id}/comments" => {
                (path.replace("{id}", &item), Some(json!({"text": "note"})))
            }
            "/api/queue-items/{id}/status" => (
                path.replace("{id}", &item),
                Some(json!({"status": "resolved"})),
            ),
            "/api/patients/{id}/authorizations" => {
                (path.replace("{id}", &south[0].patient.id), None)
            }
            "/api/claim-batches/{id}" | "/api/claim-batches/{id}/837" => {
                (path.replace("{id}", &batch), None)
            }
            "/api/jobs/{id}" => (path.replace("{id}", &job), None),
            // Not clinic records: a pack is the organization's, a user's tokens an admin's.
            "/api/packs/{id}" | "/api/users/{username}/tokens" => (String::new(), None),
            other => panic!("{other} names a record: give it a south record here"),
        }
    };
    let mut checked = 0;
    for route in table().into_iter().filter(|r| r.path.contains('{')) {
        let (path, body) = south_record(route.path);
        if path.is_empty() {
            continue;
        }
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let body = body.filter(|_| method != Method::GET);
        for role in Role::ALL {
            if !route.policy.admits(role) {
                continue;
            }
            let (status, answer) = server
                .call_as(Some(role), method.clone(), &path, body.clone())
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{role} on {method} {path} of the south: {answer}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} calls");
    // Nothing of the south changed.
    assert_eq!(
        server.store.versions_of(&south[0].id).await.unwrap().len(),
        1
    );
    let history = server.store.queue_history(&south[0].id).await.unwrap();
    assert!(history.iter().all(|i| i.owner.is_none()));
    server.stop().await;
}

async fn clinicians_are_kept_with_credentials_and_supervisors(database: TestDatabase) {
    let server = Server::start(database).await;
    let provider = |npi: &str, role: &str, clinic: &str, supervisor: Option<&str>| {
        json!({
            "npi": npi,
            "name": {"family": "Rivera", "given": "Ana"},
            "role": role,
            "license_state": "IL",
            "license_number": "070.012345",
            "license_expires": "2027-12-31",
            "supervisor_npi": supervisor,
            "clinic": clinic,
        })
    };
    let put =
        |body: Value| server.call_as(Some(Role::Admin), Method::PUT, "/api/providers", Some(body));
    let (status, body) = put(provider(THERAPIST_NPI, "pt", "north", None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = put(provider("1999999984", "pta", "north", None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "supervisor_npi");
    let (status, body) = put(provider("1999999984", "pta", "north", Some(THERAPIST_NPI))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = put(provider("1234567890", "pt", "north", None)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad check digit: {body}"
    );
    assert_eq!(body["error"]["field"], "npi");
    let (status, body) = put(provider("1245319599", "ot", "west", None)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such clinic: {body}"
    );
    let admin = server.login("admin_all", support::PASSWORD).await;
    let (status, _) = server
        .call(
            Method::PUT,
            "/api/providers",
            Some(&admin),
            Some(provider("1245319599", "ot", "south", None)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, north) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/providers", None)
        .await;
    let npis: Vec<&str> = north
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["npi"].as_str().unwrap())
        .collect();
    assert_eq!(npis.len(), 2, "the north's clinicians only: {north}");
    assert!(!npis.contains(&"1245319599"));
    let (_, all) = server
        .call(Method::GET, "/api/providers", Some(&admin), None)
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3);

    let (_, payers) = server
        .call_as(Some(Role::Therapist), Method::GET, "/api/payers", None)
        .await;
    assert!(
        payers
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["default_for"] == "medicare_part_b"),
        "{payers}"
    );
    server.stop().await;
}

async fn an_uploaded_rule_pack_is_checked_and_never_run(database: TestDatabase) {
    let server = Server::start(database).await;
    let (_, packs) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/packs", None)
        .await;
    let first = packs[0]["id"].as_str().unwrap().to_owned();
    let (status, pack) = server
        .call_as(
            Some(Role::Therapist),
            Method::GET,
            &format!("/api/packs/{first}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert!(!pack["period_ranges"].as_array().unwrap().is_empty());
    let send = |text: String| {
        let request = server
            .client
            .post(format!("{}/api/packs/validate", server.base))
            .bearer_auth(&server.tokens[&Role::Biller])
            .body(text);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let valid = include_str!("../../../packs/commercial-per-code.toml")
        .replace("id = \"commercial-per-code\"", "id = \"uploaded-pack\"");
    let answer = send(valid.clone()).await;
    assert_eq!(answer["valid"], true, "{answer}");
    assert_eq!(answer["id"], "uploaded-pack");
    let answer = send(valid.replace("[[period]]", "[[perod]]")).await;
    assert_eq!(answer["valid"], false, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .starts_with("upload.toml:"),
        "{answer}"
    );
    // The running engine is unchanged.
    let (_, after) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/packs", None)
        .await;
    assert_eq!(after, packs);
    server.stop().await;
}
