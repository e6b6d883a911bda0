//! Payer billing policies: the unit method and modifier policy per payer family, loaded from
//! `data/payers.toml`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use cleanclaim_model::{Modifier, PlanType};
use serde::Deserialize;

use crate::error::DataError;

/// How a payer turns minutes into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitMethod {
    /// Pool the minutes of all timed codes for the day (MCPM ch.5 §20.2, the "8-minute rule").
    #[serde(rename = "cms_8_minute")]
    Cms8Minute,
    /// Count each timed code on its own (AMA CPT time rule, "substantial portion").
    PerCodeMidpoint,
}

impl UnitMethod {
    /// The name used in data files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cms8Minute => "cms_8_minute",
            Self::PerCodeMidpoint => "per_code_midpoint",
        }
    }
}

impl fmt::Display for UnitMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for UnitMethod {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "cms_8_minute" => Ok(Self::Cms8Minute),
            "per_code_midpoint" => Ok(Self::PerCodeMidpoint),
            _ => Err(format!(
                "unknown unit method `{text}`; expected `cms_8_minute` or `per_code_midpoint`"
            )),
        }
    }
}

/// One payer family's billing policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerPolicy {
    pub id: String,
    pub name: String,
    /// Plan types that use this policy unless the caller picks one.
    #[serde(default)]
    pub default_for: Vec<PlanType>,
    pub unit_method: UnitMethod,
    pub assistant_modifiers: bool,
    pub kx_threshold: bool,
    #[serde(default)]
    pub telehealth_modifier: Option<Modifier>,
    /// First and last dates (inclusive) the payer pays PT/OT/SLP telehealth; none = no limit.
    #[serde(default)]
    pub telehealth_window: Option<[NaiveDate; 2]>,
    pub ncci: bool,
    pub ncci_modifier: Modifier,
    pub replace_97014: bool,
    pub group_for_concurrent: bool,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayerFile {
    #[expect(dead_code, reason = "the version is for people reading the file")]
    version: String,
    payer: Vec<PayerPolicy>,
}

const NCCI_MODIFIERS: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

const PLAN_TYPES: [PlanType; 6] = [
    PlanType::MedicarePartB,
    PlanType::MedicareAdvantage,
    PlanType::Commercial,
    PlanType::Medicaid,
    PlanType::WorkersComp,
    PlanType::Other,
];

/// All payer policies, each plan type mapped to exactly one default.
#[derive(Debug, Clone)]
pub struct PayerPolicies {
    policies: Vec<PayerPolicy>,
    /// The default policy of each plan type, in `PLAN_TYPES` order; checked complete at load.
    defaults: [PayerPolicy; 6],
}

impl PayerPolicies {
    /// The policies shipped with cleanclaim.
    pub fn builtin() -> Result<Self, DataError> {
        Self::from_toml("data/payers.toml", include_str!("../data/payers.toml"))
    }

    /// Parses a policy file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, DataError> {
        let parsed: PayerFile = toml::from_str(text).map_err(|e| DataError::toml(file, &e))?;
        let policies = parsed.payer;
        for (index, policy) in policies.iter().enumerate() {
            if policies.iter().take(index).any(|p| p.id == policy.id) {
                return Err(DataError::invalid(
                    file,
                    format!("payer `{}` is listed twice", policy.id),
                ));
            }
            if !NCCI_MODIFIERS.contains(&policy.ncci_modifier.as_str()) {
                return Err(DataError::invalid(
                    file,
                    format!(
                        "payer `{}`: ncci_modifier `{}` is not one of 59, XE, XS, XP, XU",
                        policy.id, policy.ncci_modifier
                    ),
                ));
            }
            if let Some([first, last]) = policy.telehealth_window
                && last < first
            {
                return Err(DataError::invalid(
                    file,
                    format!(
                        "payer `{}`: telehealth_window ends before it starts",
                        policy.id
                    ),
                ));
            }
            for plan in &policy.default_for {
                if policies
                    .iter()
                    .take(index)
                    .any(|p| p.default_for.contains(plan))
                {
                    return Err(DataError::invalid(
                        file,
                        format!("plan type `{plan:?}` has more than one default payer"),
                    ));
                }
            }
        }
        let mut defaults = Vec::with_capacity(PLAN_TYPES.len());
        for plan in PLAN_TYPES {
            let policy = policies
                .iter()
                .find(|p| p.default_for.contains(&plan))
                .ok_or_else(|| {
                    DataError::invalid(
                        file,
                        format!("no payer is the default for plan type `{plan:?}`"),
                    )
                })?;
            defaults.push(policy.clone());
        }
        let defaults = defaults
            .try_into()
            .map_err(|_| DataError::invalid(file, "plan type table is incomplete"))?;
        Ok(Self { policies, defaults })
    }

    /// The policy with this id.
    pub fn by_id(&self, id: &str) -> Option<&PayerPolicy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The default policy for a plan type.
    pub fn default_for(&self, plan: PlanType) -> &PayerPolicy {
        let [part_b, advantage, commercial, medicaid, workers_comp, other] = &self.defaults;
        match plan {
            PlanType::MedicarePartB => part_b,
            PlanType::MedicareAdvantage => advantage,
            PlanType::Commercial => commercial,
            PlanType::Medicaid => medicaid,
            PlanType::WorkersComp => workers_comp,
            PlanType::Other => other,
        }
    }

    /// Every policy, in file order.
    pub fn all(&self) -> &[PayerPolicy] {
        &self.policies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_type_has_a_builtin_default() {
        let policies = PayerPolicies::builtin().unwrap();
        for plan in PLAN_TYPES {
            assert!(
                policies.default_for(plan).default_for.contains(&plan),
                "{plan:?}"
            );
        }
        let medicare = policies.by_id("medicare-part-b").unwrap();
        assert_eq!(medicare.unit_method, UnitMethod::Cms8Minute);
        assert!(medicare.assistant_modifiers && medicare.kx_threshold);
    }

    #[test]
    fn a_bad_ncci_modifier_is_rejected() {
        let text = include_str!("../data/payers.toml").replacen(
            "ncci_modifier = \"59\"",
            "ncci_modifier = \"25\"",
            1,
        );
        let err = PayerPolicies::from_toml("payers.toml", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "payers.toml: payer `medicare-part-b`: ncci_modifier `25` is not one of 59, XE, XS, XP, XU"
        );
    }
}
