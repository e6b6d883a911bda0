//! The units-and-modifiers engine: from one encounter to billed lines with explanations and
//! findings.

use chrono::{Datelike, NaiveDate};
use cleanclaim_model::{
    Cents, Delivery, Discipline, Encounter, FurnishedBy, Modality, Modifier, PlaceOfService,
    ProcedureCode, ProcedureLine, YearToDateSpend,
};

use crate::assistant::{AssistantSplit, split_timed, split_untimed};
use crate::catalogue::{Catalogue, CodeInfo, CodeTiming, TherapyStatus};
use crate::day_pool::{EarlierToday, allocate_after, per_code_after};
use crate::diagnosis::DiagnosisRules;
use crate::error::DataError;
use crate::fee_schedule::FeeSchedule;
use crate::finding::Finding;
use crate::line::{
    AppliedModifier, BilledLine, ModifierReason, POS_10_FROM, PosDecision, PosReason, UnitBasis,
};
use crate::mue::MueTable;
use crate::ncci::{ModifierIndicator, PtpTable};
use crate::pack::{Period, RulePack, RulePacks};
use crate::payer::{PayerPolicy, UnitMethod};
use crate::rules;
use crate::thresholds::{Bucket, Thresholds};
use crate::units::{TimedMinutes, allocate_pooled, units_for_minutes};

const GP: Modifier = Modifier::from_static(b"GP");
const GO: Modifier = Modifier::from_static(b"GO");
const GN: Modifier = Modifier::from_static(b"GN");
const CQ: Modifier = Modifier::from_static(b"CQ");
const CO: Modifier = Modifier::from_static(b"CO");
const KX: Modifier = Modifier::from_static(b"KX");
/// A claim line carries at most four modifiers (SV1-01-3 to SV1-01-6).
const MAX_MODIFIERS: usize = 4;
/// CQ/CO are required for dates of service from 2020-01-01 (CY2019 PFS final rule).
const ASSISTANT_MODIFIERS_FROM: Option<NaiveDate> = NaiveDate::from_ymd_opt(2020, 1, 1);

/// The GP/GO/GN modifier of a discipline's plan of care (MCPM ch.5 §20.1).
pub fn discipline_modifier(discipline: Discipline) -> Modifier {
    match discipline {
        Discipline::Pt => GP,
        Discipline::Ot => GO,
        Discipline::Slp => GN,
    }
}

/// What the caller overrides: the pack, the unit method, the year-to-date spend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'e> {
    /// Use this pack instead of the one for the encounter's payer.
    pub pack: Option<&'e RulePack>,
    /// Use this unit method instead of the pack's.
    pub unit_method: Option<UnitMethod>,
    /// Year-to-date therapy spend before this visit, when the caller knows more than the
    /// encounter says (the scrubber's episode ledger); the larger of the two is used.
    pub year_to_date: Option<YearToDateSpend>,
}

/// What the engine derived for one encounter.
#[derive(Debug, Clone)]
pub struct Derivation<'e> {
    pub pack: &'e RulePack,
    /// The pack's rules for the date of service (the nearest period, with a finding, when
    /// none covers it).
    pub period: &'e Period,
    pub policy: &'e PayerPolicy,
    pub unit_method: UnitMethod,
    pub place_of_service: PosDecision,
    /// Billed lines in code order; a code split for CQ/CO has two lines, with the modifier first.
    pub lines: Vec<BilledLine>,
    pub findings: Vec<Finding>,
    /// What this visit adds to the year's therapy spend for the KX threshold: allowed amounts
    /// where a fee schedule lists the code, else charges.
    pub therapy_spend: Cents,
}

impl Derivation<'_> {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The engine and the reference data it applies.
#[derive(Debug, Clone)]
pub struct Engine {
    catalogue: Catalogue,
    packs: RulePacks,
    diagnoses: DiagnosisRules,
    ptp: PtpTable,
    mue: MueTable,
    /// Allowed amounts for the KX threshold; none = billed charges are counted.
    fee_schedule: Option<FeeSchedule>,
}

/// One code's documentation for the day: every entry of the code merged, because a timed
/// code is reported on one line per date of service (FCSO/NGS, April 2021).
struct CodeDay<'a> {
    code: ProcedureCode,
    info: Option<&'a CodeInfo>,
    minutes: Option<u32>,
    furnished: FurnishedBy,
    entries: u32,
    separate_interval: bool,
    group_time: bool,
    charge_per_unit: Option<Cents>,
    documented: Vec<Modifier>,
}

impl Engine {
    /// The engine with the data shipped in the binary: catalogue, rule packs, diagnosis
    /// edits and the therapy samples of the NCCI PTP and MUE tables.
    pub fn builtin() -> Result<Self, DataError> {
        let diagnoses = DiagnosisRules::builtin()?;
        Ok(Self::new(
            Catalogue::builtin()?,
            RulePacks::builtin(&diagnoses)?,
            diagnoses,
            PtpTable::builtin_sample()?,
            MueTable::builtin_sample()?,
        ))
    }

    /// An engine over the given data.
    pub fn new(
        catalogue: Catalogue,
        packs: RulePacks,
        diagnoses: DiagnosisRules,
        ptp: PtpTable,
        mue: MueTable,
    ) -> Self {
        Self {
            catalogue,
            packs,
            diagnoses,
            ptp,
            mue,
            fee_schedule: None,
        }
    }

    /// Replaces the NCCI edits, e.g. with the current quarter's CMS file.
    pub fn with_ptp(self, ptp: PtpTable) -> Self {
        Self { ptp, ..self }
    }

    /// Replaces the MUE table, e.g. with the current quarter's CMS file.
    /// Counts allowed amounts from `fees` toward the KX threshold instead of billed charges.
    pub fn with_fee_schedule(self, fees: FeeSchedule) -> Self {
        Self {
            fee_schedule: Some(fees),
            ..self
        }
    }

    pub fn with_mue(self, mue: MueTable) -> Self {
        Self { mue, ..self }
    }

    /// Replaces the rule packs (built-in ones plus a user's, see [`RulePacks::load`]).
    pub fn with_packs(self, packs: RulePacks) -> Self {
        Self { packs, ..self }
    }

    /// The rule packs.
    pub fn packs(&self) -> &RulePacks {
        &self.packs
    }

    /// The diagnosis pairing and age/sex edits.
    pub fn diagnoses(&self) -> &DiagnosisRules {
        &self.diagnoses
    }

    /// The MUE table in use.
    pub fn mue(&self) -> &MueTable {
        &self.mue
    }

    /// The code catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The NCCI edits in use.
    pub fn ptp(&self) -> &PtpTable {
        &self.ptp
    }

    /// Derives the billed lines, modifiers, place of service and findings of one encounter.
    /// The result depends only on the encounter and the data, never on the order of its lines.
    pub fn derive<'e>(&'e self, encounter: &Encounter, selection: Selection<'e>) -> Derivation<'e> {
        self.derive_after(encounter, selection, None)
    }

    /// [`Engine::derive`] for a visit that follows others of the same discipline on the same
    /// date of service for the same payer: under the CMS method its timed units are what the
    /// day's pooled minutes allow beyond what `earlier` billed (MCPM ch.5 §20.2); under the
    /// per-code method each code's are what its minutes on the day allow beyond what `earlier`
    /// billed for it (the CPT time rule counts a code's time per date of service).
    pub fn derive_after<'e>(
        &'e self,
        encounter: &Encounter,
        selection: Selection<'e>,
        earlier: Option<&EarlierToday>,
    ) -> Derivation<'e> {
        let pack = selection
            .pack
            .unwrap_or_else(|| self.packs.for_encounter(encounter));
        let mut findings = Vec::new();
        let date = encounter.date_of_service;
        let period = pack.period_for(date).unwrap_or_else(|| {
            let nearest = pack.nearest_period(date);
            findings.push(Finding::new(
                &rules::NO_RULES_FOR_DATE,
                None,
                format!(
                    "pack `{}` has no rules for {date}; the rules from {} were used to explain the claim",
                    pack.id, nearest.from
                ),
            ));
            nearest
        });
        let policy = &period.billing;
        let unit_method = selection.unit_method.unwrap_or(policy.unit_method);
        let days = self.code_days(encounter, policy, &mut findings);
        let earlier_codes = earlier.map_or(&[][..], |earlier| earlier.day_codes.as_slice());
        let earlier = earlier.filter(|earlier| !earlier.minutes.is_empty());
        let units = count_units(&days, unit_method, earlier);
        self.check_disciplines(encounter, &days, &mut findings);
        let ncci = self.ncci_modifiers(
            encounter,
            policy,
            &days,
            &units,
            earlier_codes,
            &mut findings,
        );
        let place_of_service = place_of_service(encounter, policy, &mut findings);
        let telehealth = (encounter.administrative.modality != Modality::InPerson)
            .then_some(policy.telehealth_modifier)
            .flatten();

        let mut lines = Vec::with_capacity(days.len() + 1);
        let mut kx = KxTracker::new(
            pack.thresholds(),
            encounter,
            policy,
            selection.year_to_date,
            self.fee_schedule.as_ref(),
        );
        for ((day, (n_units, basis)), ncci_column1) in days.iter().zip(units).zip(ncci) {
            let decisions = CodeDecisions {
                basis,
                ncci_column1,
                therapy_modifier: day.info.and_then(|info| match info.therapy {
                    TherapyStatus::Always => Some(false),
                    TherapyStatus::Sometimes => {
                        encounter.compliance.plan_of_care.is_some().then_some(true)
                    }
                }),
                telehealth_modifier: telehealth,
                split: (n_units > 0)
                    .then(|| assistant_split(encounter, policy, day, n_units, &mut findings))
                    .flatten(),
            };
            // A split code becomes a line with CQ/CO and one without; an unsplit code stays one
            // line, kept even at 0 units so its explanation says why it is not billed.
            let parts = match decisions.split {
                Some(split) => [
                    Some((split.with_modifier, true)),
                    Some((split.without_modifier, false)),
                ],
                None => [Some((n_units, false)), None],
            };
            for (part_units, assistant) in parts.into_iter().flatten() {
                if decisions.split.is_some() && part_units == 0 {
                    continue;
                }
                let part = Part {
                    units: part_units,
                    assistant,
                };
                let mut line = billed_line(
                    encounter,
                    policy,
                    day,
                    &decisions,
                    part,
                    &mut kx,
                    &mut findings,
                );
                if let (UnitBasis::PooledDay(_) | UnitBasis::PerCodeDay { .. }, Some(earlier)) =
                    (line.basis, earlier)
                {
                    line.pooled_with.clone_from(&earlier.encounters);
                }
                lines.push(line);
            }
        }
        let therapy_spend = kx.added;
        kx.finish(&mut findings);
        Derivation {
            pack,
            period,
            policy,
            unit_method,
            place_of_service,
            lines,
            findings,
            therapy_spend,
        }
    }

    /// Merges the encounter's lines per code, in code order, and checks each entry.
    fn code_days(
        &self,
        encounter: &Encounter,
        policy: &PayerPolicy,
        findings: &mut Vec<Finding>,
    ) -> Vec<CodeDay<'_>> {
        let rendering_is_assistant = rendering_is_assistant(encounter);
        let mut days: Vec<CodeDay<'_>> = Vec::with_capacity(encounter.timing.lines.len());
        for line in &encounter.timing.lines {
            check_interval(line, findings);
            let furnished = line.furnished_by.unwrap_or_else(|| {
                let minutes = line.minutes.unwrap_or(0);
                if rendering_is_assistant {
                    FurnishedBy {
                        assistant_alone: minutes,
                        ..FurnishedBy::default()
                    }
                } else {
                    FurnishedBy {
                        therapist_alone: minutes,
                        ..FurnishedBy::default()
                    }
                }
            });
            let group_time = line.delivery != Delivery::OneOnOne;
            match days.iter_mut().find(|day| day.code == line.code) {
                Some(day) => {
                    day.minutes = day
                        .minutes
                        .zip(line.minutes)
                        .map(|(a, b)| a.saturating_add(b));
                    day.furnished = FurnishedBy {
                        therapist_alone: day
                            .furnished
                            .therapist_alone
                            .saturating_add(furnished.therapist_alone),
                        assistant_alone: day
                            .furnished
                            .assistant_alone
                            .saturating_add(furnished.assistant_alone),
                        together: day.furnished.together.saturating_add(furnished.together),
                        student_alone: day
                            .furnished
                            .student_alone
                            .saturating_add(furnished.student_alone),
                    };
                    day.entries += 1;
                    day.separate_interval &= line.separate_interval;
                    day.group_time |= group_time;
                    day.charge_per_unit = day.charge_per_unit.or(line.charge_per_unit);
                    for modifier in &line.modifiers {
                        if !day.documented.contains(modifier) {
                            day.documented.push(*modifier);
                        }
                    }
                }
                None => days.push(CodeDay {
                    code: line.code,
                    info: self.catalogue.get(line.code),
                    minutes: line.minutes,
                    furnished,
                    entries: 1,
                    separate_interval: line.separate_interval,
                    group_time,
                    charge_per_unit: line.charge_per_unit,
                    documented: line.modifiers.clone(),
                }),
            }
        }
        days.sort_by_key(|day| day.code);
        for day in &mut days {
            // Entries of one code can be documented in any order; keep output independent of it.
            day.documented.sort();
            check_code_day(day, policy, encounter.administrative.modality, findings);
        }
        days
    }

    fn check_disciplines(
        &self,
        encounter: &Encounter,
        days: &[CodeDay<'_>],
        findings: &mut Vec<Finding>,
    ) {
        let discipline = encounter.discipline;
        if let Some(plan) = &encounter.compliance.plan_of_care
            && plan.discipline != discipline
        {
            findings.push(Finding::new(
                &rules::DISCIPLINE_CONFLICT,
                None,
                format!(
                    "the encounter is billed as {} but its plan of care is {}",
                    discipline.label(),
                    plan.discipline.label()
                ),
            ));
        }
        if let Some(role) = encounter.compliance.rendering.as_ref().map(|r| r.role)
            && role.is_assistant()
            && role.discipline() != Some(discipline)
        {
            findings.push(Finding::new(
                &rules::ASSISTANT_DISCIPLINE,
                None,
                format!("a {} rendered a {} visit", role.label(), discipline.label()),
            ));
        }
        let expected = discipline_modifier(discipline);
        for day in days {
            if let Some(evaluation) = day.info.and_then(|info| info.evaluation)
                && evaluation.discipline != discipline
            {
                findings.push(Finding::new(
                    &rules::DISCIPLINE_CONFLICT,
                    Some(day.code),
                    format!(
                        "{} is a {} evaluation code billed under the {} plan of care",
                        day.code,
                        evaluation.discipline.label(),
                        discipline.label()
                    ),
                ));
            }
            if let Some(other) = day
                .documented
                .iter()
                .find(|m| [GP, GO, GN].contains(m) && **m != expected)
            {
                findings.push(Finding::new(
                    &rules::DISCIPLINE_CONFLICT,
                    Some(day.code),
                    format!(
                        "{} is documented with {other} but the plan of care requires {expected}",
                        day.code
                    ),
                ));
            }
        }
    }

    /// For each code day, the column 1 code whose NCCI pair puts a modifier on it, if any.
    fn ncci_modifiers(
        &self,
        encounter: &Encounter,
        policy: &PayerPolicy,
        days: &[CodeDay<'_>],
        units: &[(u32, UnitBasis)],
        earlier_codes: &[ProcedureCode],
        findings: &mut Vec<Finding>,
    ) -> Vec<Option<ProcedureCode>> {
        let billed: Vec<ProcedureCode> = days
            .iter()
            .zip(units)
            .filter(|(_, (n, _))| *n > 0)
            .map(|(day, _)| day.code)
            .collect();
        days.iter()
            .zip(units)
            .map(|(day, (n_units, _))| {
                if !policy.ncci || *n_units == 0 {
                    return None;
                }
                let mut modifier_for = None;
                for &column1 in billed.iter().filter(|c| **c != day.code) {
                    let Some(edit) = self.ptp.edit(column1, day.code, encounter.date_of_service) else {
                        continue;
                    };
                    match edit.indicator {
                        ModifierIndicator::NotApplicable => {}
                        ModifierIndicator::NotAllowed => findings.push(Finding::new(
                            &rules::NCCI_NOT_ALLOWED,
                            Some(day.code),
                            format!("{} (column 2) is not payable with {column1} (column 1) on the same day; no modifier can bypass this edit", day.code),
                        )),
                        ModifierIndicator::Allowed if day.separate_interval => {
                            modifier_for.get_or_insert(column1);
                        }
                        ModifierIndicator::Allowed => findings.push(Finding::new(
                            &rules::NCCI_NEEDS_SEPARATE_INTERVAL,
                            Some(day.code),
                            format!("{} (column 2) with {column1} (column 1) needs {} and documentation of a separate interval", day.code, policy.ncci_modifier),
                        )),
                    }
                }
                // A column 1 code on another visit of the day: a separate interval documented
                // here takes the modifier, whichever visit is scrubbed first; an undocumented
                // one is the scrubber's across-encounter hold, which names the other visit.
                if day.separate_interval {
                    for &column1 in earlier_codes.iter().filter(|c| **c != day.code) {
                        if self
                            .ptp
                            .edit(column1, day.code, encounter.date_of_service)
                            .is_some_and(|edit| edit.indicator == ModifierIndicator::Allowed)
                        {
                            modifier_for.get_or_insert(column1);
                        }
                    }
                }
                modifier_for
            })
            .collect()
    }
}

/// What the engine decided for one code before its units are split into lines.
struct CodeDecisions {
    basis: UnitBasis,
    /// The column 1 code of an NCCI pair that puts the payer's NCCI modifier on this code.
    ncci_column1: Option<ProcedureCode>,
    /// `Some(sometimes_therapy)` when the line takes the discipline modifier.
    therapy_modifier: Option<bool>,
    telehealth_modifier: Option<Modifier>,
    split: Option<AssistantSplit>,
}

/// One claim line's share of a code: its units, and whether it is the assistant's share.
#[derive(Clone, Copy)]
struct Part {
    units: u32,
    assistant: bool,
}

/// Builds one billed line with its modifiers in claim order: NCCI (59/X{EPSU}), discipline
/// (GP/GO/GN), assistant (CQ/CO), KX, telehealth (95), then any the clinic documented.
fn billed_line(
    encounter: &Encounter,
    policy: &PayerPolicy,
    day: &CodeDay<'_>,
    decisions: &CodeDecisions,
    part: Part,
    kx: &mut KxTracker<'_>,
    findings: &mut Vec<Finding>,
) -> BilledLine {
    let billed = part.units > 0;
    let charge = day
        .charge_per_unit
        .filter(|_| billed)
        .map(|per_unit| per_unit.times(part.units));
    // KX follows the therapy spend, so only lines that take a discipline modifier count: the
    // allowed amount where the fee schedule lists the code, else the charge.
    let spend = kx
        .allowed_per_unit(day.code, &day.documented, part.assistant)
        .map_or(charge.unwrap_or_default(), |fee| fee.times(part.units));
    let kx_reason = (billed && decisions.therapy_modifier.is_some())
        .then(|| kx.add(spend, findings))
        .flatten();
    let mut modifiers = Vec::with_capacity(MAX_MODIFIERS);
    let mut add = |modifier, reason| modifiers.push(AppliedModifier { modifier, reason });
    if billed {
        if let Some(column1) = decisions.ncci_column1 {
            add(policy.ncci_modifier, ModifierReason::Ncci { column1 });
        }
        if let Some(sometimes_therapy) = decisions.therapy_modifier {
            let discipline = encounter.discipline;
            add(
                discipline_modifier(discipline),
                ModifierReason::Discipline {
                    discipline,
                    sometimes_therapy,
                },
            );
        }
        if let (true, Some(split)) = (part.assistant, decisions.split) {
            let assistant_modifier = if encounter.discipline == Discipline::Ot {
                CO
            } else {
                CQ
            };
            add(assistant_modifier, ModifierReason::Assistant { split });
        }
        if let Some(reason) = kx_reason {
            add(KX, reason);
        }
        if let Some(modifier) = decisions.telehealth_modifier {
            add(
                modifier,
                ModifierReason::Telehealth {
                    modality: encounter.administrative.modality,
                },
            );
        }
    }
    for &documented in &day.documented {
        if !modifiers.iter().any(|m| m.modifier == documented) {
            modifiers.push(AppliedModifier {
                modifier: documented,
                reason: ModifierReason::Documented,
            });
        }
    }
    if modifiers.len() > MAX_MODIFIERS {
        let list: Vec<&str> = modifiers.iter().map(|m| m.modifier.as_str()).collect();
        findings.push(Finding::new(
            &rules::TOO_MANY_MODIFIERS,
            Some(day.code),
            format!(
                "{} needs {} modifiers ({}); a line carries 4",
                day.code,
                modifiers.len(),
                list.join(", ")
            ),
        ));
    }
    BilledLine {
        code: day.code,
        units: part.units,
        minutes: day.minutes,
        charge,
        modifiers,
        basis: decisions.basis,
        assistant_split: decisions.split,
        pooled_with: Vec::new(),
    }
}

fn check_interval(line: &ProcedureLine, findings: &mut Vec<Finding>) {
    if let (Some(start), Some(stop), Some(minutes)) = (line.start, line.stop, line.minutes)
        && let Some(span) = start.minutes_until(stop)
        && minutes > span
    {
        findings.push(Finding::new(
            &rules::MINUTES_EXCEED_INTERVAL,
            Some(line.code),
            format!(
                "{} documents {minutes} minutes between {start} and {stop} ({span} minutes)",
                line.code
            ),
        ));
    }
}

fn check_code_day(
    day: &CodeDay<'_>,
    policy: &PayerPolicy,
    modality: Modality,
    findings: &mut Vec<Finding>,
) {
    let code = day.code;
    let Some(info) = day.info else {
        findings.push(Finding::new(
            &rules::UNKNOWN_CODE,
            Some(code),
            format!("{code} is not in the therapy code catalogue"),
        ));
        return;
    };
    if modality != Modality::InPerson && !info.telehealth {
        findings.push(Finding::new(
            &rules::TELEHEALTH_CODE_NOT_ALLOWED,
            Some(code),
            format!("{code} ({}) is not on the telehealth list", info.descriptor),
        ));
    }
    if policy.replace_97014 && code.as_str() == "97014" {
        findings.push(Finding::new(
            &rules::REPLACE_97014,
            Some(code),
            format!("{} does not recognize 97014", policy.name),
        ));
    }
    match info.timing {
        CodeTiming::Timed if day.minutes.is_none() => findings.push(Finding::new(
            &rules::TIMED_MINUTES_MISSING,
            Some(code),
            format!("{code} is a timed code but no minutes are documented"),
        )),
        CodeTiming::Timed if day.group_time && policy.group_for_concurrent => findings.push(Finding::new(
            &rules::GROUP_AS_TIMED,
            Some(code),
            format!("{code} is a one-on-one timed code but its time is documented as group or concurrent"),
        )),
        CodeTiming::Untimed if day.entries > 1 => findings.push(Finding::new(
            &rules::UNTIMED_REPEATED,
            Some(code),
            format!("{code} is documented {} times; it is billed once", day.entries),
        )),
        _ => {}
    }
}

fn rendering_is_assistant(encounter: &Encounter) -> bool {
    encounter
        .compliance
        .rendering
        .as_ref()
        .is_some_and(|r| r.role.is_assistant())
}

/// Units and their basis for each code day, by the selected method.
fn count_units(
    days: &[CodeDay<'_>],
    method: UnitMethod,
    earlier: Option<&EarlierToday>,
) -> Vec<(u32, UnitBasis)> {
    let timed_minutes = |day: &CodeDay<'_>| match day.info {
        Some(info) if info.timing == CodeTiming::Timed => day.minutes,
        _ => None,
    };
    let timed: Vec<TimedMinutes> = days
        .iter()
        .filter_map(|day| {
            timed_minutes(day).map(|minutes| TimedMinutes {
                code: day.code,
                minutes,
            })
        })
        .collect();
    let pooled: Vec<(u32, UnitBasis)> = match (method, earlier) {
        (UnitMethod::Cms8Minute, None) => allocate_pooled(&timed)
            .into_iter()
            .map(|share| (share.units(), UnitBasis::Pooled(share)))
            .collect(),
        (UnitMethod::Cms8Minute, Some(earlier)) => allocate_after(earlier, &timed)
            .into_iter()
            .map(|share| (share.units, UnitBasis::PooledDay(share)))
            .collect(),
        (UnitMethod::PerCodeMidpoint, _) => Vec::new(),
    };
    let mut shares = pooled.into_iter();
    days.iter()
        .map(|day| match (day.info, timed_minutes(day)) {
            (None, _) => (1, UnitBasis::NotInCatalogue),
            (Some(info), _) if info.timing == CodeTiming::Untimed => (
                1,
                UnitBasis::Untimed {
                    entries: day.entries,
                },
            ),
            (Some(_), None) => (0, UnitBasis::MissingMinutes),
            (Some(_), Some(minutes)) => match method {
                UnitMethod::PerCodeMidpoint => match earlier {
                    Some(earlier) => {
                        let (units, day_minutes, earlier_units) =
                            per_code_after(earlier, day.code, minutes);
                        (
                            units,
                            UnitBasis::PerCodeDay {
                                day_minutes,
                                earlier_units,
                            },
                        )
                    }
                    None => (units_for_minutes(minutes), UnitBasis::PerCode),
                },
                UnitMethod::Cms8Minute => shares.next().unwrap_or((0, UnitBasis::MissingMinutes)),
            },
        })
        .collect()
}

/// The CQ/CO split of a code's units, when the payer uses assistant modifiers and an assistant
/// furnished some of its minutes alone.
fn assistant_split(
    encounter: &Encounter,
    policy: &PayerPolicy,
    day: &CodeDay<'_>,
    n_units: u32,
    findings: &mut Vec<Finding>,
) -> Option<AssistantSplit> {
    let assistant_rendered_untimed = day.minutes.is_none() && rendering_is_assistant(encounter);
    if day.furnished.assistant_alone == 0 && !assistant_rendered_untimed {
        return None;
    }
    if encounter.discipline == Discipline::Slp {
        findings.push(Finding::new(
            &rules::SLP_ASSISTANT,
            Some(day.code),
            format!(
                "{} has {} minutes furnished by an assistant under an SLP plan of care",
                day.code, day.furnished.assistant_alone
            ),
        ));
        return None;
    }
    if !policy.assistant_modifiers
        || ASSISTANT_MODIFIERS_FROM.is_some_and(|from| encounter.date_of_service < from)
    {
        return None;
    }
    let split = match day.info.map(|info| info.timing) {
        Some(CodeTiming::Timed) => split_timed(n_units, day.furnished),
        _ if assistant_rendered_untimed => AssistantSplit {
            with_modifier: 1,
            without_modifier: 0,
            therapist_minutes: 0,
            assistant_minutes: 0,
        },
        _ => split_untimed(day.furnished),
    };
    Some(split)
}

/// The claim's place of service, and the telehealth checks that go with it.
fn place_of_service(
    encounter: &Encounter,
    policy: &PayerPolicy,
    findings: &mut Vec<Finding>,
) -> PosDecision {
    let documented = encounter.administrative.place_of_service;
    let date = encounter.date_of_service;
    let modality = encounter.administrative.modality;
    if modality == Modality::InPerson {
        if documented.is_telehealth() {
            findings.push(Finding::new(
                &rules::TELEHEALTH_POS_IN_PERSON,
                None,
                format!("place of service {documented} is a telehealth POS but the visit is documented as in person"),
            ));
        }
        return PosDecision {
            place_of_service: documented,
            reason: PosReason::AsDocumented,
        };
    }
    if let Some([first, last]) = policy.telehealth_window
        && !(first..=last).contains(&date)
    {
        findings.push(Finding::new(
            &rules::TELEHEALTH_NOT_COVERED,
            None,
            format!(
                "{} pays PT/OT/SLP telehealth from {first} through {last}; this visit is on {date}",
                policy.name
            ),
        ));
    }
    match modality {
        Modality::TelehealthOther => PosDecision {
            place_of_service: PlaceOfService::TELEHEALTH_OTHER,
            reason: PosReason::TelehealthOther,
        },
        _ if POS_10_FROM.is_some_and(|from| date < from) => PosDecision {
            place_of_service: documented,
            reason: PosReason::PheTelehealth,
        },
        _ => PosDecision {
            place_of_service: PlaceOfService::TELEHEALTH_HOME,
            reason: PosReason::TelehealthHome,
        },
    }
}

/// Year-to-date therapy spend for the encounter's threshold bucket, line by line.
struct KxTracker<'f> {
    /// What this visit's therapy lines added, counted whether or not the payer uses KX.
    added: Cents,
    enabled: bool,
    fees: Option<&'f FeeSchedule>,
    year: i32,
    bucket: Bucket,
    running_total: Cents,
    kx: Option<Cents>,
    review: Option<Cents>,
    kx_applied: bool,
    medical_necessity_documented: bool,
}

impl<'f> KxTracker<'f> {
    fn new(
        thresholds: &Thresholds,
        encounter: &Encounter,
        policy: &PayerPolicy,
        known: Option<YearToDateSpend>,
        fees: Option<&'f FeeSchedule>,
    ) -> Self {
        let year = encounter.date_of_service.year();
        let bucket = Bucket::of(encounter.discipline);
        let documented = encounter.administrative.year_to_date_spend;
        // The EMR's figure and the scrubber's ledger may each miss visits the other saw; the
        // larger never undercounts either and never counts a visit twice.
        let spend = known.map_or(documented, |known| YearToDateSpend {
            pt_slp: documented.pt_slp.max(known.pt_slp),
            ot: documented.ot.max(known.ot),
        });
        Self {
            added: Cents::ZERO,
            enabled: policy.kx_threshold,
            fees,
            year,
            bucket,
            running_total: match bucket {
                Bucket::PtSlp => spend.pt_slp,
                Bucket::Ot => spend.ot,
            },
            kx: thresholds.kx(year, bucket),
            review: thresholds.targeted_review(year),
            kx_applied: false,
            medical_necessity_documented: encounter.compliance.medical_necessity_documented,
        }
    }

    /// The fee schedule's allowed amount per unit of a line, when a schedule lists the code.
    fn allowed_per_unit(
        &self,
        code: ProcedureCode,
        modifiers: &[Modifier],
        assistant: bool,
    ) -> Option<Cents> {
        self.fees?.per_unit(self.year, code, modifiers, assistant)
    }

    /// Adds a therapy line's spend; returns the KX reason when the line is above the
    /// threshold. A line that crosses the threshold and every line after it carry KX.
    fn add(&mut self, spend: Cents, findings: &mut Vec<Finding>) -> Option<ModifierReason> {
        self.added += spend;
        if !self.enabled {
            return None;
        }
        self.running_total += spend;
        let Some(threshold) = self.kx else {
            if !findings.iter().any(|f| f.rule == &rules::KX_UNKNOWN_YEAR) {
                findings.push(Finding::new(
                    &rules::KX_UNKNOWN_YEAR,
                    None,
                    format!("no KX threshold is on file for {}", self.year),
                ));
            }
            return None;
        };
        (self.running_total > threshold).then(|| {
            self.kx_applied = true;
            ModifierReason::Kx {
                year: self.year,
                bucket: self.bucket,
                running_total: self.running_total,
                threshold,
                allowed: self.fees.is_some(),
            }
        })
    }

    fn finish(self, findings: &mut Vec<Finding>) {
        if self.kx_applied && !self.medical_necessity_documented {
            findings.push(Finding::new(
                &rules::KX_NO_MEDICAL_NECESSITY,
                None,
                format!("KX is required ({} therapy at {} this year) but medical necessity is not documented", self.bucket.label(), self.running_total),
            ));
        }
        if self.enabled
            && let Some(review) = self.review
            && self.running_total > review
        {
            findings.push(Finding::new(
                &rules::TARGETED_REVIEW,
                None,
                format!(
                    "{} therapy this year reaches {}, above the {} targeted review amount",
                    self.bucket.label(),
                    self.running_total,
                    review
                ),
            ));
        }
    }
}
