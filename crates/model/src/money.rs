//! Money as integer cents; never floating point.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An amount of US money in cents. Arithmetic saturates rather than wrapping, because a
/// year-to-date total is compared with a threshold and must never turn negative.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// Integer cents only: `46.00` is refused with a word on what to send (`4600`) instead of
/// serde's "invalid type: floating point", and is never rounded into money.
impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CentsVisitor;

        impl serde::de::Visitor<'_> for CentsVisitor {
            type Value = Cents;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in integer cents (4600 for $46.00)")
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Cents, E> {
                Ok(Cents(value))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Cents, E> {
                i64::try_from(value)
                    .map(Cents)
                    .map_err(|_| E::custom("the amount is too large for cents"))
            }

            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Cents, E> {
                Err(E::custom(
                    "amounts are integer cents, not dollars with a decimal point (4600 for $46.00)",
                ))
            }

            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Cents, E> {
                Err(E::custom(
                    "amounts are integer cents as a JSON number, not a string (4600 for $46.00)",
                ))
            }
        }

        deserializer.deserialize_i64(CentsVisitor)
    }
}

impl Cents {
    /// Zero dollars.
    pub const ZERO: Self = Self(0);

    /// The amount as a plain decimal (`46.00`, `-0.05`): what [`Cents::parse_dollars`] reads
    /// back for amounts of zero or more, and what interfaces and exports write.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// A decimal dollar amount as senders write it (`46`, `46.5`, `46.00`), checked: digits,
    /// at most two decimals, no sign, no exponent, and no more than fits in cents. Interfaces
    /// (HL7 CP, CSV exports) use it; the native format takes integer cents only.
    pub fn parse_dollars(text: &str) -> Option<Self> {
        let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
            return None;
        }
        let dollars: i64 = whole.parse().ok()?;
        let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
        dollars.checked_mul(100)?.checked_add(cents).map(Self)
    }

    /// `self` times a unit count.
    pub fn times(self, units: u32) -> Self {
        Self(self.0.saturating_mul(i64::from(units)))
    }

    /// `self + other`, or `None` past what cents can hold: for amounts read from a file,
    /// where an overflow means the file is wrong and must be said so, not clamped.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self - other`, or `None` past what cents can hold.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// The sum of untrusted amounts, or `None` when it would overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
        amounts
            .into_iter()
            .try_fold(Self::ZERO, |sum, amount| sum.checked_add(amount))
    }

    /// `a - b - c...` in 128 bits, clamped to cents: a balance of a payer's amounts that can
    /// neither overflow nor wrap to a balanced-looking zero.
    pub fn wide_difference(minuend: Self, subtrahends: impl IntoIterator<Item = Self>) -> Self {
        let wide = subtrahends
            .into_iter()
            .fold(i128::from(minuend.0), |rest, amount| {
                rest - i128::from(amount.0)
            });
        Self(i64::try_from(wide).unwrap_or(if wide > 0 { i64::MAX } else { i64::MIN }))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl Sub for Cents {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl Neg for Cents {
    type Output = Self;
    fn neg(self) -> Self {
        Self(self.0.saturating_neg())
    }
}

impl AddAssign for Cents {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl Add for Cents {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimal = self.decimal();
        match decimal.strip_prefix('-') {
            Some(magnitude) => write!(f, "-${magnitude}"),
            None => write!(f, "${decimal}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_dollars_and_saturates() {
        assert_eq!(Cents(233_000).to_string(), "$2330.00");
        assert_eq!(Cents(-5).to_string(), "-$0.05");
        assert_eq!(
            (Cents(4600).decimal(), Cents(-5).decimal()),
            ("46.00".into(), "-0.05".into())
        );
        assert_eq!(
            Cents::parse_dollars(&Cents(123_456).decimal()),
            Some(Cents(123_456))
        );
        assert_eq!(Cents(i64::MAX) + Cents(1), Cents(i64::MAX));
        assert_eq!(Cents(1250).times(3), Cents(3750));
    }

    #[test]
    fn checked_arithmetic_refuses_overflow_and_wide_balances_clamp() {
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_sub(Cents(1)), None);
        assert_eq!(Cents::checked_sum([Cents(5), Cents(7)]), Some(Cents(12)));
        assert_eq!(Cents::checked_sum([Cents(i64::MAX), Cents(1)]), None);
        // i64::MAX - (-1) - (-1) does not wrap to a small number.
        assert_eq!(
            Cents::wide_difference(Cents(i64::MAX), [Cents(-1), Cents(-1)]),
            Cents(i64::MAX)
        );
        assert_eq!(
            Cents::wide_difference(Cents(100), [Cents(60), Cents(40)]),
            Cents::ZERO
        );
        assert_eq!(-Cents(i64::MIN), Cents(i64::MAX));
        assert_eq!(Cents(5) - Cents(7), Cents(-2));
    }

    #[test]
    fn dollar_text_is_read_exactly_or_refused() {
        assert_eq!(Cents::parse_dollars("46.00"), Some(Cents(4600)));
        assert_eq!(Cents::parse_dollars("46.5"), Some(Cents(4650)));
        assert_eq!(Cents::parse_dollars(" 46 "), Some(Cents(4600)));
        for bad in [
            "",
            ".5",
            "-1",
            "4.999",
            "1e3",
            "46,00",
            "92233720368547758.08",
            "abc",
        ] {
            assert_eq!(Cents::parse_dollars(bad), None, "{bad}");
        }
    }
}
