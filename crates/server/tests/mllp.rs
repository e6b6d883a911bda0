#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The MLLP listener on one connection: a frame over the limit is answered AR (addressed from
//! its MSH) and the connection goes on; an ACK sent to us gets no answer; a good message after
//! both is acknowledged AA.

use std::sync::Arc;

use cleanclaim_billing::Engine;
use cleanclaim_emr::{Channel, Channels};
use cleanclaim_hl7::Message;
use cleanclaim_hl7::mllp::{FrameEvent, Framer, frame};
use cleanclaim_store::{Clinic, Store};
use cleanclaim_test_support::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DFT: &str = include_str!("../../emr/tests/data/dft-p03.hl7");

async fn next_ack(stream: &mut tokio::net::TcpStream, framer: &mut Framer) -> String {
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(FrameEvent::Frame(ack)) = framer.next_event() {
            return String::from_utf8(ack).unwrap();
        }
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "the listener closed the connection");
        framer.push(&buffer[..n]);
    }
}

fn msa(ack: &str) -> (String, String) {
    let message = Message::parse(ack).unwrap();
    let msa = message.segment("MSA").unwrap();
    (
        msa.field(1).value().into_owned(),
        msa.field(2).value().into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_is_refused_and_the_connection_goes_on() {
    let database = TestDatabase::sqlite();
    let store = Store::connect(database.url()).await.unwrap();
    store
        .put_clinic(&Clinic {
            id: "north".into(),
            name: "North".into(),
        })
        .await
        .unwrap();
    let mut channels = Channels::default();
    channels
        .add(
            "north.toml",
            Channel::from_toml(
                include_str!("../../emr/tests/data/north.toml"),
                "north.toml",
            )
            .unwrap(),
        )
        .unwrap();
    let state =
        cleanclaim_server::AppState::new(store.clone(), Engine::builtin().unwrap()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = cleanclaim_server::mllp::MllpOptions {
        max_frame: 2048,
        ..Default::default()
    };
    let server = tokio::spawn(cleanclaim_server::mllp::serve_mllp(
        listener,
        state,
        Arc::new(channels),
        options,
        async {
            let _ = stopped.await;
        },
    ));

    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut framer = Framer::new(1 << 20);
    let big = format!(
        "{}NTE|1||{}\r",
        DFT.replace("WP-000017", "WP-BIG"),
        "x".repeat(5000)
    );
    stream.write_all(&frame(big.as_bytes())).await.unwrap();
    let refused = next_ack(&mut stream, &mut framer).await;
    assert_eq!(msa(&refused), ("AR".into(), "WP-BIG".into()), "{refused}");
    assert!(
        refused.contains("over this receiver's limit of 2048 bytes"),
        "{refused}"
    );

    // An ACK sent to us: no answer (the next frame read must be the answer to the DFT).
    stream.write_all(&frame(refused.as_bytes())).await.unwrap();
    stream.write_all(&frame(DFT.as_bytes())).await.unwrap();
    let accepted = next_ack(&mut stream, &mut framer).await;
    assert_eq!(
        msa(&accepted),
        ("AA".into(), "WP-000017".into()),
        "{accepted}"
    );
    assert!(store.inbound_unprocessed(10).await.unwrap().is_empty());
    assert_eq!(
        database.count("SELECT COUNT(*) FROM inbound_messages"),
        1,
        "only the DFT is stored"
    );

    let _ = stop.send(());
    drop(stream);
    let _ = server.await;
    store.close().await;
}
