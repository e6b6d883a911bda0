//! The CARC/RARC-to-category map: data (a TOML file compiled in as the default), overridable
//! code by code, and the one function that applies it.

use std::collections::{BTreeMap, HashMap};

use cleanclaim_x12::x835::{Adjustment, AdjustmentGroup};
use compact_str::CompactString;
use serde::Deserialize;

use crate::category::Category;

/// The compiled-in default, `data/adjustment-categories.toml`.
pub const DEFAULT_MAP: &str = include_str!("../data/adjustment-categories.toml");
const DEFAULT_NAME: &str = "adjustment-categories.toml (built in)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("{file}: {message}")]
    Toml { file: String, message: String },
    #[error("{file}: version {found} is not supported (this build reads version 1)")]
    Version { file: String, found: u32 },
}

/// One code's category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapEntry {
    pub category: Category,
    /// A short description of the code, shown in explanations.
    pub label: String,
    /// The CARC is generic: a categorized remark code beside it decides the category.
    #[serde(default)]
    pub refine: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    version: u32,
    #[serde(default)]
    carc: BTreeMap<String, MapEntry>,
    #[serde(default)]
    rarc: BTreeMap<String, MapEntry>,
}

/// An adjustment's category and the map entries that decided it. Kept as data and put in
/// words only when shown ([`Basis::why`]): an 835 has millions of adjustments and most are
/// never printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categorized<'m> {
    pub category: Category,
    pub basis: Basis<'m>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis<'m> {
    /// The CARC is not in the map.
    Unmapped,
    /// The CARC's own entry.
    Carc(&'m MapEntry),
    /// A generic CARC, decided by a remark code beside it.
    Remark {
        carc: &'m MapEntry,
        code: CompactString,
        remark: &'m MapEntry,
    },
}

impl Basis<'_> {
    /// The reason in words, as a biller reads it: `CO-197: Precertification ... absent`.
    pub fn why(&self, group: AdjustmentGroup, reason: &str) -> String {
        let group = group.code();
        match self {
            Self::Unmapped => {
                format!("{group}-{reason}: CARC {reason} is not in the category map")
            }
            Self::Carc(entry) => {
                let whose = match group {
                    "PR" => " (patient responsibility group)",
                    _ => "",
                };
                format!("{group}-{reason}: {}{whose}", entry.label)
            }
            Self::Remark { carc, code, remark } => format!(
                "{group}-{reason} ({}) is generic; remark {code}: {}",
                carc.label, remark.label
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CategoryMap {
    carc: HashMap<String, MapEntry>,
    rarc: HashMap<String, MapEntry>,
}

fn parse(file: &str, text: &str) -> Result<MapFile, MapError> {
    // The position and the parser's reason, never the line itself: a user's file is named by
    // line and column, not echoed.
    let parsed: MapFile = toml::from_str(text).map_err(|e| MapError::Toml {
        file: file.to_owned(),
        message: match e.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or_default();
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
                format!("line {line}, column {column}: {}", e.message().trim_end())
            }
            None => e.message().trim_end().to_owned(),
        },
    })?;
    if parsed.version != 1 {
        return Err(MapError::Version {
            file: file.to_owned(),
            found: parsed.version,
        });
    }
    Ok(parsed)
}

impl CategoryMap {
    /// The default map.
    pub fn builtin() -> Result<Self, MapError> {
        Self::default().with_overrides(DEFAULT_NAME, DEFAULT_MAP)
    }

    /// This map with the entries of `text` (same shape as the default file) replacing or
    /// adding to its own, code by code. `file` names the text in errors.
    pub fn with_overrides(mut self, file: &str, text: &str) -> Result<Self, MapError> {
        let parsed = parse(file, text)?;
        self.carc.extend(parsed.carc);
        self.rarc.extend(parsed.rarc);
        Ok(self)
    }

    /// The category of one adjustment, given the remark codes that came with it (the
    /// line's LQ*HE codes, then the claim's MOA/MIA codes).
    ///
    /// Rules, in order: a CARC not in the map is `other`; a generic CARC (`refine`) takes
    /// the category of the first categorized remark code; otherwise the CARC's category.
    /// The group code does not change the category: PR-96 is a non-covered service the
    /// patient pays for, still an eligibility denial; only the cost-sharing CARCs (1, 2, 3)
    /// are patient responsibility.
    pub fn categorize<'a>(
        &self,
        adjustment: &Adjustment,
        remarks: impl IntoIterator<Item = &'a str>,
    ) -> Categorized<'_> {
        let Some(entry) = self.carc.get(adjustment.reason.as_str()) else {
            return Categorized {
                category: Category::Other,
                basis: Basis::Unmapped,
            };
        };
        if entry.refine {
            let refined = remarks
                .into_iter()
                .find_map(|code| self.rarc.get(code).map(|r| (code, r)));
            if let Some((code, remark)) = refined {
                return Categorized {
                    category: remark.category,
                    basis: Basis::Remark {
                        carc: entry,
                        code: code.into(),
                        remark,
                    },
                };
            }
        }
        Categorized {
            category: entry.category,
            basis: Basis::Carc(entry),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adjustment(group: AdjustmentGroup, reason: &str) -> Adjustment {
        Adjustment {
            group,
            reason: reason.into(),
            amount_cents: cleanclaim_model::Cents(100),
            quantity: None,
        }
    }

    #[test]
    fn the_default_map_parses_and_covers_every_category() {
        let map = CategoryMap::builtin().unwrap();
        for category in Category::ALL {
            assert!(
                map.carc
                    .values()
                    .chain(map.rarc.values())
                    .any(|e| e.category == category),
                "no code maps to {category}"
            );
        }
    }

    #[test]
    fn specific_carcs_map_directly() {
        let map = CategoryMap::builtin().unwrap();
        let cases = [
            ("45", Category::Contractual),
            ("2", Category::PatientResponsibility),
            ("197", Category::Authorization),
            ("29", Category::TimelyFiling),
            ("18", Category::Duplicate),
            ("4", Category::Modifier),
            ("151", Category::Units),
            ("50", Category::MedicalNecessity),
            ("119", Category::BenefitLimit),
            ("27", Category::Eligibility),
            ("97", Category::Coding),
        ];
        for (reason, expected) in cases {
            let got = map.categorize(&adjustment(AdjustmentGroup::CO, reason), []);
            assert_eq!(
                got.category,
                expected,
                "{reason}: {}",
                got.basis.why(AdjustmentGroup::CO, reason)
            );
        }
    }

    #[test]
    fn a_generic_carc_takes_the_category_of_its_remark() {
        let map = CategoryMap::builtin().unwrap();
        let co16 = adjustment(AdjustmentGroup::CO, "16");
        assert_eq!(map.categorize(&co16, []).category, Category::Documentation);
        let refined = map.categorize(&co16, ["MA01", "M62"]);
        assert_eq!(refined.category, Category::Authorization);
        let why = refined.basis.why(AdjustmentGroup::CO, "16");
        assert!(why.contains("remark M62"), "{why}");
        // A remark beside a specific CARC does not change it.
        let co45 = adjustment(AdjustmentGroup::CO, "45");
        assert_eq!(
            map.categorize(&co45, ["M62"]).category,
            Category::Contractual
        );
    }

    #[test]
    fn an_unknown_code_is_other_and_says_so() {
        let map = CategoryMap::builtin().unwrap();
        let got = map.categorize(&adjustment(AdjustmentGroup::OA, "Z9"), []);
        assert_eq!(got.category, Category::Other);
        assert_eq!(
            got.basis.why(AdjustmentGroup::OA, "Z9"),
            "OA-Z9: CARC Z9 is not in the category map"
        );
    }

    #[test]
    fn overrides_replace_code_by_code_and_bad_files_are_named() {
        let map = CategoryMap::builtin()
            .unwrap()
            .with_overrides(
                "ours.toml",
                "version = 1\n[carc]\n\"185\" = { category = \"eligibility\", label = \"Credentialing\" }\n",
            )
            .unwrap();
        assert_eq!(
            map.categorize(&adjustment(AdjustmentGroup::CO, "185"), [])
                .category,
            Category::Eligibility
        );
        assert_eq!(
            map.categorize(&adjustment(AdjustmentGroup::CO, "197"), [])
                .category,
            Category::Authorization
        );
        let error = CategoryMap::builtin()
            .unwrap()
            .with_overrides(
                "bad.toml",
                "version = 1\n[carc]\n\"1\" = { category = \"lost\", label = \"x\" }\n",
            )
            .unwrap_err();
        assert!(
            error.to_string().starts_with("bad.toml: line 3, column "),
            "{error}"
        );
        // The offending line is named, not printed.
        assert!(!error.to_string().contains("label"), "{error}");
        let error = CategoryMap::default()
            .with_overrides("v2.toml", "version = 2\n")
            .unwrap_err();
        assert_eq!(
            error,
            MapError::Version {
                file: "v2.toml".into(),
                found: 2
            }
        );
    }
}
