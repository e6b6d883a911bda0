//! NCCI procedure-to-procedure (PTP) edits, read from a file in the CMS practitioner PTP
//! layout so a user can drop in the current quarter's file.
//!
//! Layout (CMS "Medicare NCCI PTP edits", tab-delimited text, Latin-1): a few header lines,
//! then one edit per line: Column 1, Column 2, `*` if in existence prior to 1996, effective
//! date (YYYYMMDD), deletion date (YYYYMMDD or `*` for none), modifier indicator (0 = not
//! allowed, 1 = allowed, 9 = not applicable), rationale.

use chrono::NaiveDate;
use cleanclaim_model::ProcedureCode;

use crate::error::DataError;

/// Whether an NCCI-associated modifier can bypass an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifierIndicator {
    /// 0: the column 2 code is never paid with the column 1 code.
    NotAllowed,
    /// 1: a modifier (59, XE/XS/XP/XU) bypasses the edit when documentation supports it.
    Allowed,
    /// 9: the edit does not apply.
    NotApplicable,
}

/// One PTP edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtpEdit {
    pub column1: ProcedureCode,
    pub column2: ProcedureCode,
    pub effective: NaiveDate,
    pub deleted: Option<NaiveDate>,
    pub indicator: ModifierIndicator,
    pub rationale: String,
}

impl PtpEdit {
    /// Whether the edit applies on a date of service: from its effective date until (not
    /// including) its deletion date.
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.effective <= date && self.deleted.is_none_or(|deleted| date < deleted)
    }
}

/// PTP edits sorted by (column 2, column 1) so that the edits a billed code is column 2 of are
/// found by binary search.
#[derive(Debug, Clone, Default)]
pub struct PtpTable {
    edits: Vec<PtpEdit>,
    source: String,
}

const NOT_PTP: &str = "not a CMS NCCI PTP edit file (the practitioner layout: tab-delimited text, a `Column 1`/`Column 2` header, then one edit per line)";

/// The CMS header row: `Column 1<TAB>Column 2<TAB>...` (some quarters write `Column1`).
fn is_header(fields: &[&str]) -> bool {
    let normal = |f: &&str| f.trim().to_ascii_lowercase().replace(' ', "");
    fields.first().map(normal).as_deref() == Some("column1")
        && fields.get(1).map(normal).as_deref() == Some("column2")
}

fn parse_date(field: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(field.trim(), "%Y%m%d").ok()
}

impl PtpTable {
    /// The therapy sample shipped with cleanclaim (not the full CMS file).
    pub fn builtin_sample() -> Result<Self, DataError> {
        Self::parse(
            "data/ncci-ptp-therapy-sample.txt",
            include_bytes!("../data/ncci-ptp-therapy-sample.txt"),
        )
    }

    /// Parses a file in the CMS PTP layout; `file` names it in errors. Lines before the first
    /// edit are headers; after it, every non-blank line must be an edit.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, DataError> {
        // CMS publishes the text files in Latin-1, where every byte is one character.
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        let mut edits = Vec::new();
        let mut header_seen = false;
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let fields: Vec<&str> = line.split('\t').collect();
            let first_is_code = fields
                .first()
                .is_some_and(|f| f.trim().parse::<ProcedureCode>().is_ok());
            if edits.is_empty() && !first_is_code {
                header_seen |= is_header(&fields);
                continue;
            }
            // Any other file (JSON, CSV, the MUE table) would otherwise read as a table with
            // no pairs and silently turn every NCCI edit off.
            if !header_seen {
                return Err(DataError::invalid(
                    file,
                    format!(
                        "line {line_no}: an edit before the `Column 1<TAB>Column 2<TAB>...` header row: {NOT_PTP}"
                    ),
                ));
            }
            if line.trim().is_empty() {
                continue;
            }
            let fail = |reason: String| DataError::Line {
                file: file.to_owned(),
                line: line_no,
                reason,
            };
            let field = |n: usize, name: &str| {
                fields
                    .get(n)
                    .map(|f| f.trim())
                    .ok_or_else(|| fail(format!("missing field {} ({name})", n + 1)))
            };
            let code = |n: usize, name: &str| {
                let value = field(n, name)?;
                value
                    .parse::<ProcedureCode>()
                    .map_err(|e| fail(format!("field {} ({name}): {e}", n + 1)))
            };
            let column1 = code(0, "column 1")?;
            let column2 = code(1, "column 2")?;
            let effective_text = field(3, "effective date")?;
            let effective = parse_date(effective_text).ok_or_else(|| {
                fail(format!(
                    "field 4 (effective date): `{effective_text}` is not YYYYMMDD"
                ))
            })?;
            let deleted = match field(4, "deletion date")? {
                "*" | "" => None,
                other => Some(parse_date(other).ok_or_else(|| {
                    fail(format!(
                        "field 5 (deletion date): `{other}` is not YYYYMMDD or `*`"
                    ))
                })?),
            };
            let indicator = match field(5, "modifier indicator")? {
                "0" => ModifierIndicator::NotAllowed,
                "1" => ModifierIndicator::Allowed,
                "9" => ModifierIndicator::NotApplicable,
                other => {
                    return Err(fail(format!(
                        "field 6 (modifier indicator): `{other}` is not 0, 1 or 9"
                    )));
                }
            };
            let rationale = fields
                .get(6)
                .map(|f| f.trim().to_owned())
                .unwrap_or_default();
            edits.push(PtpEdit {
                column1,
                column2,
                effective,
                deleted,
                indicator,
                rationale,
            });
        }
        if !header_seen {
            return Err(DataError::invalid(
                file,
                format!("no `Column 1<TAB>Column 2<TAB>...` header row: {NOT_PTP}"),
            ));
        }
        if edits.is_empty() {
            return Err(DataError::invalid(
                file,
                format!("a header and no edits: {NOT_PTP}"),
            ));
        }
        edits.sort_by_key(|edit| (edit.column2, edit.column1, edit.effective));
        Ok(Self {
            edits,
            source: file.to_owned(),
        })
    }

    /// The active edit where `column2` is denied when billed with `column1` on `date`.
    pub fn edit(
        &self,
        column1: ProcedureCode,
        column2: ProcedureCode,
        date: NaiveDate,
    ) -> Option<&PtpEdit> {
        let start = self
            .edits
            .partition_point(|e| (e.column2, e.column1) < (column2, column1));
        self.edits
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|e| e.column2 == column2 && e.column1 == column1)
            .find(|e| e.active_on(date))
    }

    /// The number of edits loaded.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// Whether no edits are loaded.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The file the edits came from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn sample_loads_and_finds_pairs_by_date() {
        let table = PtpTable::builtin_sample().unwrap();
        assert_eq!(table.len(), 7);
        let edit = table
            .edit(
                "97530".parse().unwrap(),
                "97140".parse().unwrap(),
                date("2024-05-01"),
            )
            .unwrap();
        assert_eq!(edit.indicator, ModifierIndicator::Allowed);
        assert!(
            table
                .edit(
                    "97530".parse().unwrap(),
                    "97140".parse().unwrap(),
                    date("2019-12-31")
                )
                .is_none()
        );
        assert!(
            table
                .edit(
                    "97140".parse().unwrap(),
                    "97530".parse().unwrap(),
                    date("2024-05-01")
                )
                .is_none()
        );
    }

    #[test]
    fn deletion_dates_end_an_edit() {
        let text = b"Column 1\tColumn 2\n97530\t97140\t\t20200101\t20200401\t1\tx\n";
        let table = PtpTable::parse("f.txt", text).unwrap();
        let (a, b) = ("97530".parse().unwrap(), "97140".parse().unwrap());
        assert!(table.edit(a, b, date("2020-03-31")).is_some());
        assert!(table.edit(a, b, date("2020-04-01")).is_none());
    }

    #[test]
    fn malformed_lines_name_the_file_line_and_field() {
        let cases: [(&[u8], &str); 3] = [
            (
                b"Column 1\tColumn 2\n97530\t97140\t\t2020-01-01\t*\t1\tx\n",
                "f.txt, line 2: field 4 (effective date): `2020-01-01` is not YYYYMMDD",
            ),
            (
                b"Column 1\tColumn 2\n97530\t97140\t\t20200101\t*\t1\tx\n97530\t9714\t\t20200101\t*\t1\tx\n",
                "f.txt, line 3: field 2 (column 2): invalid procedure code `9714`: must be 5 characters",
            ),
            (
                b"Column1\tColumn2\n97530\t97140\t\t20200101\t*\t2\tx\n",
                "f.txt, line 2: field 6 (modifier indicator): `2` is not 0, 1 or 9",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                PtpTable::parse("f.txt", text).unwrap_err().to_string(),
                expected
            );
        }
    }

    /// Regression (issue 11): JSON, CSV, an empty file or the MUE table used to load as a
    /// table with no pairs, turning every NCCI edit off without a word.
    #[test]
    fn a_file_in_another_layout_is_refused() {
        let cases: [&[u8]; 5] = [
            b"",
            b"{\"pairs\": []}\n",
            b"column1,column2,effective\n97530,97140,20200101\n",
            b"97530\t97140\t\t20200101\t*\t1\tx\n",
            b"Column 1\tColumn 2\tx\n",
        ];
        for text in cases {
            let error = PtpTable::parse("f.txt", text).unwrap_err().to_string();
            assert!(error.contains("not a CMS NCCI PTP edit file"), "{error}");
        }
    }
}
