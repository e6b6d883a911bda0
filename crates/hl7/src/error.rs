//! Parse errors, each with the byte offset and (where known) the segment, field and component.

use std::fmt;

/// Why a message cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("the input is empty")]
    Empty,
    #[error("a message must start with MSH (found something else)")]
    NoHeader,
    #[error("bad delimiters: {0}")]
    BadDelimiters(&'static str),
    #[error("segments are separated by spaces, not by carriage returns or line feeds")]
    SegmentsJoinedBySpaces,
    #[error(
        "a line does not start with a segment id (three capitals or digits, then the field separator)"
    )]
    NotASegment,
    #[error("the text is not valid UTF-8")]
    NotUtf8,
    #[error("a required field is empty")]
    MissingField,
    #[error("the message is larger than {0} bytes")]
    TooLarge(usize),
}

/// A parse error and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// Byte offset from the start of the message (or file).
    pub offset: usize,
    /// The segment id, when the error is inside one.
    pub segment: Option<String>,
    /// 1-based segment position in the message.
    pub segment_index: Option<usize>,
    /// 1-based field and component.
    pub field: Option<usize>,
    pub component: Option<usize>,
}

impl ParseError {
    pub fn at(kind: ParseErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            segment: None,
            segment_index: None,
            field: None,
            component: None,
        }
    }

    pub(crate) fn in_field(mut self, segment: &str, index: usize, field: usize) -> Self {
        self.segment = Some(segment.to_owned());
        self.segment_index = Some(index);
        self.field = Some(field);
        self
    }

    pub(crate) fn in_segment(mut self, index: usize) -> Self {
        self.segment_index = Some(index);
        self
    }

    /// Moves the offset by `base` (a message's place inside a larger file).
    pub fn shifted(mut self, base: usize) -> Self {
        self.offset = self.offset.saturating_add(base);
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {}", self.kind, self.offset)?;
        if let Some(index) = self.segment_index {
            write!(f, ", segment {index}")?;
        }
        if let (Some(segment), Some(field)) = (&self.segment, self.field) {
            write!(f, ", {segment}-{field}")?;
            if let Some(component) = self.component {
                write!(f, ".{component}")?;
            }
        }
        write!(f, ")")
    }
}

impl std::error::Error for ParseError {}
