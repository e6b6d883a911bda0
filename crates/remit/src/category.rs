//! The root causes the business tracks denials by.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Documentation missing or insufficient (records, notes, attachments).
    Documentation,
    /// Prior authorization, precertification or referral absent, exceeded or mismatched.
    Authorization,
    /// A modifier missing, invalid or inconsistent with the code.
    Modifier,
    /// Units or frequency not supported.
    Units,
    /// Not medically necessary, or not covered for the diagnosis.
    MedicalNecessity,
    /// A visit, unit or dollar limit of the benefit reached.
    BenefitLimit,
    /// Eligibility or coverage: not insured, not covered, another payer is primary.
    Eligibility,
    /// Coding and bundling: NCCI pairs, invalid or inconsistent codes and diagnoses.
    Coding,
    Duplicate,
    TimelyFiling,
    /// Rejected as unprocessable: missing or invalid identifiers and data.
    TechnicalRejection,
    /// The contracted write-down: not a denial.
    Contractual,
    /// Deductible, coinsurance, co-payment: billed to the patient, not a denial.
    PatientResponsibility,
    /// Not in the map, or a cause outside the tracked ones.
    Other,
}

impl Category {
    pub const ALL: [Self; 14] = [
        Self::Documentation,
        Self::Authorization,
        Self::Modifier,
        Self::Units,
        Self::MedicalNecessity,
        Self::BenefitLimit,
        Self::Eligibility,
        Self::Coding,
        Self::Duplicate,
        Self::TimelyFiling,
        Self::TechnicalRejection,
        Self::Contractual,
        Self::PatientResponsibility,
        Self::Other,
    ];

    /// Whether money adjusted for this cause is money lost to a denial (as opposed to the
    /// contracted write-down or the patient's share).
    pub fn is_denial(self) -> bool {
        !matches!(self, Self::Contractual | Self::PatientResponsibility)
    }

    /// The name used in the map file, in JSON and in the database.
    pub fn name(self) -> &'static str {
        match self {
            Self::Documentation => "documentation",
            Self::Authorization => "authorization",
            Self::Modifier => "modifier",
            Self::Units => "units",
            Self::MedicalNecessity => "medical_necessity",
            Self::BenefitLimit => "benefit_limit",
            Self::Eligibility => "eligibility",
            Self::Coding => "coding",
            Self::Duplicate => "duplicate",
            Self::TimelyFiling => "timely_filing",
            Self::TechnicalRejection => "technical_rejection",
            Self::Contractual => "contractual",
            Self::PatientResponsibility => "patient_responsibility",
            Self::Other => "other",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_serialized_form() {
        for category in Category::ALL {
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.name()));
        }
    }

    #[test]
    fn only_contractual_and_patient_share_are_not_denials() {
        let not_denials: Vec<_> = Category::ALL
            .into_iter()
            .filter(|c| !c.is_denial())
            .collect();
        assert_eq!(
            not_denials,
            [Category::Contractual, Category::PatientResponsibility]
        );
    }
}
