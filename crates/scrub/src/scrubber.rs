//! The scrubber: engine, gates and history together, one encounter at a time or a batch in
//! date order per patient.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::Datelike;
use cleanclaim_billing::PackSelection;
use cleanclaim_billing::pack::{Bindings, EpisodeFacts};
use cleanclaim_billing::{
    Engine, EvaluationKind, Finding, LifetimeScope, Period, RulePack, Selection, Severity,
    UnitMethod, rules,
};
use cleanclaim_model::{Cents, Discipline, Encounter, PlanOfCare, YearToDateSpend};

use crate::context::{AuthorizationItem, ContextData, PlanRecord};
use crate::context_index::ContextIndex;
use crate::episode::{PatientState, Usage, condition_of};
use crate::gates::authorization::{self, YearUsage};
use crate::gates::documentation::is_clinician;
use crate::gates::same_day::{self, DayLine};
use crate::gates::{EpisodeView, Raised, Visit, claim_data, coding, documentation, filing, orders};
use crate::result::{AuthorizationStanding, ScrubFinding, ScrubResult, route};

/// What the caller overrides for every encounter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScrubOptions<'e> {
    /// Use this pack instead of the one for each encounter's payer.
    pub pack: Option<&'e RulePack>,
    /// Use this unit method instead of the pack's.
    pub unit_method: Option<UnitMethod>,
    /// Judge timely filing and verbal-order signatures as of this date (the day the claims
    /// go out); none = filing is not judged and orders are judged on the date of service.
    pub as_of: Option<chrono::NaiveDate>,
}

/// An authorization with what is used of it and what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub authorization: AuthorizationItem,
    /// Used before the stored visits (the record's `used_visits`) plus drawn by them.
    pub used_visits: u32,
    pub used_units: u32,
    /// None when the authorization does not limit visits (or units).
    pub remaining_visits: Option<u32>,
    pub remaining_units: Option<u32>,
}

/// Scrubs encounters against the engine's rule packs, remembering each patient's history.
#[derive(Debug)]
pub struct Scrubber<'e> {
    engine: &'e Engine,
    /// Shared with the scrubbers a large batch is split among (see [`Scrubber::scrub_batch`]).
    context: Arc<ContextData>,
    index: Arc<ContextIndex>,
    options: ScrubOptions<'e>,
    patients: HashMap<String, PatientState>,
}

impl<'e> Scrubber<'e> {
    /// A scrubber with no history beyond the context records.
    pub fn new(engine: &'e Engine, context: ContextData, options: ScrubOptions<'e>) -> Self {
        Self {
            engine,
            index: Arc::new(ContextIndex::new(&context)),
            context: Arc::new(context),
            options,
            patients: HashMap::new(),
        }
    }

    /// Where each authorization of the context stands after the encounters scrubbed so far:
    /// what was used before them plus what they drew, and what is left.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.context
            .authorizations
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let (visits, units) = self
                    .patients
                    .get(&item.patient_id)
                    .and_then(|patient| patient.drawn.get(&index))
                    .copied()
                    .unwrap_or((0, 0));
                let used_visits = item.used_visits.saturating_add(visits);
                let used_units = item.used_units.saturating_add(units);
                LedgerEntry {
                    authorization: item.clone(),
                    used_visits,
                    used_units,
                    remaining_visits: item.visits.map(|n| n.saturating_sub(used_visits)),
                    remaining_units: item.units.map(|n| n.saturating_sub(used_units)),
                }
            })
            .collect()
    }

    /// The visits and charges the encounters scrubbed so far used, per patient, payer, year
    /// and discipline, in the shape of `prior_usage.json` records (the context's own prior
    /// usage is not included): what a schedule check adds to the context to start where the
    /// stored history ends.
    pub fn usage_records(&self) -> Vec<crate::context::PriorUsage> {
        let mut records: Vec<crate::context::PriorUsage> = self
            .patients
            .iter()
            .flat_map(|(patient_id, state)| {
                state.usage_entries().map(
                    move |((payer_id, year, discipline, condition), usage)| {
                        crate::context::PriorUsage {
                            patient_id: patient_id.clone(),
                            payer_id: payer_id.clone(),
                            year: *year,
                            discipline: *discipline,
                            visits: usage.visits,
                            charges: usage.charges,
                            allowed: Some(usage.therapy_spend),
                            condition: condition.clone(),
                        }
                    },
                )
            })
            .collect();
        // The condition too: a patient's usage per condition comes out of a hash map, and
        // the same history must give the same records.
        records.sort_by(|a, b| {
            (
                &a.patient_id,
                &a.payer_id,
                a.year,
                a.discipline,
                &a.condition,
            )
                .cmp(&(
                    &b.patient_id,
                    &b.payer_id,
                    b.year,
                    b.discipline,
                    &b.condition,
                ))
        });
        records
    }

    /// Forgets a patient's history once all of their encounters are scrubbed, so a run over
    /// encounters grouped by patient holds one patient's history at a time. The
    /// patient's draw on the ledger is forgotten too ([`Scrubber::ledger`]).
    pub fn forget_patient(&mut self, patient_id: &str) {
        self.patients.remove(patient_id);
    }

    /// Announces a visit of the patient before it is scrubbed, so a visit of the same day
    /// scrubbed before it sees its codes: a column 1 code on the later note still puts the
    /// NCCI modifier on a column 2 code documented with a separate interval on the earlier
    /// one. Announce a patient's visits, then scrub them; [`Scrubber::scrub_batch`] does both.
    pub fn expect(&mut self, encounter: &Encounter) {
        let state = self
            .patients
            .entry(encounter.patient.id.clone())
            .or_default();
        state.expected.push(same_day::Expected {
            encounter_id: encounter.id.clone(),
            date: encounter.date_of_service,
            payer: encounter.administrative.payer.id.clone(),
            codes: encounter
                .timing
                .lines
                .iter()
                .map(|line| line.code)
                .collect(),
        });
    }

    /// Scrubs a batch: each patient's encounters in date order (then by id), so history is
    /// built the way the visits happened. Results come back in the input order.
    ///
    /// A patient's history never reaches another patient's results, so a large batch is split
    /// by patient among the machine's cores, each part scrubbed by a scrubber of its own
    /// (sharing the context records), and the patients' histories are gathered back after.
    pub fn scrub_batch<E: Borrow<Encounter> + Sync>(
        &mut self,
        encounters: &[E],
    ) -> Vec<ScrubResult<'e>> {
        for encounter in encounters {
            self.expect(encounter.borrow());
        }
        let at = |index: usize| encounters.get(index).map(Borrow::borrow);
        let mut order: Vec<usize> = (0..encounters.len()).collect();
        order.sort_by(|&a, &b| batch_key(at(a)).cmp(&batch_key(at(b))));
        let mut results: Vec<Option<ScrubResult<'e>>> = Vec::new();
        results.resize_with(encounters.len(), || None);
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let parts = patient_parts(&order, cores, |index| {
            at(index).map(|e| e.patient.id.as_str())
        });
        if parts.len() < 2 {
            for index in order {
                if let (Some(encounter), Some(slot)) = (at(index), results.get_mut(index)) {
                    *slot = Some(self.scrub(encounter));
                }
            }
            return results.into_iter().flatten().collect();
        }
        let mut workers: Vec<Scrubber<'e>> = parts
            .iter()
            .map(|part| self.part_for(part.iter().filter_map(|&index| at(index))))
            .collect();
        let scrubbed: Vec<Vec<(usize, ScrubResult<'e>)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = workers
                .iter_mut()
                .zip(&parts)
                .map(|(worker, part)| {
                    scope.spawn(move || {
                        part.iter()
                            .filter_map(|&index| Some((index, worker.scrub(at(index)?))))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        for worker in workers {
            self.patients.extend(worker.patients);
        }
        for (index, result) in scrubbed.into_iter().flatten() {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
        results.into_iter().flatten().collect()
    }

    /// A scrubber for part of a batch: the same context and options, and the history of the
    /// part's patients, taken from this one.
    fn part_for<'b>(&mut self, encounters: impl Iterator<Item = &'b Encounter>) -> Scrubber<'e> {
        let mut patients = HashMap::new();
        for encounter in encounters {
            if let Some((id, state)) = self.patients.remove_entry(&encounter.patient.id) {
                patients.insert(id, state);
            }
        }
        Scrubber {
            engine: self.engine,
            context: Arc::clone(&self.context),
            index: Arc::clone(&self.index),
            options: self.options,
            patients,
        }
    }

    /// Scrubs one encounter and adds it to its patient's history. Call in date order per
    /// patient; an encounter id seen before is judged again but never counted twice.
    pub fn scrub(&mut self, encounter: &Encounter) -> ScrubResult<'e> {
        let engine = self.engine;
        let (pack, pack_selection) = match self.options.pack {
            Some(pack) => (pack, PackSelection::Forced),
            None => engine.packs().select(encounter),
        };
        let date = encounter.date_of_service;
        let period: &'e Period = pack
            .period_for(date)
            .unwrap_or_else(|| pack.nearest_period(date));
        let (plan, known_start) = plan_for(
            self.index.plans(&self.context, &encounter.patient.id),
            encounter,
        );
        let year_usage = self.year_usage(encounter);
        let benefits_policy = &period.benefits;
        let lifetime_condition = (benefits_policy.lifetime_per == LifetimeScope::Condition)
            .then(|| condition_of(encounter))
            .flatten();
        // Per condition, a visit without a diagnosis has no condition to count under (it is
        // held for the diagnosis).
        let lifetime_counted = (benefits_policy.lifetime_visits.is_some()
            || benefits_policy.lifetime_spend_cap_cents.is_some())
            && (benefits_policy.lifetime_per == LifetimeScope::Coverage
                || lifetime_condition.is_some());
        let lifetime_usage = if lifetime_counted {
            self.lifetime_usage(encounter, lifetime_condition.as_deref())
        } else {
            YearUsage::default()
        };

        let state = self
            .patients
            .entry(encounter.patient.id.clone())
            .or_default();
        let already_counted = state.counted(&encounter.id);
        let episode = state.episode_for(
            encounter,
            period.documentation.episode_gap_days,
            known_start,
        );
        let encounter_report = encounter
            .compliance
            .last_progress_report
            .filter(|report| is_clinician(report.written_by) && report.date <= date);
        let last_report = episode
            .last_clinician_report
            .max(encounter_report.map(|report| report.date));
        let view = EpisodeView {
            start: episode.start,
            treatment_day: episode.treatment_day(date),
            days_this_week: episode.treatment_days_in_week(date),
            days_since_report: episode
                .treatment_days_after(last_report, date)
                .max(encounter_report.map_or(0, |report| report.treatment_days_since)),
            last_report,
            evaluations_before: episode.evaluations,
        };

        let earlier: Vec<&DayLine> = state.day.earlier(encounter).collect();
        let earlier_today = same_day::earlier_today(
            encounter,
            &earlier,
            same_day::expected_today(&state.expected, encounter),
        );
        // Scrubbed in date order: what is announced for earlier days, or for this visit, is
        // not needed again.
        state
            .expected
            .retain(|x| x.date >= date && x.encounter_id != encounter.id);
        let mut derivation = engine.derive_after(
            encounter,
            Selection {
                pack: Some(pack),
                unit_method: self.options.unit_method,
                year_to_date: Some(YearToDateSpend {
                    pt_slp: year_usage.pt.therapy_spend + year_usage.slp.therapy_spend,
                    ot: year_usage.ot.therapy_spend,
                }),
            },
            earlier_today.as_ref(),
        );
        let engine_findings = std::mem::take(&mut derivation.findings);
        let charges = derivation
            .lines
            .iter()
            .filter_map(|line| line.charge)
            .fold(Cents::ZERO, |sum, charge| sum + charge);

        let visit = Visit {
            encounter,
            engine,
            derivation: &derivation,
            period,
            plan,
            episode: view,
            as_of: self.options.as_of,
        };
        let mut raised = Vec::new();
        documentation::check(&visit, &mut raised);
        claim_data::check(&visit, &mut raised);
        coding::check(&visit, &mut raised);
        same_day::check(&visit, &earlier, &mut raised);
        filing::check(&visit, &mut raised);
        orders::check(&visit, &mut raised);
        let draws = authorization::check_ledger(
            &visit,
            self.index
                .authorizations(&self.context, &encounter.patient.id),
            &state.drawn,
            &state.drawn_days,
            &mut raised,
        );
        let benefits = authorization::check_benefits(
            &visit,
            &authorization::Usages {
                year: year_usage,
                lifetime: lifetime_counted.then_some(lifetime_usage),
                condition: lifetime_condition,
            },
            charges,
            state.visit_day_counted(encounter),
            &mut raised,
        );
        let mut findings = apply_pack(period, engine_findings, raised);
        expression_findings(engine, pack, &visit, &year_usage, &mut findings);
        // A queue's holds before its warnings: the first finding is the one a work queue
        // shows as the reason the visit is there.
        let warning = |f: &ScrubFinding<'_>| f.severity != Severity::Hold;
        findings.sort_by(|a, b| {
            (a.rule.queue, warning(a), &a.rule.id, a.code, &a.message).cmp(&(
                b.rule.queue,
                warning(b),
                &b.rule.id,
                b.code,
                &b.message,
            ))
        });

        if !already_counted {
            state.day.record(encounter, &derivation.lines);
            for &(index, visits, units) in &draws {
                let entry = state.drawn.entry(index).or_insert((0, 0));
                entry.0 += visits;
                entry.1 += units;
                state.drawn_days.insert((index, date, encounter.discipline));
            }
        }
        let authorization = draws.first().and_then(|&(index, _, _)| {
            let item = self.context.authorizations.get(index)?;
            let (visits, units) = state.drawn.get(&index).copied().unwrap_or((0, 0));
            Some(AuthorizationStanding {
                number: item.number.clone(),
                visits_used: item.used_visits + visits,
                visits_allowed: item.visits,
                units_used: item.used_units + units,
                units_allowed: item.units,
                ends: item.to,
                days_left: (item.to - date).num_days(),
            })
        });
        let evaluation_billed = derivation.lines.iter().any(|line| {
            line.units > 0
                && engine
                    .catalogue()
                    .get(line.code)
                    .and_then(|info| info.evaluation)
                    .is_some_and(|e| e.kind == EvaluationKind::Evaluation)
        });
        state.record(
            encounter,
            charges,
            derivation.therapy_spend,
            evaluation_billed,
            encounter_report.map(|report| report.date),
        );

        ScrubResult {
            encounter_id: encounter.id.clone(),
            queue: route(&findings),
            pack,
            pack_selection,
            period,
            derivation,
            findings,
            authorization,
            benefits,
        }
    }

    /// This year's visits and charges for the encounter's payer before it: context records
    /// plus the encounters scrubbed so far.
    fn year_usage(&self, encounter: &Encounter) -> YearUsage {
        let year = encounter.date_of_service.year();
        self.usage_over(encounter, |y| y == year, None)
    }

    /// Every year's visits and charges for the encounter's payer up to its year, before it, of
    /// one condition when given: what lifetime limits count (asked for only when the pack
    /// sets one: it sums every year).
    fn lifetime_usage(&self, encounter: &Encounter, condition: Option<&str>) -> YearUsage {
        let year = encounter.date_of_service.year();
        self.usage_over(encounter, |y| y <= year, condition)
    }

    /// The encounter's payer's usage per discipline in the years `years` admits (of one
    /// condition when given): context records plus the encounters scrubbed so far.
    fn usage_over(
        &self,
        encounter: &Encounter,
        years: impl Fn(i32) -> bool + Copy,
        condition: Option<&str>,
    ) -> YearUsage {
        let payer = &encounter.administrative.payer.id;
        let state = self.patients.get(&encounter.patient.id);
        let of = |discipline: Discipline| {
            let mut usage = state.map_or_else(Usage::default, |s| {
                s.usage_matching(payer, discipline, years, condition)
            });
            for prior in self
                .index
                .usage(&self.context, &encounter.patient.id)
                .filter(|u| {
                    u.payer_id == *payer
                        && years(u.year)
                        && u.discipline == discipline
                        && condition.is_none_or(|category| u.is_for_condition(category))
                })
            {
                usage.visits += prior.visits;
                usage.charges += prior.charges;
                usage.therapy_spend += prior.allowed.unwrap_or(prior.charges);
            }
            usage
        };
        YearUsage {
            pt: of(Discipline::Pt),
            ot: of(Discipline::Ot),
            slp: of(Discipline::Slp),
        }
    }
}

/// Below this many encounters a batch is scrubbed on one thread: starting threads would cost
/// more than they save.
const PARALLEL_FROM: usize = 2_000;

/// The batch `order` (sorted by patient) cut into one run of whole patients per core, of
/// about equal length; a single part when the batch is small or the machine has one core.
fn patient_parts<'a>(
    order: &[usize],
    cores: usize,
    patient_of: impl Fn(usize) -> Option<&'a str>,
) -> Vec<&[usize]> {
    if cores < 2 || order.len() < PARALLEL_FROM {
        return vec![order];
    }
    let target = order.len().div_ceil(cores);
    let mut parts = Vec::with_capacity(cores);
    let mut rest = order;
    while !rest.is_empty() {
        if parts.len() + 1 == cores || rest.len() <= target {
            parts.push(rest);
            break;
        }
        // Moves the cut past the rest of the patient at the target, so no patient is split.
        let mut cut = target;
        let boundary = rest.get(target - 1).and_then(|&index| patient_of(index));
        while cut < rest.len() && rest.get(cut).and_then(|&index| patient_of(index)) == boundary {
            cut += 1;
        }
        let (part, after) = rest.split_at(cut);
        parts.push(part);
        rest = after;
    }
    parts
}

fn batch_key(encounter: Option<&Encounter>) -> Option<(&str, chrono::NaiveDate, Discipline, &str)> {
    encounter.map(|e| {
        (
            e.patient.id.as_str(),
            e.date_of_service,
            e.discipline,
            e.id.as_str(),
        )
    })
}

/// The encounter's own plan of care, else the plan on file for its discipline and date (the
/// one whose certification covers the date, else the latest that began before it), with the
/// episode start the record gives.
fn plan_for<'a>(
    patient_plans: impl Iterator<Item = &'a PlanRecord>,
    encounter: &'a Encounter,
) -> (Option<&'a PlanOfCare>, Option<chrono::NaiveDate>) {
    let date = encounter.date_of_service;
    let on_file = patient_plans
        .filter(|record| {
            record.plan_of_care.discipline == encounter.discipline
                && record.plan_of_care.certification_start <= date
        })
        .max_by_key(|record| {
            let plan = &record.plan_of_care;
            (plan.certification_end >= date, plan.certification_start)
        });
    let known_start = on_file.and_then(|record| record.episode_start);
    match &encounter.compliance.plan_of_care {
        Some(plan) => (Some(plan), known_start),
        None => (on_file.map(|record| &record.plan_of_care), known_start),
    }
}

/// Applies the period's severities to the engine's and the gates' findings; rules the pack
/// turns off are dropped.
fn apply_pack<'e>(
    period: &'e Period,
    engine_findings: Vec<Finding>,
    raised: Vec<Raised>,
) -> Vec<ScrubFinding<'e>> {
    engine_findings
        .into_iter()
        .map(|finding| Raised {
            rule: finding.rule,
            message: finding.message,
            code: finding.code,
        })
        .chain(raised)
        .filter_map(|raised| {
            period
                .severity_of(raised.rule)
                .map(|severity| ScrubFinding {
                    rule: raised.rule,
                    severity,
                    message: raised.message,
                    code: raised.code,
                })
        })
        .collect()
}

/// Evaluates the pack's expression rules in effect on the date of service.
fn expression_findings<'e>(
    engine: &'e Engine,
    pack: &'e RulePack,
    visit: &Visit<'_, 'e>,
    year_usage: &YearUsage,
    findings: &mut Vec<ScrubFinding<'e>>,
) {
    let encounter = visit.encounter;
    let mut active = pack
        .expression_rules()
        .iter()
        .filter(|rule| rule.applies_on(encounter.date_of_service))
        .peekable();
    if active.peek().is_none() {
        return;
    }
    let facts = EpisodeFacts {
        treatment_day: visit.episode.treatment_day,
        evaluations: visit.episode.evaluations_before,
        visits_this_year: year_usage.of(encounter.discipline).visits,
    };
    let bindings = Bindings::new(
        engine.packs().env(),
        pack.expression_needs(),
        encounter,
        &visit.derivation.lines,
        visit.derivation.place_of_service.place_of_service,
        facts,
    );
    for expression in active {
        match expression.evaluate(&bindings) {
            Ok(true) => findings.push(ScrubFinding {
                rule: &expression.rule,
                severity: expression.rule.severity,
                message: expression.message.clone(),
                code: None,
            }),
            Ok(false) => {}
            Err(reason) => findings.push(ScrubFinding {
                rule: &rules::EXPRESSION_FAILED,
                severity: Severity::Hold,
                message: format!(
                    "rule `{}` of pack `{}`: {reason}",
                    expression.rule.id, pack.id
                ),
                code: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_cut_between_patients_into_one_part_per_core() {
        // 2,400 visits of 300 patients, 8 each, sorted by patient.
        let patients: Vec<String> = (0..300).map(|n| format!("P{n:03}")).collect();
        let order: Vec<usize> = (0..2_400).collect();
        let patient_of = |index: usize| patients.get(index / 8).map(String::as_str);
        for cores in [2, 3, 7] {
            let parts = patient_parts(&order, cores, patient_of);
            assert_eq!(parts.len(), cores);
            assert_eq!(parts.concat(), order, "every visit once, in order");
            for pair in parts.windows(2) {
                let (Some(&last), Some(&first)) = (pair[0].last(), pair[1].first()) else {
                    panic!("an empty part");
                };
                assert_ne!(patient_of(last), patient_of(first), "a patient split");
            }
        }
        assert_eq!(patient_parts(&order, 1, patient_of).len(), 1);
        assert_eq!(
            patient_parts(&order[..100], 2, patient_of).len(),
            1,
            "too small"
        );
    }
}
