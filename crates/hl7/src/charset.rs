//! Bytes to text. UTF-8 (ASCII included) is read as is; a message whose MSH-18 declares
//! ISO 8859-1 (`8859/1`) is decoded as Latin-1, since many EMRs still send it. Anything else
//! that is not UTF-8 is refused with the offset of the first bad byte.

use std::borrow::Cow;

use crate::error::{ParseError, ParseErrorKind};

pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(error) if declares_latin1(bytes) => {
            let _ = error;
            Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
        }
        Err(error) => Err(ParseError::at(ParseErrorKind::NotUtf8, error.valid_up_to())),
    }
}

/// Whether the first line's MSH-18 is `8859/1` (read from bytes: the text is not yet known
/// to be UTF-8).
fn declares_latin1(bytes: &[u8]) -> bool {
    let Some(field) = bytes.get(3).copied() else {
        return false;
    };
    if !bytes.starts_with(b"MSH") {
        return false;
    }
    let line_end = memchr::memchr2(b'\r', b'\n', bytes).unwrap_or(bytes.len());
    let line = bytes.get(..line_end).unwrap_or_default();
    // Split index 17 is MSH-18 (MSH-1 is the separator itself).
    line.split(|&b| b == field).nth(17).is_some_and(|value| {
        value
            .split(|b| !b.is_ascii_alphanumeric() && *b != b'/')
            .next()
            == Some(b"8859/1")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn latin1_is_decoded_only_when_declared() {
        let mut declared =
            b"MSH|^~\\&|A|B|C|D|2026||ADT^A08|1|P|2.5||||||8859/1\rPID|1||M||Mu".to_vec();
        declared.extend([0xF1, b'o', b'z']);
        assert!(decode(&declared).unwrap().ends_with("Muñoz"));
        let mut undeclared = b"MSH|^~\\&|A\rPID|1||M||Mu".to_vec();
        undeclared.push(0xF1);
        let error = decode(&undeclared).unwrap_err();
        assert_eq!(
            (error.kind, error.offset),
            (ParseErrorKind::NotUtf8, undeclared.len() - 1)
        );
    }
}
