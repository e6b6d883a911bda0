//! Visits as the CSV export [`crate::CsvImport`] reads with the default mapping: one row per
//! procedure line, our column names, dates as `YYYY-MM-DD`, lists separated by spaces. What the
//! export has no column for (minutes split by who furnished them, start and stop times, plans
//! of care, progress reports, goals) is not written: a clinic sends those another way.

use cleanclaim_model::Encounter;
use serde_json::Value;

use crate::csv_import::COLUMNS;

/// The header and the rows of `encounters`.
pub fn csv_for(encounters: &[Encounter]) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to memory fails only if a record's length differs, which cannot happen here.
    let _ = writer.write_record(COLUMNS.iter().map(|(name, _)| *name));
    for encounter in encounters {
        let record = serde_json::to_value(encounter).unwrap_or(Value::Null);
        let visit: Vec<String> = COLUMNS
            .iter()
            .map(|(column, _)| visit_cell(&record, column))
            .collect();
        for line in encounter.timing.lines.iter() {
            let row = COLUMNS
                .iter()
                .zip(&visit)
                .map(|((column, _), cell)| match *column {
                    "code" => line.code.as_str().to_owned(),
                    "minutes" => line.minutes.map(|m| m.to_string()).unwrap_or_default(),
                    "modifiers" => line
                        .modifiers
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    "charge" => line
                        .charge_per_unit
                        .map(cleanclaim_model::Cents::decimal)
                        .unwrap_or_default(),
                    _ => cell.clone(),
                });
            let _ = writer.write_record(row.collect::<Vec<String>>());
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A visit-level cell, read from the native record so that codes are spelled as it spells them.
fn visit_cell(record: &Value, column: &str) -> String {
    let at = |path: &[&str]| -> String {
        let mut value = record;
        for key in path {
            match value.get(key) {
                Some(next) => value = next,
                None => return String::new(),
            }
        }
        match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => String::new(),
        }
    };
    match column {
        "visit_id" => at(&["id"]),
        "date_of_service" => at(&["date_of_service"]),
        "discipline" => at(&["discipline"]),
        "visit_type" => at(&["clinical", "visit_type"]),
        "location" => at(&["administrative", "location"]),
        "scheduled_by" => at(&["administrative", "scheduled_by"]),
        "patient_id" => at(&["patient", "id"]),
        "patient_family" => at(&["patient", "name", "family"]),
        "patient_given" => at(&["patient", "name", "given"]),
        "birth_date" => at(&["patient", "birth_date"]),
        "sex" => at(&["patient", "sex"]),
        "address_line1" => at(&["patient", "address", "line1"]),
        "address_line2" => at(&["patient", "address", "line2"]),
        "city" => at(&["patient", "address", "city"]),
        "state" => at(&["patient", "address", "state"]),
        "zip" => at(&["patient", "address", "zip"]),
        "payer_id" => at(&["administrative", "payer", "id"]),
        "payer_name" => at(&["administrative", "payer", "name"]),
        "plan" => at(&["administrative", "payer", "plan"]),
        "member_id" => at(&["administrative", "member_id"]),
        "authorization" => at(&["administrative", "authorization"]),
        "diagnoses" => record
            .pointer("/clinical/diagnoses")
            .and_then(Value::as_array)
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
        "rendering_npi" => at(&["compliance", "rendering", "npi"]),
        "rendering_role" => at(&["compliance", "rendering", "role"]),
        "rendering_family" => at(&["compliance", "rendering", "name", "family"]),
        "rendering_given" => at(&["compliance", "rendering", "name", "given"]),
        "supervising_npi" => at(&["compliance", "rendering", "supervising_npi"]),
        "supervising_family" => at(&["compliance", "rendering", "supervising_name", "family"]),
        "supervising_given" => at(&["compliance", "rendering", "supervising_name", "given"]),
        "referring_npi" => at(&["administrative", "referring_provider", "npi"]),
        "referring_family" => at(&["administrative", "referring_provider", "name", "family"]),
        "referring_given" => at(&["administrative", "referring_provider", "name", "given"]),
        "place_of_service" => at(&["administrative", "place_of_service"]),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::{CsvImport, CsvMapping};

    #[test]
    fn generated_visits_read_back_with_what_the_export_carries() {
        let mut visits: Vec<Encounter> = cleanclaim_synth::Generator::new(3).take(300).collect();
        for (n, visit) in visits.iter_mut().enumerate().step_by(3) {
            visit.administrative.scheduled_by = Some(format!("desk-{n}"));
        }
        let text = csv_for(&visits);
        let import = CsvImport::read(&text, &CsvMapping::default()).unwrap();
        assert!(import.rejected.is_empty(), "{:?}", import.rejected.first());
        assert_eq!(import.encounters.len(), visits.len());
        for ((read, _), sent) in import.encounters.iter().zip(&visits) {
            assert_eq!(read.id, sent.id);
            assert_eq!(read.date_of_service, sent.date_of_service);
            assert_eq!(read.patient, sent.patient);
            assert_eq!(read.clinical.diagnoses, sent.clinical.diagnoses);
            assert_eq!(read.clinical.visit_type, sent.clinical.visit_type);
            assert_eq!(read.administrative.payer, sent.administrative.payer);
            assert_eq!(read.administrative.member_id, sent.administrative.member_id);
            assert_eq!(
                read.administrative.authorization,
                sent.administrative.authorization
            );
            assert_eq!(read.administrative.location, sent.administrative.location);
            assert_eq!(
                read.administrative.scheduled_by,
                sent.administrative.scheduled_by
            );
            let rendering = |e: &Encounter| {
                e.compliance
                    .rendering
                    .as_ref()
                    .map(|r| (r.npi, r.role, r.supervising_npi))
            };
            assert_eq!(rendering(read), rendering(sent));
            let lines = |e: &Encounter| -> Vec<(String, Option<u32>, Option<i64>)> {
                e.timing
                    .lines
                    .iter()
                    .map(|l| {
                        (
                            l.code.as_str().to_owned(),
                            l.minutes,
                            l.charge_per_unit.map(|c| c.0),
                        )
                    })
                    .collect()
            };
            assert_eq!(lines(read), lines(sent));
        }
    }
}
