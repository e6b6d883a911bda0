#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The KPIs on a six-visit data set whose answers were worked out by hand (docs/kpis.md shows
//! the same arithmetic).

use chrono::{NaiveDate, TimeZone, Utc};
use cleanclaim_app::kpis::{AccessDenials, KpiFilter, compute, median_and_p90, to_csv};
use cleanclaim_store::{
    AcknowledgmentFact, AdjudicationFact, HoldFact, KpiFacts, TransmissionFact, VisitFact,
};

fn day(d: u32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn visit(id: &str, d: u32, clinic: &str, discipline: &str, queue: &str, charge: i64) -> VisitFact {
    VisitFact {
        encounter_id: id.into(),
        date_of_service: day(d, 3),
        clinic_id: Some(clinic.into()),
        rendering_npi: Some("1245319599".into()),
        payer_id: Some("04412".into()),
        discipline: Some(discipline.into()),
        // Who booked: desk-a the first two and E6, desk-b E3 and E4; nobody recorded for E5.
        scheduled_by: match id {
            "E1" | "E2" | "E6" => Some("desk-a".into()),
            "E3" | "E4" => Some("desk-b".into()),
            _ => None,
        },
        first_queue: Some(queue.into()),
        latest_charge_cents: Some(charge),
    }
}

fn sent(id: &str, d: u32, m: u32, frequency: &str) -> TransmissionFact {
    let total_cents = match id {
        "E1" => 20000,
        "E2" => 15000,
        "E4" => 22000,
        _ => 18000,
    };
    TransmissionFact {
        claim_id: id.into(),
        frequency: frequency.into(),
        submitted_at: Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).unwrap(),
        total_cents,
    }
}

fn paid(id: &str, denied: bool, denied_lines: i32, cause: Option<&str>) -> AdjudicationFact {
    AdjudicationFact {
        claim_id: id.into(),
        denied,
        denied_lines,
        cause: cause.map(str::to_owned),
        charge_cents: 100,
        paid_cents: if denied { 0 } else { 60 },
        // A denied claim's whole charge; a denied line's $50.
        denied_cents: match (denied, denied_lines) {
            (true, _) => 22000,
            (false, 0) => 0,
            (false, _) => 5000,
        },
        patient_responsibility_cents: if denied { 0 } else { 1000 },
        posted_at: Utc.with_ymd_and_hms(2026, 4, 2, 12, 0, 0).unwrap(),
    }
}

/// E1 clean; E2 held first, then clean; E3 rejected by the 277CA, sent again and paid; E4
/// denied for authorization; E5 a line denied for coding, then replaced; E6 never billable.
fn facts() -> KpiFacts {
    KpiFacts {
        visits: vec![
            visit("E1", 2, "north", "pt", "ready_to_bill", 20000),
            visit("E2", 2, "north", "ot", "documentation_hold", 15000),
            visit("E3", 3, "south", "pt", "ready_to_bill", 18000),
            visit("E4", 4, "north", "slp", "authorization", 22000),
            visit("E5", 5, "north", "pt", "ready_to_bill", 18000),
            visit("E6", 6, "north", "pt", "documentation_hold", 0),
        ],
        transmissions: vec![
            sent("E1", 3, 3, "1"),
            sent("E2", 5, 3, "1"),
            sent("E3", 4, 3, "1"),
            sent("E3", 9, 3, "1"),
            sent("E4", 11, 3, "1"),
            sent("E5", 6, 3, "1"),
            sent("E5", 1, 4, "7"),
        ],
        acknowledgments: vec![
            AcknowledgmentFact {
                claim_id: "E3".into(),
                source: "277CA".into(),
                accepted: false,
            },
            AcknowledgmentFact {
                claim_id: "E3".into(),
                source: "277CA".into(),
                accepted: true,
            },
            AcknowledgmentFact {
                claim_id: "E1".into(),
                source: "277CA".into(),
                accepted: true,
            },
        ],
        adjudications: vec![
            paid("E1", false, 0, None),
            paid("E2", false, 0, None),
            paid("E3", false, 0, None),
            paid("E4", true, 2, Some("authorization")),
            paid("E5", false, 1, Some("coding")),
            paid("E5", false, 0, None),
        ],
        holds: vec![
            hold("E2", "documentation_hold", (2, 9), Some((2, 15))),
            hold("E6", "documentation_hold", (6, 8), None),
            hold("E4", "authorization", (4, 10), Some((6, 10))),
            hold("E4", "documentation_hold", (6, 10), Some((7, 10))),
            // Not a visit counted: left out.
            hold("X9", "coding_review", (1, 8), Some((1, 9))),
        ],
    }
}

/// A stay in March 2026: (day, hour) in and out.
fn hold(id: &str, queue: &str, entered: (u32, u32), left: Option<(u32, u32)>) -> HoldFact {
    let at = |(d, h): (u32, u32)| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
    HoldFact {
        encounter_id: id.into(),
        queue: queue.into(),
        entered_at: at(entered),
        left_at: left.map(at),
    }
}

/// Hand-worked: documentation_hold stays of 6 h and 24 h (E2, E4 after its authorization
/// stay) and one open (E6): median (6 + 24) / 2 = 15, 90th percentile the 2nd of 2 = 24;
/// authorization one stay of 48 h. A stay still open on the day counted at is open.
#[test]
fn holds_time_to_resolution_by_queue() {
    let kpis = compute(&facts(), &KpiFilter::default());
    let rows: Vec<_> = kpis
        .hold_resolution
        .iter()
        .map(|r| {
            (
                r.queue.as_str(),
                r.held,
                r.resolved,
                r.open,
                r.median_hours,
                r.p90_hours,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("documentation_hold", 3, 2, 1, Some(15), Some(24)),
            ("authorization", 1, 1, 0, Some(48), Some(48)),
        ]
    );
    let on_the_6th = compute(
        &facts(),
        &KpiFilter {
            as_of: Some(day(6, 3)),
            ..KpiFilter::default()
        },
    );
    let documentation = &on_the_6th.hold_resolution[0];
    assert_eq!(
        (
            documentation.held,
            documentation.resolved,
            documentation.open
        ),
        (3, 1, 2)
    );
    let south = compute(
        &facts(),
        &KpiFilter {
            location: Some("south".into()),
            ..KpiFilter::default()
        },
    );
    assert!(south.hold_resolution.is_empty());
    assert!(
        to_csv(&kpis).contains("hold_resolution_median_hours,period,documentation_hold,,2,15\n")
    );
}

#[test]
fn the_hand_worked_answers() {
    let kpis = compute(&facts(), &KpiFilter::default());
    let fp = &kpis.first_pass[0];
    assert_eq!(
        (
            fp.month.as_str(),
            fp.chains,
            fp.clean,
            fp.rejected,
            fp.denied,
            fp.pending
        ),
        ("2026-03", 5, 2, 1, 2, 0)
    );
    assert_eq!(fp.rate, Some(40.0));
    let denials: Vec<(&str, usize, usize, Option<f64>)> = kpis
        .denials
        .iter()
        .map(|d| {
            (
                d.cause.as_str(),
                d.denied_claims,
                d.visits,
                d.per_100_visits,
            )
        })
        .collect();
    assert_eq!(
        denials,
        [
            ("authorization", 1, 5, Some(20.0)),
            ("coding", 1, 5, Some(20.0))
        ]
    );
    let period: Vec<(&str, usize, usize, Option<f64>)> = kpis
        .denials_over_period
        .iter()
        .map(|d| {
            (
                d.cause.as_str(),
                d.denied_claims,
                d.visits,
                d.per_100_visits,
            )
        })
        .collect();
    assert_eq!(
        period,
        [
            ("authorization", 1, 5, Some(20.0)),
            ("coding", 1, 5, Some(20.0))
        ]
    );
    // Denied dollars by cause: E4's $220 for authorization, still denied; E5's $50 line for
    // coding, paid on its replacement.
    let dollars: Vec<(&str, i64, i64)> = kpis
        .denials_over_period
        .iter()
        .map(|d| (d.cause.as_str(), d.denied_cents, d.unrecovered_cents))
        .collect();
    assert_eq!(
        dollars,
        [("authorization", 22000, 22000), ("coding", 5000, 0)]
    );
    let lag = &kpis.submission_lag[0];
    // Days from the visit to the first submission: 1, 3, 1, 7, 1.
    assert_eq!((lag.claims, lag.median_days, lag.p90_days), (5, 1, 7));
    let auto = &kpis.auto_cleared[0];
    assert_eq!(
        (auto.visits, auto.auto_cleared, auto.share),
        (6, 3, Some(50.0))
    );
    let csv = to_csv(&kpis);
    assert!(
        csv.contains("first_pass_clean_rate,2026-03,,2,5,40.00\n"),
        "{csv}"
    );
    assert!(
        csv.contains("denials_per_100_visits,2026-03,authorization,1,5,20.00\n"),
        "{csv}"
    );
    assert!(
        csv.contains("denials_per_100_visits,period,coding,1,5,20.00\n"),
        "{csv}"
    );
    // Charges of the period: $200 + $150 + $180 + $220 + $180 = $930.
    assert!(
        csv.contains("denied_dollars_not_recovered,period,authorization,220.00,930.00,23.66\n"),
        "{csv}"
    );
}

#[test]
fn cuts_apply_to_the_visit_a_claim_bills() {
    let north = compute(
        &facts(),
        &KpiFilter {
            location: Some("north".into()),
            ..KpiFilter::default()
        },
    );
    assert_eq!(
        (
            north.first_pass[0].chains,
            north.first_pass[0].clean,
            north.first_pass[0].rate
        ),
        (4, 2, Some(50.0))
    );
    let pt = compute(
        &facts(),
        &KpiFilter {
            discipline: Some("pt".into()),
            ..KpiFilter::default()
        },
    );
    assert_eq!((pt.first_pass[0].chains, pt.first_pass[0].clean), (3, 1));
    assert_eq!(pt.first_pass[0].rate, Some(33.33));
    let scoped = compute(
        &facts(),
        &KpiFilter {
            clinics: Some(vec!["south".into()]),
            ..KpiFilter::default()
        },
    );
    assert_eq!(scoped.first_pass[0].chains, 1);
    let none = compute(
        &facts(),
        &KpiFilter {
            from: Some(day(1, 4)),
            ..KpiFilter::default()
        },
    );
    assert!(none.first_pass.is_empty());
}

#[test]
fn percentiles_by_their_definitions() {
    assert_eq!(median_and_p90(&mut [4, 1, 3, 2]), (2, 4));
    assert_eq!(median_and_p90(&mut [5]), (5, 5));
    assert_eq!(median_and_p90(&mut []), (0, 0));
    let mut ten: Vec<i64> = (1..=10).collect();
    assert_eq!(median_and_p90(&mut ten), (5, 9));
}

#[test]
fn the_period_rate_counts_every_billable_visit_of_the_period() {
    // An April visit with no denial: March's rate stays 20 per 100, the period's falls to 1 in 6.
    let mut facts = facts();
    let mut april = visit("E7", 1, "north", "pt", "ready_to_bill", 9000);
    april.date_of_service = day(1, 4);
    facts.visits.push(april);
    let kpis = compute(&facts, &KpiFilter::default());
    assert_eq!(kpis.denials[0].per_100_visits, Some(20.0));
    let authorization = &kpis.denials_over_period[0];
    assert_eq!(
        (authorization.visits, authorization.per_100_visits),
        (6, Some(16.67))
    );
}

#[test]
fn receivables_and_denied_dollars_by_hand() {
    let kpis = compute(&facts(), &KpiFilter::default());
    // Counted at the latest fact, 04-02. Open: E4's denial ($220); patients owe $10 on each of
    // the four paid chains. Charges first sent within 90 days: 200 + 150 + 180 + 220 + 180 =
    // $930, $10.3333 a day: 220 / 10.3333 = 21.3 days, (220 + 40) / 10.3333 = 25.2.
    let ar = kpis.receivables.clone().unwrap();
    assert_eq!(ar.as_of, day(2, 4));
    assert_eq!(
        (ar.insurance_open_cents, ar.patient_open_cents),
        (22000, 4000)
    );
    assert_eq!(ar.daily_charges_cents, 1033);
    assert_eq!((ar.days_insurance, ar.days_total), (Some(21.3), Some(25.2)));
    // E4's visit was on 03-04: 29 days old.
    assert_eq!(ar.aging_cents, [22000, 0, 0, 0, 0]);
    assert_eq!(ar.over_90_share, Some(0.0));
    let csv = to_csv(&kpis);
    for row in [
        "denied_dollars,2026-03,,270.00,930.00,29.03\n",
        "denied_dollars_not_recovered,2026-03,,220.00,930.00,23.66\n",
        "days_in_ar_insurance,2026-04-02,,220.00,10.33,21.3\n",
        "days_in_ar_total,2026-04-02,,260.00,10.33,25.2\n",
        "ar_over_90_days_share,2026-04-02,,0.00,220.00,0.00\n",
    ] {
        assert!(csv.contains(row), "{row}{csv}");
    }
    // Denied on first adjudication: E4 $220 and E5's line $50; E5's replacement was paid.
    let denied = &kpis.denied_dollars[0];
    assert_eq!(
        (
            denied.month.as_str(),
            denied.charges_cents,
            denied.denied_cents,
            denied.unrecovered_cents
        ),
        ("2026-03", 93000, 27000, 22000)
    );
    // Counted on 03-10, before anything was adjudicated: every chain sent by then is open
    // (E1, E2, E3, E5: 200 + 150 + 180 + 180 = $710), and E3 at its first send.
    let early = compute(
        &facts(),
        &KpiFilter {
            as_of: Some(day(10, 3)),
            ..KpiFilter::default()
        },
    );
    let ar = early.receivables.unwrap();
    assert_eq!((ar.insurance_open_cents, ar.patient_open_cents), (71000, 0));
    assert_eq!(ar.days_insurance, Some(90.0));
}

/// Baseline versus after on the hand-worked set, with a staff cost of $10 a month:
/// - March 2-3 (E1, E2, E3), counted April 7: E1 clean, E2 clean, E3 rejected: 2 of 3
///   first-pass, **66.67%**; collected E1 + E2 + E3 = **$1.80**; staff cost $10 × 2 / 30.4375
///   days = **$0.66**; cost to collect 0.66 / 1.80 = **36.67%**.
/// - March 4-6 (E4, E5, E6), counted April 10: E4 and E5 denied on first adjudication: **0%**;
///   collected E5 twice = **$1.20**; staff cost $10 × 3 / 30.4375 = **$0.99**; **82.5%**.
#[test]
fn two_periods_side_by_side_with_the_cost_to_collect() {
    use cleanclaim_app::kpi_periods::period_figures;
    let facts = cleanclaim_app::kpis::KpiIndex::build(&facts());
    let monthly = Some(cleanclaim_model::Cents(1000));
    let a = period_figures(
        &facts,
        &KpiFilter::default(),
        (day(2, 3), day(3, 3)),
        35,
        monthly,
    );
    let b = period_figures(
        &facts,
        &KpiFilter::default(),
        (day(4, 3), day(6, 3)),
        35,
        monthly,
    );
    assert_eq!(a.counted_at, day(7, 4));
    // The last posting is April 2: read on April 7 the period is provisional; read 30 days
    // after (April 2) it is not. Every chain has an outcome either way.
    assert!(a.provisional);
    assert_eq!(a.unresolved_rate, Some(0.0));
    let at_30 = period_figures(
        &facts,
        &KpiFilter::default(),
        (day(2, 3), day(3, 3)),
        30,
        monthly,
    );
    assert!(!at_30.provisional);
    assert_eq!(a.first_pass_rate, Some(66.67));
    assert_eq!(a.collected_cents, 180);
    assert_eq!(a.staff_cost_cents, Some(66));
    assert_eq!(a.cost_to_collect, Some(36.67));
    assert_eq!(b.first_pass_rate, Some(0.0));
    assert_eq!(b.collected_cents, 120);
    assert_eq!(b.staff_cost_cents, Some(99));
    assert_eq!(b.cost_to_collect, Some(82.5));
    let without = period_figures(
        &facts,
        &KpiFilter::default(),
        (day(2, 3), day(3, 3)),
        35,
        None,
    );
    assert_eq!(
        (without.staff_cost_cents, without.cost_to_collect),
        (None, None)
    );
}

#[test]
fn authorization_and_eligibility_denials_by_location_and_scheduler() {
    let mut facts = facts();
    // E5's line denied for eligibility instead of coding: it counts; coding did not.
    facts.adjudications[4].cause = Some("eligibility".into());
    let row = |location: &str,
               scheduled_by: Option<&str>,
               visits,
               authorization,
               eligibility,
               per_100| AccessDenials {
        location: Some(location.into()),
        scheduled_by: scheduled_by.map(str::to_owned),
        visits,
        authorization,
        eligibility,
        per_100_visits: Some(per_100),
    };
    // Billable visits only (E6 is not): north desk-a E1, E2; north desk-b E4 (denied for
    // authorization); north unrecorded E5 (eligibility); south desk-b E3.
    let kpis = compute(&facts, &KpiFilter::default());
    assert_eq!(
        kpis.access_denials,
        [
            row("north", Some("desk-a"), 2, 0, 0, 0.0),
            row("north", Some("desk-b"), 1, 1, 0, 100.0),
            row("north", None, 1, 0, 1, 100.0),
            row("south", Some("desk-b"), 1, 0, 0, 0.0),
        ]
    );
    let csv = to_csv(&kpis);
    assert!(
        csv.contains(
            "authorization_eligibility_denials_per_100_visits,period,north/desk-b,1,1,100.00\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("authorization_eligibility_denials_per_100_visits,period,north/,1,1,100.00\n"),
        "{csv}"
    );
    // The coding denial of the original data is nobody's at the front desk.
    let kpis = compute(&self::facts(), &KpiFilter::default());
    let north_unrecorded = kpis
        .access_denials
        .iter()
        .find(|r| r.scheduled_by.is_none())
        .unwrap();
    assert_eq!(
        north_unrecorded.authorization + north_unrecorded.eligibility,
        0
    );
    // A cut keeps only its visits' rows.
    let south = compute(
        &facts,
        &KpiFilter {
            location: Some("south".into()),
            ..KpiFilter::default()
        },
    );
    assert_eq!(
        south.access_denials,
        [row("south", Some("desk-b"), 1, 0, 0, 0.0)]
    );
}
