//! Errors for bad encounter input. Each names where in the input the problem is.

use thiserror::Error;

/// A code string that failed its format check.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {kind} `{value}`: {reason}")]
pub struct CodeError {
    kind: &'static str,
    value: String,
    reason: &'static str,
}

impl CodeError {
    pub(crate) fn new(kind: &'static str, value: &str, reason: &'static str) -> Self {
        // Long inputs are cut so that an error message cannot carry a whole pasted document.
        let value: String = value.chars().take(24).collect();
        Self {
            kind,
            value,
            reason,
        }
    }
}

/// Why an encounter was rejected. Nothing from a rejected encounter is used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncounterError {
    /// The text is not JSON, or a value has the wrong type or format. `line` is 1-based
    /// within the text that was parsed, 0 when unknown.
    #[error("at `{path}`: {reason}")]
    Json {
        path: String,
        reason: String,
        line: usize,
    },
    /// The JSON is well formed but two fields contradict each other.
    #[error("at `{path}`: {reason}")]
    Inconsistent { path: String, reason: String },
}

impl EncounterError {
    /// The JSON path of the offending value, e.g. `timing.lines[2].code`.
    pub fn path(&self) -> &str {
        match self {
            Self::Json { path, .. } | Self::Inconsistent { path, .. } => path,
        }
    }

    pub(crate) fn inconsistent(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Inconsistent {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
