//! One 835 segment split into elements once, with typed access (amounts, dates, codes) and
//! errors positioned at the element.

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use compact_str::CompactString;

use crate::error::{ErrorKind, X12Error};
use crate::money::parse_cents;
use crate::swar::positions_of;
use crate::token::Segment;

/// The fields of one segment, split once: the reader looks at most of them. Only where each
/// element ends is kept (a few bytes per element), so splitting costs one pass and no copies.
pub(super) struct Fields<'a> {
    pub(super) segment: &'a Segment<'a>,
    /// The segment text after the id and its separator.
    rest: &'a str,
    /// `ends[i]` is where element `i + 1` ends in `rest`.
    ends: &'a [u32],
}

/// MIA, the longest 835 segment, has 24 elements.
pub(super) const FIELDS: usize = 24;

impl<'a> Fields<'a> {
    /// Splits `segment`, keeping element ends in `scratch`. The scratch array outlives the
    /// call on purpose: returning a freshly filled array by value made the processor reload
    /// it right after the small stores that filled it (a store-forwarding stall that cost
    /// more than the split itself).
    pub(super) fn of(segment: &'a Segment<'a>, scratch: &'a mut [u32; FIELDS]) -> Self {
        let raw = segment.raw();
        let rest = raw.get(segment.id().len() + 1..).unwrap_or("");
        let mut count = 0;
        if raw.len() > segment.id().len() {
            count = positions_of(segment.delimiters().element, rest.as_bytes(), scratch);
            // The last element ends with the segment, unless the array filled first.
            if let Some(slot) = scratch.get_mut(count) {
                // Segments are at most MAX_SEGMENT (64 KiB) long, so positions fit in u32.
                *slot = u32::try_from(rest.len()).unwrap_or(u32::MAX);
                count += 1;
            }
        }
        Self {
            segment,
            rest,
            ends: scratch.get(..count).unwrap_or_default(),
        }
    }

    /// How many elements the segment has (up to [`FIELDS`]).
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub(super) fn get(&self, n: usize) -> &'a str {
        let Some(index) = n.checked_sub(1) else {
            return "";
        };
        let Some(end) = self.ends.get(index) else {
            return "";
        };
        let start = match index.checked_sub(1) {
            Some(previous) => self.ends.get(previous).map_or(0, |e| *e as usize + 1),
            None => 0,
        };
        self.rest.get(start..*end as usize).unwrap_or("")
    }

    #[inline]
    pub(super) fn required(&self, n: usize) -> Result<&'a str, X12Error> {
        match self.get(n) {
            "" => Err(self.missing(n)),
            value => Ok(value),
        }
    }

    pub(super) fn owned(&self, n: usize) -> String {
        self.get(n).to_owned()
    }

    pub(super) fn compact(&self, n: usize) -> CompactString {
        self.get(n).into()
    }

    /// An amount. The lookups below are inlined and their errors built out of line: they run
    /// for nearly every segment, and an error is large enough that building one in place
    /// slowed the path that never needs it.
    #[inline]
    pub(super) fn cents(&self, n: usize) -> Result<Cents, X12Error> {
        match parse_cents(self.get(n)) {
            Some(cents) => Ok(cents),
            None => Err(self.bad_value(n, "amount")),
        }
    }

    #[inline]
    pub(super) fn optional_cents(&self, n: usize) -> Result<Option<Cents>, X12Error> {
        match self.get(n) {
            "" => Ok(None),
            _ => self.cents(n).map(Some),
        }
    }

    #[inline]
    pub(super) fn date(&self, n: usize) -> Result<NaiveDate, X12Error> {
        match date8(self.get(n)) {
            Some(date) => Ok(date),
            None => Err(self.bad_value(n, "date (CCYYMMDD)")),
        }
    }

    #[inline]
    pub(super) fn optional_date(&self, n: usize) -> Result<Option<NaiveDate>, X12Error> {
        match self.get(n) {
            "" => Ok(None),
            _ => self.date(n).map(Some),
        }
    }

    #[cold]
    pub(super) fn missing(&self, n: usize) -> X12Error {
        self.segment
            .element_error(n, None, ErrorKind::MissingElement)
    }

    /// `what` is what the element should have held; an empty element is reported missing.
    #[cold]
    fn bad_value(&self, n: usize, what: &'static str) -> X12Error {
        if self.get(n).is_empty() {
            return self.missing(n);
        }
        self.segment
            .element_error(n, None, ErrorKind::BadValue(what))
    }

    #[cold]
    pub(super) fn structure(&self, message: impl Into<String>) -> X12Error {
        self.segment.error(ErrorKind::Structure(message.into()))
    }

    #[cold]
    pub(super) fn bad_code(&self, n: usize, expected: &str) -> X12Error {
        self.segment.element_error(
            n,
            None,
            ErrorKind::BadCode {
                value: self.get(n).to_owned(),
                expected: expected.to_owned(),
            },
        )
    }
}

/// `CCYYMMDD` without going through a format parser: dates are in every claim and line.
#[inline]
fn date8(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(number(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, number(4..6), number(6..8))
}

/// The components of a composite element. A plain byte search: composites are a few bytes
/// long, too short for a vectorised search to pay for its setup.
pub(super) struct Components<'a> {
    pub(super) rest: Option<&'a str>,
    pub(super) separator: u8,
}

impl<'a> Iterator for Components<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == self.separator) {
            Some(at) => {
                self.rest = rest.get(at + 1..);
                rest.get(..at)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "tests fail loudly by design")]
    use super::*;
    use crate::Delimiters;
    use proptest::prelude::*;

    fn element_of(raw: &str, n: usize) -> &str {
        raw.split('*').nth(n).unwrap_or("")
    }

    #[test]
    fn elements_amounts_and_dates_are_read_by_position() {
        let segment = Segment::new(7, 0, "SVC*HC:97110:GP*180*108**4", Delimiters::default());
        let mut scratch = [0; FIELDS];
        let fields = Fields::of(&segment, &mut scratch);
        assert_eq!(fields.get(1), "HC:97110:GP");
        assert_eq!(fields.cents(2).unwrap(), Cents(18000));
        assert_eq!(fields.get(4), "");
        assert_eq!(fields.get(5), "4");
        assert_eq!(fields.get(6), "");
        let missing = fields.cents(4).unwrap_err();
        assert_eq!(missing.kind, ErrorKind::MissingElement);
        assert_eq!(missing.element.map(|e| e.element), Some(4));
        let bad = fields.date(1).unwrap_err();
        assert_eq!(bad.kind, ErrorKind::BadValue("date (CCYYMMDD)"));
        assert_eq!(bad.segment, 7);
    }

    proptest! {
        /// Whatever the split does word by word, each element is what a plain split gives,
        /// up to the last one kept.
        #[test]
        fn elements_agree_with_a_plain_split(
            elements in proptest::collection::vec("[A-Z0-9:.]{0,11}", 0..30),
        ) {
            let raw = std::iter::once("CAS").chain(elements.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("*");
            let segment = Segment::new(1, 0, &raw, Delimiters::default());
            let mut scratch = [0; FIELDS];
            let fields = Fields::of(&segment, &mut scratch);
            for n in 0..=FIELDS + 2 {
                let expected = if (1..=FIELDS).contains(&n) { element_of(&raw, n) } else { "" };
                prop_assert_eq!(fields.get(n), expected, "element {} of {}", n, raw);
            }
        }
    }
}
