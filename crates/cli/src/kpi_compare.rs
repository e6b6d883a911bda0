//! Two periods' headline KPIs side by side (`kpis --compare`, and `demo`'s before/after).

use chrono::NaiveDate;
use cleanclaim_app::kpi_periods::PeriodFigures;
use cleanclaim_model::Cents;

/// `FROM..TO`, two dates of service, the first not after the second.
pub fn date_range(text: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let (from, to) = text
        .split_once("..")
        .ok_or_else(|| format!("`{text}` is not a range FROM..TO (YYYY-MM-DD..YYYY-MM-DD)"))?;
    let day = |part: &str| {
        NaiveDate::parse_from_str(part.trim(), "%Y-%m-%d")
            .map_err(|_| format!("`{part}` is not a date (YYYY-MM-DD)"))
    };
    let (from, to) = (day(from)?, day(to)?);
    if from > to {
        return Err(format!("the range {from}..{to} ends before it starts"));
    }
    Ok((from, to))
}

/// Dollars as typed (`12000` or `12000.50`).
pub fn dollars(text: &str) -> Result<Cents, String> {
    Cents::parse_dollars(text)
        .ok_or_else(|| format!("`{text}` is not an amount in dollars (12000 or 12000.50)"))
}

/// The comparison as a table: a row per figure, a column per period.
pub fn table(labels: [&str; 2], periods: [&PeriodFigures; 2]) -> String {
    let pct = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}%"));
    let days = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
    let share = |part: i64, whole: i64| {
        if whole > 0 {
            format!("{:.1}%", part as f64 * 100.0 / whole as f64)
        } else {
            "-".to_owned()
        }
    };
    let [a, b] = periods;
    let counted = |p: &PeriodFigures| {
        format!(
            "{} ({} d){}",
            p.counted_at,
            p.run_out_days,
            if p.provisional { " provisional" } else { "" }
        )
    };
    let mut rows: Vec<(String, String, String)> = vec![
        (
            "visits from".to_owned(),
            format!("{}..{}", a.from, a.to),
            format!("{}..{}", b.from, b.to),
        ),
        (
            "first-pass clean claim rate".to_owned(),
            pct(a.first_pass_rate),
            pct(b.first_pass_rate),
        ),
        (
            "denials per 100 visits".to_owned(),
            format!("{:.1}", a.denials_per_100_visits),
            format!("{:.1}", b.denials_per_100_visits),
        ),
        ("counted at (run-out)".to_owned(), counted(a), counted(b)),
        (
            "claims still unresolved then".to_owned(),
            pct(a.unresolved_rate),
            pct(b.unresolved_rate),
        ),
        (
            "days in A/R (insurance)".to_owned(),
            days(a.days_in_ar),
            days(b.days_in_ar),
        ),
        (
            "auto-cleared on first scrub".to_owned(),
            pct(a.auto_cleared_rate),
            pct(b.auto_cleared_rate),
        ),
        (
            "denied dollars not recovered".to_owned(),
            Cents(a.unrecovered_cents).to_string(),
            Cents(b.unrecovered_cents).to_string(),
        ),
        (
            "  as a share of charges".to_owned(),
            share(a.unrecovered_cents, a.charges_cents),
            share(b.unrecovered_cents, b.charges_cents),
        ),
        (
            "collected".to_owned(),
            Cents(a.collected_cents).to_string(),
            Cents(b.collected_cents).to_string(),
        ),
    ];
    if a.staff_cost_cents.is_some() {
        rows.push((
            "cost to collect (staff cost / collected)".to_owned(),
            pct(a.cost_to_collect),
            pct(b.cost_to_collect),
        ));
    }
    let mut out = format!("\n{:<44} {:>28} {:>28}\n", "", labels[0], labels[1]);
    for (name, left, right) in rows {
        out.push_str(&format!("{name:<44} {left:>28} {right:>28}\n"));
    }
    if a.provisional || b.provisional {
        out.push_str("provisional: the store has nothing as late as the day counted yet; those figures will change\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn a_range_is_two_dates_in_order() {
        assert_eq!(
            date_range("2026-01-01..2026-06-30").unwrap(),
            ("2026-01-01".parse().unwrap(), "2026-06-30".parse().unwrap())
        );
        assert!(
            date_range("2026-07-01..2026-06-30")
                .unwrap_err()
                .contains("ends before")
        );
        assert!(date_range("2026-07-01").unwrap_err().contains("FROM..TO"));
        assert!(
            date_range("2026-13-01..2026-14-01")
                .unwrap_err()
                .contains("not a date")
        );
    }
}
