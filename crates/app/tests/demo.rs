#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The demo's cycle on seeded organizations: a 3-clinic, 3-month organization end to end (every
//! file the payer answers with validates, every claim sent is answered and linked), and a tiny
//! one whose KPIs are checked against the payer's files read independently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use cleanclaim_app::kpis::{KpiFilter, compute};
use cleanclaim_app::{DemoEvent, DemoOptions, DemoReport, run_demo};
use cleanclaim_billing::Engine;
use cleanclaim_store::{Clock, KpiFacts, Store};
use cleanclaim_synth::{DefectRates, OrgSpec, Organization};
use cleanclaim_test_support::TestDatabase;

fn options(baseline_months: u32) -> DemoOptions {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../x12/tests/data/billing.toml");
    DemoOptions {
        baseline_months,
        profile: toml::from_str(&std::fs::read_to_string(profile).unwrap()).unwrap(),
        payer_rules: cleanclaim_payer::Rules::builtin().unwrap(),
        categories: cleanclaim_remit::CategoryMap::builtin().unwrap(),
    }
}

struct Run {
    report: DemoReport,
    facts: KpiFacts,
    /// Each file by kind (837, 999, 277, 835), in order.
    files: BTreeMap<&'static str, Vec<String>>,
}

async fn run(spec: OrgSpec, baseline_months: u32) -> Run {
    let db = TestDatabase::sqlite();
    let clock = Clock::simulated(spec.start.and_hms_opt(8, 0, 0).unwrap().and_utc());
    let store = Store::connect(db.url())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let engine = Engine::builtin().unwrap();
    let mut files: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let report = run_demo(
        &store,
        &clock,
        &engine,
        Organization::new(spec),
        &options(baseline_months),
        |event| {
            if let DemoEvent::File { kind, text, .. } = event {
                files.entry(kind).or_default().push(text.to_owned());
            }
        },
    )
    .await
    .unwrap();
    let facts = store.kpi_facts().await.unwrap();
    store.close().await;
    Run {
        report,
        facts,
        files,
    }
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_clinic_three_month_organization_runs_end_to_end() {
    let spec = OrgSpec {
        visits_per_clinic_day: 6,
        ..OrgSpec::new(3, 3, 11, start())
    };
    let Run {
        report,
        facts,
        files,
    } = run(spec, 1).await;
    let counts = &report.counts;
    assert!(counts.visits > 700, "{counts:?}");
    assert_eq!(
        report.baseline,
        (start(), NaiveDate::from_ymd_opt(2026, 1, 31).unwrap())
    );
    // Every file on both sides validates.
    for (kind, texts) in &files {
        for text in texts {
            let validation = cleanclaim_x12::validate(text);
            assert!(validation.is_valid(), "{kind}: {:?}", validation.errors);
        }
    }
    assert_eq!(files["837"].len(), files["999"].len());
    // Every claim sent was answered: rejected at the front end, or adjudicated on a posted 835
    // linked to it.
    let sent: BTreeSet<&str> = facts
        .transmissions
        .iter()
        .map(|t| t.claim_id.as_str())
        .collect();
    let rejected: BTreeSet<&str> = facts
        .acknowledgments
        .iter()
        .filter(|a| !a.accepted)
        .map(|a| a.claim_id.as_str())
        .collect();
    let adjudicated: BTreeSet<&str> = facts
        .adjudications
        .iter()
        .map(|a| a.claim_id.as_str())
        .collect();
    let unanswered: Vec<&&str> = sent
        .iter()
        .filter(|id| !rejected.contains(*id) && !adjudicated.contains(*id))
        .collect();
    assert!(unanswered.is_empty(), "{unanswered:?}");
    assert_eq!(sent.len() as u64, counts.claims);
    assert_eq!(adjudicated.len() as u64, counts.paid + counts.denied);
    // Working the holds pays: the worked months are cleaner than the baseline month.
    assert!(counts.corrected > 0 && counts.authorized > 0, "{counts:?}");
    let rate = |from: NaiveDate, to: NaiveDate| {
        let kpis = compute(
            &facts,
            &KpiFilter {
                from: Some(from),
                to: Some(to),
                ..KpiFilter::default()
            },
        );
        let chains: usize = kpis.first_pass.iter().map(|r| r.chains - r.pending).sum();
        let clean: usize = kpis.first_pass.iter().map(|r| r.clean).sum();
        clean as f64 / chains as f64
    };
    let (before, after) = (
        rate(report.baseline.0, report.baseline.1),
        rate(report.worked.0, report.worked.1),
    );
    assert!(
        after > before,
        "first pass: baseline {before}, worked {after}"
    );
}

/// CLP01 and whether a claim adjudication denied anything (a CAS other than contractual
/// CO-45 or patient responsibility), read from the 835s themselves.
fn denied_in_835s(texts: &[String]) -> BTreeMap<String, bool> {
    let mut claims = BTreeMap::new();
    for text in texts {
        let mut current: Option<String> = None;
        for segment in text.split('~') {
            let elements: Vec<&str> = segment.split('*').collect();
            match elements[0] {
                "CLP" => {
                    current = Some(elements[1].to_owned());
                    claims.insert(elements[1].to_owned(), false);
                }
                "CAS" if elements[1] == "CO" && elements[2] != "45" => {
                    if let Some(id) = &current {
                        claims.insert(id.clone(), true);
                    }
                }
                _ => {}
            }
        }
    }
    claims
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_organizations_kpis_match_its_remittances() {
    let spec = OrgSpec {
        visits_per_clinic_day: 2,
        rates: DefectRates::default().scaled(2.0),
        ..OrgSpec::new(1, 2, 5, start())
    };
    let Run { facts, files, .. } = run(spec, 1).await;
    let from_835s = denied_in_835s(&files["835"]);
    let rejected: BTreeSet<&str> = facts
        .acknowledgments
        .iter()
        .filter(|a| !a.accepted)
        .map(|a| a.claim_id.as_str())
        .collect();
    // Every chain here is an original sent once; its class follows from the files.
    let expected_denied = from_835s.values().filter(|d| **d).count();
    let expected_clean = from_835s.values().filter(|d| !**d).count();
    let kpis = compute(&facts, &KpiFilter::default());
    let chains: usize = kpis.first_pass.iter().map(|r| r.chains).sum();
    let clean: usize = kpis.first_pass.iter().map(|r| r.clean).sum();
    let denied: usize = kpis.first_pass.iter().map(|r| r.denied).sum();
    let rejected_kpi: usize = kpis.first_pass.iter().map(|r| r.rejected).sum();
    let pending: usize = kpis.first_pass.iter().map(|r| r.pending).sum();
    assert!(expected_denied > 0 && expected_clean > 0, "{from_835s:?}");
    assert_eq!(
        (chains, clean, denied, rejected_kpi, pending),
        (
            from_835s.len() + rejected.len(),
            expected_clean,
            expected_denied,
            rejected.len(),
            0
        )
    );
    // Denials per 100 visits over the period: the denied chains over the billable visits.
    let denials: usize = kpis
        .denials_over_period
        .iter()
        .map(|c| c.denied_claims)
        .sum();
    assert_eq!(denials, expected_denied);
    // Every chain was answered by the end of the run-out: what stays open is the denials.
    let ar = kpis.receivables.unwrap();
    let denied_open: i64 = facts
        .adjudications
        .iter()
        .filter(|a| from_835s.get(&a.claim_id) == Some(&true))
        .map(|a| a.denied_cents)
        .sum();
    let never_adjudicated: i64 = facts
        .transmissions
        .iter()
        .filter(|t| !from_835s.contains_key(&t.claim_id))
        .map(|t| t.total_cents)
        .sum();
    assert_eq!(ar.insurance_open_cents, denied_open + never_adjudicated);
}
