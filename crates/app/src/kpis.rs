//! Revenue-cycle KPIs from the stored facts, as docs/kpis.md defines them (its conventions
//! follow shared/reference/kpis.md §1):
//!
//! - **First-pass clean claim rate**, by month of first submission: chains (one claim id:
//!   its original and every resubmission) paid on the first adjudication with no denied line,
//!   never rejected (999 or 277CA) and never resubmitted, over chains with an outcome.
//! - **Denials per 100 visits by root cause**, by month of service: chains whose first
//!   adjudication denied a line (duplicates left out: they answer a second transmission), by
//!   the cause the 835 reader assigned, per 100 billable visits.
//! - **Date-of-service-to-submission lag**, by month of first submission: whole days from the
//!   visit's date to the chain's first submission; median (the mean of the middle two for an
//!   even count, rounded down) and 90th percentile (nearest rank).
//! - **Auto-cleared share**, by month of service: visits ready to bill on their first scrub.
//! - **Authorization and eligibility denials** by location and by who booked the visit: the
//!   denials above of those two causes, per 100 billable visits that person booked there.
//!
//! Every KPI can be cut by location, payer, rendering provider and discipline; the cut applies
//! to the visit a chain bills.

use chrono::NaiveDate;
use cleanclaim_store::KpiFacts;
use serde::Serialize;

pub use crate::kpi_index::KpiIndex;

/// Which visits (and so which chains) a KPI counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiFilter {
    pub location: Option<String>,
    pub payer: Option<String>,
    pub provider: Option<String>,
    /// `pt`, `ot` or `slp`.
    pub discipline: Option<String>,
    /// Visits on or after / on or before these dates of service.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only visits of these clinics (the caller's scope), when set.
    pub clinics: Option<Vec<String>>,
    /// The day receivables are counted at (end of day); default: the day of the latest
    /// transmission or posting.
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstPass {
    pub month: String,
    pub chains: usize,
    pub clean: usize,
    pub rejected: usize,
    pub denied: usize,
    pub resubmitted: usize,
    /// No outcome yet (neither rejected nor adjudicated): not in the rate.
    pub pending: usize,
    /// clean / (chains - pending), percent.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denials {
    pub month: String,
    pub visits: usize,
    pub cause: String,
    pub denied_claims: usize,
    pub per_100_visits: Option<f64>,
}

/// Denials per 100 visits by root cause over the whole period filtered: every billable visit
/// of the period counts, months with no denial included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseTotal {
    pub cause: String,
    pub denied_claims: usize,
    pub visits: usize,
    pub per_100_visits: Option<f64>,
    /// Dollars denied on the first adjudications denied for this cause.
    pub denied_cents: i64,
    /// Dollars still denied on the latest adjudications denied for this cause (the stand-in
    /// for write-offs: cleanclaim records no write-off transaction).
    pub unrecovered_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lag {
    pub month: String,
    pub claims: usize,
    pub median_days: i64,
    pub p90_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoCleared {
    pub month: String,
    pub visits: usize,
    pub auto_cleared: usize,
    pub share: Option<f64>,
}

/// Open receivables at a day, as days of average daily charges (docs/kpis.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receivables {
    pub as_of: NaiveDate,
    /// The trailing window the daily charge is averaged over.
    pub window_days: i64,
    /// Chains not yet adjudicated, and denied dollars not yet recovered.
    pub insurance_open_cents: i64,
    /// Patient responsibility of the latest adjudications (cleanclaim records no patient
    /// payments: this is what patients were billed).
    pub patient_open_cents: i64,
    /// Charges of chains first sent in the window, over its days.
    pub daily_charges_cents: i64,
    pub days_insurance: Option<f64>,
    pub days_total: Option<f64>,
    /// Insurance open by age from the date of service: 0-30, 31-60, 61-90, 91-120, over 120.
    pub aging_cents: [i64; 5],
    /// Share of insurance open over 90 days, percent.
    pub over_90_share: Option<f64>,
}

/// Denied dollars by month of service: denied on the first adjudication, and still denied on
/// the latest (not recovered by a corrected claim or an appeal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeniedDollars {
    pub month: String,
    pub charges_cents: i64,
    pub denied_cents: i64,
    pub unrecovered_cents: i64,
}

/// Receivables are averaged over 90 days of charges (the project rule of shared KPI notes §3.7).
pub const AR_WINDOW_DAYS: i64 = 90;

/// How long visits stay held in a work queue before the stay ends (docs/kpis.md): the
/// stays of the visits counted, entered by the day counted at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldResolution {
    pub queue: String,
    /// Stays that began.
    pub held: usize,
    /// Of them, ended (resolved, re-routed or billed) by the day counted at.
    pub resolved: usize,
    /// Still open.
    pub open: usize,
    /// Hours from entering to leaving, over the resolved stays.
    pub median_hours: Option<i64>,
    pub p90_hours: Option<i64>,
}

/// The causes the person who books a visit can prevent, by checking the authorization and the
/// coverage before booking (issue 18 asks for these two by who scheduled the visit).
pub const ACCESS_CAUSES: [cleanclaim_remit::Category; 2] = [
    cleanclaim_remit::Category::Authorization,
    cleanclaim_remit::Category::Eligibility,
];

/// Authorization and eligibility denials of the visits one person booked at one location,
/// over the period filtered (docs/kpis.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessDenials {
    pub location: Option<String>,
    /// Who booked the visits; none when neither the record nor an appointment says.
    pub scheduled_by: Option<String>,
    /// Billable visits they booked there.
    pub visits: usize,
    pub authorization: usize,
    pub eligibility: usize,
    /// (authorization + eligibility) per 100 of those visits.
    pub per_100_visits: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Kpis {
    pub first_pass: Vec<FirstPass>,
    pub denials: Vec<Denials>,
    pub denials_over_period: Vec<CauseTotal>,
    pub submission_lag: Vec<Lag>,
    pub auto_cleared: Vec<AutoCleared>,
    pub denied_dollars: Vec<DeniedDollars>,
    /// None when nothing was sent by the day counted at.
    pub receivables: Option<Receivables>,
    /// Per holding queue, in routing order.
    pub hold_resolution: Vec<HoldResolution>,
    /// By location, then by who booked the visits.
    pub access_denials: Vec<AccessDenials>,
    /// Paid on the visits' claims, every adjudication posted by the day counted at (cost to
    /// collect's denominator).
    pub collected_cents: i64,
}

/// The day of the latest transmission or posting: the last day the store knows of.
pub fn latest_fact(facts: &KpiFacts) -> Option<NaiveDate> {
    facts
        .transmissions
        .iter()
        .map(|t| t.submitted_at.date_naive())
        .chain(facts.adjudications.iter().map(|a| a.posted_at.date_naive()))
        .max()
}

/// The median (mean of the middle two, rounded down) and nearest-rank 90th percentile.
pub fn median_and_p90(values: &mut [i64]) -> (i64, i64) {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return (0, 0);
    }
    let at = |i: usize| values.get(i).copied().unwrap_or(0);
    let median = if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)).div_euclid(2)
    };
    let rank = (9 * n).div_ceil(10);
    (median, at(rank.saturating_sub(1)))
}

/// Computes the KPIs of the visits `filter` admits. A reader that computes many cuts of the
/// same facts builds the [`KpiIndex`] once and asks it.
pub fn compute(facts: &KpiFacts, filter: &KpiFilter) -> Kpis {
    KpiIndex::build(facts).compute(filter)
}

/// A CSV field, quoted when it holds a delimiter, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The KPIs as CSV: one row per figure, `kpi,month,cause,numerator,denominator,value`.
pub fn to_csv(kpis: &Kpis) -> String {
    let mut out = String::from("kpi,month,cause,numerator,denominator,value\n");
    let value = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    for r in &kpis.first_pass {
        out.push_str(&format!(
            "first_pass_clean_rate,{},,{},{},{}\n",
            r.month,
            r.clean,
            r.chains - r.pending,
            value(r.rate)
        ));
    }
    for r in &kpis.denials {
        out.push_str(&format!(
            "denials_per_100_visits,{},{},{},{},{}\n",
            r.month,
            r.cause,
            r.denied_claims,
            r.visits,
            value(r.per_100_visits)
        ));
    }
    for r in &kpis.denials_over_period {
        out.push_str(&format!(
            "denials_per_100_visits,period,{},{},{},{}\n",
            r.cause,
            r.denied_claims,
            r.visits,
            value(r.per_100_visits)
        ));
    }
    for r in &kpis.submission_lag {
        out.push_str(&format!(
            "dos_to_submission_median_days,{},,,{},{}\n",
            r.month, r.claims, r.median_days
        ));
        out.push_str(&format!(
            "dos_to_submission_p90_days,{},,,{},{}\n",
            r.month, r.claims, r.p90_days
        ));
    }
    for r in &kpis.hold_resolution {
        let hours = |h: Option<i64>| h.map(|h| h.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "hold_resolution_median_hours,period,{},,{},{}\n",
            r.queue,
            r.resolved,
            hours(r.median_hours)
        ));
        out.push_str(&format!(
            "hold_resolution_p90_hours,period,{},,{},{}\n",
            r.queue,
            r.resolved,
            hours(r.p90_hours)
        ));
        out.push_str(&format!(
            "holds_open,period,{},{},{},\n",
            r.queue, r.open, r.held
        ));
    }
    for r in &kpis.access_denials {
        // The cut in the cause column: `location/scheduler` (empty where not known).
        let cut = format!(
            "{}/{}",
            r.location.as_deref().unwrap_or_default(),
            r.scheduled_by.as_deref().unwrap_or_default()
        );
        out.push_str(&format!(
            "authorization_eligibility_denials_per_100_visits,period,{},{},{},{}\n",
            csv_field(&cut),
            r.authorization + r.eligibility,
            r.visits,
            value(r.per_100_visits)
        ));
    }
    for r in &kpis.auto_cleared {
        out.push_str(&format!(
            "auto_cleared_share,{},,{},{},{}\n",
            r.month,
            r.auto_cleared,
            r.visits,
            value(r.share)
        ));
    }
    // Dollars as decimals; the value is the share of charges (or of what is open), percent.
    let dollars = |cents: i64| cleanclaim_model::Cents(cents).decimal();
    let share = |part: i64, whole: i64| {
        value((whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0))
    };
    let period_charges: i64 = kpis.denied_dollars.iter().map(|r| r.charges_cents).sum();
    for r in &kpis.denials_over_period {
        for (kpi, cents) in [
            ("denied_dollars", r.denied_cents),
            ("denied_dollars_not_recovered", r.unrecovered_cents),
        ] {
            out.push_str(&format!(
                "{kpi},period,{},{},{},{}\n",
                r.cause,
                dollars(cents),
                dollars(period_charges),
                share(cents, period_charges)
            ));
        }
    }
    for r in &kpis.denied_dollars {
        for (kpi, cents) in [
            ("denied_dollars", r.denied_cents),
            ("denied_dollars_not_recovered", r.unrecovered_cents),
        ] {
            out.push_str(&format!(
                "{kpi},{},,{},{},{}\n",
                r.month,
                dollars(cents),
                dollars(r.charges_cents),
                share(cents, r.charges_cents)
            ));
        }
    }
    if let Some(ar) = &kpis.receivables {
        let open = ar.insurance_open_cents;
        let total = open.saturating_add(ar.patient_open_cents);
        for (kpi, cents, days) in [
            ("days_in_ar_insurance", open, ar.days_insurance),
            ("days_in_ar_total", total, ar.days_total),
        ] {
            out.push_str(&format!(
                "{kpi},{},,{},{},{}\n",
                ar.as_of,
                dollars(cents),
                dollars(ar.daily_charges_cents),
                days.map(|d| format!("{d:.1}")).unwrap_or_default()
            ));
        }
        let over_90: i64 = ar.aging_cents.iter().skip(3).sum();
        out.push_str(&format!(
            "ar_over_90_days_share,{},,{},{},{}\n",
            ar.as_of,
            dollars(over_90),
            dollars(open),
            value(ar.over_90_share)
        ));
    }
    out
}
