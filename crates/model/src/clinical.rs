//! The clinical domain: diagnoses, goals, tests and measures, visit type.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::Icd10Cm;

/// What kind of visit this is; evaluations and re-evaluations carry their own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitType {
    Evaluation,
    ReEvaluation,
    Treatment,
    Discharge,
}

/// Why a re-evaluation was needed, coded. A re-evaluation is billable for new clinical
/// findings, a significant change in the patient's condition, or failure to respond to the
/// plan; a routine one (written because a progress report was due, say) is not (MBPM ch.15
/// §220.3.C; Billing and Coding article A53309).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReEvaluationBasis {
    NewClinicalFindings,
    SignificantChange,
    FailureToRespond,
    Routine,
    /// Another reason, stated in `re_evaluation_reason`.
    Other,
}

impl ReEvaluationBasis {
    pub fn label(self) -> &'static str {
        match self {
            Self::NewClinicalFindings => "new clinical findings",
            Self::SignificantChange => "a significant change in condition",
            Self::FailureToRespond => "failure to respond to the plan",
            Self::Routine => "routine reassessment",
            Self::Other => "another reason",
        }
    }
}

/// Whether a goal is short or long term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalTerm {
    ShortTerm,
    LongTerm,
}

/// Where the patient stands against a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    New,
    Progressing,
    Met,
    NotMet,
    Discontinued,
}

/// A functional goal of the plan of care (42 CFR 410.61(c): the plan states anticipated goals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub text: String,
    pub term: GoalTerm,
    pub status: GoalStatus,
    #[serde(
        deserialize_with = "crate::date::strict_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_date: Option<NaiveDate>,
}

/// A named standardized test or measure with its result, e.g. `Berg Balance Scale` = `41/56`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Objective tests and measures recorded at this visit. An evaluation without them does not
/// support its code (MBPM ch.15 §220.3.C).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestsAndMeasures {
    pub performed: bool,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

/// The clinical domain of an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clinical {
    /// ICD-10-CM diagnoses, primary first; at most 12 (the 837P HI segment's limit).
    #[serde(default)]
    pub diagnoses: Vec<Icd10Cm>,
    pub visit_type: VisitType,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub tests_and_measures: TestsAndMeasures,
    /// Why a re-evaluation was needed, coded: what decides whether it is billable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_evaluation_basis: Option<ReEvaluationBasis>,
    /// The reason in the therapist's words; required when the basis is `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_evaluation_reason: Option<String>,
}

/// The most diagnoses one 837P claim can carry (HI01 to HI12).
pub const MAX_DIAGNOSES: usize = 12;
