//! HL7 v2 throughput on DFT^P03 messages: a bench binary that prints figures (best of five
//! runs), for BENCHMARKS.md and for `bench/hl7-peers.sh`, which runs python-hl7 and hl7apy on
//! the same file and prints the ratios.
//!
//! `cargo bench -p cleanclaim-emr --bench hl7_throughput -- [FILE]`: with no file, 20,000
//! generated messages (seed 7) are measured, and written to `bench/out/dft.hl7` for the peers.
//!
//! - parse: split the file into messages and find every message's segments;
//! - parse + walk: also split every field into repetitions, components and subcomponents and
//!   decode each value (what python-hl7's `hl7.parse` and hl7apy build);
//! - map: parse, then map each DFT^P03 to an encounter through a channel (the encounter
//!   format's checks included).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench binary")]

use std::time::{Duration, Instant};

use cleanclaim_emr::{Channel, Mapped, Sender, channel_toml, dft_for, map_message};
use cleanclaim_hl7::{Message, split_messages};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn walk(message: &Message<'_>) -> usize {
    let mut values = 0;
    for segment in message.segments() {
        for field in segment.fields() {
            for repetition in field.repetitions() {
                for component in repetition.components() {
                    for value in component.subcomponents() {
                        values += value.len();
                    }
                }
            }
        }
    }
    values
}

fn main() {
    let file = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let sender = Sender {
        application: "SYNTH".into(),
        facility: "NORTH".into(),
    };
    let encounters: Vec<_> = cleanclaim_synth::Generator::new(7).take(20_000).collect();
    let channel = Channel::from_toml(
        &channel_toml("synth", &sender, "north", &encounters),
        "synth.toml",
    )
    .unwrap();
    let text = match &file {
        Some(path) => std::fs::read_to_string(path).unwrap(),
        None => {
            let text: String = encounters
                .iter()
                .enumerate()
                .map(|(n, e)| dft_for(e, &sender, &format!("B{n:08}"), "20260309120000") + "\n")
                .collect();
            let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/out");
            std::fs::create_dir_all(&out).unwrap();
            std::fs::write(out.join("dft.hl7"), &text).unwrap();
            text
        }
    };
    let messages = split_messages(&text).unwrap().len();
    let mb = text.len() as f64 / 1e6;
    let report = |what: &str, took: Duration| {
        let s = took.as_secs_f64();
        println!(
            "{what:<14} {messages:>7} messages {mb:>7.2} MB  {:>9.1} MB/s  {:>11.0} messages/s",
            mb / s,
            messages as f64 / s
        );
    };
    report(
        "parse",
        best_of(5, || {
            split_messages(&text)
                .unwrap()
                .iter()
                .map(|(_, m)| Message::parse(m).unwrap().segments().len())
                .sum::<usize>()
        }),
    );
    report(
        "parse + walk",
        best_of(5, || {
            split_messages(&text)
                .unwrap()
                .iter()
                .map(|(_, m)| walk(&Message::parse(m).unwrap()))
                .sum::<usize>()
        }),
    );
    let mapped = best_of(3, || {
        split_messages(&text)
            .unwrap()
            .iter()
            .filter(|(_, m)| {
                matches!(
                    map_message(&channel, &Message::parse(m).unwrap()),
                    Ok(Mapped::Visits(_))
                )
            })
            .count()
    });
    report("map to visits", mapped);
    let ok = split_messages(&text)
        .unwrap()
        .iter()
        .filter(|(_, m)| {
            matches!(
                map_message(&channel, &Message::parse(m).unwrap()),
                Ok(Mapped::Visits(_))
            )
        })
        .count();
    println!("mapped {ok} of {messages} messages to visits");
}
