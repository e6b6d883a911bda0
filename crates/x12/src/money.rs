//! X12 decimal amounts (type R) to and from integer cents.

use cleanclaim_model::Cents;

/// `"12.25"` → 1225, `"500"` → 50000, `"-5.5"` → -550. `None` for anything that is not a
/// decimal with at most two fraction digits.
#[inline]
pub fn parse_cents(text: &str) -> Option<Cents> {
    // One pass over the bytes: amounts are in every claim, line and adjustment of an 835.
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut value: i64 = 0;
    let mut any_digit = false;
    // `None` before the decimal point, then how many fraction digits have been read.
    let mut fraction: Option<u32> = None;
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                if let Some(read) = fraction {
                    if read == 2 {
                        return None;
                    }
                    fraction = Some(read + 1);
                }
                value = value.checked_mul(10)?.checked_add(i64::from(byte - b'0'))?;
                any_digit = true;
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
    }
    if !any_digit {
        return None;
    }
    let scale = match fraction.unwrap_or(0) {
        0 => 100,
        1 => 10,
        _ => 1,
    };
    let cents = value.checked_mul(scale)?;
    Some(Cents(if negative { -cents } else { cents }))
}

/// Cents as an X12 decimal with no trailing zeros after the point (`1225` → `12.25`,
/// `5000` → `50`, `550` → `5.5`), as the guides recommend to keep files short.
pub fn format_cents(Cents(cents): Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let (whole, fraction) = (abs / 100, abs % 100);
    match fraction {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_trip_through_x12_decimals() {
        for (text, cents) in [
            ("12.25", 1225),
            ("500", 50000),
            ("-5.5", -550),
            (".05", 5),
            ("0", 0),
        ] {
            assert_eq!(parse_cents(text), Some(Cents(cents)), "{text}");
        }
        for cents in [0, 5, 50, 1225, 50000, -550, 123_456_789] {
            assert_eq!(parse_cents(&format_cents(Cents(cents))), Some(Cents(cents)));
        }
        assert_eq!(format_cents(Cents(5000)), "50");
        assert_eq!(parse_cents("5."), Some(Cents(500)));
        for bad in [
            "1.234",
            "",
            ".",
            "-",
            "1.2.3",
            "12a",
            "+5",
            "9999999999999999999",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
    }
}
