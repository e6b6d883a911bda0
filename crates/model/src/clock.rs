//! Wall-clock times of day for documented start and stop times.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::error::CodeError;

/// A time of day to the minute, written `HH:MM` (24-hour). Seconds, when an EMR sends them,
/// are accepted and dropped: billing counts whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// Minutes since midnight.
    pub fn minute_of_day(self) -> u16 {
        self.0
    }

    /// Minutes from `self` to `later`, or `None` when `later` is not after `self`.
    pub fn minutes_until(self, later: Self) -> Option<u32> {
        later
            .0
            .checked_sub(self.0)
            .filter(|m| *m > 0)
            .map(u32::from)
    }
}

impl FromStr for ClockTime {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<Self, CodeError> {
        let reject = || CodeError::new("time of day", text, "expected `HH:MM` (24-hour)");
        let mut parts = text.split(':');
        let mut field = |max: u16| -> Result<u16, CodeError> {
            let part = parts.next().ok_or_else(reject)?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(reject());
            }
            part.parse::<u16>()
                .ok()
                .filter(|v| *v <= max)
                .ok_or_else(reject)
        };
        let hours = field(23)?;
        let minutes = field(59)?;
        match parts.next() {
            None => {}
            Some(seconds) if seconds.len() == 2 && seconds.parse::<u8>().is_ok_and(|s| s < 60) => {}
            Some(_) => return Err(reject()),
        }
        if parts.next().is_some() {
            return Err(reject());
        }
        Ok(Self(hours * 60 + minutes))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClockVisitor;
        impl de::Visitor<'_> for ClockVisitor {
            type Value = ClockTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a time of day `HH:MM`")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<ClockTime, E> {
                value.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(ClockVisitor)
    }
}

impl JsonSchema for ClockTime {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ClockTime")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
            "description": "a time of day, `HH:MM` 24-hour",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_measures_intervals() {
        let start: ClockTime = "09:05".parse().unwrap();
        let stop: ClockTime = "09:52:30".parse().unwrap();
        assert_eq!(start.minutes_until(stop), Some(47));
        assert_eq!(stop.minutes_until(start), None);
        assert_eq!(start.to_string(), "09:05");
        for bad in [
            "9:05",
            "24:00",
            "09:60",
            "09:05:61",
            "09",
            "09:05:00:00",
            "",
        ] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad} accepted");
        }
    }
}
