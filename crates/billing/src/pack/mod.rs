//! Payer rule packs: one versioned TOML file per payer or payer family, saying how units are
//! counted, which modifiers apply, which documentation, authorization, benefit and coding
//! rules run and how severe they are, all by effective date, so a 2024 visit is judged by
//! 2024 rules. Packs can add rules of their own as CEL conditions.
//!
//! The packs in the repository's `packs/` folder are built into the binary; a user's packs
//! replace a built-in pack of the same id or add new ones. docs/rule-packs.md has the format.

mod bindings;
mod error;
mod expression;
mod load;
mod policy;
mod projection;

use std::sync::Arc;

use chrono::NaiveDate;
use cleanclaim_model::{Encounter, PlanType};

pub use bindings::{Bindings, EpisodeFacts, Needs, VARIABLES, age_on};
pub use error::{Location, PackError};
pub use expression::ExpressionRule;
pub use policy::{
    AuthorizationPolicy, BenefitPolicy, CodingPolicy, DocumentationPolicy, LifetimeScope, Setting,
};

use crate::diagnosis::DiagnosisRules;
use crate::payer::PayerPolicy;
use crate::rules::{Rule, Severity};
use crate::thresholds::Thresholds;

/// The packs shipped in the binary: (file name, text).
pub const BUILTIN_PACKS: [(&str, &str); 5] = [
    (
        "packs/medicare-part-b.toml",
        include_str!("../../../../packs/medicare-part-b.toml"),
    ),
    (
        "packs/medicare-following.toml",
        include_str!("../../../../packs/medicare-following.toml"),
    ),
    (
        "packs/commercial-per-code.toml",
        include_str!("../../../../packs/commercial-per-code.toml"),
    ),
    (
        "packs/medicaid.toml",
        include_str!("../../../../packs/medicaid.toml"),
    ),
    (
        "packs/workers-comp.toml",
        include_str!("../../../../packs/workers-comp.toml"),
    ),
];

/// One payer's rules over time.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub id: String,
    pub name: String,
    pub version: String,
    pub source: String,
    /// Plan types that use this pack when no pack names the encounter's payer id.
    pub default_for: Vec<PlanType>,
    /// Payer ids (as on the encounter) that use this pack.
    pub payer_ids: Vec<String>,
    /// The file it was read from.
    pub file: String,
    /// In date order, never overlapping; at least one.
    periods: Vec<Period>,
    thresholds: Thresholds,
    expression_rules: Vec<ExpressionRule>,
    /// What any of the expression rules reads.
    expression_needs: Needs,
}

impl RulePack {
    /// The period in effect on a date.
    pub fn period_for(&self, date: NaiveDate) -> Option<&Period> {
        self.periods.iter().find(|period| period.contains(date))
    }

    /// The period nearest a date no period covers: the first one for earlier dates, the
    /// last for later ones. The engine still needs some policy to explain what it would do.
    #[expect(
        clippy::indexing_slicing,
        reason = "a pack has at least one period: the loader rejects a pack without one"
    )]
    pub fn nearest_period(&self, date: NaiveDate) -> &Period {
        let after = self.periods.iter().find(|period| period.from > date);
        let last = self.periods.iter().rev().find(|period| period.from <= date);
        // A pack has at least one period (checked at load), so one of the two exists.
        match (last, after) {
            (Some(period), _) | (None, Some(period)) => period,
            (None, None) => &self.periods[0],
        }
    }

    /// Every period, in date order.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The KX and targeted review amounts by year.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// The pack's expression rules.
    pub fn expression_rules(&self) -> &[ExpressionRule] {
        &self.expression_rules
    }

    /// What the expression rules read, together: what an encounter's bindings must hold.
    pub fn expression_needs(&self) -> &Needs {
        &self.expression_needs
    }
}

/// One effective date range of a pack, with everything the pack says for it.
#[derive(Debug, Clone)]
pub struct Period {
    pub from: NaiveDate,
    /// Inclusive; none = still in effect.
    pub to: Option<NaiveDate>,
    pub billing: PayerPolicy,
    pub documentation: DocumentationPolicy,
    pub authorization: AuthorizationPolicy,
    pub benefits: BenefitPolicy,
    pub coding: CodingPolicy,
    severity: Vec<(String, Setting)>,
}

impl Period {
    /// Whether the date falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }

    /// The severity of a rule in this period: the pack's setting, or the rule's default;
    /// none when the pack turns the rule off.
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        match self.setting(&rule.id) {
            Some(Setting::Off) => None,
            Some(Setting::Hold) => Some(Severity::Hold),
            Some(Setting::Warn) => Some(Severity::Warn),
            None => Some(rule.severity),
        }
    }

    /// What the pack says about a rule id in this period, if anything.
    pub fn setting(&self, rule_id: &str) -> Option<Setting> {
        self.severity
            .iter()
            .find(|(id, _)| id == rule_id)
            .map(|(_, setting)| *setting)
    }

    /// Every rule the period changes, with its setting.
    pub fn settings(&self) -> &[(String, Setting)] {
        &self.severity
    }
}

/// The packs in use: built-in ones, replaced or extended by the user's.
#[derive(Clone)]
pub struct RulePacks {
    packs: Vec<RulePack>,
    env: Arc<cel::Env>,
}

impl std::fmt::Debug for RulePacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulePacks")
            .field("packs", &self.packs)
            .finish_non_exhaustive()
    }
}

impl RulePacks {
    /// The packs shipped in the binary.
    pub fn builtin(diagnoses: &DiagnosisRules) -> Result<Self, PackError> {
        Self::load(&BUILTIN_PACKS, &[], diagnoses)
    }

    /// Loads base packs, then the user's: a user pack with the id of a base pack replaces it,
    /// and its `default_for` plan types move to it; others are added. Every pack is checked
    /// before any is used; the first mistake is the error.
    pub fn load(
        base: &[(&str, &str)],
        user: &[(&str, &str)],
        diagnoses: &DiagnosisRules,
    ) -> Result<Self, PackError> {
        let env = Arc::new(cel::Env::stdlib());
        let mut packs: Vec<RulePack> = Vec::with_capacity(base.len() + user.len());
        for (file, text) in base {
            let pack = load::load(file, text, diagnoses, &env)?;
            check_unique(&packs, &pack, false)?;
            packs.push(pack);
        }
        let mut user_packs: Vec<RulePack> = Vec::with_capacity(user.len());
        for (file, text) in user {
            let pack = load::load(file, text, diagnoses, &env)?;
            check_unique(&user_packs, &pack, false)?;
            user_packs.push(pack);
        }
        // Which built-in pack each plan type defaulted to: a user pack that replaces it without
        // keeping the default is the file to blame if the plan type is left with none.
        let base_defaults: Vec<(PlanType, String)> = packs
            .iter()
            .flat_map(|pack| pack.default_for.iter().map(|plan| (*plan, pack.id.clone())))
            .collect();
        let user_files: Vec<(String, String)> = user_packs
            .iter()
            .map(|pack| (pack.id.clone(), pack.file.clone()))
            .collect();
        for pack in user_packs {
            packs.retain(|existing| existing.id != pack.id);
            for existing in &mut packs {
                existing
                    .default_for
                    .retain(|plan| !pack.default_for.contains(plan));
                existing.payer_ids.retain(|id| !pack.payer_ids.contains(id));
            }
            check_unique(&packs, &pack, true)?;
            packs.push(pack);
        }
        for plan in PLAN_TYPES {
            if !packs.iter().any(|pack| pack.default_for.contains(&plan)) {
                let replacer = base_defaults
                    .iter()
                    .filter(|(default, _)| *default == plan)
                    .find_map(|(_, id)| user_files.iter().find(|(user, _)| user == id));
                return Err(match replacer {
                    Some((id, file)) => PackError::file(
                        file,
                        format!(
                            "replaces `{id}`, the default pack for plan type `{}`, without `default_for = [\"{}\"]`: that plan type would have no pack",
                            plan_name(plan),
                            plan_name(plan)
                        ),
                    ),
                    None => PackError::file(
                        packs.first().map_or("packs", |pack| pack.file.as_str()),
                        format!("no pack is the default for plan type `{}`", plan_name(plan)),
                    ),
                });
            }
        }
        Ok(Self { packs, env })
    }

    /// The pack with this id.
    pub fn by_id(&self, id: &str) -> Option<&RulePack> {
        self.packs.iter().find(|pack| pack.id == id)
    }

    /// The pack for an encounter and how it was chosen: the one naming its payer id, else
    /// its plan type's default (which the result says, so an unknown payer id is never
    /// silently billed by a general pack).
    pub fn select(&self, encounter: &Encounter) -> (&RulePack, PackSelection) {
        let payer = &encounter.administrative.payer;
        match self
            .packs
            .iter()
            .find(|pack| pack.payer_ids.contains(&payer.id))
        {
            Some(pack) => (pack, PackSelection::PayerId),
            None => (self.for_encounter(encounter), PackSelection::PlanDefault),
        }
    }

    /// The pack for an encounter: the one naming its payer id, else its plan type's default.
    #[expect(
        clippy::indexing_slicing,
        reason = "every plan type has a default pack: the loader rejects a set without one"
    )]
    pub fn for_encounter(&self, encounter: &Encounter) -> &RulePack {
        let payer = &encounter.administrative.payer;
        self.packs
            .iter()
            .find(|pack| pack.payer_ids.contains(&payer.id))
            .or_else(|| self.default_for(payer.plan))
            .unwrap_or(&self.packs[0])
    }

    /// The default pack of a plan type (every plan type has one; checked at load).
    pub fn default_for(&self, plan: PlanType) -> Option<&RulePack> {
        self.packs
            .iter()
            .find(|pack| pack.default_for.contains(&plan))
    }

    /// Every pack, built-in ones first.
    pub fn all(&self) -> &[RulePack] {
        &self.packs
    }

    /// The expression environment the packs were compiled with.
    pub fn env(&self) -> &Arc<cel::Env> {
        &self.env
    }
}

/// How an encounter's rule pack was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackSelection {
    /// A pack lists the encounter's payer id.
    PayerId,
    /// No pack lists the payer id: the plan type's default pack applies.
    PlanDefault,
    /// The caller named the pack (`scrub --payer`).
    Forced,
}

impl PackSelection {
    /// The name used in output.
    pub fn name(self) -> &'static str {
        match self {
            Self::PayerId => "payer_id",
            Self::PlanDefault => "plan_default",
            Self::Forced => "forced",
        }
    }
}

const PLAN_TYPES: [PlanType; 6] = [
    PlanType::MedicarePartB,
    PlanType::MedicareAdvantage,
    PlanType::Commercial,
    PlanType::Medicaid,
    PlanType::WorkersComp,
    PlanType::Other,
];

/// The snake_case name of a plan type, as packs and encounters write it.
pub fn plan_name(plan: PlanType) -> &'static str {
    match plan {
        PlanType::MedicarePartB => "medicare_part_b",
        PlanType::MedicareAdvantage => "medicare_advantage",
        PlanType::Commercial => "commercial",
        PlanType::Medicaid => "medicaid",
        PlanType::WorkersComp => "workers_comp",
        PlanType::Other => "other",
    }
}

fn check_unique(existing: &[RulePack], pack: &RulePack, replacing: bool) -> Result<(), PackError> {
    if !replacing && let Some(other) = existing.iter().find(|p| p.id == pack.id) {
        return Err(PackError::file(
            &pack.file,
            format!("pack id `{}` is also used by {}", pack.id, other.file),
        ));
    }
    for plan in &pack.default_for {
        if let Some(other) = existing.iter().find(|p| p.default_for.contains(plan)) {
            return Err(PackError::file(
                &pack.file,
                format!(
                    "plan type `{}` already has a default pack: `{}` ({})",
                    plan_name(*plan),
                    other.id,
                    other.file
                ),
            ));
        }
    }
    for payer in &pack.payer_ids {
        if let Some(other) = existing.iter().find(|p| p.payer_ids.contains(payer)) {
            return Err(PackError::file(
                &pack.file,
                format!(
                    "payer id `{payer}` is already claimed by pack `{}` ({})",
                    other.id, other.file
                ),
            ));
        }
    }
    Ok(())
}
