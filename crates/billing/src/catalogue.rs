//! The code catalogue: what the engine knows about each therapy code, loaded from
//! `data/codes.toml`.

use cleanclaim_model::{Discipline, ProcedureCode};
use serde::Deserialize;

use crate::error::DataError;

/// How a code's units are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeTiming {
    /// Billed in 15-minute units (MCPM ch.5 §20.2).
    Timed,
    /// One unit per date of service whatever the minutes (CMS compliance newsletter, Apr 2019).
    Untimed,
}

/// Whether a code is always a therapy service or only under a therapy plan of care (CR 10176).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TherapyStatus {
    Always,
    Sometimes,
}

/// Whether an evaluation code is an initial evaluation or a re-evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    Evaluation,
    ReEvaluation,
}

/// Which discipline's evaluation an evaluation code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationOf {
    pub discipline: Discipline,
    pub kind: EvaluationKind,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeInfo {
    pub code: ProcedureCode,
    pub timing: CodeTiming,
    pub therapy: TherapyStatus,
    pub telehealth: bool,
    #[serde(default)]
    pub evaluation: Option<EvaluationOf>,
    pub descriptor: String,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[expect(dead_code, reason = "the version is for people reading the file")]
    version: String,
    code: Vec<CodeInfo>,
}

/// The catalogue, sorted by code for binary search: a few comparisons per lookup and no
/// hashing on the hot path.
#[derive(Debug, Clone)]
pub struct Catalogue {
    entries: Vec<CodeInfo>,
}

impl Catalogue {
    /// The catalogue shipped with cleanclaim.
    pub fn builtin() -> Result<Self, DataError> {
        Self::from_toml("data/codes.toml", include_str!("../data/codes.toml"))
    }

    /// Parses a catalogue file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, DataError> {
        let parsed: CatalogueFile = toml::from_str(text).map_err(|e| DataError::toml(file, &e))?;
        let mut entries = parsed.code;
        entries.sort_by_key(|entry| entry.code);
        if let Some(pair) = entries
            .windows(2)
            .find(|w| w.first().map(|a| a.code) == w.get(1).map(|b| b.code))
        {
            let code = pair.first().map(|e| e.code.to_string()).unwrap_or_default();
            return Err(DataError::invalid(
                file,
                format!("code `{code}` is listed twice"),
            ));
        }
        Ok(Self { entries })
    }

    /// What the catalogue knows about `code`, if anything.
    pub fn get(&self, code: ProcedureCode) -> Option<&CodeInfo> {
        self.entries
            .binary_search_by_key(&code, |entry| entry.code)
            .ok()
            .and_then(|index| self.entries.get(index))
    }

    /// Every entry, in code order.
    pub fn entries(&self) -> &[CodeInfo] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_and_classifies() {
        let catalogue = Catalogue::builtin().unwrap();
        let get = |code: &str| catalogue.get(code.parse().unwrap()).unwrap();
        assert_eq!(get("97110").timing, CodeTiming::Timed);
        assert_eq!(get("97161").timing, CodeTiming::Untimed);
        assert_eq!(get("92507").timing, CodeTiming::Untimed);
        assert_eq!(get("97150").timing, CodeTiming::Untimed);
        assert_eq!(get("G0283").timing, CodeTiming::Untimed);
        assert_eq!(get("97165").evaluation.unwrap().discipline, Discipline::Ot);
        assert_eq!(
            get("97164").evaluation.unwrap().kind,
            EvaluationKind::ReEvaluation
        );
        assert_eq!(get("97597").therapy, TherapyStatus::Sometimes);
        assert!(catalogue.get("99213".parse().unwrap()).is_none());
    }

    #[test]
    fn duplicate_and_unknown_keys_are_rejected_with_the_file_named() {
        let dup = r#"version = "x"
code = [
  { code = "97110", timing = "timed", therapy = "always", telehealth = true, descriptor = "a", source = "b" },
  { code = "97110", timing = "timed", therapy = "always", telehealth = true, descriptor = "a", source = "b" },
]"#;
        let err = Catalogue::from_toml("codes.toml", dup).unwrap_err();
        assert_eq!(err.to_string(), "codes.toml: code `97110` is listed twice");
        let typo = r#"version = "x"
code = [ { code = "97110", timing = "timed", therapy = "always", telehealth = true, descriptor = "a", source = "b", tmied = 1 } ]"#;
        let err = Catalogue::from_toml("codes.toml", typo)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("codes.toml: ") && err.contains("tmied"),
            "{err}"
        );
        let bad_code = typo.replace("97110", "9711x").replace(", tmied = 1", "");
        let err = Catalogue::from_toml("codes.toml", &bad_code)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid procedure code `9711x`"), "{err}");
    }
}
