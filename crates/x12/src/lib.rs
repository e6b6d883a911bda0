//! X12 5010 for cleanclaim.
//!
//! Invariant: no I/O. Readers take text (or, for the 835, any `BufRead` the caller opens);
//! writers return text.

pub mod ack;
pub mod codes;
mod control_numbers;
mod dates;
pub mod delimiters;
pub mod envelope;
mod envelope_rules;
pub mod error;
pub mod loops;
pub mod money;
pub mod stream;
mod swar;
pub mod token;
pub mod validate;
pub mod x835;
pub mod x837;

pub use delimiters::Delimiters;
pub use envelope::{EnvelopeChecker, Event, TransactionHeader};
pub use error::{ElementPos, ErrorKind, X12Error};
pub use stream::{ReadError, SegmentStream};
pub use token::{Segment, Segments, tokenize};
pub use validate::{Guide, Report, SetCount, Summary, validate, validate_reader};
