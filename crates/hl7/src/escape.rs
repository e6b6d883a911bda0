//! HL7 escape sequences: decoded once, after splitting; written for every delimiter in data.
//!
//! Decoded: `\F\ \S\ \T\ \R\ \E\` (the delimiters), `\Xhh..\` (hex bytes, kept when they are
//! UTF-8), `\.br\` (a line break in formatted text). `\H\` and `\N\` (highlighting) are
//! dropped. Anything else (`\Zxx\`, `\.sp\`, an unterminated escape) passes through as
//! written: a receiver must not lose text it does not understand. Sequences never nest.

use std::borrow::Cow;

use crate::Delimiters;

/// The text of a raw field, component or subcomponent, with escape sequences decoded.
pub fn unescape<'a>(raw: &'a str, delimiters: &Delimiters) -> Cow<'a, str> {
    let esc = delimiters.escape;
    if !raw.as_bytes().contains(&esc) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.bytes().position(|b| b == esc) {
        let (before, from_escape) = rest.split_at(start);
        out.push_str(before);
        let body_and_rest = from_escape.get(1..).unwrap_or_default();
        let Some(end) = body_and_rest.bytes().position(|b| b == esc) else {
            out.push_str(from_escape);
            return Cow::Owned(out);
        };
        let (body, after) = body_and_rest.split_at(end);
        match decode_sequence(body, delimiters) {
            Some(decoded) => out.push_str(&decoded),
            None => {
                out.push(char::from(esc));
                out.push_str(body);
                out.push(char::from(esc));
            }
        }
        rest = after.get(1..).unwrap_or_default();
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn decode_sequence(body: &str, d: &Delimiters) -> Option<Cow<'static, str>> {
    let delimiter = |b: u8| Some(Cow::Owned(char::from(b).to_string()));
    match body {
        "F" => delimiter(d.field),
        "S" => delimiter(d.component),
        "T" => delimiter(d.subcomponent),
        "R" => delimiter(d.repetition),
        "E" => delimiter(d.escape),
        "P" => d.truncation.and_then(delimiter),
        ".br" => Some(Cow::Borrowed("\n")),
        "H" | "N" => Some(Cow::Borrowed("")),
        _ => {
            let hex = body.strip_prefix('X')?;
            if hex.is_empty() || hex.len() % 2 != 0 {
                return None;
            }
            let bytes = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            String::from_utf8(bytes).ok().map(Cow::Owned)
        }
    }
}

/// `text` with every delimiter escaped, and line breaks written as `\X0D\` / `\X0A\` (a raw
/// CR would start a new segment).
pub fn escape<'a>(text: &'a str, d: &Delimiters) -> Cow<'a, str> {
    let special = |b: u8| d.is_separator(b) || b == d.escape || b == b'\r' || b == b'\n';
    if !text.bytes().any(special) {
        return Cow::Borrowed(text);
    }
    let esc = char::from(d.escape);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let sequence = match u8::try_from(c) {
            Ok(b) if b == d.field => Some("F"),
            Ok(b) if b == d.component => Some("S"),
            Ok(b) if b == d.subcomponent => Some("T"),
            Ok(b) if b == d.repetition => Some("R"),
            Ok(b) if b == d.escape => Some("E"),
            Ok(b) if Some(b) == d.truncation => Some("P"),
            Ok(b'\r') => Some("X0D"),
            Ok(b'\n') => Some("X0A"),
            _ => None,
        };
        match sequence {
            Some(s) => {
                out.push(esc);
                out.push_str(s);
                out.push(esc);
            }
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> Delimiters {
        Delimiters::default()
    }

    #[test]
    fn delimiter_sequences_decode() {
        assert_eq!(unescape(r"Isaac\S\2", &d()), "Isaac^2");
        assert_eq!(unescape(r"a\F\b\T\c\R\d\E\e", &d()), r"a|b&c~d\e");
        assert_eq!(unescape(r"line\.br\next", &d()), "line\nnext");
        assert_eq!(unescape(r"\H\bold\N\", &d()), "bold");
        assert_eq!(unescape(r"caf\XC3A9\", &d()), "café");
    }

    #[test]
    fn unknown_and_unterminated_sequences_pass_through() {
        assert_eq!(unescape(r"\Zfoo\ x", &d()), r"\Zfoo\ x");
        assert_eq!(unescape(r"half \F", &d()), r"half \F");
        assert_eq!(unescape(r"\X0\", &d()), r"\X0\");
        assert_eq!(unescape(r"\XFF\", &d()), r"\XFF\");
    }

    #[test]
    fn escaping_round_trips() {
        for text in ["plain", "a|b^c~d\\e&f", "two\r\nlines", "é|"] {
            let escaped = escape(text, &d());
            assert!(
                !escaped.contains(['|', '^', '~', '&', '\r', '\n']),
                "{escaped}"
            );
            assert_eq!(unescape(&escaped, &d()), text);
        }
    }
}
