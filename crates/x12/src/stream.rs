//! Segments from a reader, for files too large to hold: memory is one buffer that grows only
//! to the longest segment, never with the file.
//!
//! The caller opens the reader (a file, a socket, a decompressor); this module only reads
//! from it, so the crate stays free of I/O policy.

use std::io::{self, Read};
use std::ops::Range;

use crate::delimiters::{Delimiters, ISA_LENGTH};
use crate::error::{ErrorKind, X12Error};
use crate::swar;
use crate::token::{Segment, detect, is_filler, scan_id};

/// Reading stops with either an I/O failure or bad X12.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("reading the input: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    X12(#[from] X12Error),
}

/// Bytes read from the reader at a time.
const CHUNK: usize = 256 * 1024;
/// No segment in any 005010 guide comes near this; a longer one means the terminator is
/// wrong, and reading on would buffer the whole file.
pub const MAX_SEGMENT: usize = 64 * 1024;

/// A lending iterator over the segments of a reader: each segment borrows the internal
/// buffer until the next call.
///
/// Bytes are checked as UTF-8 once per chunk read, into a `String`, so that each segment is
/// a slice of text without a check of its own.
#[derive(Debug)]
pub struct SegmentStream<R> {
    reader: R,
    /// Checked text; unread data is `text[start..]`.
    text: String,
    start: usize,
    /// Stream offset of `text[0]`.
    base: usize,
    /// Raw bytes read: an incomplete UTF-8 sequence at the end of one read waits here for
    /// the next.
    raw: Vec<u8>,
    carried: usize,
    /// Stream offset of the first byte that is not UTF-8: the text stops there.
    bad_utf8: Option<usize>,
    eof: bool,
    delimiters: Option<Delimiters>,
    ordinal: usize,
    /// The current segment in `text`, without its terminator.
    segment: Range<usize>,
    /// The current segment's id, scanned once: see [`scan_id`].
    id_end: usize,
    tag: u32,
    failed: bool,
}

impl<R: Read> SegmentStream<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            text: String::with_capacity(CHUNK),
            start: 0,
            base: 0,
            raw: vec![0; CHUNK],
            carried: 0,
            bad_utf8: None,
            eof: false,
            delimiters: None,
            ordinal: 0,
            segment: 0..0,
            id_end: 0,
            tag: 0,
            failed: false,
        }
    }

    fn unread(&self) -> &str {
        self.text.get(self.start..).unwrap_or_default()
    }

    /// Drops the text already read and appends the next chunk. Returns false when nothing
    /// more will come (end of input, or bytes that are not UTF-8).
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof || self.bad_utf8.is_some() {
            return Ok(false);
        }
        if self.start > 0 {
            self.text.drain(..self.start);
            self.base += self.start;
            self.start = 0;
        }
        loop {
            let free = self.raw.get_mut(self.carried..).unwrap_or_default();
            let read = match self.reader.read(free) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let filled = self.carried + read;
            let bytes = self.raw.get(..filled).unwrap_or_default();
            let (valid, rest) = match std::str::from_utf8(bytes) {
                Ok(text) => (text, 0),
                Err(e) => {
                    let (good, tail) = bytes.split_at(e.valid_up_to());
                    let good = std::str::from_utf8(good).unwrap_or_default();
                    // An incomplete sequence at the end of a read may complete with the next.
                    if e.error_len().is_some() || read == 0 {
                        self.bad_utf8 = Some(self.base + self.text.len() + good.len());
                    }
                    (good, tail.len())
                }
            };
            self.text.push_str(valid);
            let appended = !valid.is_empty();
            self.raw.copy_within(filled - rest..filled, 0);
            self.carried = rest;
            if read == 0 {
                self.eof = true;
                return Ok(appended);
            }
            if appended || self.bad_utf8.is_some() {
                return Ok(appended);
            }
        }
    }

    fn detect_delimiters(&mut self) -> Result<Delimiters, ReadError> {
        // The ISA is fixed-width; a BOM and some blank lines may precede it.
        while self.unread().len() < ISA_LENGTH + 64 && self.fill()? {}
        let (skip, delimiters) = detect(self.unread().as_bytes())?;
        self.start += skip;
        self.delimiters = Some(delimiters);
        Ok(delimiters)
    }

    fn fail(&mut self, error: X12Error) -> ReadError {
        self.failed = true;
        error.into()
    }

    /// The next segment, `Ok(None)` at the end of input. After an error, always `Ok(None)`.
    pub fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        Ok(if self.advance()? {
            Some(self.current())
        } else {
            None
        })
    }

    /// The segment [`Self::advance`] moved to. Built where it is used: a segment passed out
    /// through `Result<Option<_>>` was copied field by field and read back whole, and those
    /// reads stalled on the stores (store forwarding fails for a load that spans several).
    #[inline]
    pub(crate) fn current(&self) -> Segment<'_> {
        let raw = self.text.get(self.segment.clone()).unwrap_or_default();
        Segment::from_parts(
            self.ordinal,
            self.base + self.segment.start,
            raw,
            self.delimiters.unwrap_or_default(),
            self.id_end,
            self.tag,
        )
    }

    /// Moves to the next segment; false at the end of input. After an error, always false.
    #[inline]
    pub(crate) fn advance(&mut self) -> Result<bool, ReadError> {
        if self.failed {
            return Ok(false);
        }
        let delimiters = match self.delimiters {
            Some(d) => d,
            None => match self.detect_delimiters() {
                Ok(d) => d,
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
            },
        };
        let (begin, terminator) = loop {
            let skipped = self.unread().bytes().take_while(|b| is_filler(*b)).count();
            self.start += skipped;
            let pending = self.unread().as_bytes();
            if let Some(at) = swar::find(delimiters.segment, pending) {
                break (self.start, self.start + at);
            }
            if !self.refill(delimiters)? {
                return Ok(false);
            }
        };
        self.ordinal += 1;
        self.start = terminator + 1;
        // An ASCII terminator leaves both ends on character boundaries; a byte of a
        // multi-byte character cannot terminate a segment.
        if !(self.text.is_char_boundary(begin) && self.text.is_char_boundary(terminator)) {
            let error = X12Error::at(
                self.ordinal,
                "",
                self.base + begin,
                ErrorKind::BadValue("segment terminator: it must be an ASCII character"),
            );
            return Err(self.fail(error));
        }
        let end = match self.text.as_bytes().get(terminator.wrapping_sub(1)) {
            Some(b'\r') if terminator > begin => terminator - 1,
            _ => terminator,
        };
        self.segment = begin..end;
        let raw = self.text.as_bytes().get(begin..end).unwrap_or_default();
        (self.id_end, self.tag) = scan_id(raw, delimiters.element);
        if self.tag == 0 {
            let error = self.current().error(ErrorKind::BadSegmentId);
            return Err(self.fail(error));
        }
        Ok(true)
    }

    /// Reads more input when no terminator is in sight: false at a clean end of input, an
    /// error for a runaway or unterminated segment or bytes that are not UTF-8.
    #[cold]
    fn refill(&mut self, delimiters: Delimiters) -> Result<bool, ReadError> {
        let pending = self.unread().as_bytes();
        if pending.len() > MAX_SEGMENT {
            let error = X12Error::at(
                self.ordinal + 1,
                &id_of(pending, delimiters),
                self.base + self.start,
                ErrorKind::Structure(format!("no segment terminator within {MAX_SEGMENT} bytes")),
            );
            return Err(self.fail(error));
        }
        if self.fill()? {
            return Ok(true);
        }
        let rest = self.unread().as_bytes();
        let error = if let Some(offset) = self.bad_utf8 {
            X12Error::at(
                self.ordinal + 1,
                &id_of(rest, delimiters),
                offset,
                ErrorKind::BadValue("UTF-8 text (X12 data is ASCII)"),
            )
        } else if rest.is_empty() {
            return Ok(false);
        } else {
            X12Error::at(
                self.ordinal + 1,
                &id_of(rest, delimiters),
                self.base + self.start,
                ErrorKind::Unterminated,
            )
        };
        Err(self.fail(error))
    }
}

/// A segment id for an error message: up to three bytes before the first separator.
fn id_of(bytes: &[u8], delimiters: Delimiters) -> String {
    let len = bytes
        .iter()
        .take(3)
        .take_while(|b| **b != delimiters.element)
        .count();
    String::from_utf8_lossy(bytes.get(..len).unwrap_or(bytes)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tokenize;

    const SMALL: &str = "\u{feff}ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~\r\n  GS*HP*A*B*20240101*1200*1*X*005010X221A1~\r\n  ST*835*0001~BPR*I*1*C*CHK************20240101~SE*3*0001~GE*1*1~IEA*1*000000001~\r\n";

    /// A reader that hands out one byte at a time, to cross every buffer boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((byte, rest)), Some(slot)) => {
                    *slot = *byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn collect<R: Read>(mut stream: SegmentStream<R>) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        while let Some(segment) = stream.next_segment().unwrap() {
            out.push((segment.ordinal, segment.offset, segment.raw().to_owned()));
        }
        out
    }

    #[test]
    fn the_stream_yields_what_the_in_memory_tokenizer_yields() {
        let expected: Vec<_> = tokenize(SMALL)
            .unwrap()
            .map(|s| {
                let s = s.unwrap();
                (s.ordinal, s.offset, s.raw().to_owned())
            })
            .collect();
        assert_eq!(collect(SegmentStream::new(SMALL.as_bytes())), expected);
        assert_eq!(
            collect(SegmentStream::new(Trickle(SMALL.as_bytes()))),
            expected
        );
    }

    #[test]
    fn a_missing_terminator_is_positioned() {
        let input = SMALL.trim_end().trim_end_matches('~');
        let mut stream = SegmentStream::new(input.as_bytes());
        let error = loop {
            match stream.next_segment() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("expected an error"),
                Err(e) => break e,
            }
        };
        let ReadError::X12(error) = error else {
            panic!("not an X12 error: {error}")
        };
        assert_eq!((error.segment, error.kind), (7, ErrorKind::Unterminated));
        assert_eq!(&input[error.offset..error.offset + 3], "IEA");
        assert!(stream.next_segment().unwrap().is_none());
    }

    #[test]
    fn a_runaway_segment_stops_reading() {
        let mut input = SMALL.replace("IEA*1*000000001~", "IEA*1*");
        input.push_str(&"9".repeat(MAX_SEGMENT * 2));
        let mut stream = SegmentStream::new(input.as_bytes());
        let outcome = std::iter::from_fn(|| match stream.next_segment() {
            Ok(Some(_)) => Some(None),
            Ok(None) => None,
            Err(e) => Some(Some(e.to_string())),
        })
        .flatten()
        .next();
        assert!(outcome.unwrap().contains("no segment terminator"));
    }

    #[test]
    fn a_delimiter_that_is_not_ascii_is_refused() {
        // Found by fuzzing: a bare ST fragment whose first non-data byte is the start of a
        // multi-byte character would have made a terminator of it.
        let input = "ST*IS0* A00\u{feff}ISA*00~SE*2*IS0\u{feff}";
        let mut stream = SegmentStream::new(input.as_bytes());
        let error = stream.next_segment().unwrap_err().to_string();
        assert!(error.contains("not an ASCII character"), "{error}");
        assert!(stream.next_segment().unwrap().is_none());
    }

    #[test]
    fn invalid_utf8_stops_at_its_segment_with_the_byte_offset() {
        let mut input = SMALL.as_bytes().to_vec();
        let at = SMALL.find("BPR").unwrap() + 5;
        input[at] = 0xff;
        for trickle in [false, true] {
            let mut stream: SegmentStream<Box<dyn Read>> = if trickle {
                SegmentStream::new(Box::new(Trickle(&input)))
            } else {
                SegmentStream::new(Box::new(&input[..]))
            };
            let mut before = 0;
            let error = loop {
                match stream.next_segment() {
                    Ok(Some(_)) => before += 1,
                    Ok(None) => panic!("expected an error"),
                    Err(e) => break e,
                }
            };
            let ReadError::X12(error) = error else {
                panic!("not an X12 error: {error}")
            };
            // ISA, GS and ST are read; the error is BPR's, at the bad byte.
            assert_eq!(before, 3);
            assert_eq!(
                (error.segment, error.id.as_str(), error.offset),
                (4, "BPR", at)
            );
            assert!(error.to_string().contains("UTF-8"), "{error}");
        }
    }
}
