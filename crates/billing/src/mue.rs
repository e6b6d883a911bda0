//! CMS medically unlikely edits (MUE): the most units of a code one provider reports for one
//! patient on one date of service. Read from the CMS practitioner services MUE table in its
//! published CSV layout: a few lines of notice text, then the header
//! `HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale`,
//! then one row per code. The adjudication indicator (MAI) is written as its number and name,
//! e.g. `3 Date of Service Edit: Clinical`.

use std::collections::HashMap;

use cleanclaim_model::ProcedureCode;

use crate::error::DataError;

/// How the MUE is applied (the MAI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjudication {
    /// MAI 1: per claim line.
    Line,
    /// MAI 2: per date of service, by policy; cannot be appealed.
    DatePolicy,
    /// MAI 3: per date of service, clinical; can be appealed with documentation.
    DateClinical,
}

impl Adjudication {
    /// The indicator's number and meaning.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Line => "MAI 1, claim line edit",
            Self::DatePolicy => "MAI 2, date of service edit: policy",
            Self::DateClinical => "MAI 3, date of service edit: clinical",
        }
    }
}

/// One code's MUE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mue {
    pub units: u32,
    pub adjudication: Adjudication,
}

/// The MUE table.
#[derive(Debug, Clone, Default)]
pub struct MueTable {
    edits: HashMap<ProcedureCode, Mue>,
    file: String,
}

const HEADER_FIRST_CELL: &str = "HCPCS/CPT Code";

impl MueTable {
    /// The therapy sample shipped in the binary (values from the reference notes; replace
    /// with the current quarter's CMS file).
    pub fn builtin_sample() -> Result<Self, DataError> {
        Self::parse(
            "data/mue-therapy-sample.csv",
            include_bytes!("../data/mue-therapy-sample.csv"),
        )
    }

    /// Parses a CMS practitioner MUE CSV; `file` names it in errors.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, DataError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut edits = HashMap::new();
        let mut header_seen = false;
        for record in reader.records() {
            let line = |record: &csv::StringRecord| {
                record
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
            };
            let record = record.map_err(|err| DataError::Line {
                file: file.to_owned(),
                line: err
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX)),
                reason: format!("not CSV: {err}"),
            })?;
            let first = record.get(0).unwrap_or("").trim();
            if !header_seen {
                header_seen = first.eq_ignore_ascii_case(HEADER_FIRST_CELL);
                continue;
            }
            if first.is_empty() {
                continue;
            }
            let bad = |reason: String| DataError::Line {
                file: file.to_owned(),
                line: line(&record),
                reason,
            };
            let code: ProcedureCode = first
                .parse()
                .map_err(|err| bad(format!("code `{first}`: {err}")))?;
            let units_text = record.get(1).unwrap_or("").trim();
            let units: u32 = units_text
                .parse()
                .map_err(|_| bad(format!("MUE value `{units_text}` is not a whole number")))?;
            let mai_text = record.get(2).unwrap_or("").trim();
            let adjudication = match mai_text.chars().next() {
                Some('1') => Adjudication::Line,
                Some('2') => Adjudication::DatePolicy,
                Some('3') => Adjudication::DateClinical,
                _ => {
                    return Err(bad(format!(
                        "adjudication indicator `{mai_text}` is not 1, 2 or 3"
                    )));
                }
            };
            if edits
                .insert(
                    code,
                    Mue {
                        units,
                        adjudication,
                    },
                )
                .is_some()
            {
                return Err(bad(format!("{code} is listed twice")));
            }
        }
        if !header_seen {
            return Err(DataError::invalid(
                file,
                format!(
                    "no `{HEADER_FIRST_CELL},...` header row: not a CMS practitioner MUE table"
                ),
            ));
        }
        Ok(Self {
            edits,
            file: file.to_owned(),
        })
    }

    /// The MUE of a code, if it has one.
    pub fn get(&self, code: ProcedureCode) -> Option<Mue> {
        self.edits.get(&code).copied()
    }

    /// The file the table came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// How many codes have an MUE.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cms_layout_is_read_after_its_notice_lines() {
        let text = "\"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\"\n\
                    HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n\
                    97035,2,3 Date of Service Edit: Clinical,Clinical: Data\n\
                    \"92526\",\"1\",\"2 Date of Service Edit: Policy\",\"Nature of Service/Procedure\"\n";
        let table = MueTable::parse("mue.csv", text.as_bytes()).unwrap();
        assert_eq!(
            table.get("97035".parse().unwrap()),
            Some(Mue {
                units: 2,
                adjudication: Adjudication::DateClinical
            })
        );
        assert_eq!(table.get("92526".parse().unwrap()).unwrap().units, 1);
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let text = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n97035,two,3\n";
        let err = MueTable::parse("mue.csv", text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mue.csv, line 2: MUE value `two` is not a whole number"
        );
        let err = MueTable::parse("mue.csv", b"97035,2,3\n").unwrap_err();
        assert!(err.to_string().contains("not a CMS practitioner MUE table"));
    }

    #[test]
    fn the_builtin_sample_loads() {
        assert!(MueTable::builtin_sample().unwrap().len() >= 9);
    }
}
