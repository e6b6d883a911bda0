//! The delimiters a message declares in MSH-1 and MSH-2.

use crate::error::{ParseError, ParseErrorKind};

/// A message's separators. The escape character may be absent (an MSH-2 of `^~` plus `&`
/// without `\` is not allowed here: we require all four); the truncation character is the
/// v2.7 fifth character, accepted in any version because US 2.5.1 guides pre-adopted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub field: u8,
    pub component: u8,
    pub repetition: u8,
    pub escape: u8,
    pub subcomponent: u8,
    pub truncation: Option<u8>,
}

impl Default for Delimiters {
    fn default() -> Self {
        Self {
            field: b'|',
            component: b'^',
            repetition: b'~',
            escape: b'\\',
            subcomponent: b'&',
            truncation: None,
        }
    }
}

impl Delimiters {
    /// Reads MSH-1 and MSH-2 from the start of a message (`text` begins with `MSH`).
    /// Returns the delimiters and the byte length of `MSH|^~\&` (where MSH-3 starts).
    pub fn from_header(text: &[u8], offset: usize) -> Result<(Self, usize), ParseError> {
        let bad = |detail: &'static str| {
            ParseError::at(ParseErrorKind::BadDelimiters(detail), offset).in_field("MSH", 1, 2)
        };
        let field = *text
            .get(3)
            .ok_or_else(|| bad("the message ends inside MSH"))?;
        if !usable(field) {
            return Err(bad("MSH-1 is not a printable, non-alphanumeric character"));
        }
        let rest = text.get(4..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|&b| b == field || b == b'\r' || b == b'\n')
            .unwrap_or(rest.len());
        let chars = rest.get(..end).unwrap_or_default();
        if chars.len() < 4 {
            return Err(bad(
                "MSH-2 must list 4 characters (component, repetition, escape, subcomponent)",
            ));
        }
        if chars.len() > 5 {
            return Err(bad("MSH-2 lists more than 5 characters"));
        }
        if !chars.iter().all(|&b| usable(b)) {
            return Err(bad(
                "MSH-2 holds a letter, digit, space or control character",
            ));
        }
        let mut seen = vec![field];
        for &c in chars {
            if seen.contains(&c) {
                return Err(bad("MSH-2 repeats a delimiter (or repeats MSH-1)"));
            }
            seen.push(c);
        }
        let [component, repetition, escape, subcomponent] =
            [0, 1, 2, 3].map(|i| chars.get(i).copied().unwrap_or_default());
        Ok((
            Self {
                field,
                component,
                repetition,
                escape,
                subcomponent,
                truncation: chars.get(4).copied(),
            },
            4 + chars.len(),
        ))
    }

    /// MSH-2 as written.
    pub fn encoding_characters(&self) -> String {
        let mut s: String = [
            self.component,
            self.repetition,
            self.escape,
            self.subcomponent,
        ]
        .iter()
        .map(|&b| char::from(b))
        .collect();
        if let Some(t) = self.truncation {
            s.push(char::from(t));
        }
        s
    }

    /// Whether `byte` is one of the separators (not counting the escape character).
    pub fn is_separator(&self, byte: u8) -> bool {
        byte == self.field
            || byte == self.component
            || byte == self.repetition
            || byte == self.subcomponent
            || Some(byte) == self.truncation
    }
}

fn usable(b: u8) -> bool {
    b.is_ascii_graphic() && !b.is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_standard_set_reads() {
        let (d, len) = Delimiters::from_header(b"MSH|^~\\&|APP", 0).unwrap();
        assert_eq!(d, Delimiters::default());
        assert_eq!(len, 8);
        assert_eq!(d.encoding_characters(), "^~\\&");
    }

    #[test]
    fn a_truncation_character_is_accepted() {
        let (d, len) = Delimiters::from_header(b"MSH|^~\\&#|APP", 0).unwrap();
        assert_eq!(d.truncation, Some(b'#'));
        assert_eq!(len, 9);
    }

    #[test]
    fn repeated_short_or_alphanumeric_sets_are_refused() {
        for bad in [
            &b"MSH|^~\\\\&|A"[..],
            b"MSH|^~\\|A",
            b"MSH|^~A&|A",
            b"MSH|^~\\|&|",
            b"MSH",
            b"MSHA^~\\&",
        ] {
            let error = Delimiters::from_header(bad, 0).unwrap_err();
            assert!(
                matches!(error.kind, ParseErrorKind::BadDelimiters(_)),
                "{error}"
            );
        }
    }
}
