//! The KPI facts joined once, so that any cut of them is one pass over compact rows.
//!
//! [`KpiIndex::build`] does what every computation used to repeat: it interns the cut columns
//! (location, payer, provider, discipline, scheduler, first queue), links each claim chain to its visit
//! (a claim id is the visit's id, or `{id}-n` for a visit split past 50 lines), groups each
//! chain's transmissions in time order and its adjudications in posting order, and keeps of
//! the acknowledgments only which chains were rejected. [`KpiIndex::compute`] then reads the
//! visits the filter admits; a transmission or posting after the day counted at is cut off as a
//! prefix of its chain's (both are in time order). The definitions are `kpis.rs`'s: this is
//! how they are counted, not what they are, and the hand-worked tests run through it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cleanclaim_store::KpiFacts;

use crate::kpis::{
    ACCESS_CAUSES, AR_WINDOW_DAYS, AccessDenials, AutoCleared, CauseTotal, Denials, DeniedDollars,
    FirstPass, HoldResolution, KpiFilter, Kpis, Lag, Receivables, median_and_p90,
};

/// Strings of one column, each kept once.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

/// The id of a missing value.
const NONE: u32 = u32::MAX;

impl Interner {
    fn id(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value else { return NONE };
        if let Some(id) = self.ids.get(value) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(NONE);
        self.ids.insert(value.to_owned(), id);
        self.names.push(value.to_owned());
        id
    }

    /// What a filter asks of the column: any value, or this one (`NONE` when no visit has it,
    /// so nothing matches).
    fn wanted(&self, value: &Option<String>) -> Option<u32> {
        value
            .as_ref()
            .map(|v| self.ids.get(v.as_str()).copied().unwrap_or(NONE))
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, Copy)]
struct Visit {
    date: NaiveDate,
    clinic: u32,
    payer: u32,
    provider: u32,
    discipline: u32,
    scheduler: u32,
    first_queue: u32,
    billable: bool,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    at: DateTime<Utc>,
    total_cents: i64,
    original: bool,
}

#[derive(Debug, Clone, Copy)]
struct Adjudication {
    posted_at: DateTime<Utc>,
    /// The interned cause of a counted denial (a denied line, not a duplicate); none otherwise.
    denial: Option<u32>,
    paid_cents: i64,
    denied_cents: i64,
    patient_responsibility_cents: i64,
}

#[derive(Debug, Clone)]
struct Chain {
    /// The visit whose id the claim id is, and the visit of its `{id}-n` base; the first the
    /// filter admits is the chain's.
    exact: Option<u32>,
    base: Option<u32>,
    sent: Range<usize>,
    adjudicated: Range<usize>,
    rejected: bool,
}

#[derive(Debug, Clone, Copy)]
struct Hold {
    visit: u32,
    queue: u32,
    entered_at: DateTime<Utc>,
    left_at: Option<DateTime<Utc>>,
}

/// The facts, joined and interned; see the module docs.
#[derive(Debug, Default)]
pub struct KpiIndex {
    clinics: Interner,
    payers: Interner,
    providers: Interner,
    disciplines: Interner,
    schedulers: Interner,
    queues: Interner,
    causes: Interner,
    visits: Vec<Visit>,
    chains: Vec<Chain>,
    sent: Vec<Sent>,
    adjudications: Vec<Adjudication>,
    holds: Vec<Hold>,
    latest: Option<NaiveDate>,
}

/// Months as `year * 12 + month - 1`: sorted as their `YYYY-MM` names are.
fn month_key(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

fn month_name(key: i32) -> String {
    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
}

impl KpiIndex {
    /// Joins the facts (see the module docs); they are not needed afterwards.
    pub fn build(facts: &KpiFacts) -> Self {
        let mut index = Self::default();
        let mut visit_ids: HashMap<&str, u32> = HashMap::with_capacity(facts.visits.len());
        for fact in &facts.visits {
            let visit = Visit {
                date: fact.date_of_service,
                clinic: index.clinics.id(fact.clinic_id.as_deref()),
                payer: index.payers.id(fact.payer_id.as_deref()),
                provider: index.providers.id(fact.rendering_npi.as_deref()),
                discipline: index.disciplines.id(fact.discipline.as_deref()),
                scheduler: index.schedulers.id(fact.scheduled_by.as_deref()),
                first_queue: index.queues.id(fact.first_queue.as_deref()),
                billable: fact.latest_charge_cents.unwrap_or(0) > 0,
            };
            let id = u32::try_from(index.visits.len()).unwrap_or(NONE);
            visit_ids.insert(fact.encounter_id.as_str(), id);
            index.visits.push(visit);
        }

        // Each chain's transmissions in time order (the store gives them so; a stable sort keeps
        // the order of those sent at one instant).
        let mut sent: Vec<&cleanclaim_store::TransmissionFact> =
            facts.transmissions.iter().collect();
        sent.sort_by(|a, b| {
            (a.claim_id.as_str(), a.submitted_at).cmp(&(b.claim_id.as_str(), b.submitted_at))
        });
        let mut chain_of: HashMap<&str, usize> = HashMap::new();
        for group in sent.chunk_by(|a, b| a.claim_id == b.claim_id) {
            let Some(first) = group.first() else { continue };
            let claim = first.claim_id.as_str();
            let exact = visit_ids.get(claim).copied();
            let base = claim.rsplit_once('-').and_then(|(base, suffix)| {
                suffix.parse::<u32>().ok()?;
                visit_ids.get(base).copied()
            });
            if exact.is_none() && base.is_none() {
                continue;
            }
            let start = index.sent.len();
            index.sent.extend(group.iter().map(|t| Sent {
                at: t.submitted_at,
                total_cents: t.total_cents,
                original: t.frequency == "1",
            }));
            chain_of.insert(claim, index.chains.len());
            index.chains.push(Chain {
                exact,
                base,
                sent: start..index.sent.len(),
                adjudicated: 0..0,
                rejected: false,
            });
        }
        for ack in facts.acknowledgments.iter().filter(|a| !a.accepted) {
            if let Some(chain) = chain_of
                .get(ack.claim_id.as_str())
                .and_then(|c| index.chains.get_mut(*c))
            {
                chain.rejected = true;
            }
        }
        // Each chain's adjudications in posting order: the store gives them so, and a stable sort
        // by chain and day keeps it.
        let mut posted: Vec<(usize, &cleanclaim_store::AdjudicationFact)> = facts
            .adjudications
            .iter()
            .filter_map(|a| Some((*chain_of.get(a.claim_id.as_str())?, a)))
            .collect();
        posted.sort_by_key(|(chain, a)| (*chain, a.posted_at));
        for group in posted.chunk_by(|a, b| a.0 == b.0) {
            let Some((chain, _)) = group.first() else {
                continue;
            };
            let start = index.adjudications.len();
            for (_, a) in group {
                let cause = a.cause.as_deref().unwrap_or("other");
                let counted = (a.denied || a.denied_lines > 0) && cause != "duplicate";
                let denial = counted.then(|| index.causes.id(Some(cause)));
                index.adjudications.push(Adjudication {
                    posted_at: a.posted_at,
                    denial,
                    paid_cents: a.paid_cents,
                    denied_cents: a.denied_cents,
                    patient_responsibility_cents: a.patient_responsibility_cents,
                });
            }
            if let Some(chain) = index.chains.get_mut(*chain) {
                chain.adjudicated = start..index.adjudications.len();
            }
        }
        for hold in &facts.holds {
            if let Some(visit) = visit_ids.get(hold.encounter_id.as_str()) {
                let queue = index.queues.id(Some(&hold.queue));
                index.holds.push(Hold {
                    visit: *visit,
                    queue,
                    entered_at: hold.entered_at,
                    left_at: hold.left_at,
                });
            }
        }
        index.latest = crate::kpis::latest_fact(facts);
        index
    }

    /// The day of the latest transmission or posting: the last day the store knows of.
    pub fn latest_fact(&self) -> Option<NaiveDate> {
        self.latest
    }

    /// Visits indexed.
    pub fn visit_count(&self) -> usize {
        self.visits.len()
    }

    /// Which visits the filter admits.
    fn admitted(&self, filter: &KpiFilter) -> Vec<bool> {
        let location = self.clinics.wanted(&filter.location);
        let payer = self.payers.wanted(&filter.payer);
        let provider = self.providers.wanted(&filter.provider);
        let discipline = self.disciplines.wanted(&filter.discipline);
        let scope: Option<Vec<bool>> = filter.clinics.as_ref().map(|clinics| {
            let mut mine = vec![false; self.clinics.names.len()];
            for clinic in clinics {
                if let Some(slot) = self
                    .clinics
                    .ids
                    .get(clinic.as_str())
                    .and_then(|id| mine.get_mut(*id as usize))
                {
                    *slot = true;
                }
            }
            mine
        });
        let is = |wanted: Option<u32>, actual: u32| wanted.is_none_or(|w| w != NONE && w == actual);
        self.visits
            .iter()
            .map(|v| {
                is(location, v.clinic)
                    && is(payer, v.payer)
                    && is(provider, v.provider)
                    && is(discipline, v.discipline)
                    && filter.from.is_none_or(|from| v.date >= from)
                    && filter.to.is_none_or(|to| v.date <= to)
                    && scope
                        .as_ref()
                        .is_none_or(|mine| mine.get(v.clinic as usize).copied().unwrap_or(false))
            })
            .collect()
    }

    /// Computes the KPIs of the visits `filter` admits (definitions: `kpis.rs`, docs/kpis.md).
    pub fn compute(&self, filter: &KpiFilter) -> Kpis {
        let admitted = self.admitted(filter);
        let is_admitted = |visit: Option<u32>| {
            visit.filter(|v| admitted.get(*v as usize).copied().unwrap_or(false))
        };
        let as_of = filter.as_of.or(self.latest);
        let by_as_of = |at: DateTime<Utc>| as_of.is_none_or(|day| at.date_naive() <= day);
        let ready = self.queues.ids.get("ready_to_bill").copied();

        let mut first_pass: BTreeMap<i32, FirstPass> = BTreeMap::new();
        let mut lags: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
        let mut denied_by: BTreeMap<(i32, &str), usize> = BTreeMap::new();
        // (billable visits, [authorization, eligibility] denials) by (clinic, scheduler).
        let mut access: HashMap<(u32, u32), (usize, [usize; 2])> = HashMap::new();
        let mut denied_dollars: BTreeMap<i32, DeniedDollars> = BTreeMap::new();
        // Denied dollars by the cause of the adjudication that denied them: (first, latest).
        let mut cause_dollars: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        let mut collected_cents: i64 = 0;
        let mut any_chain = false;
        let mut insurance = 0i64;
        let mut patient = 0i64;
        let mut aging = [0i64; 5];
        let mut window_charges = 0i64;

        for chain in &self.chains {
            let Some(visit) = is_admitted(chain.exact)
                .or_else(|| is_admitted(chain.base))
                .and_then(|v| self.visits.get(v as usize))
            else {
                continue;
            };
            let sent = self.sent.get(chain.sent.clone()).unwrap_or_default();
            let sent_by = sent.partition_point(|t| by_as_of(t.at));
            let Some(sent) = sent.get(..sent_by).filter(|s| !s.is_empty()) else {
                continue;
            };
            any_chain = true;
            let first = sent.iter().map(|t| t.at).min().unwrap_or_default();
            let resubmitted = sent.len() > 1 || sent.iter().any(|t| !t.original);
            // The latest transmission's charges stand.
            let charge_cents = sent.last().map_or(0, |t| t.total_cents);
            let adjudicated = self
                .adjudications
                .get(chain.adjudicated.clone())
                .unwrap_or_default();
            let posted_by = adjudicated.partition_point(|a| by_as_of(a.posted_at));
            let adjudicated = adjudicated.get(..posted_by).unwrap_or_default();
            for a in adjudicated {
                collected_cents = collected_cents.saturating_add(a.paid_cents);
            }
            let first_adjudication = adjudicated.first();
            let latest_adjudication = adjudicated.last();

            let submitted_month = month_key(first.date_naive());
            let row = first_pass
                .entry(submitted_month)
                .or_insert_with(|| FirstPass {
                    month: month_name(submitted_month),
                    chains: 0,
                    clean: 0,
                    rejected: 0,
                    denied: 0,
                    resubmitted: 0,
                    pending: 0,
                    rate: None,
                });
            row.chains += 1;
            let denial = first_adjudication.and_then(|a| a.denial);
            if chain.rejected {
                row.rejected += 1;
            } else if first_adjudication.is_none() {
                row.pending += 1;
            } else if denial.is_some() {
                row.denied += 1;
            } else if resubmitted {
                row.resubmitted += 1;
            } else {
                row.clean += 1;
            }
            let service_month = month_key(visit.date);
            if let Some(cause) = denial {
                let cause = self.causes.name(cause);
                *denied_by.entry((service_month, cause)).or_insert(0) += 1;
                if let Some(slot) = ACCESS_CAUSES.iter().position(|c| c.name() == cause) {
                    let counts = access
                        .entry((visit.clinic, visit.scheduler))
                        .or_insert((0, [0; 2]));
                    if let Some(count) = counts.1.get_mut(slot) {
                        *count += 1;
                    }
                }
            }
            lags.entry(submitted_month)
                .or_default()
                .push((first.date_naive() - visit.date).num_days());

            let dollars = denied_dollars
                .entry(service_month)
                .or_insert_with(|| DeniedDollars {
                    month: month_name(service_month),
                    charges_cents: 0,
                    denied_cents: 0,
                    unrecovered_cents: 0,
                });
            dollars.charges_cents = dollars.charges_cents.saturating_add(charge_cents);
            if let Some((first, cause)) = first_adjudication.and_then(|a| Some((a, a.denial?))) {
                dollars.denied_cents = dollars.denied_cents.saturating_add(first.denied_cents);
                let by_cause = cause_dollars.entry(self.causes.name(cause)).or_default();
                by_cause.0 = by_cause.0.saturating_add(first.denied_cents);
            }
            if let Some((latest, cause)) = latest_adjudication.and_then(|a| Some((a, a.denial?))) {
                dollars.unrecovered_cents = dollars
                    .unrecovered_cents
                    .saturating_add(latest.denied_cents);
                let by_cause = cause_dollars.entry(self.causes.name(cause)).or_default();
                by_cause.1 = by_cause.1.saturating_add(latest.denied_cents);
            }

            if let Some(day) = as_of {
                let open = match latest_adjudication {
                    None => charge_cents,
                    Some(a) => {
                        patient = patient.saturating_add(a.patient_responsibility_cents);
                        if a.denial.is_some() {
                            a.denied_cents
                        } else {
                            0
                        }
                    }
                };
                insurance = insurance.saturating_add(open);
                let bucket = match (day - visit.date).num_days() {
                    ..=30 => 0,
                    31..=60 => 1,
                    61..=90 => 2,
                    91..=120 => 3,
                    _ => 4,
                };
                if let Some(slot) = aging.get_mut(bucket) {
                    *slot = slot.saturating_add(open);
                }
                if (day - first.date_naive()).num_days() < AR_WINDOW_DAYS {
                    window_charges = window_charges.saturating_add(charge_cents);
                }
            }
        }

        let receivables = as_of.filter(|_| any_chain).map(|day| {
            let daily = window_charges as f64 / AR_WINDOW_DAYS as f64;
            let days =
                |open: i64| (daily > 0.0).then(|| (open as f64 / daily * 10.0).round() / 10.0);
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

        // (billable, scrubbed, ready on the first scrub) by month of service.
        let mut visits_by_month: BTreeMap<i32, (usize, usize, usize)> = BTreeMap::new();
        for (visit, _) in self
            .visits
            .iter()
            .zip(&admitted)
            .filter(|(_, admitted)| **admitted)
        {
            let entry = visits_by_month
                .entry(month_key(visit.date))
                .or_insert((0, 0, 0));
            if visit.billable {
                entry.0 += 1;
                access
                    .entry((visit.clinic, visit.scheduler))
                    .or_insert((0, [0; 2]))
                    .0 += 1;
            }
            if visit.first_queue != NONE {
                entry.1 += 1;
            }
            if Some(visit.first_queue) == ready {
                entry.2 += 1;
            }
        }
        let billable_visits: usize = visits_by_month.values().map(|v| v.0).sum();
        // Every cause with a first denial or dollars still denied.
        let mut by_cause: BTreeMap<&str, usize> =
            cause_dollars.keys().map(|cause| (*cause, 0)).collect();
        for ((_, cause), denied) in &denied_by {
            *by_cause.entry(cause).or_insert(0) += denied;
        }
        Kpis {
            access_denials: self.access_denials(access),
            hold_resolution: self.hold_resolution(&admitted, as_of),
            collected_cents,
            denied_dollars: denied_dollars.into_values().collect(),
            receivables,
            denials_over_period: by_cause
                .into_iter()
                .map(|(cause, denied_claims)| {
                    let (denied_cents, unrecovered_cents) =
                        cause_dollars.get(cause).copied().unwrap_or_default();
                    CauseTotal {
                        cause: cause.to_owned(),
                        denied_claims,
                        visits: billable_visits,
                        per_100_visits: percent(denied_claims, billable_visits),
                        denied_cents,
                        unrecovered_cents,
                    }
                })
                .collect(),
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
                        month: month_name(month),
                        visits: billable,
                        cause: cause.to_owned(),
                        denied_claims,
                    }
                })
                .collect(),
            submission_lag: lags
                .into_iter()
                .map(|(month, mut days)| {
                    let (median_days, p90_days) = median_and_p90(&mut days);
                    Lag {
                        month: month_name(month),
                        claims: days.len(),
                        median_days,
                        p90_days,
                    }
                })
                .collect(),
            auto_cleared: visits_by_month
                .into_iter()
                .map(|(month, (_, scrubbed, ready))| AutoCleared {
                    month: month_name(month),
                    visits: scrubbed,
                    auto_cleared: ready,
                    share: percent(ready, scrubbed),
                })
                .collect(),
        }
    }

    /// The access counts named and ordered: by location, then by who booked (the unnamed
    /// last in each).
    fn access_denials(
        &self,
        access: HashMap<(u32, u32), (usize, [usize; 2])>,
    ) -> Vec<AccessDenials> {
        let name =
            |interner: &Interner, id: u32| (id != NONE).then(|| interner.name(id).to_owned());
        let mut rows: Vec<AccessDenials> = access
            .into_iter()
            .map(
                |((clinic, scheduler), (visits, [authorization, eligibility]))| AccessDenials {
                    location: name(&self.clinics, clinic),
                    scheduled_by: name(&self.schedulers, scheduler),
                    visits,
                    authorization,
                    eligibility,
                    per_100_visits: percent(authorization + eligibility, visits),
                },
            )
            .collect();
        fn key(r: &AccessDenials) -> (bool, Option<&str>, bool, Option<&str>) {
            (
                r.location.is_none(),
                r.location.as_deref(),
                r.scheduled_by.is_none(),
                r.scheduled_by.as_deref(),
            )
        }
        rows.sort_by(|a, b| key(a).cmp(&key(b)));
        rows
    }

    /// Stays in the holding queues of the visits counted, entered by the end of `as_of`; a
    /// stay that ended after it is still open on that day.
    fn hold_resolution(&self, admitted: &[bool], as_of: Option<NaiveDate>) -> Vec<HoldResolution> {
        let by = |at: DateTime<Utc>| as_of.is_none_or(|day| at.date_naive() <= day);
        let mut stays: BTreeMap<&str, (usize, Vec<i64>)> = BTreeMap::new();
        for hold in self.holds.iter().filter(|h| {
            admitted.get(h.visit as usize).copied().unwrap_or(false) && by(h.entered_at)
        }) {
            let entry = stays.entry(self.queues.name(hold.queue)).or_default();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_keys_sort_and_name_as_their_months() {
        let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        assert!(month_key(day(2025, 12)) < month_key(day(2026, 1)));
        assert_eq!(month_name(month_key(day(2026, 1))), "2026-01");
        assert_eq!(month_name(month_key(day(2025, 12))), "2025-12");
    }

    #[test]
    fn a_value_no_visit_has_matches_nothing() {
        let mut column = Interner::default();
        let north = column.id(Some("north"));
        assert_eq!(column.wanted(&None), None);
        assert_eq!(column.wanted(&Some("north".into())), Some(north));
        assert_eq!(column.wanted(&Some("south".into())), Some(NONE));
        assert_eq!(column.id(None), NONE);
    }
}
