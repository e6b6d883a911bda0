//! A position in a message, written `PID-3`, `FT1-20.1`, `IN1-49[2].1.1` or `ZTM[2]-4`: the
//! notation of channel files and of the ERR segment's error location.

use std::fmt;
use std::str::FromStr;

/// Segment (and which occurrence), field, repetition, component, subcomponent; all 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub segment: String,
    pub occurrence: usize,
    pub field: usize,
    pub repetition: usize,
    pub component: usize,
    pub subcomponent: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a location like PID-3, FT1-20.1 or IN1-49[2].1: {reason}")]
pub struct LocationError {
    pub text: String,
    pub reason: &'static str,
}

impl Location {
    pub fn field(segment: &str, field: usize) -> Self {
        Self {
            segment: segment.to_owned(),
            occurrence: 1,
            field,
            repetition: 1,
            component: 1,
            subcomponent: 1,
        }
    }

    pub fn with_component(mut self, component: usize) -> Self {
        self.component = component;
        self
    }
}

impl FromStr for Location {
    type Err = LocationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason| LocationError {
            text: text.to_owned(),
            reason,
        };
        let (segment_part, rest) = text
            .split_once('-')
            .ok_or_else(|| fail("no `-` after the segment id"))?;
        let (segment, occurrence) = bracketed(segment_part).ok_or_else(|| fail("a bad [n]"))?;
        let valid_id = segment.len() == 3
            && segment
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && segment
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_uppercase());
        if !valid_id {
            return Err(fail("the segment id must be three capitals or digits"));
        }
        let mut parts = rest.split('.');
        let (field, repetition) =
            bracketed(parts.next().unwrap_or_default()).ok_or_else(|| fail("a bad [n]"))?;
        let number = |piece: Option<&str>| -> Result<usize, LocationError> {
            match piece {
                None => Ok(1),
                Some(p) => p
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| fail("positions are numbers from 1")),
            }
        };
        let field = number(Some(field))?;
        let component = number(parts.next())?;
        let subcomponent = number(parts.next())?;
        if parts.next().is_some() {
            return Err(fail("more than field.component.subcomponent"));
        }
        Ok(Self {
            segment: segment.to_owned(),
            occurrence,
            field,
            repetition,
            component,
            subcomponent,
        })
    }
}

/// `ABC[2]` → (`ABC`, 2); `ABC` → (`ABC`, 1).
fn bracketed(text: &str) -> Option<(&str, usize)> {
    match text.split_once('[') {
        None => Some((text, 1)),
        Some((head, tail)) => {
            let n = tail
                .strip_suffix(']')?
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)?;
            Some((head, n))
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.segment)?;
        if self.occurrence > 1 {
            write!(f, "[{}]", self.occurrence)?;
        }
        write!(f, "-{}", self.field)?;
        if self.repetition > 1 {
            write!(f, "[{}]", self.repetition)?;
        }
        if self.component > 1 || self.subcomponent > 1 {
            write!(f, ".{}", self.component)?;
        }
        if self.subcomponent > 1 {
            write!(f, ".{}", self.subcomponent)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn locations_read_and_print_back() {
        for text in ["PID-3", "FT1-20.2", "IN1-49[2]", "ZTM[2]-4.2.3", "PR1-7"] {
            let location: Location = text.parse().unwrap();
            assert_eq!(location.to_string(), text);
        }
        let l: Location = "IN1-49[2].1.3".parse().unwrap();
        assert_eq!(
            (l.field, l.repetition, l.component, l.subcomponent),
            (49, 2, 1, 3)
        );
    }

    #[test]
    fn bad_locations_say_why() {
        for text in [
            "PID",
            "pid-3",
            "PID-0",
            "PID-3.x",
            "PID-3.1.1.1",
            "PID[0]-3",
            "PIDX-1",
        ] {
            assert!(text.parse::<Location>().is_err(), "{text}");
        }
    }
}
