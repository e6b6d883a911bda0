//! CSV exports: one row per procedure line, the rows of one visit grouped by visit id. The
//! column names are ours (docs/interfaces.md lists them); a mapping file renames them for a
//! clinic whose export calls them something else, and says the separator (`,` or `;`), the
//! date format (`%m/%d/%Y` for Excel-style exports) and the default clinic. A byte-order mark
//! is skipped. Every row that cannot be read is reported (row, column, reason) and its whole
//! visit is left out; the visits that read are imported.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use cleanclaim_model::{Cents, Encounter, parse_encounter};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// How a clinic's export is laid out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    /// The field separator: `,` (default), `;` or a tab.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// The date format of every date column (chrono's syntax; default `%Y-%m-%d`).
    #[serde(default = "default_date_format")]
    pub date_format: String,
    /// The clinic of rows with no `location` column (or an empty one).
    #[serde(default)]
    pub clinic: Option<String>,
    /// What separates several diagnoses or modifiers in one cell (default a space).
    #[serde(default = "default_list_separator")]
    pub list_separator: char,
    /// Our column name to the export's header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl Default for CsvMapping {
    fn default() -> Self {
        Self {
            delimiter: default_delimiter(),
            date_format: default_date_format(),
            clinic: None,
            list_separator: default_list_separator(),
            columns: BTreeMap::new(),
        }
    }
}

fn default_delimiter() -> char {
    ','
}
fn default_date_format() -> String {
    "%Y-%m-%d".into()
}
fn default_list_separator() -> char {
    ' '
}

/// The columns, in the order docs/interfaces.md lists them; `true` for required ones.
pub const COLUMNS: [(&str, bool); 37] = [
    ("visit_id", true),
    ("date_of_service", true),
    ("discipline", true),
    ("visit_type", false),
    ("location", false),
    ("scheduled_by", false),
    ("patient_id", true),
    ("patient_family", true),
    ("patient_given", true),
    ("birth_date", true),
    ("sex", true),
    ("address_line1", false),
    ("address_line2", false),
    ("city", false),
    ("state", false),
    ("zip", false),
    ("payer_id", true),
    ("payer_name", true),
    ("plan", true),
    ("member_id", true),
    ("authorization", false),
    ("diagnoses", true),
    ("rendering_npi", false),
    ("rendering_role", false),
    ("rendering_family", false),
    ("rendering_given", false),
    ("supervising_npi", false),
    ("supervising_family", false),
    ("supervising_given", false),
    ("referring_npi", false),
    ("referring_family", false),
    ("referring_given", false),
    ("place_of_service", false),
    ("code", true),
    ("minutes", false),
    ("modifiers", false),
    ("charge", false),
];

/// A row (or a whole visit) left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// 1-based line of the file (the header is line 1).
    pub row: u64,
    /// The column, as the export names it, when one is at fault.
    pub column: Option<String>,
    pub reason: String,
}

/// What a file gave.
#[derive(Debug, Default)]
pub struct CsvImport {
    /// The visits that read, each with the rows it came from.
    pub encounters: Vec<(Encounter, Vec<u64>)>,
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("the mapping: {0}")]
    Mapping(String),
    #[error("the header (line 1): {0}")]
    Header(String),
}

impl CsvMapping {
    pub fn from_toml(text: &str) -> Result<Self, CsvError> {
        let mapping: Self = toml::from_str(text).map_err(|e| CsvError::Mapping(e.to_string()))?;
        for ours in mapping.columns.keys() {
            if !COLUMNS.iter().any(|(name, _)| name == ours) {
                return Err(CsvError::Mapping(format!(
                    "`{ours}` is not one of cleanclaim's columns"
                )));
            }
        }
        if !mapping.delimiter.is_ascii() {
            return Err(CsvError::Mapping(
                "the delimiter must be one ASCII character".into(),
            ));
        }
        Ok(mapping)
    }

    fn header_of<'a>(&'a self, ours: &'a str) -> &'a str {
        self.columns.get(ours).map_or(ours, String::as_str)
    }
}

/// One row's cells by our column names.
struct Row {
    line: u64,
    cells: HashMap<&'static str, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", |s| s.trim())
    }
}

impl CsvImport {
    /// Reads a whole export.
    pub fn read(text: &str, mapping: &CsvMapping) -> Result<Self, CsvError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(u8::try_from(mapping.delimiter).unwrap_or(b','))
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| CsvError::Header(e.to_string()))?
            .clone();
        let mut index: HashMap<&'static str, usize> = HashMap::new();
        for (ours, required) in COLUMNS {
            let theirs = mapping.header_of(ours);
            match headers.iter().position(|h| h.trim() == theirs) {
                Some(i) => {
                    index.insert(ours, i);
                }
                None if required && !(ours == "location" && mapping.clinic.is_some()) => {
                    return Err(CsvError::Header(format!(
                        "no `{theirs}` column (cleanclaim's `{ours}`)"
                    )));
                }
                None => {}
            }
        }
        let mut import = Self::default();
        let mut visits: Vec<(String, Vec<Row>)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 2;
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    import.rejected.push(RejectedRow {
                        row: line,
                        column: None,
                        reason: format!(
                            "not readable as CSV: {}",
                            first_clause(&error.to_string())
                        ),
                    });
                    continue;
                }
            };
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            if record.len() != headers.len() {
                import.rejected.push(RejectedRow {
                    row: line,
                    column: None,
                    reason: format!(
                        "{} cells where the header has {}",
                        record.len(),
                        headers.len()
                    ),
                });
                continue;
            }
            let cells = index
                .iter()
                .map(|(&ours, &i)| (ours, record.get(i).unwrap_or_default().to_owned()))
                .collect();
            let row = Row { line, cells };
            let visit = row.get("visit_id").to_owned();
            if visit.is_empty() {
                import.rejected.push(RejectedRow {
                    row: line,
                    column: Some(mapping.header_of("visit_id").to_owned()),
                    reason: "empty".into(),
                });
                continue;
            }
            let slot = *position.entry(visit.clone()).or_insert_with(|| {
                visits.push((visit, Vec::new()));
                visits.len() - 1
            });
            if let Some((_, rows)) = visits.get_mut(slot) {
                rows.push(row);
            }
        }
        for (visit, rows) in visits {
            match visit_of(&visit, &rows, mapping) {
                Ok(encounter) => import
                    .encounters
                    .push((encounter, rows.iter().map(|r| r.line).collect())),
                Err(mut rejected) => import.rejected.append(&mut rejected),
            }
        }
        import.rejected.sort_by_key(|r| r.row);
        Ok(import)
    }
}

fn first_clause(text: &str) -> String {
    text.split(':').next().unwrap_or(text).to_owned()
}

/// The columns that may differ between the rows of one visit (one procedure line each); every
/// other column belongs to the visit and must agree on all its rows.
const LINE_COLUMNS: [&str; 5] = ["visit_id", "code", "minutes", "modifiers", "charge"];

fn visit_of(
    visit: &str,
    rows: &[Row],
    mapping: &CsvMapping,
) -> Result<Encounter, Vec<RejectedRow>> {
    let mut rejected = Vec::new();
    let Some(first) = rows.first() else {
        return Err(rejected);
    };
    let fault = |row: u64, column: &str, reason: String| RejectedRow {
        row,
        column: Some(mapping.header_of(column).to_owned()),
        reason,
    };
    // Visit-level cells must agree on every row of the visit.
    for row in rows.iter().skip(1) {
        for (column, _) in COLUMNS.iter().filter(|(c, _)| !LINE_COLUMNS.contains(c)) {
            if !row.get(column).is_empty() && row.get(column) != first.get(column) {
                rejected.push(fault(
                    row.line,
                    column,
                    format!("differs from line {} of the same visit", first.line),
                ));
            }
        }
    }
    let date = |row: &Row, column: &str, rejected: &mut Vec<RejectedRow>| -> Option<String> {
        let cell = row.get(column);
        if cell.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(cell, &mapping.date_format) {
            Ok(day) => Some(day.to_string()),
            Err(_) => {
                rejected.push(fault(
                    row.line,
                    column,
                    format!("not a date in the format {}", mapping.date_format),
                ));
                None
            }
        }
    };
    let dos = date(first, "date_of_service", &mut rejected);
    let birth = date(first, "birth_date", &mut rejected);
    let list = |cell: &str| -> Vec<String> {
        cell.split(mapping.list_separator)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut lines = Vec::new();
    for row in rows {
        let mut line = Map::new();
        line.insert("code".into(), json!(row.get("code")));
        if !row.get("minutes").is_empty() {
            match row.get("minutes").parse::<u32>() {
                Ok(m) => {
                    line.insert("minutes".into(), json!(m));
                }
                Err(_) => rejected.push(fault(
                    row.line,
                    "minutes",
                    "not a whole number of minutes".into(),
                )),
            }
        }
        let modifiers = list(row.get("modifiers"));
        if !modifiers.is_empty() {
            line.insert("modifiers".into(), json!(modifiers));
        }
        if !row.get("charge").is_empty() {
            match Cents::parse_dollars(row.get("charge").trim_start_matches('$')) {
                Some(cents) => {
                    line.insert("charge_per_unit".into(), json!(cents.0));
                }
                None => rejected.push(fault(
                    row.line,
                    "charge",
                    "not an amount in dollars (like 46.00)".into(),
                )),
            }
        }
        lines.push(Value::Object(line));
    }
    let text = |column: &str| first.get(column).to_owned();
    let mut patient = json!({"id": text("patient_id"), "name": {"family": text("patient_family"), "given": text("patient_given")}, "birth_date": birth, "sex": text("sex")});
    if !text("address_line1").is_empty() {
        let mut address = json!({"line1": text("address_line1"), "city": text("city"), "state": text("state"), "zip": text("zip")});
        if !text("address_line2").is_empty() {
            put(&mut address, "line2", json!(text("address_line2")));
        }
        put(&mut patient, "address", address);
    }
    let location = if text("location").is_empty() {
        mapping.clinic.clone().unwrap_or_default()
    } else {
        text("location")
    };
    let mut administrative = json!({
        "payer": {"id": text("payer_id"), "name": text("payer_name"), "plan": text("plan")},
        "member_id": text("member_id"),
        "place_of_service": if text("place_of_service").is_empty() { "11".to_owned() } else { text("place_of_service") },
    });
    if !location.is_empty() {
        put(&mut administrative, "location", json!(location));
    }
    if !text("scheduled_by").is_empty() {
        put(
            &mut administrative,
            "scheduled_by",
            json!(text("scheduled_by")),
        );
    }
    if !text("authorization").is_empty() {
        put(
            &mut administrative,
            "authorization",
            json!(text("authorization")),
        );
    }
    if !text("referring_npi").is_empty() {
        let mut referrer = json!({"npi": text("referring_npi")});
        if !text("referring_family").is_empty() {
            put(
                &mut referrer,
                "name",
                json!({"family": text("referring_family"), "given": text("referring_given")}),
            );
        }
        put(&mut administrative, "referring_provider", referrer);
    }
    let mut compliance = json!({});
    if !text("rendering_npi").is_empty() {
        let mut rendering = json!({"npi": text("rendering_npi"), "role": text("rendering_role")});
        if !text("rendering_family").is_empty() {
            put(
                &mut rendering,
                "name",
                json!({"family": text("rendering_family"), "given": text("rendering_given")}),
            );
        }
        if !text("supervising_npi").is_empty() {
            put(
                &mut rendering,
                "supervising_npi",
                json!(text("supervising_npi")),
            );
        }
        if !text("supervising_family").is_empty() {
            put(
                &mut rendering,
                "supervising_name",
                json!({"family": text("supervising_family"), "given": text("supervising_given")}),
            );
        }
        put(&mut compliance, "rendering", rendering);
    }
    if !rejected.is_empty() {
        return Err(rejected);
    }
    let record = json!({
        "id": visit,
        "date_of_service": dos,
        "discipline": text("discipline"),
        "patient": patient,
        "clinical": {"diagnoses": list(&text("diagnoses")), "visit_type": if text("visit_type").is_empty() { "treatment".to_owned() } else { text("visit_type") }},
        "timing": {"lines": lines},
        "administrative": administrative,
        "compliance": compliance,
    });
    parse_encounter(&record.to_string()).map_err(|error| {
        let (row, column) = column_of(error.path(), rows);
        vec![RejectedRow {
            row,
            column: column.map(|c| mapping.header_of(c).to_owned()),
            reason: error.to_string(),
        }]
    })
}

/// Sets `key` of a JSON object (the values built here are all objects).
fn put(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

/// The row and column an encounter JSON path came from.
fn column_of(path: &str, rows: &[Row]) -> (u64, Option<&'static str>) {
    let first = rows.first().map_or(0, |r| r.line);
    let line_row = |path: &str| -> u64 {
        path.strip_prefix("timing.lines[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| rows.get(i))
            .map_or(first, |r| r.line)
    };
    let column = match path {
        p if p.starts_with("timing.lines") && p.contains("modifiers") => Some("modifiers"),
        p if p.starts_with("timing.lines") && p.contains("minutes") => Some("minutes"),
        p if p.starts_with("timing.lines") && p.contains("code") => Some("code"),
        p if p.starts_with("timing.lines") && p.contains("charge") => Some("charge"),
        "discipline" => Some("discipline"),
        "clinical.visit_type" => Some("visit_type"),
        p if p.starts_with("clinical.diagnoses") => Some("diagnoses"),
        "patient.sex" => Some("sex"),
        "patient.birth_date" => Some("birth_date"),
        p if p.starts_with("patient.address") => Some("address_line1"),
        "administrative.payer.plan" => Some("plan"),
        "administrative.member_id" => Some("member_id"),
        p if p.starts_with("administrative.referring_provider") => Some("referring_npi"),
        "compliance.rendering.role" => Some("rendering_role"),
        p if p.starts_with("compliance.rendering") => Some("rendering_npi"),
        "id" => Some("visit_id"),
        _ => None,
    };
    (line_row(path), column)
}
