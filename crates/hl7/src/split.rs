//! A file of several messages: each starts at a line beginning with `MSH`. Batch envelopes
//! (FHS, BHS, BTS, FTS) are read past.

use crate::error::{ParseError, ParseErrorKind};

const ENVELOPE: [&[u8]; 4] = [b"FHS", b"BHS", b"BTS", b"FTS"];

/// Each message's byte offset and text. Text before the first MSH that is not blank or a
/// batch envelope is an error at its offset.
pub fn split_messages(text: &str) -> Result<Vec<(usize, &str)>, ParseError> {
    let bytes = text.as_bytes();
    let mut messages = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut pos = usize::from(text.starts_with('\u{feff}')) * 3;
    while pos < bytes.len() {
        let rest = bytes.get(pos..).unwrap_or_default();
        let len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        let line = rest.get(..len).unwrap_or_default();
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if line.starts_with(b"MSH") {
            if let Some(done) = current.take() {
                messages.push(done);
            }
            current = Some((pos, pos + len));
        } else if ENVELOPE.iter().any(|e| line.starts_with(e)) {
            if let Some(done) = current.take() {
                messages.push(done);
            }
        } else if let Some((_, end)) = current.as_mut() {
            if !blank {
                *end = pos + len;
            }
        } else if !blank {
            return Err(ParseError::at(ParseErrorKind::NoHeader, pos));
        }
        pos += len + 1;
    }
    messages.extend(current);
    if messages.is_empty() {
        return Err(ParseError::at(ParseErrorKind::Empty, 0));
    }
    Ok(messages
        .into_iter()
        .map(|(start, end)| (start, text.get(start..end).unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn messages_split_at_msh_past_blank_lines_and_batch_envelopes() {
        let text = "\u{feff}FHS|^~\\&\nBHS|^~\\&\nMSH|^~\\&|A\nPID|1\n\nMSH|^~\\&|B\r\nPID|2\r\nBTS|2\nFTS|1\n";
        let messages = split_messages(text).unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].1, "MSH|^~\\&|A\nPID|1");
        assert_eq!(messages[1].1, "MSH|^~\\&|B\r\nPID|2");
    }

    #[test]
    fn text_before_the_first_header_is_refused() {
        let error = split_messages("hello\nMSH|^~\\&|A").unwrap_err();
        assert_eq!((error.kind, error.offset), (ParseErrorKind::NoHeader, 0));
        assert_eq!(
            split_messages("\n\n").unwrap_err().kind,
            ParseErrorKind::Empty
        );
    }
}
