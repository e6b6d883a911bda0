//! The byte-level tokenizer: segments with their ordinal and byte offset, elements and
//! components on demand.
//!
//! It tolerates what real files carry around segments (a UTF-8 byte-order mark, CR/LF line
//! breaks and indentation between segments) and nothing inside them.

use crate::delimiters::Delimiters;
use crate::error::{ErrorKind, X12Error};

/// One segment, borrowed from the input, without its terminator.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// The segment's ordinal in the input, counting from 1.
    pub ordinal: usize,
    /// Byte offset of the segment id in the input.
    pub offset: usize,
    raw: &'a str,
    /// Where the id ends: the first element separator, or the end.
    id_end: usize,
    /// The id as a [`tag`].
    tag: u32,
    delimiters: Delimiters,
}

/// A segment id packed into an integer, so that readers match ids without comparing
/// strings. Ids are two or three bytes; anything else packs to 0.
pub const fn tag(id: &str) -> u32 {
    match id.as_bytes() {
        [a, b] => (*a as u32) << 16 | (*b as u32) << 8,
        [a, b, c] => (*a as u32) << 16 | (*b as u32) << 8 | *c as u32,
        _ => 0,
    }
}

impl<'a> Segment<'a> {
    #[inline]
    pub(crate) fn new(ordinal: usize, offset: usize, raw: &'a str, delimiters: Delimiters) -> Self {
        let (id_end, tag) = scan_id(raw.as_bytes(), delimiters.element);
        Self::from_parts(ordinal, offset, raw, delimiters, id_end, tag)
    }

    /// A segment whose id was already scanned with [`scan_id`].
    #[inline]
    pub(crate) fn from_parts(
        ordinal: usize,
        offset: usize,
        raw: &'a str,
        delimiters: Delimiters,
        id_end: usize,
        tag: u32,
    ) -> Self {
        Self {
            ordinal,
            offset,
            raw,
            id_end,
            tag,
            delimiters,
        }
    }

    /// Whether the id is two or three upper-case letters or digits, starting with a letter.
    pub fn has_valid_id(&self) -> bool {
        self.tag != 0
    }

    /// The segment id (`NM1`, `CLP`...).
    pub fn id(&self) -> &'a str {
        self.raw.get(..self.id_end).unwrap_or(self.raw)
    }

    /// The id as a [`tag`].
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// Splits the elements once into `out` (element 1 first); returns how many there are.
    /// Elements past `out`'s length are counted but not stored.
    pub fn split_into(&self, out: &mut [&'a str]) -> usize {
        let Some(rest) = self.raw.get(self.id_end + 1..) else {
            return 0;
        };
        // Elements are short: a byte loop beats a vectorised search's setup cost here.
        let separator = self.delimiters.element;
        let mut count = 0;
        let mut start = 0;
        for (end, byte) in rest.bytes().enumerate() {
            if byte == separator {
                if let Some(slot) = out.get_mut(count) {
                    *slot = rest.get(start..end).unwrap_or_default();
                }
                count += 1;
                start = end + 1;
            }
        }
        if let Some(slot) = out.get_mut(count) {
            *slot = rest.get(start..).unwrap_or_default();
        }
        count + 1
    }

    /// The text of element `n` (1-based); empty when absent.
    pub fn element(&self, n: usize) -> &'a str {
        let separator = char::from(self.delimiters.element);
        self.raw.split(separator).nth(n).unwrap_or("")
    }

    /// Component `c` (1-based) of composite element `n`; empty when absent.
    pub fn component(&self, n: usize, c: usize) -> &'a str {
        let separator = char::from(self.delimiters.component);
        self.element(n)
            .split(separator)
            .nth(c.saturating_sub(1))
            .unwrap_or("")
    }

    /// Elements 1..=last, in order.
    pub fn elements(&self) -> impl Iterator<Item = &'a str> + 'a {
        let separator = char::from(self.delimiters.element);
        self.raw.split(separator).skip(1)
    }

    /// The components of element `n`.
    pub fn components(&self, n: usize) -> impl Iterator<Item = &'a str> + 'a {
        let separator = char::from(self.delimiters.component);
        self.element(n).split(separator)
    }

    /// How many elements follow the id, counting empty ones up to the last separator.
    pub fn element_count(&self) -> usize {
        self.raw
            .bytes()
            .filter(|b| *b == self.delimiters.element)
            .count()
    }

    /// The whole segment text, without its terminator.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// An error positioned at this segment.
    pub fn error(&self, kind: ErrorKind) -> X12Error {
        X12Error::at(self.ordinal, self.id(), self.offset, kind)
    }

    /// An error positioned at element `n` (and component `c`) of this segment.
    pub fn element_error(&self, n: usize, c: Option<usize>, kind: ErrorKind) -> X12Error {
        self.error(kind).with_element(n, c)
    }
}

/// Iterates the segments of an input. Created by [`tokenize`].
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    input: &'a str,
    pos: usize,
    ordinal: usize,
    delimiters: Delimiters,
    failed: bool,
}

pub(crate) const BOM: &str = "\u{feff}";

pub(crate) fn is_filler(byte: u8) -> bool {
    matches!(byte, b'\r' | b'\n' | b' ' | b'\t')
}

/// Detects the delimiters (from ISA, or from ST for a bare transaction set) and returns an
/// iterator over the segments.
pub fn tokenize(input: &str) -> Result<Segments<'_>, X12Error> {
    let (start, delimiters) = detect(input.as_bytes())?;
    Ok(Segments::with_delimiters(input, start, delimiters))
}

/// Where the first segment starts (past any byte-order mark and white space) and the
/// delimiters it declares. `head` is the whole input or, for a stream, its first bytes.
pub(crate) fn detect(head: &[u8]) -> Result<(usize, Delimiters), X12Error> {
    let mut start = if head.starts_with(BOM.as_bytes()) {
        BOM.len()
    } else {
        0
    };
    while head.get(start).is_some_and(|b| is_filler(*b)) {
        start += 1;
    }
    let body = head.get(start..).unwrap_or_default();
    if body.is_empty() {
        return Err(X12Error::at(0, "", start, ErrorKind::Empty));
    }
    let delimiters = if body.starts_with(b"ISA") {
        Delimiters::from_isa(body, start)?
    } else if body.starts_with(b"ST") {
        Delimiters::from_fragment(body, start)?
    } else {
        let id_end = body
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        let id = body.get(..id_end).unwrap_or_default();
        return Err(X12Error::at(
            1,
            &String::from_utf8_lossy(id),
            start,
            ErrorKind::NoInterchange,
        ));
    };
    Ok((start, delimiters))
}

fn skip_filler(input: &str, mut pos: usize) -> usize {
    let bytes = input.as_bytes();
    while bytes.get(pos).is_some_and(|b| is_filler(*b)) {
        pos += 1;
    }
    pos
}

impl<'a> Segments<'a> {
    /// Segments of `input` from byte `start`, with known delimiters.
    pub fn with_delimiters(input: &'a str, start: usize, delimiters: Delimiters) -> Self {
        Self {
            input,
            pos: start,
            ordinal: 0,
            delimiters,
            failed: false,
        }
    }

    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    fn fail(&mut self, error: X12Error) -> Option<Result<Segment<'a>, X12Error>> {
        self.failed = true;
        Some(Err(error))
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<Segment<'a>, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.pos = skip_filler(self.input, self.pos);
        let rest = self.input.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let offset = self.pos;
        self.ordinal += 1;
        let Some(end) = crate::swar::find(self.delimiters.segment, rest.as_bytes()) else {
            let error = X12Error::at(self.ordinal, rest, offset, ErrorKind::Unterminated);
            return self.fail(error);
        };
        // A segment terminator of LF leaves the CR of a CRLF on the segment.
        let raw = rest.get(..end).unwrap_or("");
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        self.pos += end + 1;
        let segment = Segment::new(self.ordinal, offset, raw, self.delimiters);
        if !segment.has_valid_id() {
            return self.fail(segment.error(ErrorKind::BadSegmentId));
        }
        Some(Ok(segment))
    }
}

/// Where the id ends (the first element separator, or the end) and its [`tag`], 0 when
/// the id is not two or three upper-case letters or digits starting with a letter.
///
/// Every segment goes through here. The usual case (an id followed by a separator) is
/// decided from the first four bytes with a single branch: which of two lengths an id has
/// varies from one segment to the next, and a branch on it mispredicted often.
#[inline]
pub(crate) fn scan_id(bytes: &[u8], separator: u8) -> (usize, u32) {
    if let [a, b, c, d, ..] = *bytes {
        let two = c == separator;
        if (two || d == separator) && a != separator && b != separator {
            let third = if two { 0 } else { c };
            let valid = a.is_ascii_uppercase() & upper_or_digit(b) & (two | upper_or_digit(c));
            let tag = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(third);
            return (if two { 2 } else { 3 }, if valid { tag } else { 0 });
        }
    }
    let id_end = bytes
        .iter()
        .position(|b| *b == separator)
        .unwrap_or(bytes.len());
    (id_end, checked_tag(bytes.get(..id_end).unwrap_or_default()))
}

fn upper_or_digit(byte: u8) -> bool {
    byte.is_ascii_uppercase() | byte.is_ascii_digit()
}

/// The [`tag`] of a well-formed id (two or three upper-case letters or digits, the first a
/// letter), or 0.
fn checked_tag(id: &[u8]) -> u32 {
    match *id {
        [a, b] if a.is_ascii_uppercase() && upper_or_digit(b) => {
            u32::from(a) << 16 | u32::from(b) << 8
        }
        [a, b, c] if a.is_ascii_uppercase() && upper_or_digit(b) && upper_or_digit(c) => {
            u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\u{feff}ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~\r\n  GS*HC*A*B*20240101*1200*1*X*005010X222A1~\r\n  ST*837*0001~SV1*HC:97110:GP*100*UN*2~SE*3*0001~GE*1*1~IEA*1*000000001~\r\n";

    #[test]
    fn segments_carry_ordinal_offset_and_elements() {
        let segments: Vec<_> = tokenize(SMALL).unwrap().collect::<Result<_, _>>().unwrap();
        let ids: Vec<_> = segments.iter().map(|s| s.id()).collect();
        assert_eq!(ids, ["ISA", "GS", "ST", "SV1", "SE", "GE", "IEA"]);
        let sv1 = segments[3];
        assert_eq!(sv1.ordinal, 4);
        assert_eq!(&SMALL[sv1.offset..sv1.offset + 3], "SV1");
        assert_eq!(sv1.component(1, 2), "97110");
        assert_eq!(sv1.component(1, 3), "GP");
        assert_eq!(sv1.element(4), "2");
        assert_eq!(sv1.element(9), "");
        assert_eq!(sv1.element_count(), 4);
    }

    #[test]
    fn a_lower_case_id_is_rejected_with_its_position() {
        let input = SMALL.replace("SV1*", "Sv1*");
        let err = tokenize(&input).unwrap().find_map(Result::err).unwrap();
        assert_eq!((err.segment, err.id.as_str()), (4, "Sv1"));
        assert_eq!(err.kind, ErrorKind::BadSegmentId);
    }

    #[test]
    fn short_and_empty_ids_are_named_as_read() {
        // The id printed is what stands before the first separator, cut to three characters.
        for (id, expected) in [("*IC*", "<empty>"), ("N*", "N"), ("SV12*", "SV1")] {
            let input = SMALL.replacen("SV1*", id, 1);
            let err = tokenize(&input).unwrap().find_map(Result::err).unwrap();
            assert_eq!(err.kind, ErrorKind::BadSegmentId, "{id}");
            assert_eq!((err.segment, err.id.as_str()), (4, expected), "{id}");
        }
    }

    #[test]
    fn a_missing_final_terminator_is_an_error() {
        let input = SMALL.trim_end().trim_end_matches('~');
        let err = tokenize(input).unwrap().find_map(Result::err).unwrap();
        assert_eq!(err.kind, ErrorKind::Unterminated);
        assert_eq!(err.segment, 7);
    }

    #[test]
    fn other_input_is_not_an_interchange() {
        let err = tokenize("MSH|^~\\&|").unwrap_err();
        assert_eq!(err.kind, ErrorKind::NoInterchange);
    }

    proptest::proptest! {
        #[test]
        fn the_fast_id_scan_agrees_with_the_plain_one(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'*'),
                    proptest::strategy::Just(b'A'),
                    proptest::strategy::Just(b'9'),
                    proptest::strategy::Just(b'a'),
                    proptest::prelude::any::<u8>(),
                ],
                0..8,
            ),
            separator in proptest::prop_oneof![proptest::strategy::Just(b'*'), proptest::strategy::Just(b'A')],
        ) {
            let id_end = bytes.iter().position(|b| *b == separator).unwrap_or(bytes.len());
            let expected = (id_end, checked_tag(&bytes[..id_end]));
            proptest::prop_assert_eq!(scan_id(&bytes, separator), expected);
        }
    }
}
