//! Errors loading a rule pack: always the file, and the line and column when the mistake has
//! one, so a broken pack is fixed from the message alone.

use std::fmt;

use thiserror::Error;

/// A rule pack that could not be loaded. Packs are checked whole before any encounter is
/// scrubbed, so a broken pack never fails halfway through a batch.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{location}: {message}")]
pub struct PackError {
    pub file: String,
    pub location: Location,
    pub message: String,
}

/// Where in the file the mistake is (1-based), when it is at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, ":{line}:{column}"),
            (Some(line), None) => write!(f, ":{line}"),
            _ => Ok(()),
        }
    }
}

impl PackError {
    /// An error about the file as a whole (e.g. two packs claiming one plan type).
    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: Location::default(),
            message: message.into(),
        }
    }

    /// An error at a byte offset of the file's text.
    pub(crate) fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: location_of(text, offset),
            message: message.into(),
        }
    }

    pub(crate) fn toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        // toml's message is one line; its Display adds a multi-line excerpt we don't want in
        // a one-line CLI error.
        let message = err.message().trim_end().to_owned();
        match err.span() {
            Some(span) => Self::at(file, text, span.start, message),
            None => Self::file(file, message),
        }
    }
}

fn location_of(text: &str, offset: usize) -> Location {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |newline| {
            before
                .get(newline + 1..)
                .map_or(0, |rest| rest.chars().count())
        })
        + 1;
    Location {
        line: Some(line),
        column: Some(column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(
            PackError::at("p.toml", text, 6, "x").to_string(),
            "p.toml:2:1: x"
        );
        assert_eq!(
            PackError::at("p.toml", text, 9, "x").to_string(),
            "p.toml:2:4: x"
        );
        assert_eq!(PackError::file("p.toml", "x").to_string(), "p.toml: x");
    }
}
