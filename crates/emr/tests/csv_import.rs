//! CSV exports: an Excel-style file (BOM, `;`, US dates, renamed columns) imports its good
//! visits and names every bad row by line, column and reason, leaving its whole visit out.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use cleanclaim_emr::{CsvImport, CsvMapping};

fn import() -> CsvImport {
    let mapping = CsvMapping::from_toml(include_str!("data/export-mapping.toml")).unwrap();
    CsvImport::read(include_str!("data/export.csv"), &mapping).unwrap()
}

#[test]
fn good_visits_import_with_their_rows() {
    let import = import();
    let ids: Vec<(&str, &[u64])> = import
        .encounters
        .iter()
        .map(|(e, rows)| (e.id.as_str(), rows.as_slice()))
        .collect();
    assert_eq!(ids, [("V1", &[2u64, 3][..]), ("V6", &[10][..])]);
    let v1 = &import.encounters[0].0;
    assert_eq!(v1.date_of_service.to_string(), "2026-03-09");
    assert_eq!(v1.patient.birth_date.to_string(), "1951-07-14");
    assert_eq!(v1.timing.lines.len(), 2);
    assert_eq!(v1.timing.lines[0].charge_per_unit.unwrap().0, 4600);
    assert_eq!(v1.administrative.location.as_deref(), Some("north"));
    let v6 = &import.encounters[1].0;
    assert_eq!(v6.timing.lines[0].modifiers.len(), 2);
    assert_eq!(v6.timing.lines[0].charge_per_unit.unwrap().0, 5250);
}

#[test]
fn each_bad_row_is_named_and_its_visit_left_out() {
    let rejected: Vec<(u64, Option<String>)> = import()
        .rejected
        .into_iter()
        .map(|r| (r.row, r.column))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, Some("Min".to_owned())),
            (7, Some("DOS".to_owned())),
            (8, Some("Mods".to_owned())),
            (9, None),
        ]
    );
}

#[test]
fn a_missing_column_or_a_bad_mapping_is_refused_whole() {
    let mapping = CsvMapping::from_toml(include_str!("data/export-mapping.toml")).unwrap();
    let without = include_str!("data/export.csv").replacen("CPT", "Procedure", 1);
    let error = CsvImport::read(&without, &mapping).unwrap_err();
    assert!(error.to_string().contains("`CPT`"), "{error}");
    let error = CsvMapping::from_toml("[columns]\ncolour = \"Colour\"").unwrap_err();
    assert!(error.to_string().contains("colour"), "{error}");
}

#[test]
fn the_documented_layout_reads_without_a_mapping() {
    let header = cleanclaim_emr::csv_import::COLUMNS
        .map(|(name, _)| name)
        .join(",");
    let row = "V9,2026-03-09,pt,,north,FD-07,MRN-9,Doe,Jo,1950-01-02,male,1 Elm St,,Springfield,IL,62704,04412,Medicare Part B,medicare_part_b,1EG4TE5MK73,,M17.11,1245319599,pt,Lopez,Maria,,,,,,,11,97110,23,,42.00";
    let import = CsvImport::read(&format!("{header}\n{row}\n"), &CsvMapping::default()).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    assert_eq!(import.encounters[0].0.id, "V9");
    assert_eq!(
        import.encounters[0]
            .0
            .administrative
            .scheduled_by
            .as_deref(),
        Some("FD-07")
    );
}
