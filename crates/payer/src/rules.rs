//! The simulator's rules: a TOML data file (the built-in one is `data/payer-rules.toml`),
//! checked whole when read.

use std::collections::BTreeMap;

use serde::Deserialize;

pub const BUILTIN: &str = include_str!("../data/payer-rules.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub defaults: Defaults,
    #[serde(default)]
    pub fee_schedule: BTreeMap<String, i64>,
    #[serde(default)]
    pub units_per_day: BTreeMap<String, u32>,
    #[serde(default)]
    pub ncci_pairs: Vec<[String; 2]>,
    #[serde(default)]
    pub therapy_codes: Vec<String>,
    #[serde(default)]
    pub diagnosis_required: Vec<DiagnosisRequired>,
    /// Codes the payer pays when furnished by telehealth (POS 02/10 or modifier 95); any
    /// other code so furnished is denied (CARC 5, RARC M77). Empty: no such check.
    #[serde(default)]
    pub telehealth_codes: Vec<String>,
    #[serde(default)]
    pub payer: Vec<PayerRules>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub unknown_member_per_thousand: u32,
    pub timely_filing_days: i64,
    pub allowed_percent_of_charge: i64,
    pub coinsurance_percent: i64,
    pub deductible_cents: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisRequired {
    pub code: String,
    pub prefixes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerRules {
    pub id: String,
    pub name: String,
    /// `mbi` (a Medicare Beneficiary Identifier's shape is checked) or `any`.
    pub member_id: MemberIdRule,
    #[serde(default)]
    pub requires_authorization: bool,
    #[serde(default)]
    pub unknown_member_per_thousand: Option<u32>,
    /// Therapy allowed this year above which a line without KX is denied.
    #[serde(default)]
    pub kx_threshold_cents: Option<i64>,
    #[serde(default)]
    pub timely_filing_days: Option<i64>,
    #[serde(default)]
    pub coinsurance_percent: Option<i64>,
    #[serde(default)]
    pub deductible_cents: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberIdRule {
    Mbi,
    Any,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct RulesError {
    pub file: String,
    pub reason: String,
}

impl Rules {
    pub fn builtin() -> Result<Self, RulesError> {
        Self::from_toml(BUILTIN, "payer-rules.toml (built in)")
    }

    pub fn from_toml(text: &str, file: &str) -> Result<Self, RulesError> {
        let fail = |reason: String| RulesError {
            file: file.to_owned(),
            reason,
        };
        let rules: Self = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let percent = |p: i64| (0..=100).contains(&p);
        if !percent(rules.defaults.coinsurance_percent)
            || !percent(rules.defaults.allowed_percent_of_charge)
        {
            return Err(fail("percentages are 0 to 100".into()));
        }
        for payer in &rules.payer {
            if payer.coinsurance_percent.is_some_and(|p| !percent(p)) {
                return Err(fail(format!(
                    "payer {}: coinsurance_percent is 0 to 100",
                    payer.id
                )));
            }
            if payer.deductible_cents.is_some_and(|d| d < 0)
                || payer.kx_threshold_cents.is_some_and(|k| k < 0)
            {
                return Err(fail(format!(
                    "payer {}: amounts are not negative",
                    payer.id
                )));
            }
        }
        if rules
            .fee_schedule
            .values()
            .any(|&fee| !(0..=100_000_000).contains(&fee))
        {
            return Err(fail("fees are 0 to 1,000,000 dollars".into()));
        }
        Ok(rules)
    }

    pub fn payer(&self, id: &str) -> Option<&PayerRules> {
        self.payer.iter().find(|p| p.id == id)
    }
}

/// Whether `id` has the shape of a Medicare Beneficiary Identifier (CMS MBI format
/// specification): 11 characters, positions 1 a digit 1-9, 2/5/8/9 letters (not S, L, O, I, B,
/// Z), 4/7/10/11 digits, 3/6 letters or digits.
pub fn is_mbi(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 11 {
        return false;
    }
    let letter = |b: u8| b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b);
    bytes.iter().enumerate().all(|(i, &b)| match i {
        0 => (b'1'..=b'9').contains(&b),
        1 | 4 | 7 | 8 => letter(b),
        2 | 5 => letter(b) || b.is_ascii_digit(),
        _ => b.is_ascii_digit(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_built_in_rules_read() {
        let rules = Rules::builtin().unwrap();
        assert!(rules.payer("04412").is_some());
        assert!(rules.fee_schedule.contains_key("97110"));
    }

    #[test]
    fn mbi_shape() {
        assert!(is_mbi("1EG4TE5MK73"));
        assert!(!is_mbi("1EG4TE5MK7"));
        assert!(!is_mbi("0EG4TE5MK73"));
        assert!(!is_mbi("1SG4TE5MK73"));
        assert!(!is_mbi("W123456789"));
    }
}
