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
//!
//! Every KPI can be cut by location, payer, rendering provider and discipline; the cut applies
//! to the visit a chain bills.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use cleanclaim_store::KpiFacts;
use serde::Serialize;

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
    /// Paid on the visits' claims, every adjudication posted by the day counted at (cost to
    /// collect's denominator).
    pub collected_cents: i64,
}

struct Visit<'f> {
    date: NaiveDate,
    queue: Option<&'f str>,
    billable: bool,
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

fn month(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
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

fn discipline_of(record: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(record)
        .ok()?
        .get("discipline")?
        .as_str()
        .map(str::to_owned)
}

/// Computes the KPIs of the visits `filter` admits.
pub fn compute(facts: &KpiFacts, filter: &KpiFilter) -> Kpis {
    let admitted = |v: &cleanclaim_store::VisitFact| {
        let matches = |wanted: &Option<String>, actual: &Option<String>| {
            wanted
                .as_ref()
                .is_none_or(|w| actual.as_deref() == Some(w.as_str()))
        };
        matches(&filter.location, &v.clinic_id)
            && matches(&filter.payer, &v.payer_id)
            && matches(&filter.provider, &v.rendering_npi)
            && filter.from.is_none_or(|from| v.date_of_service >= from)
            && filter.to.is_none_or(|to| v.date_of_service <= to)
            && filter
                .clinics
                .as_ref()
                .is_none_or(|clinics| v.clinic_id.as_ref().is_some_and(|c| clinics.contains(c)))
            && filter
                .discipline
                .as_ref()
                .is_none_or(|d| discipline_of(&v.record).as_deref() == Some(d.as_str()))
    };
    let visits: HashMap<&str, Visit<'_>> = facts
        .visits
        .iter()
        .filter(|v| admitted(v))
        .map(|v| {
            (
                v.encounter_id.as_str(),
                Visit {
                    date: v.date_of_service,
                    queue: v.first_queue.as_deref(),
                    billable: v.latest_charge_cents.unwrap_or(0) > 0,
                },
            )
        })
        .collect();
    // A claim id is its visit's id, or `{id}-n` for a visit split past 50 lines.
    let visit_of = |claim: &str| -> Option<&Visit<'_>> {
        visits.get(claim).or_else(|| {
            let (base, suffix) = claim.rsplit_once('-')?;
            suffix.parse::<u32>().ok()?;
            visits.get(base)
        })
    };

    let as_of = filter.as_of.or_else(|| latest_fact(facts));
    let by_as_of =
        |at: chrono::DateTime<chrono::Utc>| as_of.is_none_or(|day| at.date_naive() <= day);

    struct Chain<'f> {
        first: chrono::DateTime<chrono::Utc>,
        transmissions: usize,
        resubmitted: bool,
        rejected: bool,
        first_adjudication: Option<&'f cleanclaim_store::AdjudicationFact>,
        latest_adjudication: Option<&'f cleanclaim_store::AdjudicationFact>,
        date: NaiveDate,
        charge_cents: i64,
    }
    let mut chains: BTreeMap<&str, Chain<'_>> = BTreeMap::new();
    for t in facts
        .transmissions
        .iter()
        .filter(|t| by_as_of(t.submitted_at))
    {
        let Some(visit) = visit_of(&t.claim_id) else {
            continue;
        };
        let chain = chains.entry(t.claim_id.as_str()).or_insert(Chain {
            first: t.submitted_at,
            transmissions: 0,
            resubmitted: false,
            rejected: false,
            first_adjudication: None,
            latest_adjudication: None,
            date: visit.date,
            charge_cents: t.total_cents,
        });
        chain.first = chain.first.min(t.submitted_at);
        chain.transmissions += 1;
        chain.resubmitted |= chain.transmissions > 1 || t.frequency != "1";
        // Transmissions come in time order: the latest one's charges stand.
        chain.charge_cents = t.total_cents;
    }
    for a in &facts.acknowledgments {
        if let Some(chain) = chains.get_mut(a.claim_id.as_str()) {
            chain.rejected |= !a.accepted;
        }
    }
    let mut collected_cents: i64 = 0;
    for a in facts.adjudications.iter().filter(|a| by_as_of(a.posted_at)) {
        if let Some(chain) = chains.get_mut(a.claim_id.as_str()) {
            chain.first_adjudication.get_or_insert(a);
            chain.latest_adjudication = Some(a);
            collected_cents = collected_cents.saturating_add(a.paid_cents);
        }
    }
    let denial_of = |a: &cleanclaim_store::AdjudicationFact| -> Option<String> {
        let cause = a.cause.clone().unwrap_or_else(|| "other".into());
        ((a.denied || a.denied_lines > 0) && cause != "duplicate").then_some(cause)
    };

    let mut first_pass: BTreeMap<String, FirstPass> = BTreeMap::new();
    let mut lags: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut denied_by: BTreeMap<(String, String), usize> = BTreeMap::new();
    for chain in chains.values() {
        let submitted_month = chain.first.format("%Y-%m").to_string();
        let row = first_pass
            .entry(submitted_month.clone())
            .or_insert_with(|| FirstPass {
                month: submitted_month.clone(),
                chains: 0,
                clean: 0,
                rejected: 0,
                denied: 0,
                resubmitted: 0,
                pending: 0,
                rate: None,
            });
        row.chains += 1;
        let denial = chain.first_adjudication.and_then(denial_of);
        if chain.rejected {
            row.rejected += 1;
        } else if chain.first_adjudication.is_none() {
            row.pending += 1;
        } else if denial.is_some() {
            row.denied += 1;
        } else if chain.resubmitted {
            row.resubmitted += 1;
        } else {
            row.clean += 1;
        }
        if let Some(cause) = denial {
            *denied_by.entry((month(chain.date), cause)).or_insert(0) += 1;
        }
        lags.entry(submitted_month)
            .or_default()
            .push((chain.first.date_naive() - chain.date).num_days());
    }
    let mut denied_dollars: BTreeMap<String, DeniedDollars> = BTreeMap::new();
    for chain in chains.values() {
        let service_month = month(chain.date);
        let row = denied_dollars
            .entry(service_month.clone())
            .or_insert_with(|| DeniedDollars {
                month: service_month,
                charges_cents: 0,
                denied_cents: 0,
                unrecovered_cents: 0,
            });
        row.charges_cents = row.charges_cents.saturating_add(chain.charge_cents);
        if let Some(first) = chain.first_adjudication.filter(|a| denial_of(a).is_some()) {
            row.denied_cents = row.denied_cents.saturating_add(first.denied_cents);
        }
        if let Some(latest) = chain.latest_adjudication.filter(|a| denial_of(a).is_some()) {
            row.unrecovered_cents = row.unrecovered_cents.saturating_add(latest.denied_cents);
        }
    }
    let receivables = as_of.map(|day| {
        let mut insurance = 0i64;
        let mut patient = 0i64;
        let mut aging = [0i64; 5];
        let mut window_charges = 0i64;
        for chain in chains.values() {
            let open = match chain.latest_adjudication {
                None => chain.charge_cents,
                Some(a) => {
                    patient = patient.saturating_add(a.patient_responsibility_cents);
                    if denial_of(a).is_some() {
                        a.denied_cents
                    } else {
                        0
                    }
                }
            };
            insurance = insurance.saturating_add(open);
            let age = (day - chain.date).num_days();
            let bucket = match age {
                ..=30 => 0,
                31..=60 => 1,
                61..=90 => 2,
                91..=120 => 3,
                _ => 4,
            };
            if let Some(slot) = aging.get_mut(bucket) {
                *slot = slot.saturating_add(open);
            }
            if (day - chain.first.date_naive()).num_days() < AR_WINDOW_DAYS {
                window_charges = window_charges.saturating_add(chain.charge_cents);
            }
        }
        let daily = window_charges as f64 / AR_WINDOW_DAYS as f64;
        let days = |open: i64| (daily > 0.0).then(|| (open as f64 / daily * 10.0).round() / 10.0);
        let over_90: i64 = aging.iter().skip(3).sum();
        Receivables {
            as_of: day,
            window_days: AR_WINDOW_DAYS,
            insurance_open_cents: insurance,
            patient_open_cents: patient,
            daily_charges_cents: daily.round() as i64,
            days_insurance: days(insurance),
            days_total: days(insurance.saturating_add(patient)),
            aging_cents: aging,
            over_90_share: (insurance > 0)
                .then(|| (over_90 as f64 * 10_000.0 / insurance as f64).round() / 100.0),
        }
    });
    let mut visits_by_month: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for visit in visits.values() {
        let entry = visits_by_month
            .entry(month(visit.date))
            .or_insert((0, 0, 0));
        if visit.billable {
            entry.0 += 1;
        }
        if visit.queue.is_some() {
            entry.1 += 1;
        }
        if visit.queue == Some("ready_to_bill") {
            entry.2 += 1;
        }
    }
    let billable_visits: usize = visits_by_month.values().map(|v| v.0).sum();
    let mut by_cause: BTreeMap<&str, usize> = BTreeMap::new();
    for ((_, cause), denied) in &denied_by {
        *by_cause.entry(cause.as_str()).or_insert(0) += denied;
    }
    let denials_over_period = by_cause
        .into_iter()
        .map(|(cause, denied_claims)| CauseTotal {
            cause: cause.to_owned(),
            denied_claims,
            visits: billable_visits,
            per_100_visits: percent(denied_claims, billable_visits),
        })
        .collect();
    let hold_resolution = hold_resolution(facts, &visits, as_of);
    Kpis {
        hold_resolution,
        collected_cents,
        denied_dollars: denied_dollars.into_values().collect(),
        receivables: if chains.is_empty() { None } else { receivables },
        denials_over_period,
        first_pass: first_pass
            .into_values()
            .map(|mut row| {
                row.rate = percent(row.clean, row.chains - row.pending);
                row
            })
            .collect(),
        denials: denied_by
            .into_iter()
            .map(|((month, cause), denied_claims)| {
                let billable = visits_by_month.get(&month).map_or(0, |v| v.0);
                Denials {
                    per_100_visits: percent(denied_claims, billable),
                    month,
                    visits: billable,
                    cause,
                    denied_claims,
                }
            })
            .collect(),
        submission_lag: lags
            .into_iter()
            .map(|(month, mut days)| {
                let (median_days, p90_days) = median_and_p90(&mut days);
                Lag {
                    month,
                    claims: days.len(),
                    median_days,
                    p90_days,
                }
            })
            .collect(),
        auto_cleared: visits_by_month
            .into_iter()
            .map(|(month, (_, scrubbed, ready))| AutoCleared {
                month,
                visits: scrubbed,
                auto_cleared: ready,
                share: percent(ready, scrubbed),
            })
            .collect(),
    }
}

/// Stays in the holding queues of the visits counted, entered by the end of `as_of`; a stay
/// that ended after it is still open on that day.
fn hold_resolution(
    facts: &KpiFacts,
    visits: &HashMap<&str, Visit<'_>>,
    as_of: Option<NaiveDate>,
) -> Vec<HoldResolution> {
    let by = |at: chrono::DateTime<chrono::Utc>| as_of.is_none_or(|day| at.date_naive() <= day);
    let mut stays: BTreeMap<&str, (usize, Vec<i64>)> = BTreeMap::new();
    for hold in facts
        .holds
        .iter()
        .filter(|h| visits.contains_key(h.encounter_id.as_str()) && by(h.entered_at))
    {
        let entry = stays.entry(hold.queue.as_str()).or_default();
        entry.0 += 1;
        if let Some(left) = hold.left_at.filter(|left| by(*left)) {
            entry.1.push((left - hold.entered_at).num_hours());
        }
    }
    let order = |queue: &str| {
        cleanclaim_billing::Queue::ALL
            .iter()
            .position(|q| q.name() == queue)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<HoldResolution> = stays
        .into_iter()
        .map(|(queue, (held, mut hours))| {
            let resolved = hours.len();
            let (median, p90) = median_and_p90(&mut hours);
            HoldResolution {
                queue: queue.to_owned(),
                held,
                resolved,
                open: held - resolved,
                median_hours: (resolved > 0).then_some(median),
                p90_hours: (resolved > 0).then_some(p90),
            }
        })
        .collect();
    rows.sort_by_key(|row| order(&row.queue));
    rows
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
