//! Positioned X12 errors: every one names the segment (its ordinal in the file and its id),
//! the element and component where one applies, and the byte offset.

use std::fmt;

/// Where in a segment an error sits: element position (1-based, as in `NM103`) and, for a
/// composite, the component position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementPos {
    pub element: usize,
    pub component: Option<usize>,
}

impl fmt::Display for ElementPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "element {:02}", self.element)?;
        if let Some(component) = self.component {
            write!(f, "-{component}")?;
        }
        Ok(())
    }
}

/// An error in X12 input (or in data about to be written as X12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct X12Error {
    /// The segment's ordinal in the file, counting from 1 (ISA is segment 1).
    pub segment: usize,
    /// The segment id as read, cut to 3 printable characters.
    pub id: String,
    pub element: Option<ElementPos>,
    /// Byte offset of the segment's first byte in the input.
    pub offset: usize,
    pub kind: ErrorKind,
}

impl fmt::Display for X12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "segment {} ({})", self.segment, self.id)?;
        if let Some(element) = self.element {
            write!(f, " {element}")?;
        }
        write!(f, " at byte {}: {}", self.offset, self.kind)
    }
}

impl X12Error {
    pub(crate) fn at(segment: usize, id: &str, offset: usize, kind: ErrorKind) -> Self {
        Self {
            segment,
            id: printable_id(id.as_bytes()),
            element: None,
            offset,
            kind,
        }
    }

    pub(crate) fn with_element(mut self, element: usize, component: Option<usize>) -> Self {
        self.element = Some(ElementPos { element, component });
        self
    }
}

/// A segment id safe to print: at most 3 characters, anything unprintable as `?`.
pub(crate) fn printable_id(raw: &[u8]) -> String {
    if raw.is_empty() {
        return "<empty>".to_owned();
    }
    raw.iter()
        .take(3)
        .map(|b| {
            if b.is_ascii_graphic() {
                char::from(*b)
            } else {
                '?'
            }
        })
        .collect()
}

/// What is wrong. Messages never quote element values beyond codes and counts: X12 claims
/// carry PHI, and errors end up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("the input is empty")]
    Empty,
    #[error("the input starts with neither ISA nor ST")]
    NoInterchange,
    #[error("bad ISA segment: {0}")]
    BadIsa(String),
    #[error("bad segment id: an id is 2 or 3 upper-case letters or digits starting with a letter")]
    BadSegmentId,
    #[error("the last segment has no terminator")]
    Unterminated,
    #[error("{0}")]
    Envelope(String),
    #[error("required element is missing")]
    MissingElement,
    #[error("element is {len} characters; the minimum is {min}")]
    TooShort { len: usize, min: usize },
    #[error("element is {len} characters; the maximum is {max}")]
    TooLong { len: usize, max: usize },
    #[error("`{value}` is not a valid code here (expected one of {expected})")]
    BadCode { value: String, expected: String },
    #[error("not a valid {0}")]
    BadValue(&'static str),
    #[error("element is not used here ({0})")]
    NotUsed(&'static str),
    #[error("segment has {found} elements; at most {max} are defined")]
    TooManyElements { found: usize, max: usize },
    #[error("{0}")]
    Structure(String),
    #[error("{0}")]
    Hierarchy(String),
    #[error(
        "the segment ends with a separator: X12.6 has no trailing separators, so an empty last element or component is not sent"
    )]
    TrailingSeparator,
    #[error(
        "version {0} is not supported: only the 005010 guides are implemented, so the envelope was checked and the transaction set was not"
    )]
    UnsupportedVersion(String),
}
