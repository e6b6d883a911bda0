//! Errors loading the engine's reference data (catalogue, rule packs, diagnosis edits, NCCI,
//! MUE).

use thiserror::Error;

/// A reference data file that could not be loaded. Data is checked whole before the engine
/// touches an encounter, so a broken file never fails halfway through a batch.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DataError {
    /// The TOML did not parse or did not match the expected shape.
    #[error("{file}: {reason}")]
    Toml { file: String, reason: String },
    /// A value parsed but breaks a rule of its file (duplicate code, overlapping years...).
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    /// A line of a line-oriented file (NCCI, MUE, fee schedule) did not match its layout.
    #[error("{file}, line {line}: {reason}")]
    Line {
        file: String,
        line: usize,
        reason: String,
    },
    /// A rule pack is broken.
    #[error(transparent)]
    Pack(#[from] crate::pack::PackError),
}

impl DataError {
    pub(crate) fn toml(file: &str, err: &toml::de::Error) -> Self {
        // The toml error's Display already carries the line, column and a caret excerpt.
        Self::Toml {
            file: file.to_owned(),
            reason: err.to_string().trim_end().to_owned(),
        }
    }

    pub(crate) fn invalid(file: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}
