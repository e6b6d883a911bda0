//! A payer's billing policy for a period: the unit method and modifier policy, read from the
//! `[period.billing]` table of its rule pack.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use cleanclaim_model::Modifier;
use serde::Deserialize;

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

    /// The method in words, for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Cms8Minute => "the CMS 8-minute rule (timed minutes pooled)",
            Self::PerCodeMidpoint => "the per-code midpoint rule",
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

/// One payer's billing policy for one period of its rule pack: how units are counted and
/// which modifiers apply. The `[period.billing]` table of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerPolicy {
    /// The rule pack's id.
    #[serde(skip)]
    pub id: String,
    /// The rule pack's name, used in messages.
    #[serde(skip)]
    pub name: String,
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
    /// Days after the date of service a claim may still be filed; none = the pack does not
    /// say, and timely filing is not checked.
    #[serde(default)]
    pub filing_limit_days: Option<u32>,
    /// Warn when this many days or fewer are left to file.
    #[serde(default)]
    pub filing_warn_days: Option<u32>,
    /// Put the supervising therapist on the claim (837P loop 2310D) when an assistant
    /// renders: payers that enroll assistants as rendering providers ask for it.
    #[serde(default)]
    pub supervising_provider_loop: bool,
}

const NCCI_MODIFIERS: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

impl PayerPolicy {
    /// What is wrong with the policy's values, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        if !NCCI_MODIFIERS.contains(&self.ncci_modifier.as_str()) {
            return Some(format!(
                "ncci_modifier `{}` is not one of 59, XE, XS, XP, XU",
                self.ncci_modifier
            ));
        }
        if let Some([first, last]) = self.telehealth_window
            && last < first
        {
            return Some("telehealth_window ends before it starts".to_owned());
        }
        None
    }
}
