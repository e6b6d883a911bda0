//! A parsed message: segment boundaries found once, everything below located on demand.

use std::borrow::Cow;

use memchr::{memchr_iter, memchr2};

use crate::error::{ParseError, ParseErrorKind};
use crate::escape::unescape;
use crate::{Delimiters, Location};

/// A message borrowed from its text.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    text: &'a str,
    delimiters: Delimiters,
    segments: Vec<Segment<'a>>,
}

/// One segment: its id and its whole text (continuation lines included).
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    id: &'a str,
    text: &'a str,
    offset: usize,
    index: usize,
    delimiters: Delimiters,
}

/// One field of a segment (all its repetitions).
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    raw: &'a str,
    delimiters: Delimiters,
}

/// One repetition of a field.
#[derive(Debug, Clone, Copy)]
pub struct Repetition<'a> {
    raw: &'a str,
    delimiters: Delimiters,
}

/// One component of a repetition.
#[derive(Debug, Clone, Copy)]
pub struct Component<'a> {
    raw: &'a str,
    delimiters: Delimiters,
}

/// The MSH fields a receiver routes, deduplicates and acknowledges by, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub sending_application: String,
    pub sending_facility: String,
    pub receiving_application: String,
    pub receiving_facility: String,
    /// MSH-7 as written (`YYYYMMDDHHMMSS[.S][+ZZZZ]` at any precision).
    pub date_time: String,
    /// MSH-9.1, MSH-9.2 and MSH-9.3 (`DFT`, `P03`, `DFT_P03`).
    pub message_type: String,
    pub trigger_event: String,
    pub structure: String,
    /// MSH-10, the sender's message control id.
    pub control_id: String,
    /// MSH-11.1: `P` production, `T` training, `D` debugging.
    pub processing_id: String,
    /// MSH-12.1, e.g. `2.5.1`.
    pub version: String,
    /// MSH-15 and MSH-16 (table 0155): both empty means original acknowledgment mode.
    pub accept_ack: String,
    pub application_ack: String,
    /// MSH-18, the character set.
    pub charset: String,
}

impl<'a> Message<'a> {
    /// Parses one message. Segments end at CR, LF or CRLF; a line that does not start with a
    /// segment id (three capitals or digits, then the field separator) continues the segment
    /// before it, as hard-wrapped text does in the wild.
    pub fn parse(text: &'a str) -> Result<Self, ParseError> {
        let bytes = text.as_bytes();
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
            .ok_or(ParseError::at(ParseErrorKind::Empty, 0))?;
        let body = bytes.get(start..).unwrap_or_default();
        if !body.starts_with(b"MSH") {
            return Err(ParseError::at(ParseErrorKind::NoHeader, start));
        }
        let (delimiters, _) = Delimiters::from_header(body, start)?;
        let mut segments: Vec<Segment<'a>> = Vec::new();
        let mut pos = start;
        while pos < bytes.len() {
            let rest = bytes.get(pos..).unwrap_or_default();
            let line_len = memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
            let line_end = pos + line_len;
            let line = rest.get(..line_len).unwrap_or_default();
            if line.iter().any(|b| !b.is_ascii_whitespace()) {
                if starts_segment(line, delimiters.field) {
                    segments.push(Segment {
                        id: text.get(pos..pos + 3).unwrap_or_default(),
                        text: text.get(pos..line_end).unwrap_or_default(),
                        offset: pos,
                        index: segments.len() + 1,
                        delimiters,
                    });
                } else if let Some(last) = segments.last_mut() {
                    last.text = text.get(last.offset..line_end).unwrap_or_default();
                }
            }
            pos = line_end + 1;
            if rest.get(line_len) == Some(&b'\r') && rest.get(line_len + 1) == Some(&b'\n') {
                pos += 1;
            }
        }
        if let [only] = segments.as_slice()
            && let Some(at) = joined_by_spaces(only.text.as_bytes(), delimiters.field)
        {
            return Err(
                ParseError::at(ParseErrorKind::SegmentsJoinedBySpaces, start + at).in_segment(1),
            );
        }
        Ok(Self {
            text,
            delimiters,
            segments,
        })
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn delimiters(&self) -> &Delimiters {
        &self.delimiters
    }

    pub fn segments(&self) -> &[Segment<'a>] {
        &self.segments
    }

    /// The segments with this id, in order.
    pub fn segments_named<'s>(&'s self, id: &'s str) -> impl Iterator<Item = &'s Segment<'a>> + 's {
        self.segments.iter().filter(move |s| s.id == id)
    }

    /// The first segment with this id.
    pub fn segment(&self, id: &str) -> Option<&Segment<'a>> {
        self.segments.iter().find(|s| s.id == id)
    }

    /// The decoded value at `location` (first segment of that id unless the location names one).
    pub fn value(&self, location: &Location) -> Option<Cow<'a, str>> {
        let segment = self
            .segments_named(&location.segment)
            .nth(location.occurrence.saturating_sub(1))?;
        Some(segment.value(location))
    }

    /// The MSH fields, decoded.
    pub fn header(&self) -> Header {
        let Some(msh) = self.segments.first() else {
            return Header::default();
        };
        let value = |field: usize, component: usize| {
            msh.field(field).component(component).value().into_owned()
        };
        Header {
            sending_application: value(3, 1),
            sending_facility: value(4, 1),
            receiving_application: value(5, 1),
            receiving_facility: value(6, 1),
            date_time: value(7, 1),
            message_type: value(9, 1),
            trigger_event: value(9, 2),
            structure: value(9, 3),
            control_id: value(10, 1),
            processing_id: value(11, 1),
            version: value(12, 1),
            accept_ack: value(15, 1),
            application_ack: value(16, 1),
            charset: value(18, 1),
        }
    }
}

fn starts_segment(line: &[u8], field: u8) -> bool {
    match line {
        [a, b, c, rest @ ..] => {
            a.is_ascii_uppercase()
                && (b.is_ascii_uppercase() || b.is_ascii_digit())
                && (c.is_ascii_uppercase() || c.is_ascii_digit())
                && rest.first().is_none_or(|&f| f == field)
        }
        _ => false,
    }
}

/// Where a space followed by a segment id and the field separator appears (a sender that
/// joined segments with spaces), if it does.
fn joined_by_spaces(line: &[u8], field: u8) -> Option<usize> {
    line.windows(5).position(|w| {
        matches!(w, [b' ', rest @ ..] if starts_segment(rest, field) && rest.get(3) == Some(&field))
    })
}

impl<'a> Segment<'a> {
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The segment's text as received (continuation lines included).
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset of the segment in the message text.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// 1-based position in the message.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Field `n` (1-based, as the standard numbers them: MSH-1 is the field separator itself).
    pub fn field(&self, n: usize) -> Field<'a> {
        let raw = if self.id == "MSH" {
            match n {
                0 => "",
                1 => self.text.get(3..4).unwrap_or_default(),
                2 => {
                    let rest = self.text.get(4..).unwrap_or_default();
                    let end = rest
                        .bytes()
                        .position(|b| b == self.delimiters.field)
                        .unwrap_or(rest.len());
                    rest.get(..end).unwrap_or_default()
                }
                _ => nth(self.text, self.delimiters.field, n - 1),
            }
        } else if n == 0 {
            ""
        } else {
            nth(self.text, self.delimiters.field, n)
        };
        Field {
            raw,
            delimiters: self.delimiters,
        }
    }

    /// Every field in order, from field 1 (for MSH, the separator, then the encoding
    /// characters): one pass over the segment, for readers that visit them all.
    pub fn fields(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let delimiters = self.delimiters;
        // The pieces after the first separator, exactly as `field(n)` counts them (a segment
        // id alone on its line, with continuation text, has no field before a separator).
        let separator = (self.id == "MSH").then(|| self.field(1));
        separator.into_iter().chain(
            self.text
                .split(char::from(delimiters.field))
                .skip(1)
                .map(move |raw| Field { raw, delimiters }),
        )
    }

    /// How many fields the segment carries (its id not counted).
    pub fn field_count(&self) -> usize {
        let separators = memchr_iter(self.delimiters.field, self.text.as_bytes()).count();
        if self.id == "MSH" {
            separators + 1
        } else {
            separators
        }
    }

    /// The decoded value at `location`'s field, repetition, component and subcomponent.
    pub fn value(&self, location: &Location) -> Cow<'a, str> {
        self.field(location.field)
            .repetition(location.repetition)
            .component(location.component)
            .sub(location.subcomponent)
    }
}

impl<'a> Field<'a> {
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Nothing sent.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// `""`: an explicit null, "clear the stored value".
    pub fn is_null(&self) -> bool {
        self.raw == "\"\""
    }

    pub fn repetitions(&self) -> impl Iterator<Item = Repetition<'a>> + 'a {
        let delimiters = self.delimiters;
        let count = if self.raw.is_empty() { 0 } else { usize::MAX };
        self.raw
            .split(char::from(delimiters.repetition))
            .take(count)
            .map(move |raw| Repetition { raw, delimiters })
    }

    /// Repetition `n` (1-based); an absent one is empty.
    pub fn repetition(&self, n: usize) -> Repetition<'a> {
        Repetition {
            raw: if n == 0 {
                ""
            } else {
                nth_from_one(self.raw, self.delimiters.repetition, n)
            },
            delimiters: self.delimiters,
        }
    }

    /// Component `n` of the first repetition.
    pub fn component(&self, n: usize) -> Component<'a> {
        self.repetition(1).component(n)
    }

    /// The first repetition's first component's first subcomponent, decoded.
    pub fn value(&self) -> Cow<'a, str> {
        self.component(1).sub(1)
    }
}

impl<'a> Repetition<'a> {
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Component `n` (1-based); an absent one is empty.
    pub fn component(&self, n: usize) -> Component<'a> {
        Component {
            raw: if n == 0 {
                ""
            } else {
                nth_from_one(self.raw, self.delimiters.component, n)
            },
            delimiters: self.delimiters,
        }
    }

    /// The first component's first subcomponent, decoded.
    pub fn value(&self) -> Cow<'a, str> {
        self.component(1).sub(1)
    }

    /// Every component in order (one pass).
    pub fn components(&self) -> impl Iterator<Item = Component<'a>> + 'a {
        let delimiters = self.delimiters;
        self.raw
            .split(char::from(delimiters.component))
            .map(move |raw| Component { raw, delimiters })
    }
}

impl<'a> Component<'a> {
    /// Every subcomponent in order, decoded (one pass).
    pub fn subcomponents(&self) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        let delimiters = self.delimiters;
        self.raw
            .split(char::from(delimiters.subcomponent))
            .map(move |raw| unescape(raw, &delimiters))
    }

    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Subcomponent `n` (1-based), decoded; an absent one is empty.
    pub fn sub(&self, n: usize) -> Cow<'a, str> {
        if n == 0 {
            return Cow::Borrowed("");
        }
        unescape(
            nth_from_one(self.raw, self.delimiters.subcomponent, n),
            &self.delimiters,
        )
    }

    /// The first subcomponent, decoded.
    pub fn value(&self) -> Cow<'a, str> {
        self.sub(1)
    }
}

/// Piece `n` (0-based) of `text` split at `separator`; empty when absent.
fn nth(text: &str, separator: u8, n: usize) -> &str {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut seen = 0;
    for at in memchr_iter(separator, bytes) {
        if seen == n {
            return text.get(start..at).unwrap_or_default();
        }
        seen += 1;
        start = at + 1;
    }
    if seen == n {
        text.get(start..).unwrap_or_default()
    } else {
        ""
    }
}

fn nth_from_one(text: &str, separator: u8, n: usize) -> &str {
    nth(text, separator, n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    const DFT: &str = "MSH|^~\\&|WEBPT|NORTH|CLEANCLAIM|CC|20260309101500||DFT^P03^DFT_P03|MSG0001|P|2.5.1\r\
PID|1||MRN-1001^^^NORTH^MR||Rivera^Ana||19510714|F|||12 Oak St^^Springfield^IL^62704\r\
FT1|1|T1||20260309||CG|97110|||2|||||||||M17.11~R26.89|1245319599^Lopez^Maria^^^^^^NPI^^^^NPI|||||97110^Ther exercise^C4|GP~KX\r";

    #[test]
    fn fields_components_and_repetitions_are_located() {
        let message = Message::parse(DFT).unwrap();
        assert_eq!(message.segments().len(), 3);
        let header = message.header();
        assert_eq!(header.message_type, "DFT");
        assert_eq!(header.trigger_event, "P03");
        assert_eq!(header.structure, "DFT_P03");
        assert_eq!(header.control_id, "MSG0001");
        assert_eq!(header.version, "2.5.1");
        let msh = message.segments()[0];
        assert_eq!(msh.field(1).raw(), "|");
        assert_eq!(msh.field(2).raw(), "^~\\&");
        let ft1 = message.segment("FT1").unwrap();
        assert_eq!(ft1.field(25).component(1).value(), "97110");
        assert_eq!(ft1.field(25).component(3).value(), "C4");
        let modifiers: Vec<_> = ft1
            .field(26)
            .repetitions()
            .map(|r| r.value().into_owned())
            .collect();
        assert_eq!(modifiers, ["GP", "KX"]);
        assert_eq!(ft1.field(19).repetition(2).value(), "R26.89");
        assert_eq!(ft1.field(20).component(13).value(), "NPI");
        assert_eq!(ft1.field(99).value(), "");
        assert_eq!(ft1.field(20).repetition(7).component(3).value(), "");
    }

    #[test]
    fn lf_crlf_and_cr_files_give_the_same_segments() {
        let lf = DFT.replace('\r', "\n");
        let crlf = DFT.replace('\r', "\r\n");
        for text in [DFT, lf.as_str(), crlf.as_str()] {
            let message = Message::parse(text).unwrap();
            let ids: Vec<_> = message.segments().iter().map(|s| s.id()).collect();
            assert_eq!(ids, ["MSH", "PID", "FT1"]);
            assert_eq!(
                message
                    .segment("PID")
                    .unwrap()
                    .field(5)
                    .component(2)
                    .value(),
                "Ana"
            );
        }
    }

    #[test]
    fn a_wrapped_line_continues_its_segment() {
        let text =
            "MSH|^~\\&|A|B|||2026||MDM^T02|1|P|2.5\nOBX|1|TX|||first line\nsecond line\nPID|1";
        let message = Message::parse(text).unwrap();
        assert_eq!(message.segments().len(), 3);
        assert_eq!(
            message.segment("OBX").unwrap().field(5).value(),
            "first line\nsecond line"
        );
    }

    #[test]
    fn messages_joined_by_spaces_are_refused_with_the_offset() {
        let text = "MSH|^~\\&|A|B|||2005||ADT^A01|599102|P|2.3||| EVN|A01|20050110045502";
        let error = Message::parse(text).unwrap_err();
        assert_eq!(error.kind, ParseErrorKind::SegmentsJoinedBySpaces);
        assert_eq!(&text[error.offset..error.offset + 4], " EVN");
    }

    #[test]
    fn a_message_must_start_with_msh() {
        assert_eq!(
            Message::parse("PID|1").unwrap_err().kind,
            ParseErrorKind::NoHeader
        );
        assert_eq!(
            Message::parse(" \r\n").unwrap_err().kind,
            ParseErrorKind::Empty
        );
    }

    #[test]
    fn iterating_gives_what_indexing_gives() {
        let message = Message::parse(DFT).unwrap();
        for segment in message.segments() {
            let fields: Vec<&str> = segment.fields().map(|f| f.raw()).collect();
            assert_eq!(fields.len(), segment.field_count(), "{}", segment.id());
            for (n, field) in fields.iter().enumerate() {
                assert_eq!(
                    *field,
                    segment.field(n + 1).raw(),
                    "{}-{}",
                    segment.id(),
                    n + 1
                );
            }
        }
        let ft1 = message.segment("FT1").unwrap();
        let parts: Vec<String> = ft1
            .field(20)
            .repetition(1)
            .components()
            .map(|c| c.value().into_owned())
            .collect();
        assert_eq!(parts[..3], ["1245319599", "Lopez", "Maria"]);
        let pid = message.segment("PID").unwrap();
        let subs: Vec<String> = pid
            .field(3)
            .component(4)
            .subcomponents()
            .map(|s| s.into_owned())
            .collect();
        assert_eq!(subs, ["NORTH"]);
        assert_eq!(
            Message::parse("MSH|^~\\&").unwrap().segments()[0]
                .fields()
                .count(),
            2
        );
    }

    #[test]
    fn an_id_alone_on_its_line_then_continuation_text_iterates_as_it_indexes() {
        // Found by the `hl7` fuzz target: fields() skipped the line break as if it were the
        // field separator.
        let message = Message::parse("MSH|^~\\&|A\rAL1\r PRI|2S HIVES").unwrap();
        let al1 = message.segment("AL1").unwrap();
        let fields: Vec<&str> = al1.fields().map(|f| f.raw()).collect();
        assert_eq!(fields, ["2S HIVES"]);
        assert_eq!(fields, [al1.field(1).raw()]);
    }

    #[test]
    fn explicit_null_is_told_from_empty() {
        let message = Message::parse("MSH|^~\\&|A\rPID|1||\"\"|").unwrap();
        let pid = message.segment("PID").unwrap();
        assert!(pid.field(3).is_null());
        assert!(pid.field(2).is_empty());
        assert_eq!(pid.field_count(), 4);
    }
}
