#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]
//! The MLLP listener acknowledging DFT^P03 messages with durable storage: each message is
//! stored raw, mapped, its visit stored and scrubbed with the patient's history, and committed
//! before its ACK is sent. Generated messages (seed 9) are sent over loopback by 1 and by 4
//! connections (each waits for its ACK before sending the next, as MLLP senders do); prints
//! messages acknowledged per second and the ACK latency (p50, p99), on SQLite and PostgreSQL
//! (`DATABASE_URL`, default the local `test` server).
//!
//! cargo bench -p cleanclaim-server --bench mllp_load [-- sqlite|postgres] [MESSAGES]
//!
//! Client and server share the machine's cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cleanclaim_billing::Engine;
use cleanclaim_emr::{Channel, Channels, Sender, channel_toml, dft_for};
use cleanclaim_hl7::mllp::{FrameEvent, Framer, frame};
use cleanclaim_store::{Clinic, Store};
use cleanclaim_test_support::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn send_all(address: String, messages: Vec<String>) -> Vec<Duration> {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let mut framer = Framer::new(1 << 20);
    let mut buffer = vec![0u8; 8192];
    let mut latencies = Vec::with_capacity(messages.len());
    for message in messages {
        let start = Instant::now();
        stream.write_all(&frame(message.as_bytes())).await.unwrap();
        loop {
            if let Some(FrameEvent::Frame(ack)) = framer.next_event() {
                assert!(
                    String::from_utf8_lossy(&ack).contains("MSA|AA|"),
                    "{}",
                    String::from_utf8_lossy(&ack)
                );
                break;
            }
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the listener closed the connection");
            framer.push(&buffer[..n]);
        }
        latencies.push(start.elapsed());
    }
    latencies
}

async fn run_backend(name: &str, database: TestDatabase, count: usize) {
    let store = Store::connect(database.url()).await.unwrap();
    store
        .put_clinic(&Clinic {
            id: "north".into(),
            name: "North".into(),
        })
        .await
        .unwrap();
    let sender = Sender {
        application: "SYNTH".into(),
        facility: "NORTH".into(),
    };
    let encounters: Vec<_> = cleanclaim_synth::Generator::new(9)
        .take(count * 2)
        .collect();
    let mut channels = Channels::default();
    channels
        .add(
            "synth.toml",
            Channel::from_toml(
                &channel_toml("synth", &sender, "north", &encounters),
                "synth.toml",
            )
            .unwrap(),
        )
        .unwrap();
    let state =
        cleanclaim_server::AppState::new(store.clone(), Engine::builtin().unwrap()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cleanclaim_server::mllp::serve_mllp(
        listener,
        state,
        Arc::new(channels),
        cleanclaim_server::mllp::MllpOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let mut next = 0usize;
    for connections in [1usize, 4] {
        let mut batches = vec![Vec::new(); connections];
        for n in 0..count {
            let control = format!("L{next:08}");
            batches[n % connections].push(dft_for(
                &encounters[next],
                &sender,
                &control,
                "20260309120000",
            ));
            next += 1;
        }
        let start = Instant::now();
        let tasks: Vec<_> = batches
            .into_iter()
            .map(|b| tokio::spawn(send_all(address.clone(), b)))
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let took = start.elapsed();
        latencies.sort();
        println!(
            "{name:<10} {connections} connection(s) {count:>6} messages  {:>7.0} acknowledged/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
            count as f64 / took.as_secs_f64(),
            percentile(&latencies, 50.0).as_secs_f64() * 1e3,
            percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        );
    }
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let only = args
        .iter()
        .find(|a| *a == "sqlite" || *a == "postgres")
        .cloned();
    let count = args
        .iter()
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        if only.as_deref() != Some("postgres") {
            run_backend("sqlite", TestDatabase::sqlite(), count).await;
        }
        if only.as_deref() != Some("sqlite") {
            run_backend("postgres", TestDatabase::create(), count).await;
        }
    });
}
