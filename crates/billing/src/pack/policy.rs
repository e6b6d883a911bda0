//! What one period of a rule pack says, beyond units and modifiers: documentation gates,
//! authorization, benefit limits and coding edits. Each field names the policy it switches.

use std::collections::BTreeMap;

use cleanclaim_model::ProcedureCode;
use serde::Deserialize;

/// Documentation gates (route to `documentation_hold`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentationPolicy {
    /// Treatment needs a plan of care (42 CFR 410.61); evaluation-only visits never do.
    pub plan_of_care_required: bool,
    /// The plan must be signed (certified) within this many days of the first treatment
    /// (MBPM ch.15 §220.1.3: 30); absent = the payer needs no signature.
    #[serde(default)]
    pub certification_signature_days: Option<u32>,
    /// A signed referral plus the plan sent to the referrer within the signature days stands
    /// in for the initial certification (CY2025 PFS, 89 FR 97912; not for recertification).
    #[serde(default)]
    pub referral_exception: bool,
    /// The certification lasts at most this many days from its start (42 CFR 424.24(c): 90).
    #[serde(default)]
    pub recertification_days: Option<u32>,
    /// A clinician's progress report is due at least every this many treatment days
    /// (MBPM ch.15 §220.3.D: 10).
    #[serde(default)]
    pub progress_report_treatment_days: Option<u32>,
    /// Whether a PTA/OTA may be the rendering provider on the claim.
    pub assistant_may_render: bool,
    /// Whether minutes a student furnished without the therapist in the room are billable.
    pub student_minutes_billable: bool,
    /// A visit more than this many days after the previous one of the same discipline starts
    /// a new episode of care (so does any visit after a discharge).
    pub episode_gap_days: u32,
    /// A verbal or telephone order must be signed within this many days of being taken
    /// down; absent = the payer sets no deadline.
    #[serde(default)]
    pub verbal_order_signature_days: Option<u32>,
}

/// Prior authorization (route to `authorization`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationPolicy {
    /// Every visit needs an authorization in the ledger.
    #[serde(default)]
    pub required: bool,
    /// Warn while the visit can still be billed: when this many visits (or fewer) remain on
    /// the authorization after this one...
    #[serde(default)]
    pub warn_visits_left: Option<u32>,
    /// ...this many units (or fewer)...
    #[serde(default)]
    pub warn_units_left: Option<u32>,
    /// ...or it ends within this many days of the visit.
    #[serde(default)]
    pub warn_days_left: Option<u32>,
    /// Evaluations and re-evaluations need no authorization (the payer authorizes the
    /// treatment the evaluation plans): a visit billing only them is not checked, and their
    /// lines never need a code group's cover.
    #[serde(default)]
    pub evaluations_exempt: bool,
}

/// Annual and lifetime benefit limits of the plan (route to `authorization`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitPolicy {
    /// Therapy visits covered per calendar year.
    #[serde(default)]
    pub visits_per_year: Option<u32>,
    /// Therapy charges covered per calendar year, in cents.
    #[serde(default)]
    pub spend_cap_cents: Option<i64>,
    /// Therapy visits covered over the patient's whole coverage under the plan (every year
    /// counted, prior usage included): a lifetime or per-condition maximum.
    #[serde(default)]
    pub lifetime_visits: Option<u32>,
    /// Therapy charges covered over the patient's whole coverage under the plan, in cents.
    #[serde(default)]
    pub lifetime_spend_cap_cents: Option<i64>,
    /// What a lifetime limit is counted over: the patient's whole coverage (`coverage`, the
    /// default) or each condition (`condition`: the visit's primary diagnosis category, the
    /// ICD-10-CM code's first three characters).
    #[serde(default)]
    pub lifetime_per: LifetimeScope,
    /// Whether PT, OT and SLP share one limit (true) or each discipline has its own.
    #[serde(default)]
    pub combined: bool,
    /// The disciplines that share one limit when not all do (for example `["pt", "ot"]`,
    /// SLP on its own); each discipline left out has its own. Empty: see `combined`.
    #[serde(default)]
    pub shared: Vec<cleanclaim_model::Discipline>,
}

/// What a lifetime benefit limit is counted over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifetimeScope {
    #[default]
    Coverage,
    Condition,
}

impl BenefitPolicy {
    /// Whether the plan limits anything.
    pub fn limits_anything(&self) -> bool {
        self.visits_per_year.is_some()
            || self.spend_cap_cents.is_some()
            || self.lifetime_visits.is_some()
            || self.lifetime_spend_cap_cents.is_some()
    }

    /// What is wrong with the settings together, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.combined && !self.shared.is_empty() {
            return Some(
                "set `combined` (all disciplines share) or `shared` (some do), not both".to_owned(),
            );
        }
        if self.shared.len() == 1 {
            return Some(
                "`shared` names one discipline; a shared limit needs two or more".to_owned(),
            );
        }
        let mut seen = Vec::new();
        for discipline in &self.shared {
            if seen.contains(discipline) {
                return Some(format!("`shared` names {} twice", discipline.label()));
            }
            seen.push(*discipline);
        }
        [
            ("spend_cap_cents", self.spend_cap_cents),
            ("lifetime_spend_cap_cents", self.lifetime_spend_cap_cents),
        ]
        .into_iter()
        .find(|(_, cap)| cap.is_some_and(|cents| cents <= 0))
        .map(|(key, _)| format!("`{key}` must be a positive amount in cents"))
    }

    /// The disciplines whose visits count toward `discipline`'s limits.
    pub fn sharing_with(
        &self,
        discipline: cleanclaim_model::Discipline,
    ) -> Vec<cleanclaim_model::Discipline> {
        use cleanclaim_model::Discipline;
        if self.combined {
            vec![Discipline::Pt, Discipline::Ot, Discipline::Slp]
        } else if self.shared.contains(&discipline) {
            self.shared.clone()
        } else {
            vec![discipline]
        }
    }
}

/// Coding edits (route to `coding_review`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodingPolicy {
    /// Codes the plan does not cover at all.
    #[serde(default)]
    pub not_covered: Vec<ProcedureCode>,
    /// Codes the plan does not cover by telehealth (beyond the catalogue's telehealth list).
    #[serde(default)]
    pub not_covered_telehealth: Vec<ProcedureCode>,
    /// Check each code against the diagnoses that support it (data/diagnosis-pairing.toml).
    #[serde(default)]
    pub diagnosis_pairing: bool,
    /// ICD-10-CM prefixes the payer also accepts, per code group of the pairing file.
    #[serde(default)]
    pub extra_diagnoses: BTreeMap<String, Vec<String>>,
    /// Check diagnoses against the patient's age and sex (data/diagnosis-edits.toml).
    #[serde(default)]
    pub age_sex_edits: bool,
    /// Check units against the CMS medically unlikely edits.
    #[serde(default)]
    pub mue: bool,
    /// An episode of care has one initial evaluation.
    #[serde(default)]
    pub one_evaluation_per_episode: bool,
}

/// What a pack does with a rule in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Hold,
    Warn,
    Off,
}
