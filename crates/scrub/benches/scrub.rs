//! Scrubber throughput with a full rule pack: every gate on (documentation, authorization
//! ledger, benefit caps, diagnosis pairing, age/sex, coverage, MUE, NCCI, KX) plus two
//! expression rules, over synthetic episodes with an authorization for every patient.
//! Reports encounters per second.

use cleanclaim_billing::pack::BUILTIN_PACKS;
use cleanclaim_billing::{Engine, RulePacks};
use cleanclaim_model::Encounter;
use cleanclaim_scrub::{ContextData, ScrubOptions, Scrubber};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ENCOUNTERS: usize = 20_000;

fn setup() -> (Engine, Vec<Encounter>, ContextData) {
    let engine = Engine::builtin().unwrap_or_else(|err| unreachable!("{err}"));
    let pack = include_str!("data/bench-full.toml");
    let packs = RulePacks::load(
        &BUILTIN_PACKS,
        &[("benches/data/bench-full.toml", pack)],
        engine.diagnoses(),
    )
    .unwrap_or_else(|err| unreachable!("{err}"));
    let engine = engine.with_packs(packs);
    let encounters: Vec<Encounter> = cleanclaim_synth::Generator::new(42)
        .take(ENCOUNTERS)
        .collect();
    let mut patients: Vec<&str> = encounters.iter().map(|e| e.patient.id.as_str()).collect();
    patients.sort_unstable();
    patients.dedup();
    let ledger: Vec<serde_json::Value> = patients
        .iter()
        .map(|patient| {
            serde_json::json!({
                "patient_id": patient, "payer_id": "BENCH-FULL", "number": format!("AUTH-{patient}"),
                "from": "2019-01-01", "to": "2030-12-31", "disciplines": ["pt", "ot", "slp"],
                "visits": 30, "units": 120
            })
        })
        .collect();
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            &serde_json::Value::from(ledger).to_string(),
        )
        .unwrap_or_else(|err| unreachable!("{err}"));
    (engine, encounters, context)
}

fn bench(c: &mut Criterion) {
    let (engine, mut encounters, context) = setup();
    for encounter in &mut encounters {
        encounter.administrative.payer.id = "BENCH-FULL".to_owned();
        encounter.administrative.authorization = Some(format!("AUTH-{}", encounter.patient.id));
    }
    let mut group = c.benchmark_group("scrub");
    group.throughput(Throughput::Elements(ENCOUNTERS as u64));
    group.sample_size(10);
    group.bench_function("full_pack_batch", |b| {
        b.iter(|| {
            let mut scrubber = Scrubber::new(&engine, context.clone(), ScrubOptions::default());
            scrubber.scrub_batch(&encounters).len()
        });
    });
    let default_packs = Engine::builtin().unwrap_or_else(|err| unreachable!("{err}"));
    let plain: Vec<Encounter> = cleanclaim_synth::Generator::new(42)
        .take(ENCOUNTERS)
        .collect();
    group.bench_function("builtin_packs_batch", |b| {
        b.iter(|| {
            let mut scrubber = Scrubber::new(
                &default_packs,
                ContextData::default(),
                ScrubOptions::default(),
            );
            scrubber.scrub_batch(&plain).len()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
