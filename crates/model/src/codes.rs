//! Validated code newtypes: procedure codes, modifiers, ICD-10-CM, NPI, place of service.
//!
//! Each type can only hold a value that passed its check, so the engine never re-validates.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::error::CodeError;

/// Implements `Display`, serde (as a JSON string) and a JSON Schema with a pattern for a code
/// newtype that has `as_str` and `FromStr<Err = CodeError>`.
macro_rules! string_code {
    ($ty:ident, $pattern:literal, $description:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct CodeVisitor;
                impl de::Visitor<'_> for CodeVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($description)
                    }
                    fn visit_str<E: de::Error>(self, value: &str) -> Result<$ty, E> {
                        value.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(CodeVisitor)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($ty))
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": $description,
                })
            }
        }
    };
}

fn ascii_str(bytes: &[u8]) -> &str {
    // INVARIANT: every constructor below admits ASCII only, so this never falls back.
    std::str::from_utf8(bytes).unwrap_or("")
}

/// A HCPCS code: Level I (CPT, five digits, or four digits and F/T/U) or Level II
/// (a letter A-V and four digits). SV1-01-2 on an 837P (X12 005010X222A1 loop 2400).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode([u8; 5]);

impl ProcedureCode {
    /// The code as written on a claim.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }
}

impl FromStr for ProcedureCode {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        let bytes: [u8; 5] = text
            .as_bytes()
            .try_into()
            .map_err(|_| CodeError::new("procedure code", text, "must be 5 characters"))?;
        let [first, middle @ .., last] = bytes;
        let middle_digits = middle.iter().all(u8::is_ascii_digit);
        let level_one = first.is_ascii_digit()
            && middle_digits
            && (last.is_ascii_digit() || matches!(last, b'F' | b'T' | b'U'));
        let level_two = (b'A'..=b'V').contains(&first) && middle_digits && last.is_ascii_digit();
        if level_one || level_two {
            Ok(Self(bytes))
        } else {
            Err(CodeError::new(
                "procedure code",
                text,
                "expected a CPT code (5 digits, or 4 digits and F/T/U) or a HCPCS Level II code (letter A-V and 4 digits)",
            ))
        }
    }
}

string_code!(
    ProcedureCode,
    "^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$",
    "a CPT or HCPCS Level II code such as `97110` or `G0283`"
);

/// A two-character procedure modifier (SV1-01-3 to SV1-01-6), upper-case letters and digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Modifier([u8; 2]);

impl Modifier {
    /// Builds a modifier from a literal known to be valid; for the engine's own constants.
    pub const fn from_static(code: &'static [u8; 2]) -> Self {
        Self(*code)
    }

    /// The modifier as written on a claim.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }
}

impl FromStr for Modifier {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        match text.as_bytes() {
            &[a, b]
                if [a, b]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
            {
                Ok(Self([a, b]))
            }
            _ => Err(CodeError::new(
                "modifier",
                text,
                "must be 2 upper-case letters or digits",
            )),
        }
    }
}

string_code!(
    Modifier,
    "^[A-Z0-9]{2}$",
    "a two-character procedure modifier such as `GP` or `59`"
);

/// An ICD-10-CM diagnosis code, stored without its dot (HI01-2 on an 837P writes it that way).
/// Accepted with or without the dot: a letter, a digit, a letter or digit, then up to four more.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Icd10Cm {
    bytes: [u8; 7],
    len: u8,
}

impl Icd10Cm {
    /// The code without its dot, as an 837P HI segment carries it.
    pub fn as_str(&self) -> &str {
        ascii_str(self.as_bytes())
    }

    /// The code without its dot, as ASCII bytes: for matching prefixes without the UTF-8
    /// check a `&str` costs.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The three-character category (`M54` for `M54.50`), the root of the ICD-10 hierarchy.
    pub fn category(&self) -> &str {
        ascii_str(self.bytes.get(..3).unwrap_or_default())
    }

    /// The code with its dot after the category, as clinicians write it.
    pub fn dotted(&self) -> String {
        let text = self.as_str();
        match text.split_at_checked(3) {
            Some((category, rest)) if !rest.is_empty() => format!("{category}.{rest}"),
            _ => text.to_owned(),
        }
    }
}

impl FromStr for Icd10Cm {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        let reject = |why| CodeError::new("ICD-10-CM code", text, why);
        let mut bytes = [0u8; 7];
        let mut len = 0usize;
        for (position, byte) in text.bytes().enumerate() {
            if byte == b'.' {
                if position != 3 {
                    return Err(reject("the dot may only follow the 3-character category"));
                }
                continue;
            }
            let slot = bytes
                .get_mut(len)
                .ok_or_else(|| reject("must be 3 to 7 characters without the dot"))?;
            *slot = byte;
            len += 1;
        }
        let shape_ok = match bytes.get(..len) {
            Some([first, second, third, rest @ ..]) => {
                first.is_ascii_uppercase()
                    && second.is_ascii_digit()
                    && (third.is_ascii_digit() || third.is_ascii_uppercase())
                    && rest
                        .iter()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            }
            _ => false,
        };
        if !shape_ok || text.ends_with('.') {
            return Err(reject(
                "expected a letter, a digit, a letter or digit, then up to 4 letters or digits (e.g. `M54.50`)",
            ));
        }
        Ok(Self {
            bytes,
            len: u8::try_from(len).unwrap_or(7),
        })
    }
}

string_code!(
    Icd10Cm,
    "^[A-Z][0-9][0-9A-Z](\\.?[0-9A-Z]{1,4})?$",
    "an ICD-10-CM code such as `M54.50` (the dot is optional)"
);

/// A National Provider Identifier: ten digits whose last is a Luhn check digit computed with
/// the `80840` prefix (45 CFR 162.406; CMS "Requirements for the NPI check digit").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Npi([u8; 10]);

impl Npi {
    /// The ten digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The NPI whose first nine digits are `identifier` (taken modulo 10^9) and whose tenth is
    /// the check digit; the first digit is forced to 1, as CMS issues them.
    pub fn with_check_digit(identifier: u32) -> Self {
        let mut digits = [b'0'; 10];
        let body = 100_000_000 + identifier % 100_000_000;
        for (slot, power) in digits.iter_mut().zip((0..9).rev()) {
            // Each digit is a value below 10, so the cast cannot truncate.
            *slot = b'0' + u8::try_from(body / 10u32.pow(power) % 10).unwrap_or(0);
        }
        let check = (0..10u8)
            .map(|d| {
                let mut candidate = digits;
                if let Some(last) = candidate.last_mut() {
                    *last = b'0' + d;
                }
                candidate
            })
            .find(npi_check_digit_ok)
            .unwrap_or(digits);
        Self(check)
    }
}

fn npi_check_digit_ok(digits: &[u8; 10]) -> bool {
    // Luhn over "80840" + the first nine digits, doubling every second digit from the right of
    // the payload; the constant 24 is the contribution of the 80840 prefix.
    let mut sum = 24u32;
    for (index, digit) in digits.iter().take(9).rev().enumerate() {
        let value = u32::from(digit - b'0');
        sum += if index % 2 == 0 {
            let doubled = value * 2;
            doubled / 10 + doubled % 10
        } else {
            value
        };
    }
    let check = (10 - sum % 10) % 10;
    digits.get(9).map(|d| u32::from(d - b'0')) == Some(check)
}

impl FromStr for Npi {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        let digits: [u8; 10] = text
            .as_bytes()
            .try_into()
            .ok()
            .filter(|d: &[u8; 10]| d.iter().all(u8::is_ascii_digit))
            .ok_or_else(|| CodeError::new("NPI", text, "must be exactly 10 digits"))?;
        if npi_check_digit_ok(&digits) {
            Ok(Self(digits))
        } else {
            Err(CodeError::new(
                "NPI",
                text,
                "fails the NPI check digit (Luhn with prefix 80840)",
            ))
        }
    }
}

string_code!(
    Npi,
    "^[0-9]{10}$",
    "a 10-digit National Provider Identifier with a valid check digit"
);

/// A CMS place-of-service code (two digits, 01-99), CLM05-1 on an 837P.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceOfService([u8; 2]);

impl PlaceOfService {
    /// POS 02: telehealth provided other than in the patient's home.
    pub const TELEHEALTH_OTHER: Self = Self(*b"02");
    /// POS 10: telehealth provided in the patient's home (from 2022; Medicare pays it from 2024).
    pub const TELEHEALTH_HOME: Self = Self(*b"10");
    /// POS 11: office.
    pub const OFFICE: Self = Self(*b"11");

    /// The two digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// Whether this is one of the telehealth places of service (02 or 10).
    pub fn is_telehealth(self) -> bool {
        self == Self::TELEHEALTH_HOME || self == Self::TELEHEALTH_OTHER
    }
}

impl FromStr for PlaceOfService {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        match text.as_bytes() {
            &[a, b] if a.is_ascii_digit() && b.is_ascii_digit() && [a, b] != *b"00" => {
                Ok(Self([a, b]))
            }
            _ => Err(CodeError::new(
                "place of service",
                text,
                "must be two digits from 01 to 99",
            )),
        }
    }
}

string_code!(
    PlaceOfService,
    "^(0[1-9]|[1-9][0-9])$",
    "a two-digit CMS place-of-service code such as `11` (office)"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_codes_accept_cpt_category_ii_iii_and_level_two() {
        for good in ["97110", "0019T", "1125F", "G0283", "V5008"] {
            assert_eq!(good.parse::<ProcedureCode>().unwrap().as_str(), good);
        }
        for bad in ["9711", "971100", "97x10", "W1234", "g0283", "", "97110 "] {
            let err = bad.parse::<ProcedureCode>().unwrap_err();
            assert!(err.to_string().contains("procedure code"), "{err}");
        }
    }

    #[test]
    fn icd10_accepts_dotted_and_undotted_and_keeps_the_category() {
        let code: Icd10Cm = "M54.50".parse().unwrap();
        assert_eq!(code.as_str(), "M5450");
        assert_eq!(code.dotted(), "M54.50");
        assert_eq!(code.category(), "M54");
        assert_eq!("S83511A".parse::<Icd10Cm>().unwrap().dotted(), "S83.511A");
        assert_eq!("R26".parse::<Icd10Cm>().unwrap().dotted(), "R26");
        for bad in ["M5", "M54.", "M5.45", "5M4", "M54.501234", "m54.5", "M54-5"] {
            assert!(bad.parse::<Icd10Cm>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn npi_check_digit_is_enforced() {
        // 1234567893 is the worked example in the CMS NPI check-digit document.
        assert!("1234567893".parse::<Npi>().is_ok());
        let err = "1234567890".parse::<Npi>().unwrap_err();
        assert!(err.to_string().contains("check digit"), "{err}");
        assert!("12345".parse::<Npi>().is_err());
        assert_eq!(Npi::with_check_digit(23_456_789).as_str(), "1234567893");
        for identifier in [0, 1, 99_999_999, 7_654_321] {
            let npi = Npi::with_check_digit(identifier);
            assert_eq!(npi.as_str().parse::<Npi>().unwrap(), npi);
        }
    }

    #[test]
    fn modifiers_and_pos_reject_garbage() {
        assert!("GP".parse::<Modifier>().is_ok());
        assert!("gp".parse::<Modifier>().is_err());
        assert!("G".parse::<Modifier>().is_err());
        assert!("10".parse::<PlaceOfService>().unwrap().is_telehealth());
        assert!("00".parse::<PlaceOfService>().is_err());
        assert!("1".parse::<PlaceOfService>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn code_parsers_never_panic(text in "\\PC{0,12}") {
            let _ = text.parse::<ProcedureCode>();
            let _ = text.parse::<Icd10Cm>();
            let _ = text.parse::<Npi>();
            let _ = text.parse::<Modifier>();
            let _ = text.parse::<PlaceOfService>();
        }
    }
}
