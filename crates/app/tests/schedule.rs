#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The schedule check on the appointments the store keeps from SIU messages: SIU carries no
//! payer, so the patient's ADT coverage names it; a cancelled appointment is not checked, and
//! the authorization starts where the stored context leaves it.

use cleanclaim_app::interfaces::receive_hl7;
use cleanclaim_app::{check_schedule_stored, intake, stored_appointments};
use cleanclaim_billing::Engine;
use cleanclaim_emr::{Channel, Channels};
use cleanclaim_scrub::{ContextData, ScheduleGap};
use cleanclaim_store::Store;
use cleanclaim_test_support::TestDatabase;

const SIU: &str = include_str!("data/siu-s12.hl7");

async fn booked_appointments_are_checked_with_the_adt_payer(url: &str) {
    let store = Store::connect(url).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let mut channels = Channels::default();
    channels
        .add(
            "north.toml",
            Channel::from_toml(include_str!("data/north.toml"), "north.toml").unwrap(),
        )
        .unwrap();
    for message in [
        include_str!("data/adt-a04.hl7").to_owned(),
        // F-991 on March 16, booked.
        SIU.to_owned(),
        // F-992 on March 18, booked, then cancelled.
        SIU.replace("WP-000012", "WP-000020")
            .replace("F-991", "F-992")
            .replace("202603160930", "202603180930"),
        SIU.replace("WP-000012", "WP-000021")
            .replace("SIU^S12", "SIU^S15")
            .replace("F-991", "F-992")
            .replace("202603160930", "202603180930"),
        // F-993 in February, before the day the check starts from.
        SIU.replace("WP-000012", "WP-000022")
            .replace("F-991", "F-993")
            .replace("202603160930", "202602160930"),
    ] {
        receive_hl7(&store, &engine, &channels, message.as_bytes()).await;
    }
    // March's authorization of 1 visit is used up.
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            r#"[{"patient_id": "MRN-1001", "payer_id": "04412", "number": "A1", "from": "2026-03-01",
                 "to": "2026-03-31", "disciplines": ["pt"], "visits": 1, "used_visits": 1}]"#,
        )
        .unwrap();
    intake(&store, &engine, &context, &[], &[]).await.unwrap();

    let (placed, unplaced) = stored_appointments(&store, "2026-03-01".parse().unwrap())
        .await
        .unwrap();
    assert!(unplaced.is_empty(), "{unplaced:?}");
    assert_eq!(placed.len(), 1, "{placed:?}");
    let appointment = &placed[0];
    assert_eq!(appointment.appointment_id.as_deref(), Some("F-991"));
    assert_eq!(appointment.payer_id, "04412");
    assert_eq!(appointment.discipline, cleanclaim_model::Discipline::Pt);
    assert_eq!(appointment.planned_codes.len(), 1);

    let problems = check_schedule_stored(&store, &engine, placed)
        .await
        .unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].gap,
        ScheduleGap::BeyondVisits {
            number: "A1".into(),
            allowed: 1,
            nth: 2
        }
    );
}

#[tokio::test]
async fn on_sqlite() {
    let db = TestDatabase::sqlite();
    booked_appointments_are_checked_with_the_adt_payer(db.url()).await;
}

#[tokio::test]
async fn on_postgres() {
    let db = TestDatabase::create();
    booked_appointments_are_checked_with_the_adt_payer(db.url()).await;
}
