//! Segments from a reader, for files too large to hold: memory is one buffer that grows only
//! to the longest segment, never with the file.
//!
//! The caller opens the reader (a file, a socket, a decompressor); this module only reads
//! from it, so the crate stays free of I/O policy.

use std::io::{self, Read};

use crate::delimiters::{Delimiters, ISA_LENGTH};
use crate::error::{ErrorKind, X12Error};
use crate::token::{Segment, detect, is_filler, valid_id};

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
#[derive(Debug)]
pub struct SegmentStream<R> {
    reader: R,
    buf: Vec<u8>,
    /// Unread data is `buf[start..end]`.
    start: usize,
    end: usize,
    /// Stream offset of `buf[0]`.
    base: usize,
    eof: bool,
    delimiters: Option<Delimiters>,
    ordinal: usize,
    failed: bool,
}

impl<R: Read> SegmentStream<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            delimiters: None,
            ordinal: 0,
            failed: false,
        }
    }

    /// The delimiters, once the first segment has been read.
    pub fn delimiters(&self) -> Option<Delimiters> {
        self.delimiters
    }

    /// Moves unread bytes to the front and reads more after them. Returns false at the end
    /// of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() + CHUNK, 0);
        }
        loop {
            let free = self.buf.get_mut(self.end..).unwrap_or_default();
            match self.reader.read(free) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn detect_delimiters(&mut self) -> Result<Delimiters, ReadError> {
        // The ISA is fixed-width; a BOM and some blank lines may precede it.
        while self.end - self.start < ISA_LENGTH + 64 && self.fill()? {}
        let head = self.buf.get(self.start..self.end).unwrap_or_default();
        let (skip, delimiters) = detect(head)?;
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
        if self.failed {
            return Ok(None);
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
            while self.buf.get(self.start).is_some_and(|b| is_filler(*b)) && self.start < self.end {
                self.start += 1;
            }
            let pending = self.buf.get(self.start..self.end).unwrap_or_default();
            if let Some(at) = memchr::memchr(delimiters.segment, pending) {
                break (self.start, self.start + at);
            }
            if pending.len() > MAX_SEGMENT {
                let error = X12Error::at(
                    self.ordinal + 1,
                    &String::from_utf8_lossy(pending.get(..3).unwrap_or_default()),
                    self.base + self.start,
                    ErrorKind::Structure(format!(
                        "no segment terminator within {MAX_SEGMENT} bytes"
                    )),
                );
                return Err(self.fail(error));
            }
            if !self.fill()? {
                let rest = self.buf.get(self.start..self.end).unwrap_or_default();
                if rest.is_empty() {
                    return Ok(None);
                }
                let id_len = rest
                    .iter()
                    .take(3)
                    .take_while(|b| **b != delimiters.element)
                    .count();
                let error = X12Error::at(
                    self.ordinal + 1,
                    &String::from_utf8_lossy(rest.get(..id_len).unwrap_or(rest)),
                    self.base + self.start,
                    ErrorKind::Unterminated,
                );
                return Err(self.fail(error));
            }
        };
        self.ordinal += 1;
        self.start = terminator + 1;
        let offset = self.base + begin;
        let bytes = self.buf.get(begin..terminator).unwrap_or_default();
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let raw = match std::str::from_utf8(bytes) {
            Ok(raw) => raw,
            Err(e) => {
                let id = String::from_utf8_lossy(bytes.get(..3).unwrap_or(bytes)).into_owned();
                let error = X12Error::at(
                    self.ordinal,
                    &id,
                    offset + e.valid_up_to(),
                    ErrorKind::BadValue("UTF-8 text (X12 data is ASCII)"),
                );
                self.failed = true;
                return Err(error.into());
            }
        };
        let segment = Segment::new(self.ordinal, offset, raw, delimiters);
        if !valid_id(segment.id()) {
            self.failed = true;
            return Err(segment.error(ErrorKind::BadSegmentId).into());
        }
        Ok(Some(segment))
    }
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
    fn invalid_utf8_is_an_error_not_a_panic() {
        let mut input = SMALL.as_bytes().to_vec();
        let at = SMALL.find("BPR").unwrap() + 5;
        input[at] = 0xff;
        let mut stream = SegmentStream::new(&input[..]);
        let error = loop {
            match stream.next_segment() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("expected an error"),
                Err(e) => break e,
            }
        };
        assert!(error.to_string().contains("UTF-8"), "{error}");
    }
}
