//! OperationOutcome: why a bundle was refused, one issue per problem, each with the FHIRPath
//! of the element at fault (`Bundle.entry[3].resource.performedPeriod`). Diagnostics never
//! quote a value from the bundle.

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeIssue {
    /// `error` (refused) or `warning`.
    pub severity: &'static str,
    /// The issue type (FHIR value set issue-type): `structure`, `required`, `invalid`,
    /// `not-found`, `not-supported`, `forbidden`.
    pub code: &'static str,
    pub diagnostics: String,
    pub expression: String,
}

impl OutcomeIssue {
    fn error(
        code: &'static str,
        expression: impl Into<String>,
        diagnostics: impl Into<String>,
    ) -> Self {
        Self {
            severity: "error",
            code,
            diagnostics: diagnostics.into(),
            expression: expression.into(),
        }
    }

    pub fn structure(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("structure", expression, diagnostics)
    }

    pub fn required(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("required", expression, diagnostics)
    }

    pub fn invalid(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("invalid", expression, diagnostics)
    }

    pub fn not_found(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("not-found", expression, diagnostics)
    }

    pub fn not_supported(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("not-supported", expression, diagnostics)
    }

    pub fn forbidden(expression: impl Into<String>, diagnostics: impl Into<String>) -> Self {
        Self::error("forbidden", expression, diagnostics)
    }
}

/// An OperationOutcome resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationOutcome {
    pub issues: Vec<OutcomeIssue>,
}

impl OperationOutcome {
    pub fn one(issue: OutcomeIssue) -> Self {
        Self {
            issues: vec![issue],
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "resourceType": "OperationOutcome",
            "issue": self.issues.iter().map(|i| json!({
                "severity": i.severity,
                "code": i.code,
                "diagnostics": i.diagnostics,
                "expression": [i.expression],
            })).collect::<Vec<_>>(),
        })
    }
}
