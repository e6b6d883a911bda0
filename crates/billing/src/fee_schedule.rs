//! A fee schedule: the allowed amount per unit of a code (and modifier) for a year, in one
//! locality. Medicare's KX threshold and the targeted review amount count *incurred
//! expenses*, the allowed amounts, not what the clinic charges (SSA §1833(g), BBA 2018
//! §50202); with a fee schedule the engine counts those, without one the billed charges, and
//! the KX explanation says which.
//!
//! Format (CSV with this header; one locality per file, as a clinic bills from one):
//!
//! ```text
//! year,locality,code,modifier,allowed
//! 2025,01102,97110,,31.25
//! 2025,01102,97110,CQ,26.56
//! ```
//!
//! `allowed` is dollars per unit, as the CMS physician fee schedule look-up and its locality
//! files publish it (the non-facility amount is the one for a private practice). A row with a
//! modifier is used for lines that carry it; CQ and CO lines without one are paid at 85% of
//! the code's amount (SSA §1834(v)(1), from 2022).

use std::collections::HashMap;

use cleanclaim_model::{Cents, Modifier, ProcedureCode};

use crate::error::DataError;

const HEADER: [&str; 5] = ["year", "locality", "code", "modifier", "allowed"];

/// Allowed amounts per unit, keyed by year, code and modifier (none = the code's own).
#[derive(Debug, Clone, Default)]
pub struct FeeSchedule {
    locality: String,
    fees: HashMap<(i32, ProcedureCode, Option<Modifier>), Cents>,
}

/// From 2022 a CQ/CO line is paid 85% of the fee (SSA §1834(v)(1)).
const ASSISTANT_DIFFERENTIAL_FROM: i32 = 2022;

impl FeeSchedule {
    /// Parses the CSV; `file` names it in errors. The whole file is checked before it is used.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, DataError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let line_error = |line: u64, reason: String| DataError::Line {
            file: file.to_owned(),
            line: usize::try_from(line).unwrap_or(usize::MAX),
            reason,
        };
        let headers = reader
            .headers()
            .map_err(|err| line_error(1, format!("not CSV: {err}")))?;
        let found: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        if found != HEADER {
            return Err(line_error(
                1,
                format!(
                    "the header must be `{}`, not `{}`",
                    HEADER.join(","),
                    found.join(",")
                ),
            ));
        }
        let mut schedule = Self::default();
        for record in reader.records() {
            let record = record.map_err(|err| {
                line_error(
                    err.position().map_or(0, csv::Position::line),
                    format!("not CSV: {err}"),
                )
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let bad = |reason: String| line_error(line, reason);
            let cell = |at: usize| record.get(at).unwrap_or("").trim();
            let year: i32 = cell(0)
                .parse()
                .ok()
                .filter(|year| (1990..=2100).contains(year))
                .ok_or_else(|| bad(format!("year `{}` is not a year", cell(0))))?;
            let locality = cell(1);
            if schedule.locality.is_empty() {
                schedule.locality = locality.to_owned();
            } else if schedule.locality != locality {
                return Err(bad(format!(
                    "locality `{locality}` differs from `{}`: one file holds one locality",
                    schedule.locality
                )));
            }
            let code: ProcedureCode = cell(2)
                .parse()
                .map_err(|err| bad(format!("code `{}`: {err}", cell(2))))?;
            let modifier: Option<Modifier> = match cell(3) {
                "" => None,
                text => Some(
                    text.parse()
                        .map_err(|err| bad(format!("modifier `{text}`: {err}")))?,
                ),
            };
            let allowed = Cents::parse_dollars(cell(4)).ok_or_else(|| {
                bad(format!(
                    "allowed amount `{}` is not dollars (e.g. 31.25)",
                    cell(4)
                ))
            })?;
            if schedule
                .fees
                .insert((year, code, modifier), allowed)
                .is_some()
            {
                return Err(bad(format!(
                    "{year} {code} {} is listed twice",
                    modifier.map_or_else(|| "(no modifier)".to_owned(), |m| m.to_string())
                )));
            }
        }
        if schedule.fees.is_empty() {
            return Err(DataError::invalid(file, "the fee schedule has no rows"));
        }
        Ok(schedule)
    }

    /// The locality the amounts are for.
    pub fn locality(&self) -> &str {
        &self.locality
    }

    /// The allowed amount per unit of a line in `year`: its modifiers' own row first, then
    /// the code's (at 85% for a CQ/CO line from 2022); none when the code is not listed.
    pub fn per_unit(
        &self,
        year: i32,
        code: ProcedureCode,
        modifiers: &[Modifier],
        assistant: bool,
    ) -> Option<Cents> {
        if let Some(own) = modifiers
            .iter()
            .find_map(|m| self.fees.get(&(year, code, Some(*m))))
        {
            return Some(*own);
        }
        let fee = *self.fees.get(&(year, code, None))?;
        if assistant && year >= ASSISTANT_DIFFERENTIAL_FROM {
            // 85%, rounded to the nearest cent.
            return Some(Cents(fee.0.saturating_mul(85).saturating_add(50) / 100));
        }
        Some(fee)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "year,locality,code,modifier,allowed\n2025,01102,97110,,31.25\n2025,01102,97112,,35.00\n2025,01102,97112,CQ,30.00\n";

    fn code(text: &str) -> ProcedureCode {
        text.parse().unwrap()
    }

    #[test]
    fn rows_are_found_by_year_code_and_modifier() {
        let schedule = FeeSchedule::parse("fees.csv", SAMPLE.as_bytes()).unwrap();
        assert_eq!(schedule.locality(), "01102");
        assert_eq!(
            schedule.per_unit(2025, code("97110"), &[], false),
            Some(Cents(3125))
        );
        // No CQ row for 97110: 85% of 31.25 = 26.5625, to the cent.
        let cq: Modifier = "CQ".parse().unwrap();
        assert_eq!(
            schedule.per_unit(2025, code("97110"), &[cq], true),
            Some(Cents(2656))
        );
        assert_eq!(
            schedule.per_unit(2025, code("97112"), &[cq], true),
            Some(Cents(3000))
        );
        assert_eq!(schedule.per_unit(2024, code("97110"), &[], false), None);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        for (text, expected) in [
            (
                "year,locality,code,modifier,allowed\n2025,01102,97110,,31.2.5\n",
                "line 2: allowed amount `31.2.5`",
            ),
            (
                "year,locality,code,modifier,allowed\n2025,01102,97110,,1\n2025,99999,97112,,1\n",
                "line 3: locality `99999`",
            ),
            (
                "year,locality,code,modifier,allowed\n2025,01102,97110,,1\n2025,01102,97110,,2\n",
                "line 3: 2025 97110 (no modifier) is listed twice",
            ),
            ("code,allowed\n97110,1\n", "line 1: the header must be"),
        ] {
            let err = FeeSchedule::parse("fees.csv", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
