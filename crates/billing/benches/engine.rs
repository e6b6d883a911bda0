//! Throughput of the units-and-modifiers engine on in-memory encounters, and of encounter
//! JSON parsing. Figures go into BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup fails loudly"
)]

use std::hint::black_box;

use cleanclaim_billing::{Engine, Selection, UnitMethod};
use cleanclaim_model::{Encounter, parse_encounter};
use cleanclaim_synth::Generator;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const N_ENCOUNTERS: usize = 10_000;

fn encounters() -> Vec<Encounter> {
    Generator::new(2026).take(N_ENCOUNTERS).collect()
}

fn derive(c: &mut Criterion) {
    let engine = Engine::builtin().expect("builtin data");
    let encounters = encounters();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(N_ENCOUNTERS as u64));
    group.bench_function("derive/payer_default", |b| {
        b.iter(|| {
            for encounter in &encounters {
                black_box(engine.derive(black_box(encounter), Selection::default()));
            }
        });
    });
    for method in [UnitMethod::Cms8Minute, UnitMethod::PerCodeMidpoint] {
        let selection = Selection {
            unit_method: Some(method),
            ..Selection::default()
        };
        group.bench_function(format!("derive/{method}"), |b| {
            b.iter(|| {
                for encounter in &encounters {
                    black_box(engine.derive(black_box(encounter), selection));
                }
            });
        });
    }
    group.bench_function("derive_and_explain", |b| {
        b.iter(|| {
            for encounter in &encounters {
                let derivation = engine.derive(black_box(encounter), Selection::default());
                for line in &derivation.lines {
                    black_box(line.explanation());
                }
            }
        });
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    let lines: Vec<String> = encounters()
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let bytes: usize = lines.iter().map(String::len).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("encounter_json", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(parse_encounter(black_box(line)).unwrap());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, derive, parse);
criterion_main!(benches);
