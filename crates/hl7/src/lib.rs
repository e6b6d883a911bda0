//! HL7 v2 (2.3 to 2.5.1) for cleanclaim.
//!
//! Invariant: no I/O, and no panic on any input. [`Message::parse`] borrows the text and
//! finds segment boundaries once; fields, repetitions, components and subcomponents are
//! located on demand, as raw slices, and decoded ([`unescape`]) only when read as values.
//! Every error names where it happened (byte offset, segment, field, component).

pub mod ack;
pub mod charset;
pub mod delimiters;
pub mod error;
pub mod escape;
pub mod location;
pub mod message;
pub mod mllp;
pub mod split;
pub mod write;

pub use ack::{Ack, AckCode, AckIssue, ErrorCode, Severity};
pub use charset::decode;
pub use delimiters::Delimiters;
pub use error::{ParseError, ParseErrorKind};
pub use escape::{escape, unescape};
pub use location::{Location, LocationError};
pub use message::{Component, Field, Header, Message, Repetition, Segment};
pub use mllp::{FrameEvent, Framer};
pub use split::split_messages;
pub use write::{MessageWriter, SegmentWriter};
