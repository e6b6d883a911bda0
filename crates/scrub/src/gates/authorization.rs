//! Authorizations and benefit limits (queue `authorization`): the ledger per patient and
//! payer, drawn down by each billed visit, and the plan's annual visit and dollar limits.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use cleanclaim_billing::rules;
use cleanclaim_model::{Cents, Discipline};

use super::{Raised, Visit};
use crate::context::{AuthStatus, AuthorizationItem, ledger_for};
use crate::episode::Usage;
use crate::result::BenefitStanding;

/// Visits and charges this year before this visit, per discipline (PT, OT, SLP).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct YearUsage {
    pub pt: Usage,
    pub ot: Usage,
    pub slp: Usage,
}

impl YearUsage {
    pub fn of(&self, discipline: Discipline) -> Usage {
        match discipline {
            Discipline::Pt => self.pt,
            Discipline::Ot => self.ot,
            Discipline::Slp => self.slp,
        }
    }

    /// The disciplines' usage together.
    fn over(&self, disciplines: &[Discipline]) -> Usage {
        disciplines
            .iter()
            .map(|d| self.of(*d))
            .fold(Usage::default(), Usage::plus)
    }
}

/// A patient's usage under the encounter's plan before the visit: this calendar year's, and
/// every year's up to it (for lifetime limits; of the visit's condition when the pack counts
/// lifetime limits per condition).
#[derive(Debug, Clone)]
pub(crate) struct Usages {
    pub year: YearUsage,
    /// None when the pack sets no lifetime limit, or counts it per condition and the visit
    /// has none.
    pub lifetime: Option<YearUsage>,
    /// The condition lifetime usage was counted for, when counted per condition.
    pub condition: Option<String>,
}

/// What the visit takes from an authorization: (ledger index, visits, units).
pub(crate) type Draw = (usize, u32, u32);

/// Checks the ledger; returns what the visit draws when it is within the authorization: the
/// authorization it draws on first, then any other code group's that covers some of its
/// lines. Empty when it draws on none.
pub(crate) fn check_ledger<'c>(
    visit: &Visit<'_, '_>,
    patient_ledger: impl Iterator<Item = (usize, &'c AuthorizationItem)>,
    drawn: &HashMap<usize, (u32, u32)>,
    visit_days: &HashSet<(usize, NaiveDate, Discipline)>,
    raised: &mut Vec<Raised>,
) -> Vec<Draw> {
    let encounter = visit.encounter;
    let date = encounter.date_of_service;
    let (items, covering) = ledger_for(
        patient_ledger,
        &encounter.administrative.payer.id,
        encounter.discipline,
        date,
    );
    let required = visit.period.authorization.required;
    let mut billed = visit
        .derivation
        .lines
        .iter()
        .filter(|line| line.units > 0)
        .peekable();
    if billed.peek().is_some() && billed.all(|line| is_exempt(visit, line.code)) {
        return Vec::new();
    }
    if items.is_empty() {
        if required {
            raised.push(Raised::new(
                &rules::AUTHORIZATION_MISSING,
                match &encounter.administrative.authorization {
                    Some(_) => format!(
                        "{} requires prior authorization; the encounter's authorization number is not in the ledger",
                        visit.period.billing.name
                    ),
                    None => format!(
                        "{} requires prior authorization for {} and none is on file",
                        visit.period.billing.name,
                        encounter.discipline.label()
                    ),
                },
            ));
        }
        return Vec::new();
    }
    let Some((index, item)) = covering else {
        let spans: Vec<String> = items
            .iter()
            .map(|(_, item)| format!("{} ({} to {})", item.number, item.from, item.to))
            .collect();
        raised.push(Raised::new(
            &rules::AUTHORIZATION_OUTSIDE_DATES,
            format!(
                "{date} is outside every authorization on file: {}",
                spans.join(", ")
            ),
        ));
        return Vec::new();
    };
    if let Some(number) = &encounter.administrative.authorization
        && *number != item.number
    {
        raised.push(Raised::new(
            &rules::AUTHORIZATION_NUMBER_MISMATCH,
            format!(
                "the encounter's authorization number differs from {} in the ledger for {date}",
                item.number
            ),
        ));
    }
    if refused(item, raised) {
        return Vec::new();
    }
    let others = code_group(visit, item, &items, raised);
    let (drawn_visits, drawn_units) = drawn.get(&index).copied().unwrap_or((0, 0));
    // A second note of the discipline on a date (a split session) is the same visit: payers
    // count authorized visits by date of service, so the day draws one.
    let day_drawn = visit_days.contains(&(index, date, encounter.discipline));
    let visit_draw = u32::from(!day_drawn);
    // Only the codes it covers draw on a code-group authorization.
    let units: u32 = visit
        .derivation
        .lines
        .iter()
        .filter(|line| item.covers(line.code))
        .map(|line| line.units)
        .sum();
    let exhausted = over_limits(item, (drawn_visits, drawn_units), units, day_drawn, raised);
    if !exhausted {
        running_out(
            visit,
            item,
            // The day already drawn counts once: as if this note were the day's first.
            (
                drawn_visits.saturating_sub(1 - visit_draw),
                drawn_units,
                units,
            ),
            raised,
        );
    }
    if exhausted {
        return Vec::new();
    }
    let mut draws = vec![(index, visit_draw, units)];
    draws.extend(
        others
            .into_iter()
            .filter_map(|other| draw_secondary(visit, other, drawn, visit_days, raised)),
    );
    draws
}

/// A line the drawn-on authorization's code group leaves out, and no other authorization
/// covering the date lists, is not authorized. A line another code group covers draws on that
/// one: returns those authorizations with the units their lines bill (earliest first).
fn code_group<'c>(
    visit: &Visit<'_, '_>,
    item: &AuthorizationItem,
    items: &[(usize, &'c AuthorizationItem)],
    raised: &mut Vec<Raised>,
) -> Vec<(usize, &'c AuthorizationItem, u32)> {
    let date = visit.encounter.date_of_service;
    let mut others: Vec<(usize, &'c AuthorizationItem, u32)> = Vec::new();
    for line in visit.derivation.lines.iter().filter(|line| line.units > 0) {
        if item.covers(line.code) || is_exempt(visit, line.code) {
            continue;
        }
        let elsewhere = items
            .iter()
            .filter(|(_, other)| {
                other.from <= date
                    && date <= other.to
                    && !other.codes.is_empty()
                    && other.covers(line.code)
            })
            .min_by(|(_, a), (_, b)| a.from.cmp(&b.from).then_with(|| a.number.cmp(&b.number)));
        if let Some(&(index, other)) = elsewhere {
            match others.iter_mut().find(|(at, _, _)| *at == index) {
                Some((_, _, units)) => *units += line.units,
                None => others.push((index, other, line.units)),
            }
            continue;
        }
        let group: Vec<&str> = item.codes.iter().map(|code| code.as_str()).collect();
        raised.push(Raised::on(
            &rules::AUTHORIZATION_CODE_NOT_COVERED,
            line.code,
            format!(
                "{} is not among the codes authorization {} covers ({}), and no other authorization on file covers it on {date}",
                line.code,
                item.number,
                group.join(", ")
            ),
        ));
    }
    others
}

/// Draws a line group's units (and the day's visit) on another code group's authorization,
/// holding the visit when that authorization cannot take them.
fn draw_secondary(
    visit: &Visit<'_, '_>,
    (index, item, units): (usize, &AuthorizationItem, u32),
    drawn: &HashMap<usize, (u32, u32)>,
    visit_days: &HashSet<(usize, NaiveDate, Discipline)>,
    raised: &mut Vec<Raised>,
) -> Option<Draw> {
    let date = visit.encounter.date_of_service;
    if refused(item, raised) {
        return None;
    }
    let day_drawn = visit_days.contains(&(index, date, visit.encounter.discipline));
    let (drawn_visits, drawn_units) = drawn.get(&index).copied().unwrap_or((0, 0));
    let exhausted = over_limits(item, (drawn_visits, drawn_units), units, day_drawn, raised);
    (!exhausted).then_some((index, u32::from(!day_drawn), units))
}

/// An authorization marked denied or patient pay holds the visit; whether it did.
fn refused(item: &AuthorizationItem, raised: &mut Vec<Raised>) -> bool {
    let (rule, marked) = match item.status {
        AuthStatus::Denied => (&rules::AUTHORIZATION_DENIED, "denied"),
        AuthStatus::PatientPay => (&rules::AUTHORIZATION_PATIENT_PAY, "patient_pay"),
        AuthStatus::Active | AuthStatus::ExtensionRequested => return false,
    };
    raised.push(Raised::new(
        rule,
        format!("authorization {} is marked {marked}", item.number),
    ));
    true
}

/// The visit against the authorization's visits and units: `drawn` is what earlier visits of
/// this run drew, `units` what this one would; a day already drawn takes no second visit.
/// Whether either limit holds the visit.
fn over_limits(
    item: &AuthorizationItem,
    (drawn_visits, drawn_units): (u32, u32),
    units: u32,
    day_drawn: bool,
    raised: &mut Vec<Raised>,
) -> bool {
    let pending = if item.status == AuthStatus::ExtensionRequested {
        "; an extension is requested and pending"
    } else {
        ""
    };
    let mut exhausted = false;
    let used_visits = item.used_visits + drawn_visits;
    if let Some(allowed) = item.visits
        && !day_drawn
        && used_visits >= allowed
    {
        exhausted = true;
        raised.push(Raised::new(
            &rules::AUTHORIZATION_VISITS_EXHAUSTED,
            format!(
                "authorization {} allows {allowed} visits and {used_visits} are used{pending}",
                item.number
            ),
        ));
    }
    let used_units = item.used_units + drawn_units;
    if let Some(allowed) = item.units
        && used_units + units > allowed
    {
        exhausted = true;
        raised.push(Raised::new(
            &rules::AUTHORIZATION_UNITS_EXHAUSTED,
            format!(
                "authorization {} allows {allowed} units; {used_units} are used and this visit bills {units}{pending}",
                item.number
            ),
        ));
    }
    exhausted
}

/// An evaluation or re-evaluation code, where the pack exempts them from authorization.
fn is_exempt(visit: &Visit<'_, '_>, code: cleanclaim_model::ProcedureCode) -> bool {
    visit.period.authorization.evaluations_exempt
        && visit
            .engine
            .catalogue()
            .get(code)
            .is_some_and(|info| info.evaluation.is_some())
}

/// The warning before the wall: what is left on the authorization after this visit, and how
/// soon it ends, against the pack's thresholds.
fn running_out(
    visit: &Visit<'_, '_>,
    item: &AuthorizationItem,
    (drawn_visits, drawn_units, units): (u32, u32, u32),
    raised: &mut Vec<Raised>,
) {
    let policy = &visit.period.authorization;
    let mut left = Vec::new();
    if let (Some(allowed), Some(threshold)) = (item.visits, policy.warn_visits_left) {
        let remaining = allowed.saturating_sub(item.used_visits + drawn_visits + 1);
        if remaining <= threshold {
            left.push(format!(
                "{remaining} of {allowed} visits left after this one"
            ));
        }
    }
    if let (Some(allowed), Some(threshold)) = (item.units, policy.warn_units_left) {
        let remaining = allowed.saturating_sub(item.used_units + drawn_units + units);
        if remaining <= threshold {
            left.push(format!(
                "{remaining} of {allowed} units left after this one"
            ));
        }
    }
    let days = (item.to - visit.encounter.date_of_service).num_days();
    if let Some(threshold) = policy.warn_days_left
        && days <= i64::from(threshold)
    {
        left.push(format!(
            "it ends on {} ({days} day(s) after this visit)",
            item.to
        ));
    }
    if !left.is_empty() {
        raised.push(Raised::new(
            &rules::AUTHORIZATION_RUNNING_OUT,
            format!("authorization {}: {}", item.number, left.join("; ")),
        ));
    }
}

/// Checks the plan's annual and lifetime visit and dollar limits against the usage before
/// this visit plus this visit, and says where they stand after it. `day_counted`: an earlier
/// note of the day was the day's visit, so this one adds no visit (payers count visits by
/// date of service).
pub(crate) fn check_benefits(
    visit: &Visit<'_, '_>,
    usage: &Usages,
    charges: Cents,
    day_counted: bool,
    raised: &mut Vec<Raised>,
) -> Option<BenefitStanding> {
    let benefits = &visit.period.benefits;
    if !benefits.limits_anything() {
        return None;
    }
    let disciplines = benefits.sharing_with(visit.encounter.discipline);
    // Formatted only into a finding's message: most visits have none.
    let scope = ScopeLabel(&disciplines);
    let before = usage.year.over(&disciplines);
    let lifetime = usage.lifetime.map(|lifetime| lifetime.over(&disciplines));
    let year = chrono::Datelike::year(&visit.encounter.date_of_service);
    let this_visit = u32::from(!day_counted);
    if let Some(cap) = benefits.visits_per_year
        && before.visits >= cap
        && !day_counted
    {
        raised.push(Raised::new(
            &rules::VISIT_CAP_REACHED,
            format!(
                "the plan covers {cap} visits a year ({scope}); {} were used in {year} before this one",
                before.visits
            ),
        ));
    }
    if let Some(cap) = benefits.spend_cap_cents.map(Cents) {
        let total = before.charges + charges;
        if total > cap {
            raised.push(Raised::new(
                &rules::SPEND_CAP_REACHED,
                format!(
                    "the plan covers {cap} of therapy a year ({scope}); with this visit {year} reaches {total}"
                ),
            ));
        }
    }
    let over = OverLabel(usage.condition.as_deref());
    if let (Some(cap), Some(lifetime)) = (benefits.lifetime_visits, lifetime)
        && lifetime.visits >= cap
        && !day_counted
    {
        raised.push(Raised::new(
            &rules::LIFETIME_CAP_REACHED,
            format!(
                "the plan covers {cap} visits {over} ({scope}); {} were used before this one",
                lifetime.visits
            ),
        ));
    }
    if let (Some(cap), Some(lifetime)) = (benefits.lifetime_spend_cap_cents.map(Cents), lifetime) {
        let total = lifetime.charges + charges;
        if total > cap {
            raised.push(Raised::new(
                &rules::LIFETIME_CAP_REACHED,
                format!(
                    "the plan covers {cap} of therapy {over} ({scope}); with this visit the total reaches {total}"
                ),
            ));
        }
    }
    let lifetime = lifetime.unwrap_or_default();
    let counted = usage.lifetime.is_some();
    Some(BenefitStanding {
        disciplines,
        year,
        visits_used: before.visits + this_visit,
        visits_allowed: benefits.visits_per_year,
        charges_used: before.charges + charges,
        charges_allowed: benefits.spend_cap_cents.map(Cents),
        lifetime_condition: usage.condition.clone().filter(|_| counted),
        lifetime_visits_used: lifetime.visits + this_visit,
        lifetime_visits_allowed: benefits.lifetime_visits.filter(|_| counted),
        lifetime_charges_used: lifetime.charges + charges,
        lifetime_charges_allowed: benefits
            .lifetime_spend_cap_cents
            .map(Cents)
            .filter(|_| counted),
    })
}

/// "PT", "PT and OT combined", "PT, OT and SLP combined".
struct ScopeLabel<'d>(&'d [Discipline]);

impl std::fmt::Display for ScopeLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            [] => Ok(()),
            [one] => f.write_str(one.label()),
            [first @ .., last] => {
                for (at, discipline) in first.iter().enumerate() {
                    if at > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(discipline.label())?;
                }
                write!(f, " and {} combined", last.label())
            }
        }
    }
}

/// "in all", or "for condition M17" where lifetime limits are counted per condition.
struct OverLabel<'c>(Option<&'c str>);

impl std::fmt::Display for OverLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(condition) => write!(f, "for condition {condition}"),
            None => f.write_str("in all"),
        }
    }
}
