//! `cleanclaim kpis`: the revenue-cycle KPIs of the stored visits (docs/kpis.md), as a table,
//! JSON or CSV, cut by location, payer, provider, discipline and dates of service.

use chrono::NaiveDate;
use clap::Args;
use cleanclaim_app::kpi_periods::period_figures;
use cleanclaim_app::kpis::{KpiFilter, KpiIndex, Kpis, to_csv};

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Args)]
pub struct KpiArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Only visits of this clinic.
    #[arg(long)]
    location: Option<String>,
    /// Only visits of this payer id.
    #[arg(long)]
    payer: Option<String>,
    /// Only visits of this rendering NPI.
    #[arg(long)]
    provider: Option<String>,
    /// Only visits of this discipline (pt, ot, slp).
    #[arg(long)]
    discipline: Option<String>,
    /// Visits on or after this date of service.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Visits on or before this date of service.
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Count receivables at the end of this day (default: the latest transmission or posting).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// `table`, `json` or `csv`.
    #[arg(long, default_value = "table")]
    format: String,
    /// Baseline versus after: two ranges of dates of service (`FROM..TO`, given twice), their
    /// headline figures side by side, each counted --run-out days after it ends (table or json).
    #[arg(long, num_args = 1, value_parser = crate::kpi_compare::date_range, conflicts_with_all = ["from", "to", "as_of"])]
    compare: Vec<(NaiveDate, NaiveDate)>,
    /// With --compare: days after each period's last day its figures are read at (90: the
    /// project's run-out for adjudication outcomes); a period the store has not reached that
    /// far past is marked provisional.
    #[arg(long, requires = "compare", default_value_t = cleanclaim_app::kpi_periods::ADJUDICATION_RUN_OUT_DAYS)]
    run_out: u64,
    /// The billing team's loaded staff cost per month, in dollars, for the cost to collect of
    /// each compared period (prorated by days).
    #[arg(long, requires = "compare", value_parser = crate::kpi_compare::dollars)]
    staff_cost_per_month: Option<cleanclaim_model::Cents>,
}

pub fn run(args: &KpiArgs) -> anyhow::Result<Outcome> {
    let (runtime, store) = setup::store(&args.database)?;
    let facts = KpiIndex::build(&runtime.block_on(store.kpi_facts())?);
    runtime.block_on(store.close());
    let filter = KpiFilter {
        location: args.location.clone(),
        payer: args.payer.clone(),
        provider: args.provider.clone(),
        discipline: args.discipline.clone(),
        from: args.from,
        to: args.to,
        clinics: None,
        as_of: args.as_of,
    };
    if !args.compare.is_empty() {
        let [a, b] = args.compare.as_slice() else {
            anyhow::bail!(
                "--compare takes exactly two ranges: the baseline, then the period after"
            );
        };
        let figures = [a, b].map(|range| {
            period_figures(
                &facts,
                &filter,
                *range,
                args.run_out,
                args.staff_cost_per_month,
            )
        });
        match args.format.as_str() {
            "json" => println!("{}", serde_json::to_string_pretty(&figures)?),
            "table" => print!(
                "{}",
                crate::kpi_compare::table(["baseline", "after"], [&figures[0], &figures[1]])
            ),
            other => anyhow::bail!("--compare prints table or json, not `{other}`"),
        }
        return Ok(Outcome::Clean);
    }
    let kpis = facts.compute(&filter);
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&kpis)?),
        "csv" => print!("{}", to_csv(&kpis)),
        "table" => print!("{}", table(&kpis)),
        other => anyhow::bail!("--format is table, json or csv, not `{other}`"),
    }
    Ok(Outcome::Clean)
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.2}%"))
}

fn table(kpis: &Kpis) -> String {
    let mut out = String::from(
        "First-pass clean claim rate (by month of first submission)\n  month    chains  clean  rejected  denied  resubmitted  pending  rate\n",
    );
    for r in &kpis.first_pass {
        out.push_str(&format!(
            "  {}  {:>6}  {:>5}  {:>8}  {:>6}  {:>11}  {:>7}  {}\n",
            r.month,
            r.chains,
            r.clean,
            r.rejected,
            r.denied,
            r.resubmitted,
            r.pending,
            rate(r.rate)
        ));
    }
    out.push_str("\nDenials per 100 visits by root cause (by month of service)\n  month    cause                 denied  visits  per 100\n");
    for r in &kpis.denials {
        out.push_str(&format!(
            "  {}  {:<20}  {:>6}  {:>6}  {}\n",
            r.month,
            r.cause,
            r.denied_claims,
            r.visits,
            r.per_100_visits
                .map_or_else(|| "-".into(), |v| format!("{v:.2}"))
        ));
    }
    out.push_str("\nDate of service to submission, days (by month of first submission)\n  month    claims  median  p90\n");
    for r in &kpis.submission_lag {
        out.push_str(&format!(
            "  {}  {:>6}  {:>6}  {:>3}\n",
            r.month, r.claims, r.median_days, r.p90_days
        ));
    }
    out.push_str("\nAuto-cleared: ready to bill on the first scrub (by month of service)\n  month    visits  auto-cleared  share\n");
    for r in &kpis.auto_cleared {
        out.push_str(&format!(
            "  {}  {:>6}  {:>12}  {}\n",
            r.month,
            r.visits,
            r.auto_cleared,
            rate(r.share)
        ));
    }
    out.push_str("\nHolds: time to resolution, hours (stays in each holding queue)\n  queue                held  resolved  open  median  p90\n");
    let hours = |h: Option<i64>| h.map_or_else(|| "-".to_owned(), |h| h.to_string());
    for r in &kpis.hold_resolution {
        out.push_str(&format!(
            "  {:<19}  {:>4}  {:>8}  {:>4}  {:>6}  {:>3}\n",
            r.queue,
            r.held,
            r.resolved,
            r.open,
            hours(r.median_hours),
            hours(r.p90_hours)
        ));
    }
    out.push_str("\nAuthorization and eligibility denials by who booked the visit (the period)\n  location      booked by           visits  auth  elig  per 100\n");
    for r in &kpis.access_denials {
        out.push_str(&format!(
            "  {:<12}  {:<18}  {:>6}  {:>4}  {:>4}  {}\n",
            r.location.as_deref().unwrap_or("-"),
            r.scheduled_by.as_deref().unwrap_or("(not recorded)"),
            r.visits,
            r.authorization,
            r.eligibility,
            r.per_100_visits
                .map_or_else(|| "-".into(), |v| format!("{v:.2}"))
        ));
    }
    out.push_str("\nDenied dollars (by month of service): denied on the first adjudication, not recovered since\n  month    charges       denied        not recovered\n");
    let dollars = |cents: i64| cleanclaim_model::Cents(cents).decimal();
    for r in &kpis.denied_dollars {
        out.push_str(&format!(
            "  {}  {:>12}  {:>12}  {:>12}\n",
            r.month,
            dollars(r.charges_cents),
            dollars(r.denied_cents),
            dollars(r.unrecovered_cents)
        ));
    }
    out.push_str("\nDenied dollars by root cause (the period)\n  cause                 denied        not recovered\n");
    for r in &kpis.denials_over_period {
        out.push_str(&format!(
            "  {:<20}  {:>12}  {:>12}\n",
            r.cause,
            dollars(r.denied_cents),
            dollars(r.unrecovered_cents)
        ));
    }
    if let Some(ar) = &kpis.receivables {
        let days = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
        out.push_str(&format!(
            "\nReceivables at {}: insurance {} open, patients {}; {} a day of charges ({} days)\n  days in A/R: insurance {}, total {}\n  insurance by age from service: 0-30 {}, 31-60 {}, 61-90 {}, 91-120 {}, over 120 {} ({} over 90 days)\n",
            ar.as_of,
            dollars(ar.insurance_open_cents),
            dollars(ar.patient_open_cents),
            dollars(ar.daily_charges_cents),
            ar.window_days,
            days(ar.days_insurance),
            days(ar.days_total),
            dollars(ar.aging_cents[0]),
            dollars(ar.aging_cents[1]),
            dollars(ar.aging_cents[2]),
            dollars(ar.aging_cents[3]),
            dollars(ar.aging_cents[4]),
            rate(ar.over_90_share),
        ));
    }
    out
}
