//! X12 decimal amounts (type R) to and from integer cents.

/// `"12.25"` → 1225, `"500"` → 50000, `"-5.5"` → -550. `None` for anything that is not a
/// decimal with at most two fraction digits.
pub fn parse_cents(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if (whole.is_empty() && fraction.is_empty())
        || fraction.len() > 2
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}

/// Cents as an X12 decimal with no trailing zeros after the point (`1225` → `12.25`,
/// `5000` → `50`, `550` → `5.5`), as the guides recommend to keep files short.
pub fn format_cents(cents: i64) -> String {
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
            assert_eq!(parse_cents(text), Some(cents), "{text}");
        }
        for cents in [0, 5, 50, 1225, 50000, -550, 123_456_789] {
            assert_eq!(parse_cents(&format_cents(cents)), Some(cents));
        }
        assert_eq!(format_cents(5000), "50");
        assert_eq!(parse_cents("1.234"), None);
        assert_eq!(parse_cents(""), None);
    }
}
