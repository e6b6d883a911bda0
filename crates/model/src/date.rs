//! Dates in the encounter format are `YYYY-MM-DD`, exactly. chrono alone also reads
//! `2026-3-9`, which an EMR export with a wrong date format would slip through; and a
//! `03/09/2026` must be told what is expected. The value itself is never repeated in the
//! error: a birth date is PHI.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, de};

/// Reads a required date.
pub(crate) fn strict<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = Cow::<'de, str>::deserialize(deserializer)?;
    parse(&text).map_err(de::Error::custom)
}

/// Reads an optional date (`null` or absent is `None`).
pub(crate) fn strict_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<Cow<'de, str>>::deserialize(deserializer)? {
        Some(text) => parse(&text).map(Some).map_err(de::Error::custom),
        None => Ok(None),
    }
}

fn parse(text: &str) -> Result<NaiveDate, &'static str> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err("expected a date as YYYY-MM-DD (four-digit year, two-digit month and day)");
    }
    // The shape is checked, so each part is digits; parsed by hand because chrono's
    // format-string parser costs more than the rest of the record's dates together.
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|digits| digits.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let year = i32::try_from(number(0..4)).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
        .ok_or("not a calendar date (YYYY-MM-DD): the month or day is out of range")
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_zero_padded_iso_dates_are_read() {
        assert_eq!(
            parse("2026-03-09").ok(),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 9)
        );
        for bad in [
            "2026-3-9",
            "03/09/2026",
            "20260309",
            "2026-03-9",
            " 2026-03-09",
        ] {
            assert!(parse(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
        assert!(
            parse("2026-02-30")
                .unwrap_err()
                .contains("not a calendar date")
        );
    }
}
