#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! HL7 messages received into the store, on SQLite and PostgreSQL: stored with their ACK, a
//! resend answered with the same ACK and posted once, a reused control id refused, a message
//! that does not map kept in the error queue and processed after the channel is fixed.

use cleanclaim_app::interfaces::{Receipt, Status, receive_hl7, reprocess};
use cleanclaim_billing::Engine;
use cleanclaim_emr::{Channel, Channels};
use cleanclaim_hl7::Message;
use cleanclaim_store::Store;
use cleanclaim_test_support::TestDatabase;

const CHANNEL: &str = include_str!("data/north.toml");
const DFT: &str = include_str!("data/dft-p03.hl7");

fn channels_of(text: &str) -> Channels {
    let mut channels = Channels::default();
    channels
        .add(
            "north.toml",
            Channel::from_toml(text, "north.toml").unwrap(),
        )
        .unwrap();
    channels
}

fn msa(ack: &str) -> (String, String) {
    let message = Message::parse(ack).unwrap();
    let msa = message.segment("MSA").unwrap();
    (
        msa.field(1).value().into_owned(),
        msa.field(2).value().into_owned(),
    )
}

async fn the_interface_stores_once_and_keeps_what_it_cannot_map(
    url: &str,
    db: &TestDatabase,
    postgres: bool,
) {
    let store = Store::connect(url).await.unwrap();
    let engine = Engine::builtin().unwrap();
    let channels = channels_of(CHANNEL);

    let first = receive_hl7(&store, &engine, &channels, DFT.as_bytes()).await;
    assert!(
        matches!(
            first.receipt,
            Receipt::Stored {
                status: Status::Processed,
                ..
            }
        ),
        "{:?}",
        first.receipt
    );
    assert_eq!(msa(&first.ack), ("AA".into(), "WP-000017".into()));
    assert!(
        store
            .latest_results(&["V-20260309-1001".to_owned()])
            .await
            .unwrap()
            .contains_key("V-20260309-1001")
    );

    // The sender lost our ACK and sends again: the same bytes back, nothing posted twice.
    let again = receive_hl7(&store, &engine, &channels, DFT.as_bytes()).await;
    assert!(matches!(again.receipt, Receipt::Duplicate { .. }));
    assert_eq!(again.ack, first.ack);
    // Sent again from a file with LF line ends: still the same message.
    let from_file = receive_hl7(
        &store,
        &engine,
        &channels,
        DFT.replace('\r', "\n").as_bytes(),
    )
    .await;
    assert!(
        matches!(from_file.receipt, Receipt::Duplicate { .. }),
        "{:?}",
        from_file.receipt
    );
    if postgres {
        assert_eq!(db.count("SELECT COUNT(*) FROM inbound_messages"), 1);
        assert_eq!(db.count("SELECT COUNT(*) FROM encounters"), 1);
    }

    // The same control id for a different message: refused, the first one kept.
    let reused = receive_hl7(
        &store,
        &engine,
        &channels,
        DFT.replace("97110", "97530").as_bytes(),
    )
    .await;
    assert!(matches!(reused.receipt, Receipt::ControlIdReused { .. }));
    assert_eq!(msa(&reused.ack).0, "AE");

    // An unknown clinician: AE naming FT1-20, and the message waits in the error queue.
    let unknown = DFT
        .replace("WP-000017", "WP-000018")
        .replace("20^Lopez^Maria", "44^Kim^Jae");
    let held = receive_hl7(&store, &engine, &channels, unknown.as_bytes()).await;
    let Receipt::Stored {
        id: held_id,
        status: Status::Error,
    } = held.receipt
    else {
        panic!("{:?}", held.receipt)
    };
    assert_eq!(msa(&held.ack).0, "AE");
    let err = Message::parse(&held.ack).unwrap();
    assert_eq!(
        err.segment("ERR").unwrap().field(2).component(1).value(),
        "FT1"
    );
    assert_eq!(
        err.segment("ERR").unwrap().field(2).component(3).value(),
        "20"
    );
    let queue = store.inbound_unprocessed(10).await.unwrap();
    assert_eq!(queue.iter().map(|r| r.id).collect::<Vec<_>>(), [held_id]);

    // An unknown sender is rejected (AR) and kept too.
    let stranger = DFT
        .replace("WP-000017", "WP-000019")
        .replace("|WEBPT|NORTH|", "|OTHER|NORTH|");
    let rejected = receive_hl7(&store, &engine, &channels, stranger.as_bytes()).await;
    assert!(matches!(
        rejected.receipt,
        Receipt::Stored {
            status: Status::Rejected,
            ..
        }
    ));
    assert_eq!(msa(&rejected.ack).0, "AR");

    // Reprocessing with the same channel changes nothing; with the clinician added it posts.
    let still = reprocess(&store, &engine, &channels, Some(&[held_id]))
        .await
        .unwrap();
    assert_eq!(still[0].status, Status::Error);
    let fixed = channels_of(&format!(
        "{CHANNEL}\n[providers.44]\nnpi = \"1245319599\"\nrole = \"pt\"\n"
    ));
    let done = reprocess(&store, &engine, &fixed, Some(&[held_id]))
        .await
        .unwrap();
    assert_eq!(done[0].status, Status::Processed, "{:?}", done[0].issues);
    assert_eq!(store.inbound_unprocessed(10).await.unwrap().len(), 1);
    let (row, raw) = store.inbound_message(held_id).await.unwrap().unwrap();
    assert_eq!(raw, unknown.as_bytes());
    assert!(row.reprocessed_at.is_some());
    assert_eq!(row.ack, held.ack, "the ACK sent stays as sent");

    // ADT and SIU land in their tables.
    let adt = receive_hl7(
        &store,
        &engine,
        &channels,
        include_bytes!("data/adt-a04.hl7"),
    )
    .await;
    assert_eq!(msa(&adt.ack).0, "AA");
    assert_eq!(
        store.patient_record("MRN-1001").await.unwrap().unwrap().0,
        1
    );
    let siu = receive_hl7(
        &store,
        &engine,
        &channels,
        include_bytes!("data/siu-s12.hl7"),
    )
    .await;
    assert_eq!(msa(&siu.ack).0, "AA");
    // The DFT's visit (9 March) names no scheduler; the appointment its patient had at its
    // clinic that day does (SCH-20), and the KPIs count its denials by that person.
    let booked_that_day = include_str!("data/siu-s12.hl7")
        .replace("WP-000012", "WP-000014")
        .replace("F-991", "F-990")
        .replace("202603160930", "202603090930");
    let siu = receive_hl7(&store, &engine, &channels, booked_that_day.as_bytes()).await;
    assert_eq!(msa(&siu.ack).0, "AA");
    let facts = store.kpi_facts().await.unwrap();
    let ninth = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let booked: Vec<_> = facts
        .visits
        .iter()
        .filter(|v| v.date_of_service == ninth)
        .map(|v| v.scheduled_by.as_deref())
        .collect();
    assert!(!booked.is_empty());
    assert!(booked.iter().all(|b| *b == Some("FD-07")), "{booked:?}");
    let cancel = include_str!("data/siu-s12.hl7")
        .replace("WP-000012", "WP-000013")
        .replace("SIU^S12", "SIU^S15");
    receive_hl7(&store, &engine, &channels, cancel.as_bytes()).await;
    let visits = store.scheduled_visits_of("MRN-1001").await.unwrap();
    let statuses: Vec<(&str, &str)> = visits
        .iter()
        .map(|v| (v.appointment_id.as_str(), v.status.as_str()))
        .collect();
    assert_eq!(statuses, [("F-990", "BOOKED"), ("F-991", "cancelled")]);
    assert_eq!(visits[0].scheduled_by.as_deref(), Some("FD-07"));

    // An ACK sent to us is never answered (that would loop) and not stored.
    let ack_in = receive_hl7(&store, &engine, &channels, first.ack.as_bytes()).await;
    assert_eq!(ack_in.receipt, Receipt::AckIgnored);
    assert!(ack_in.ack.is_empty());

    // Not HL7 at all: refused, nothing stored.
    let junk = receive_hl7(&store, &engine, &channels, b"hello").await;
    assert_eq!(junk.receipt, Receipt::Unreadable);
    assert_eq!(msa(&junk.ack).0, "AR");
}

#[tokio::test]
async fn on_sqlite() {
    let db = TestDatabase::sqlite();
    the_interface_stores_once_and_keeps_what_it_cannot_map(db.url(), &db, false).await;
}

#[tokio::test]
async fn on_postgres() {
    let db = TestDatabase::create();
    the_interface_stores_once_and_keeps_what_it_cannot_map(db.url(), &db, true).await;
}
