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

/// Annual benefit limits of the plan (route to `authorization`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitPolicy {
    /// Therapy visits covered per calendar year.
    #[serde(default)]
    pub visits_per_year: Option<u32>,
    /// Therapy charges covered per calendar year, in cents.
    #[serde(default)]
    pub spend_cap_cents: Option<i64>,
    /// Whether PT, OT and SLP share one limit (true) or each discipline has its own.
    #[serde(default)]
    pub combined: bool,
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
