//! Diagnosis edits: which ICD-10-CM diagnoses support which therapy codes (the CPT/ICD-10
//! pairing edit), and which diagnoses fit only one sex or an age range. Loaded from
//! `data/diagnosis-pairing.toml` and `data/diagnosis-edits.toml`.

use std::collections::BTreeMap;

use cleanclaim_model::{Icd10Cm, ProcedureCode, Sex};
use serde::Deserialize;

use crate::error::DataError;

/// A group of codes and the diagnoses that support them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingGroup {
    pub id: String,
    pub name: String,
    pub codes: Vec<ProcedureCode>,
    pub prefixes: Vec<String>,
    pub source: String,
}

/// The sex a diagnosis requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredSex {
    Female,
    Male,
}

/// Diagnoses that fit only one sex or an age range.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisEdit {
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub sex: Option<RequiredSex>,
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub max_age: Option<u32>,
    pub name: String,
    pub source: String,
}

/// What is wrong with a diagnosis for this patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict<'a> {
    Sex(&'a DiagnosisEdit),
    Age(&'a DiagnosisEdit),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairingFile {
    #[expect(dead_code, reason = "the version is for people reading the file")]
    version: String,
    group: Vec<PairingGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditFile {
    #[expect(dead_code, reason = "the version is for people reading the file")]
    version: String,
    edit: Vec<DiagnosisEdit>,
}

/// The diagnosis pairing groups and age/sex edits.
#[derive(Debug, Clone)]
pub struct DiagnosisRules {
    groups: Vec<PairingGroup>,
    edits: Vec<DiagnosisEdit>,
    /// For each capital letter, the edits (positions, in order) with a prefix starting with
    /// it: a diagnosis is checked against those alone.
    edits_by_letter: Vec<Vec<usize>>,
}

impl DiagnosisRules {
    /// The lists shipped in the binary.
    pub fn builtin() -> Result<Self, DataError> {
        Self::from_toml(
            (
                "data/diagnosis-pairing.toml",
                include_str!("../data/diagnosis-pairing.toml"),
            ),
            (
                "data/diagnosis-edits.toml",
                include_str!("../data/diagnosis-edits.toml"),
            ),
        )
    }

    /// Parses the two files, given as (name, text).
    pub fn from_toml(pairing: (&str, &str), edits: (&str, &str)) -> Result<Self, DataError> {
        let groups = toml::from_str::<PairingFile>(pairing.1)
            .map_err(|e| DataError::toml(pairing.0, &e))?
            .group;
        let edit_list = toml::from_str::<EditFile>(edits.1)
            .map_err(|e| DataError::toml(edits.0, &e))?
            .edit;
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for group in &groups {
            for code in &group.codes {
                if let Some(other) = seen.insert(code.as_str(), &group.id) {
                    return Err(DataError::invalid(
                        pairing.0,
                        format!("{code} is in groups `{other}` and `{}`", group.id),
                    ));
                }
            }
            if let Some(bad) = group.prefixes.iter().find(|p| !is_icd_prefix(p)) {
                return Err(DataError::invalid(
                    pairing.0,
                    format!("group `{}`: `{bad}` is not an ICD-10-CM prefix", group.id),
                ));
            }
        }
        for edit in &edit_list {
            if let Some(bad) = edit.prefixes.iter().find(|p| !is_icd_prefix(p)) {
                return Err(DataError::invalid(
                    edits.0,
                    format!("edit `{}`: `{bad}` is not an ICD-10-CM prefix", edit.name),
                ));
            }
        }
        let mut edits_by_letter: Vec<Vec<usize>> = vec![Vec::new(); 26];
        for (index, edit) in edit_list.iter().enumerate() {
            for letter in edit.prefixes.iter().filter_map(|p| p.bytes().next()) {
                if let Some(list) = edits_by_letter.get_mut(usize::from(letter.wrapping_sub(b'A')))
                    && list.last() != Some(&index)
                {
                    list.push(index);
                }
            }
        }
        Ok(Self {
            groups,
            edits: edit_list,
            edits_by_letter,
        })
    }

    /// The pairing group of a code, if it has one.
    pub fn group_of(&self, code: ProcedureCode) -> Option<&PairingGroup> {
        self.groups.iter().find(|group| group.codes.contains(&code))
    }

    /// Whether a group with this id exists.
    pub fn has_group(&self, id: &str) -> bool {
        self.groups.iter().any(|group| group.id == id)
    }

    /// Every group id.
    pub fn group_ids(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|group| group.id.as_str())
    }

    /// Whether one of the diagnoses supports the group (its own prefixes or the extra ones).
    pub fn supports(&self, group: &PairingGroup, extra: &[String], diagnoses: &[Icd10Cm]) -> bool {
        diagnoses.iter().any(|dx| {
            group
                .prefixes
                .iter()
                .chain(extra)
                .any(|prefix| matches_prefix(dx, prefix))
        })
    }

    /// The first age or sex conflict of a diagnosis for this patient.
    pub fn conflict(&self, dx: &Icd10Cm, sex: Sex, age: u32) -> Option<Conflict<'_>> {
        let letter = dx.as_bytes().first().copied().unwrap_or(b'A');
        self.edits_by_letter
            .get(usize::from(letter.wrapping_sub(b'A')))
            .into_iter()
            .flatten()
            .filter_map(|&index| self.edits.get(index))
            .filter(|edit| edit.prefixes.iter().any(|p| matches_prefix(dx, p)))
            .find_map(|edit| {
                let wrong_sex = matches!(
                    (edit.sex, sex),
                    (Some(RequiredSex::Female), Sex::Male) | (Some(RequiredSex::Male), Sex::Female)
                );
                if wrong_sex {
                    return Some(Conflict::Sex(edit));
                }
                let too_young = edit.min_age.is_some_and(|min| age < min);
                let too_old = edit.max_age.is_some_and(|max| age > max);
                (too_young || too_old).then_some(Conflict::Age(edit))
            })
    }
}

/// ICD-10-CM is a hierarchy: a prefix covers every code below it. The dot is optional in
/// either, so "R13.1" matches "R1312" and "R13.12".
fn matches_prefix(dx: &Icd10Cm, prefix: &str) -> bool {
    let mut code = dx.as_bytes().iter().copied();
    prefix
        .bytes()
        .filter(|b| *b != b'.')
        .all(|p| code.next() == Some(p))
}

/// An ICD-10-CM code or category prefix: a capital letter, then capitals, digits and dots.
pub(crate) fn is_icd_prefix(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && text.len() <= 8
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dx(text: &str) -> Icd10Cm {
        text.parse().unwrap()
    }

    #[test]
    fn prefixes_follow_the_hierarchy_with_or_without_dots() {
        assert!(matches_prefix(&dx("R13.12"), "R13"));
        assert!(matches_prefix(&dx("R13.12"), "R13.1"));
        assert!(!matches_prefix(&dx("R13.12"), "R13.2"));
        assert!(!matches_prefix(&dx("R12"), "R13"));
        assert!(matches_prefix(&dx("F98.5"), "F98.5"));
    }

    #[test]
    fn builtin_rules_pair_slp_codes_and_flag_sex_and_age() {
        let rules = DiagnosisRules::builtin().unwrap();
        let group = rules.group_of("92526".parse().unwrap()).unwrap();
        assert!(rules.supports(group, &[], &[dx("M54.50"), dx("R13.12")]));
        assert!(!rules.supports(group, &[], &[dx("M54.50")]));
        assert!(rules.supports(group, &["M54".to_owned()], &[dx("M54.50")]));
        assert!(rules.group_of("97110".parse().unwrap()).is_none());
        assert!(matches!(
            rules.conflict(&dx("N40.0"), Sex::Female, 70),
            Some(Conflict::Sex(_))
        ));
        assert!(matches!(
            rules.conflict(&dx("O99.891"), Sex::Female, 70),
            Some(Conflict::Age(_))
        ));
        assert_eq!(rules.conflict(&dx("O99.891"), Sex::Female, 30), None);
        assert_eq!(rules.conflict(&dx("M54.50"), Sex::Male, 30), None);
    }
}
