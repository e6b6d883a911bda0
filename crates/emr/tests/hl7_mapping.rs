//! HL7 v2 messages mapped through channel files: the hand-written DFT, ADT and SIU fixtures,
//! each refusal naming its location and table 0357 code, and generated visits sent as DFT and
//! read back unchanged in everything HL7 carries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use cleanclaim_emr::{Channel, Mapped, Sender, channel_toml, dft_for, map_message};
use cleanclaim_hl7::{ErrorCode, Message};
use cleanclaim_model::{Encounter, parse_encounter};

fn channel() -> Channel {
    Channel::from_toml(include_str!("data/north.toml"), "north.toml").unwrap()
}

fn map(text: &str) -> Result<Mapped, Vec<cleanclaim_emr::MappingIssue>> {
    map_message(&channel(), &Message::parse(text).unwrap())
}

const DFT: &str = include_str!("data/dft-p03.hl7");

#[test]
fn a_therapy_dft_becomes_one_encounter_with_minutes_from_the_z_segment() {
    let Mapped::Visits(visits) = map(DFT).unwrap() else {
        panic!("not visits")
    };
    assert_eq!(visits.len(), 1);
    let visit = &visits[0];
    assert_eq!(visit.id, "V-20260309-1001");
    assert_eq!(visit.date_of_service.to_string(), "2026-03-09");
    assert_eq!(visit.patient.id, "MRN-1001");
    assert_eq!(visit.patient.name.family, "Rivera");
    assert_eq!(
        visit.patient.address.as_ref().unwrap().line2.as_deref(),
        Some("Apt 2")
    );
    let diagnoses: Vec<&str> = visit
        .clinical
        .diagnoses
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(diagnoses, ["M1711", "R2689"]);
    let lines: Vec<(&str, Option<u32>, Option<i64>)> = visit
        .timing
        .lines
        .iter()
        .map(|l| (l.code.as_str(), l.minutes, l.charge_per_unit.map(|c| c.0)))
        .collect();
    assert_eq!(
        lines,
        [
            ("97112", Some(24), Some(4600)),
            ("97110", Some(23), Some(4200))
        ]
    );
    assert_eq!(visit.timing.lines[0].modifiers.len(), 1);
    assert_eq!(visit.administrative.payer.id, "04412");
    assert_eq!(visit.administrative.member_id, "1EG4TE5MK73");
    assert_eq!(
        visit.administrative.authorization.as_deref(),
        Some("AUTH-77")
    );
    assert_eq!(visit.administrative.location.as_deref(), Some("north"));
    assert_eq!(
        visit
            .administrative
            .referring_provider
            .as_ref()
            .unwrap()
            .npi
            .as_str(),
        "1234567893"
    );
    assert_eq!(
        visit.compliance.rendering.as_ref().unwrap().npi.as_str(),
        "1245319599"
    );
}

#[test]
fn each_fault_is_named_by_location_and_code() {
    let cases: [(&str, &str, &str, ErrorCode); 6] = [
        (
            "20^Lopez^Maria",
            "99^Nobody^Known",
            "FT1-20",
            ErrorCode::UnknownKey,
        ),
        (
            "97110^Therapeutic exercise^C4",
            "",
            "FT1[2]-25",
            ErrorCode::RequiredFieldMissing,
        ),
        ("|MCR|", "|BCBS|", "IN1-3", ErrorCode::UnknownKey),
        ("ZTM|2|23", "ZTM|2|twenty", "ZTM-2", ErrorCode::DataType),
        (
            "|20260309||CG|97110",
            "|20261309||CG|97110",
            "FT1[2]-4",
            ErrorCode::DataType,
        ),
        (
            "|I10|R26.89^Other abnormalities of gait^I10",
            "|I9|781.2^Gait^I9",
            "DG1[2]-3",
            ErrorCode::TableValueNotFound,
        ),
    ];
    for (from, to, location, code) in cases {
        assert!(DFT.contains(from), "{from}");
        let text = DFT.replacen(from, to, 1);
        let issues = map(&text).expect_err(location);
        let issue = issues
            .iter()
            .find(|i| {
                i.location
                    .as_ref()
                    .is_some_and(|l| l.to_string() == location)
            })
            .unwrap_or_else(|| panic!("{location}: {issues:?}"));
        assert_eq!(issue.code, code, "{location}");
        assert!(!issue.is_reject(), "{location}");
    }
}

#[test]
fn unsupported_types_versions_and_processing_ids_are_rejects() {
    for (from, to, code) in [
        (
            "DFT^P03^DFT_P03",
            "ORU^R01^ORU_R01",
            ErrorCode::UnsupportedMessageType,
        ),
        (
            "DFT^P03^DFT_P03",
            "DFT^P11^DFT_P11",
            ErrorCode::UnsupportedEvent,
        ),
        ("|P|2.5.1", "|T|2.5.1", ErrorCode::UnsupportedProcessingId),
        ("|P|2.5.1", "|P|2.7", ErrorCode::UnsupportedVersion),
    ] {
        let issues = map(&DFT.replacen(from, to, 1)).expect_err(to);
        assert_eq!(issues[0].code, code);
        assert!(issues[0].is_reject());
    }
}

#[test]
fn an_encounter_check_failure_comes_back_with_its_json_path() {
    // A modifier that is not one: the model's own check, reported through the mapping.
    let issues = map(&DFT.replacen("^C4|GP", "^C4|G!", 1)).unwrap_err();
    assert_eq!(issues.len(), 1);
    assert!(
        issues[0].message.contains("timing.lines[0].modifiers"),
        "{}",
        issues[0].message
    );
    assert_eq!(issues[0].location.as_ref().unwrap().to_string(), "FT1-26");
}

#[test]
fn the_adt_gives_the_patient_and_coverage() {
    let Mapped::Patient(record) = map(include_str!("data/adt-a04.hl7")).unwrap() else {
        panic!("not a patient")
    };
    assert_eq!(record.patient_id, "MRN-1001");
    assert_eq!(record.record["patient"]["birth_date"], "1951-07-14");
    assert_eq!(record.record["coverage"]["payer"]["id"], "04412");
    assert_eq!(record.record["coverage"]["member_id"], "1EG4TE5MK73");
}

#[test]
fn the_siu_gives_a_scheduled_visit() {
    let Mapped::Schedule(visit) = map(include_str!("data/siu-s12.hl7")).unwrap() else {
        panic!("not a schedule")
    };
    assert_eq!(visit.appointment_id, "F-991");
    assert_eq!(visit.date.to_string(), "2026-03-16");
    assert_eq!(visit.start_time.as_deref(), Some("09:30"));
    assert_eq!(visit.duration_minutes, Some(30));
    assert_eq!(visit.status, "BOOKED");
    assert_eq!(visit.clinician_npi.as_deref(), Some("1245319599"));
    assert_eq!(visit.discipline.as_deref(), Some("pt"));
    assert_eq!(visit.planned_codes, ["97110"]);
    assert_eq!(visit.scheduled_by.as_deref(), Some("FD-07"));
    // Without an id, the name as sent; without SCH-20, nobody.
    let named = include_str!("data/siu-s12.hl7").replacen("FD-07^Nguyen^Lan", "^Nguyen^Lan", 1);
    let Mapped::Schedule(visit) = map(&named).unwrap() else {
        panic!("not a schedule")
    };
    assert_eq!(visit.scheduled_by.as_deref(), Some("Lan Nguyen"));
    let unnamed = include_str!("data/siu-s12.hl7").replacen("FD-07^Nguyen^Lan", "", 1);
    let Mapped::Schedule(visit) = map(&unnamed).unwrap() else {
        panic!("not a schedule")
    };
    assert_eq!(visit.scheduled_by, None);
    let cancelled =
        include_str!("data/siu-s12.hl7").replacen("SIU^S12^SIU_S12", "SIU^S15^SIU_S12", 1);
    let Mapped::Schedule(visit) = map(&cancelled).unwrap() else {
        panic!("not a schedule")
    };
    assert_eq!(visit.status, "cancelled");
}

/// What HL7 carries of an encounter (no plan of care, goals, progress report, spend, or the
/// therapist/assistant split: those come from the EMR's other feeds or the service).
fn carried(e: &Encounter) -> serde_json::Value {
    let lines: Vec<_> = e
        .timing
        .lines
        .iter()
        .map(|l| serde_json::json!([l.code, l.minutes, l.modifiers, l.charge_per_unit]))
        .collect();
    serde_json::json!({
        "id": e.id, "dos": e.date_of_service, "discipline": e.discipline, "patient": e.patient,
        "diagnoses": e.clinical.diagnoses, "visit_type": e.clinical.visit_type, "lines": lines,
        "payer": e.administrative.payer, "member": e.administrative.member_id,
        "subscriber": e.administrative.subscriber, "authorization": e.administrative.authorization,
        "referrer": e.administrative.referring_provider.as_ref().map(|r| (&r.npi, &r.name)),
        "rendering": e.compliance.rendering,
    })
}

#[test]
fn generated_visits_sent_as_dft_read_back_unchanged() {
    let sender = Sender {
        application: "SYNTH".into(),
        facility: "NORTH".into(),
    };
    let encounters: Vec<Encounter> = cleanclaim_synth::Generator::new(17)
        .take(600)
        .map(|e| parse_encounter(&serde_json::to_string(&e).unwrap()).unwrap())
        .collect();
    let channel = Channel::from_toml(
        &channel_toml("synth", &sender, "north", &encounters),
        "synth.toml",
    )
    .unwrap();
    for (n, encounter) in encounters.iter().enumerate() {
        let text = dft_for(encounter, &sender, &format!("C{n}"), "20260309120000");
        let message = Message::parse(&text).unwrap();
        let Ok(Mapped::Visits(visits)) = map_message(&channel, &message) else {
            panic!(
                "{}: {:?}",
                encounter.id,
                map_message(&channel, &message).err()
            );
        };
        assert_eq!(visits.len(), 1, "{}", encounter.id);
        assert_eq!(carried(&visits[0]), carried(encounter), "{}", encounter.id);
        assert_eq!(visits[0].administrative.location.as_deref(), Some("north"));
    }
}

#[test]
fn the_ordering_clinician_of_ft1_21_refers_when_pv1_8_is_empty() {
    let text = DFT
        .replacen("31^Patel^Nina|31^Patel^Nina|", "31^Patel^Nina||", 1)
        .replacen("20^Lopez^Maria||", "20^Lopez^Maria|31^Patel^Nina|", 1);
    let Mapped::Visits(visits) = map(&text).unwrap() else {
        panic!("not visits")
    };
    let referrer = visits[0]
        .administrative
        .referring_provider
        .as_ref()
        .unwrap();
    assert_eq!(referrer.npi.as_str(), "1234567893");
    let unknown = text.replacen(
        "20^Lopez^Maria|31^Patel^Nina|",
        "20^Lopez^Maria|77^Who^Knows|",
        1,
    );
    let issues = map(&unknown).unwrap_err();
    assert_eq!(issues[0].location.as_ref().unwrap().to_string(), "FT1-21");
}

#[test]
fn the_adt_guarantor_is_kept() {
    let text = format!(
        "{}GT1|1||Rivera^Luis||12 Oak St^^Springfield^IL^62704|(217)555-0100|||||SPO\r",
        include_str!("data/adt-a04.hl7")
    );
    let Mapped::Patient(record) = map(&text).unwrap() else {
        panic!("not a patient")
    };
    assert_eq!(record.record["guarantor"]["name"]["family"], "Rivera");
    assert_eq!(record.record["guarantor"]["relationship"], "SPO");
    assert_eq!(record.record["guarantor"]["address"]["city"], "Springfield");
}

#[test]
fn a_bad_second_line_is_located_at_its_own_ft1() {
    // The second FT1's modifier fails the encounter format's check: ERR-2 names FT1[2]-26.
    let text = DFT.replacen("Therapeutic exercise^C4", "Therapeutic exercise^C4|G!", 1);
    assert_ne!(text, DFT);
    let issues = map(&text).unwrap_err();
    assert_eq!(
        issues[0].location.as_ref().unwrap().to_string(),
        "FT1[2]-26",
        "{issues:?}"
    );
}
