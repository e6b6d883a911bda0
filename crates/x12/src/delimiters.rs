//! The four X12 delimiters, read from the ISA segment or chosen by the writer.

use crate::error::{ErrorKind, X12Error};

/// Element, component, repetition and segment separators.
///
/// ISA is a fixed-width segment (106 bytes): the element separator is the byte after `ISA`,
/// ISA11 is the repetition separator (from 00402 on; `U` before), ISA16 the component
/// separator, and the byte after ISA16 terminates every segment (X12.5 / 005010 IG appendix B).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: u8,
    pub component: u8,
    /// `None` for 4010-era interchanges whose ISA11 is the standards identifier `U`.
    pub repetition: Option<u8>,
    pub segment: u8,
}

impl Default for Delimiters {
    /// The delimiters the 005010 implementation guides use in their examples.
    fn default() -> Self {
        Self {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    }
}

/// The length of an ISA segment up to and including its terminator.
pub const ISA_LENGTH: usize = 106;

impl Delimiters {
    /// Reads the delimiters from an interchange that starts with ISA (after any byte-order
    /// mark and white space, which the caller has skipped).
    ///
    /// Element positions are found by counting separators rather than by fixed offsets, so a
    /// padded field of the wrong width is reported as such instead of yielding wrong
    /// delimiters.
    pub fn from_isa(isa: &[u8], offset: usize) -> Result<Self, X12Error> {
        let bad = |message: String| X12Error::at(1, "ISA", offset, ErrorKind::BadIsa(message));
        let element = *isa
            .get(3)
            .ok_or_else(|| bad("the file ends inside the ISA segment".into()))?;
        if element.is_ascii_alphanumeric() || element == b' ' {
            return Err(bad(format!(
                "the element separator after `ISA` is {:?}, a character data can hold",
                char::from(element)
            )));
        }
        let mut separators = isa
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == element)
            .map(|(i, _)| i);
        let sixteenth = separators
            .nth(15)
            .ok_or_else(|| bad("ISA has fewer than 16 elements".into()))?;
        if sixteenth != ISA_LENGTH - 3 {
            return Err(bad(format!(
                "ISA is fixed-width: ISA16 must start at byte {} but starts at byte {}; a padded element has the wrong width",
                ISA_LENGTH - 2,
                sixteenth + 1
            )));
        }
        let component = *isa
            .get(ISA_LENGTH - 2)
            .ok_or_else(|| bad("the file ends inside the ISA segment".into()))?;
        let segment = *isa
            .get(ISA_LENGTH - 1)
            .ok_or_else(|| bad("the file ends before the ISA segment terminator".into()))?;
        let repetition = isa.get(82).copied().filter(|r| *r != b'U');
        let delimiters = Self {
            element,
            component,
            repetition,
            segment,
        };
        delimiters.check_distinct().map_err(|m| bad(m.to_owned()))?;
        Ok(delimiters)
    }

    /// Guesses the delimiters of a bare `ST..SE` fragment (some payers' samples have no
    /// envelope): the element separator follows `ST`, and the segment terminator is the first
    /// byte after it that is neither data nor the element separator.
    pub fn from_fragment(input: &[u8], offset: usize) -> Result<Self, X12Error> {
        let bad =
            |message: &str| X12Error::at(1, "ST", offset, ErrorKind::Envelope(message.to_owned()));
        let element = *input
            .get(2)
            .ok_or_else(|| bad("the file ends inside the first segment"))?;
        let segment = input
            .iter()
            .skip(3)
            .copied()
            .find(|b| !(b.is_ascii_alphanumeric() || *b == b' ' || *b == element))
            .ok_or_else(|| bad("no segment terminator after ST"))?;
        let delimiters = Self {
            element,
            segment,
            ..Self::default()
        };
        delimiters.check_distinct().map_err(bad)?;
        Ok(delimiters)
    }

    /// Every separator must differ from the others and from data characters.
    pub fn check_distinct(&self) -> Result<(), &'static str> {
        let mut all = vec![self.element, self.component, self.segment];
        all.extend(self.repetition);
        for (i, a) in all.iter().enumerate() {
            if a.is_ascii_alphanumeric() || *a == b' ' {
                return Err("a delimiter is a letter, digit or space");
            }
            // X12 delimiters come from the basic and extended character sets, all ASCII; a
            // byte above 0x7F would be part of a multi-byte character in UTF-8 text.
            if !a.is_ascii() {
                return Err("a delimiter is not an ASCII character");
            }
            if all.iter().skip(i + 1).any(|b| b == a) {
                return Err("two delimiters are the same character");
            }
        }
        Ok(())
    }

    /// Whether `byte` is one of the four separators.
    pub fn is_delimiter(&self, byte: u8) -> bool {
        byte == self.element
            || byte == self.component
            || byte == self.segment
            || Some(byte) == self.repetition
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   *030101*1253*^*00501*000000905*1*T*:~";

    #[test]
    fn reads_the_delimiters_of_a_standard_isa() {
        let d = Delimiters::from_isa(ISA, 0).unwrap();
        assert_eq!(d, Delimiters::default());
    }

    #[test]
    fn a_short_padded_field_is_reported_not_misread() {
        let short = b"ISA*00*         *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   *030101*1253*^*00501*000000905*1*T*:~";
        let err = Delimiters::from_isa(short, 0).unwrap_err();
        assert!(err.to_string().contains("fixed-width"), "{err}");
    }

    #[test]
    fn a_4010_repetition_field_means_no_repetition_separator() {
        let old = ISA
            .iter()
            .enumerate()
            .map(|(i, b)| if i == 82 { b'U' } else { *b })
            .collect::<Vec<_>>();
        assert_eq!(Delimiters::from_isa(&old, 0).unwrap().repetition, None);
    }

    #[test]
    fn fragment_delimiters_come_from_the_st_segment() {
        let d = Delimiters::from_fragment(b"ST*835*1234~BPR*I", 0).unwrap();
        assert_eq!((d.element, d.segment), (b'*', b'~'));
    }
}
