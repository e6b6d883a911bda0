#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! `cleanclaim listen` over a real TCP socket: 1,000 DFT^P03 messages sent as an EMR sends
//! them, the listener killed (SIGKILL) in the middle with messages in flight, restarted, and
//! everything not acknowledged sent again. Every message is stored exactly once, every visit
//! once, and a message acknowledged before the kill gets the same ACK when sent again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cleanclaim_emr::{Sender, channel_toml, dft_for};
use cleanclaim_hl7::Message;
use cleanclaim_hl7::mllp::{FrameEvent, Framer, frame};
use cleanclaim_model::Encounter;
use cleanclaim_test_support::TestDatabase;

const MESSAGES: usize = 1000;

struct Listener {
    child: Child,
    address: String,
}

impl Listener {
    fn start(url: &str, channel: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args([
                "listen",
                "--listen",
                "127.0.0.1:0",
                "--database",
                url,
                "--channel",
            ])
            .arg(channel)
            .env_remove("CLEANCLAIM_DATABASE")
            .env_remove("DATABASE_URL")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(address) = line.strip_prefix("cleanclaim listening for HL7 (MLLP) on ")
                {
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the listener did not start");
        Self { child, address }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A connection that sends frames and reads ACKs in order.
struct Connection {
    stream: TcpStream,
    framer: Framer,
}

impl Connection {
    fn open(address: &str) -> Self {
        let stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        Self {
            stream,
            framer: Framer::new(1 << 20),
        }
    }

    fn send(&mut self, message: &str) -> std::io::Result<()> {
        self.stream.write_all(&frame(message.as_bytes()))
    }

    /// The next ACK, or `None` when the connection ended first.
    fn ack(&mut self) -> Option<String> {
        let mut buffer = [0u8; 4096];
        loop {
            if let Some(FrameEvent::Frame(payload)) = self.framer.next_event() {
                return Some(String::from_utf8(payload).unwrap());
            }
            match self.stream.read(&mut buffer) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.framer.push(&buffer[..n]),
            }
        }
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

fn run(database: &TestDatabase, count_rows: impl Fn(&str) -> i64) {
    let folder = tempfile::tempdir().unwrap();
    let sender = Sender {
        application: "SYNTH".into(),
        facility: "NORTH".into(),
    };
    let encounters: Vec<Encounter> = cleanclaim_synth::Generator::new(5).take(MESSAGES).collect();
    let channel = folder.path().join("synth.toml");
    std::fs::write(
        &channel,
        channel_toml("synth", &sender, "north", &encounters),
    )
    .unwrap();
    let clinic = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args([
            "clinic",
            "add",
            "north",
            "North",
            "--database",
            database.url(),
        ])
        .env_remove("CLEANCLAIM_DATABASE")
        .output()
        .unwrap();
    assert!(
        clinic.status.success(),
        "{}",
        String::from_utf8_lossy(&clinic.stderr)
    );
    let messages: Vec<(String, String)> = encounters
        .iter()
        .enumerate()
        .map(|(n, e)| {
            let control = format!("SYN{n:06}");
            (
                control.clone(),
                dft_for(e, &sender, &control, "20260309120000"),
            )
        })
        .collect();

    let mut acked: Vec<Option<String>> = vec![None; MESSAGES];
    let mut listener = Listener::start(database.url(), &channel);
    let mut connection = Connection::open(&listener.address);
    // Send one at a time for the first 400, then 8 in flight, and kill the listener under them.
    for n in 0..400 {
        connection.send(&messages[n].1).unwrap();
        acked[n] = Some(connection.ack().expect("an ACK"));
    }
    for message in &messages[400..408] {
        connection.send(&message.1).unwrap();
    }
    std::thread::sleep(Duration::from_millis(15));
    listener.kill();
    for slot in acked.iter_mut().take(408).skip(400) {
        match connection.ack() {
            Some(ack) => *slot = Some(ack),
            None => break,
        }
    }
    let before_restart = acked.iter().flatten().count();
    assert!(
        (400..408).contains(&before_restart),
        "{before_restart} ACKs before the kill"
    );

    // Restart and send everything not acknowledged, plus the first message again.
    let listener = Listener::start(database.url(), &channel);
    let mut connection = Connection::open(&listener.address);
    let first_ack = acked[0].clone().unwrap();
    connection.send(&messages[0].1).unwrap();
    assert_eq!(
        connection.ack().unwrap(),
        first_ack,
        "a resend gets the stored ACK, byte for byte"
    );
    for (n, (_, text)) in messages.iter().enumerate() {
        if acked[n].is_none() {
            connection.send(text).unwrap();
            acked[n] = Some(connection.ack().expect("an ACK after the restart"));
        }
    }
    for (n, ack) in acked.iter().enumerate() {
        let (code, control) = msa(ack.as_ref().unwrap());
        assert_eq!(
            (code.as_str(), control.as_str()),
            ("AA", messages[n].0.as_str()),
            "message {n}"
        );
    }
    assert_eq!(
        count_rows("SELECT COUNT(*) FROM inbound_messages"),
        MESSAGES as i64
    );
    assert_eq!(
        count_rows("SELECT COUNT(DISTINCT control_id) FROM inbound_messages"),
        MESSAGES as i64
    );
    assert_eq!(
        count_rows("SELECT COUNT(*) FROM inbound_messages WHERE status = 'processed'"),
        MESSAGES as i64
    );
    let distinct_visits = encounters
        .iter()
        .map(|e| &e.id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(
        count_rows("SELECT COUNT(*) FROM encounters"),
        distinct_visits as i64
    );
    drop(listener);
}

#[test]
fn a_listener_killed_mid_stream_stores_every_acknowledged_message_exactly_once_on_postgres() {
    let database = TestDatabase::create();
    run(&database, |sql| database.count(sql));
}

#[test]
fn a_listener_killed_mid_stream_stores_every_acknowledged_message_exactly_once_on_sqlite() {
    let database = TestDatabase::sqlite();
    run(&database, |sql| database.count(sql));
}
