//! Findings: what a rule found on one encounter.

use cleanclaim_model::ProcedureCode;

use crate::rules::{Rule, Severity};

/// One problem found on an encounter, with the rule that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// What was found, with the specifics (codes, minutes, dates); never patient identifiers.
    pub message: String,
    /// The code the finding is about, when it is about one line.
    pub code: Option<ProcedureCode>,
}

impl Finding {
    pub(crate) fn new(rule: &'static Rule, code: Option<ProcedureCode>, message: String) -> Self {
        Self {
            rule,
            message,
            code,
        }
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}
