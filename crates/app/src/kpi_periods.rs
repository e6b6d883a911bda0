//! Baseline versus after: the headline KPIs of two date ranges side by side (the seed's
//! before/after at 6 and 12 months), each period counted the same time after it ends (the
//! run-out: 90 days for adjudication outcomes by the project's KPI rule, shared KPI notes
//! §1.3), with the share still unresolved and the cost to collect from a configured staff
//! cost. A period read before its run-out has passed is marked provisional. Definitions:
//! docs/kpis.md.

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use serde::Serialize;

use crate::kpis::{KpiFilter, KpiIndex, Kpis};

/// The demo's run-out: its simulated payer answers within 14 days, so 35 days after a
/// period's last day every claim of it has been answered.
pub const RUN_OUT_DAYS: u64 = 35;

/// The run-out a comparison uses unless told otherwise: adjudication outcomes are read 90
/// days after the period's last day (shared KPI notes §1.3, project rule).
pub const ADJUDICATION_RUN_OUT_DAYS: u64 = 90;

/// Average days in a month, to prorate a monthly staff cost over a period.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The headline figures of one period of dates of service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the figures are counted at: the period's end plus the run-out.
    pub counted_at: NaiveDate,
    pub run_out_days: u64,
    /// The store knows nothing as late as `counted_at` yet: the period is read before its
    /// run-out has passed, and its figures will change.
    pub provisional: bool,
    /// Chains not yet rejected or adjudicated at the day counted, percent of the period's
    /// chains (shown because a gap between periods is itself a finding).
    pub unresolved_rate: Option<f64>,
    /// Clean on first submission over claims answered, percent.
    pub first_pass_rate: Option<f64>,
    /// Denials per 100 visits, all causes.
    pub denials_per_100_visits: f64,
    /// Insurance days in A/R at the day counted.
    pub days_in_ar: Option<f64>,
    /// Visits ready to bill on their first scrub over visits scrubbed, percent.
    pub auto_cleared_rate: Option<f64>,
    pub charges_cents: i64,
    /// Denied on first adjudication and not recovered since.
    pub unrecovered_cents: i64,
    /// Paid on the period's visits by the day counted.
    pub collected_cents: i64,
    /// The staff cost prorated over the period's days, when a monthly cost was given.
    pub staff_cost_cents: Option<i64>,
    /// Staff cost over collected, percent.
    pub cost_to_collect: Option<f64>,
}

/// The figures of the visits `base` admits with dates of service `from` to `to`, counted
/// `run_out_days` after `to`; the staff cost per month (the billing team's loaded cost) gives
/// the cost to collect.
pub fn period_figures(
    facts: &KpiIndex,
    base: &KpiFilter,
    (from, to): (NaiveDate, NaiveDate),
    run_out_days: u64,
    staff_cost_per_month: Option<Cents>,
) -> PeriodFigures {
    let counted_at = to
        .checked_add_days(chrono::Days::new(run_out_days))
        .unwrap_or(to);
    let kpis = facts.compute(&KpiFilter {
        from: Some(from),
        to: Some(to),
        as_of: Some(counted_at),
        ..base.clone()
    });
    let mut figures = figures_of(&kpis, (from, to, counted_at), staff_cost_per_month);
    figures.run_out_days = run_out_days;
    figures.provisional = facts.latest_fact().is_none_or(|last| last < counted_at);
    figures
}

fn figures_of(
    kpis: &Kpis,
    (from, to, counted_at): (NaiveDate, NaiveDate, NaiveDate),
    staff_cost_per_month: Option<Cents>,
) -> PeriodFigures {
    let answered: usize = kpis.first_pass.iter().map(|r| r.chains - r.pending).sum();
    let chains: usize = kpis.first_pass.iter().map(|r| r.chains).sum();
    let clean: usize = kpis.first_pass.iter().map(|r| r.clean).sum();
    let scrubbed: usize = kpis.auto_cleared.iter().map(|r| r.visits).sum();
    let cleared: usize = kpis.auto_cleared.iter().map(|r| r.auto_cleared).sum();
    let percent =
        |part: f64, whole: f64| (whole > 0.0).then(|| (part * 10_000.0 / whole).round() / 100.0);
    let days = (to - from).num_days() + 1;
    let staff_cost_cents = staff_cost_per_month
        .map(|monthly| (monthly.0 as f64 * days as f64 / DAYS_PER_MONTH).round() as i64);
    PeriodFigures {
        from,
        to,
        counted_at,
        run_out_days: 0,
        provisional: false,
        unresolved_rate: percent((chains - answered) as f64, chains as f64),
        first_pass_rate: percent(clean as f64, answered as f64),
        denials_per_100_visits: kpis
            .denials_over_period
            .iter()
            .filter_map(|c| c.per_100_visits)
            // A fold from +0.0: an empty `sum` of floats is -0.0, printed "-0.0".
            .fold(0.0, |sum, per_100| sum + per_100),
        days_in_ar: kpis.receivables.as_ref().and_then(|r| r.days_insurance),
        auto_cleared_rate: percent(cleared as f64, scrubbed as f64),
        charges_cents: kpis.denied_dollars.iter().map(|d| d.charges_cents).sum(),
        unrecovered_cents: kpis
            .denied_dollars
            .iter()
            .map(|d| d.unrecovered_cents)
            .sum(),
        collected_cents: kpis.collected_cents,
        staff_cost_cents,
        cost_to_collect: staff_cost_cents
            .and_then(|cost| percent(cost as f64, kpis.collected_cents as f64)),
    }
}
