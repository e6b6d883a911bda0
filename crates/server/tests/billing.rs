#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! Claims out and answers in through the service, on both backends: a batch of the caller's
//! clinics' ready encounters, its 837P downloaded and valid, an 835 for it posted and matched
//! once, and who may do each.

mod support;

use cleanclaim_app::access::Role;
use cleanclaim_test_support::answer_835;
use cleanclaim_test_support::{TestDatabase, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Server, encounters_at};

on_both_backends!(claims_are_batched_downloaded_and_their_remittance_posted_once);

async fn claims_are_batched_downloaded_and_their_remittance_posted_once(database: TestDatabase) {
    let server = Server::start(database).await;
    let admin = server.login("admin_all", support::PASSWORD).await;
    let north = encounters_at(31, 40, "north", None);
    let south = encounters_at(31, 40, "south", None);
    for encounter in north.iter().chain(&south) {
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

    // The north biller bills the north's ready visits only.
    let (status, batch) = server
        .call_as(
            Some(Role::Biller),
            Method::POST,
            "/api/claim-batches",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{batch}");
    let claims: Vec<String> = batch["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(!claims.is_empty());
    assert!(claims.iter().all(|c| c.starts_with("north-")), "{claims:?}");
    let id = batch["batch_id"].as_i64().unwrap();

    // Nothing is billed twice: the next batch has nothing of the north left.
    let (status, again) = server
        .call_as(Some(Role::Biller), Method::POST, "/api/claim-batches", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(again["batch_id"].is_null());

    let response = server
        .client
        .get(format!("{}/api/claim-batches/{id}/837", server.base))
        .bearer_auth(&server.tokens[&Role::Biller])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/edi-x12");
    let x12 = response.text().await.unwrap();
    let report = cleanclaim_x12::validate(&x12);
    assert!(report.is_valid(), "{report:?}");
    let written = cleanclaim_x12::x837::read_claims(&x12).unwrap();
    assert_eq!(written.len(), claims.len());

    // A batch of the north is the north's; an organization-wide admin sees it too.
    let (status, info) = server
        .call(
            Method::GET,
            &format!("/api/claim-batches/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["claim_count"].as_i64().unwrap(), claims.len() as i64);

    // Posting the payer's answer: organization-wide users only, once per trace number.
    let remit = answer_835(&x12, "TRACE-1");
    let post = |token: String| {
        let request = server
            .client
            .post(format!("{}/api/remittances", server.base))
            .bearer_auth(token)
            .body(remit.clone());
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, refused) = post(server.tokens[&Role::Biller].clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"]["code"], "needs_all_clinics");
    let (status, posted) = post(admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{posted}");
    assert_eq!(posted["posted"].as_u64().unwrap(), claims.len() as u64);
    assert_eq!(posted["unmatched_claims"], 0);
    assert!(
        posted["claims"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["cause"] == "authorization"),
        "{posted}"
    );
    let (status, second) = post(admin.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["already_posted"], 1);
    assert_eq!(second["posted"], 0);

    // The KPIs now count the batch: every claim is a chain with an outcome.
    let (status, kpis) = server
        .call_as(Some(Role::Biller), Method::GET, "/api/kpis", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{kpis}");
    let chains: u64 = kpis["first_pass"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["chains"].as_u64().unwrap())
        .sum();
    let pending: u64 = kpis["first_pass"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pending"].as_u64().unwrap())
        .sum();
    assert_eq!((chains, pending), (claims.len() as u64, 0), "{kpis}");
    assert!(
        kpis["denials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["cause"] == "authorization"),
        "{kpis}"
    );
    let csv = server
        .client
        .get(format!(
            "{}/api/kpis?format=csv&location=north",
            server.base
        ))
        .bearer_auth(&server.tokens[&Role::Biller])
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.text()
            .await
            .unwrap()
            .starts_with("kpi,month,cause,numerator,denominator,value\nfirst_pass_clean_rate,")
    );

    // The batch as FHIR Claims, and what the 835 said of the first as a ClaimResponse.
    let (status, fhir_claims) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            &format!("/fhir/Claim?batch={id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fhir_claims}");
    assert_eq!(fhir_claims["type"], "searchset");
    assert_eq!(fhir_claims["total"].as_u64().unwrap(), claims.len() as u64);
    let first = &fhir_claims["entry"][0]["resource"];
    assert_eq!(first["resourceType"], "Claim");
    assert_eq!(first["id"], claims[0].as_str());
    let line_sum: f64 = first["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["net"]["value"].as_f64().unwrap())
        .sum();
    assert!(
        (line_sum - first["total"]["value"].as_f64().unwrap()).abs() < 0.005,
        "{first}"
    );
    let (status, responses) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            &format!("/fhir/ClaimResponse?claim={}", claims[0]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{responses}");
    assert_eq!(responses["total"], 1, "posted once: {responses}");
    let response = &responses["entry"][0]["resource"];
    assert_eq!(response["resourceType"], "ClaimResponse");
    assert_eq!(
        response["request"]["reference"],
        format!("Claim/{}", claims[0])
    );
    assert_eq!(response["outcome"], "complete");
    assert_eq!(response["payment"]["identifier"]["value"], "TRACE-1");
    let (_, south) = server
        .call_as(
            Some(Role::Biller),
            Method::GET,
            "/fhir/ClaimResponse?claim=no-such-claim",
            None,
        )
        .await;
    assert_eq!(south["total"], 0);

    // In the background: a job, done by the server's worker, with the same answer.
    let response = server
        .client
        .post(format!("{}/api/remittances?background=true", server.base))
        .bearer_auth(&admin)
        .body(answer_835(&x12, "TRACE-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let job = response.json::<serde_json::Value>().await.unwrap()["job_id"]
        .as_i64()
        .unwrap();
    let mut done = serde_json::Value::Null;
    for _ in 0..200 {
        let (_, body) = server
            .call(Method::GET, &format!("/api/jobs/{job}"), Some(&admin), None)
            .await;
        if body["status"] == "done" {
            done = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["result"]["payments"], 1, "{done}");
    assert_eq!(
        done["result"]["posted"].as_u64().unwrap(),
        claims.len() as u64
    );

    // The clearinghouse's 999 rejects the transaction set: every claim in it gets the verdict.
    let control = "000000777";
    let rejection = format!(
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CLEANCLAIM01   *250320*1200*^*00501*{control}*0*P*:~GS*FA*CLEARINGHOUSE*CLEANCLAIM01*20250320*1200*77*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK3*NM1*7*2010BA*8~IK4*9*67*1~IK5*R*5~AK9*R*1*1*0~SE*8*0001~GE*1*77~IEA*1*{control}~"
    );
    let ack = |token: String| {
        let request = server
            .client
            .post(format!("{}/api/acknowledgments", server.base))
            .bearer_auth(token)
            .body(rejection.clone());
        async move {
            let response = request.send().await.unwrap();
            (
                response.status(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, recorded) = ack(admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(
        recorded["verdicts"].as_u64().unwrap(),
        claims.len() as u64,
        "{recorded}"
    );
    assert_eq!(recorded["new"].as_u64().unwrap(), claims.len() as u64);
    let (_, again) = ack(admin.clone()).await;
    assert_eq!(again["new"], 0, "recorded once");
    let (status, _) = ack(server.tokens[&Role::Biller].clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A broken 835 is refused whole.
    let response = server
        .client
        .post(format!("{}/api/remittances", server.base))
        .bearer_auth(&admin)
        .body(remit.replace("SE*", "XX*"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Billing and posting were audited with the patients they touched.
    let rows = server
        .store
        .audit_events(&cleanclaim_store::AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    let billed = rows.iter().filter(|r| r.action == "bill").count();
    assert_eq!(billed, claims.len());
    assert!(
        rows.iter()
            .filter(|r| r.action == "bill")
            .all(|r| r.patient_id.is_some())
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "post" && r.resource == "claim")
            .count(),
        2 * claims.len(),
        "each of the two postings audited per claim"
    );
    assert!(server.store.verify_audit().await.unwrap().breaks.is_empty());
    server.stop().await;
}
