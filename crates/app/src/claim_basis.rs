//! What of a scrub a claim is built from, kept with the stored result.
//!
//! A claims run used to scrub every stored visit of each patient it billed again, only to get
//! back the lines the intake had just derived (at a million visits that was a third of the
//! demo). The intake now keeps, with each result, the billed lines, the place of service and
//! whether the payer wants the supervising therapist named: the claim is built from the result
//! the work queue shows. A result without it (stored before it was kept), of another version
//! of the record, or scrubbed under another pack than the one that would bill it now, is
//! scrubbed again instead (`submit::prepare_targets`).

use cleanclaim_billing::Derivation;
use cleanclaim_model::{Cents, Modifier, PlaceOfService, ProcedureCode};
use serde::{Deserialize, Serialize};

/// The claim's inputs from the derivation; see the module docs. Stored with every result (a
/// million visits and more), so the keys are short and a `false` or empty value is left out:
/// `{"pos":"11","lines":[{"code":"97110","mod":["GP"],"charge":4200,"units":2}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBasis {
    /// CLM05-1.
    #[serde(rename = "pos")]
    pub place_of_service: PlaceOfService,
    /// An assistant's claim names the supervising therapist (2310D) for this payer.
    #[serde(rename = "supervising", default, skip_serializing_if = "is_false")]
    pub supervising_provider_loop: bool,
    /// The lines that earned a unit, in the derivation's order (the lines that did not are
    /// never billed).
    pub lines: Vec<BasisLine>,
}

/// A billed line as SV1 carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisLine {
    pub code: ProcedureCode,
    #[serde(rename = "mod", default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// None when the clinic sent no charge per unit: the claim cannot be built, and says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge: Option<Cents>,
    pub units: u32,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ClaimBasis {
    pub fn of(derivation: &Derivation<'_>) -> Self {
        Self {
            place_of_service: derivation.place_of_service.place_of_service,
            supervising_provider_loop: derivation.policy.supervising_provider_loop,
            lines: derivation
                .lines
                .iter()
                .filter(|line| line.units > 0)
                .map(|line| BasisLine {
                    code: line.code,
                    modifiers: line.modifier_codes().collect(),
                    charge: line.charge,
                    units: line.units,
                })
                .collect(),
        }
    }

    /// The stored form (JSON).
    pub fn to_stored(&self) -> String {
        // Every field is a plain value: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the stored form; None when it does not read (a result stored by a later
    /// version of cleanclaim, say), and the visit is scrubbed again.
    pub fn from_stored(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly by design")]

    use super::*;
    use cleanclaim_billing::{Engine, Selection};

    #[test]
    fn a_stored_basis_reads_back_equal_with_the_split_lines_and_their_modifiers() {
        let engine = Engine::builtin().unwrap();
        let encounter = cleanclaim_model::parse_encounter(include_str!(
            "../../x12/tests/data/encounters/assistant-medicare.json"
        ))
        .unwrap();
        let derivation = engine.derive(&encounter, Selection::default());
        let basis = ClaimBasis::of(&derivation);
        let billed: Vec<_> = derivation.lines.iter().filter(|l| l.units > 0).collect();
        assert_eq!(basis.lines.len(), billed.len());
        for (kept, line) in basis.lines.iter().zip(&billed) {
            assert_eq!(kept.code, line.code);
            assert_eq!(kept.units, line.units);
            assert_eq!(kept.charge, line.charge);
            assert_eq!(kept.modifiers, line.modifier_codes().collect::<Vec<_>>());
        }
        // The assistant's minutes split the code into a CQ line and one without.
        assert!(
            basis
                .lines
                .iter()
                .any(|l| l.modifiers.iter().any(|m| m.as_str() == "CQ"))
        );
        assert_eq!(ClaimBasis::from_stored(&basis.to_stored()), Some(basis));
        assert_eq!(ClaimBasis::from_stored("{\"lines\": 3}"), None);
    }
}
