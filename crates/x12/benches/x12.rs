#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark setup fails loudly"
)]
//! X12 throughput: tokenizing, validating the 330 KB many-claims 837P sample, writing claims.
//! `cargo bench -p cleanclaim-x12 --bench x12`

use chrono::NaiveDate;
use cleanclaim_x12::x835::{RemitItem, RemitReader, SyntheticRemittance};
use cleanclaim_x12::x837::{BillingProfile, ControlNumbers, WriteOptions, read_claims, write_837p};
use cleanclaim_x12::{Delimiters, SegmentStream, tokenize, validate};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Read;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the public corpus (`../shared/corpus`), or `None` with a word when a clone has
/// no corpus beside it: those benchmarks are skipped, the generated ones still run.
fn corpus_file(path: &str) -> Option<Vec<u8>> {
    let full = root().join("../../../shared/corpus").join(path);
    match std::fs::read(&full) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            eprintln!("skipped: the benchmarks of {} ({error})", full.display());
            None
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("x12");
    if let Some(many) = corpus_file("x12-837p/imsweb__x12_many_claims.txt") {
        let many = String::from_utf8(many).unwrap();
        corpus_837p(&mut group, &many);
    }
    generated(&mut group);
    if let Some(corpus_835) = corpus_file("x12-835/oopfactory__ExampleFromNth.txt") {
        group.throughput(Throughput::Bytes(corpus_835.len() as u64));
        group.bench_function("read 835 ExampleFromNth (22 KB, typed)", |b| {
            b.iter(|| {
                RemitReader::new(black_box(corpus_835.as_slice()))
                    .filter(Result::is_ok)
                    .count()
            })
        });
    }
    group.finish();
}

fn corpus_837p(group: &mut BenchmarkGroup<'_, WallTime>, many: &str) {
    group.throughput(Throughput::Bytes(many.len() as u64));
    group.bench_function("tokenize many_claims (330 KB)", |b| {
        b.iter(|| {
            tokenize(black_box(many))
                .unwrap()
                .filter(Result::is_ok)
                .count()
        })
    });
    group.bench_function("validate many_claims (330 KB)", |b| {
        b.iter(|| validate(black_box(many)).errors.len())
    });
}

fn generated(group: &mut BenchmarkGroup<'_, WallTime>) {
    // The golden PT claim (two lines), as the application layer built it from its encounter.
    let golden = std::fs::read_to_string(root().join("tests/data/golden/pt-medicare.837")).unwrap();
    let template = read_claims(&golden).unwrap().remove(0);
    let claims: Vec<_> = (0..1000)
        .map(|n| {
            let mut claim = template.clone();
            claim.id = format!("PT-{n:06}");
            claim
        })
        .collect();
    let profile: BillingProfile =
        toml::from_str(&std::fs::read_to_string(root().join("tests/data/billing.toml")).unwrap())
            .unwrap();
    let options = WriteOptions {
        delimiters: Delimiters::default(),
        created: NaiveDate::from_ymd_opt(2025, 3, 12)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
        controls: ControlNumbers {
            interchange: 1,
            group: 1,
            first_transaction: 1,
        },
        line_breaks: false,
    };
    let written = write_837p(&profile, &claims, &options).unwrap();
    group.throughput(Throughput::Elements(claims.len() as u64));
    group.bench_function("write 1000 claims", |b| {
        b.iter(|| {
            write_837p(&profile, black_box(&claims), &options)
                .unwrap()
                .len()
        })
    });
    group.bench_function("read 1000 claims", |b| {
        b.iter(|| read_claims(black_box(&written)).unwrap().len())
    });
    assert!(validate(&written).is_valid());
    group.throughput(Throughput::Bytes(written.len() as u64));
    group.bench_function("validate 1000 written claims (no errors)", |b| {
        b.iter(|| validate(black_box(&written)).errors.len())
    });

    let mut remittance = Vec::new();
    SyntheticRemittance::new(20_000)
        .read_to_end(&mut remittance)
        .unwrap();
    group.throughput(Throughput::Bytes(remittance.len() as u64));
    group.bench_function("read 835 (20,000 claims, typed)", |b| {
        b.iter(|| {
            RemitReader::new(black_box(remittance.as_slice()))
                .filter(Result::is_ok)
                .count()
        })
    });
    group.bench_function("read 835 (20,000 claims, typed, claims recycled)", |b| {
        b.iter(|| {
            let mut reader = RemitReader::new(black_box(remittance.as_slice()));
            let mut claims = 0usize;
            while let Some(item) = reader.next_item().unwrap() {
                if let RemitItem::Claim(claim) = item {
                    claims += claim.lines.len();
                    reader.recycle(claim);
                }
            }
            claims
        })
    });
    group.bench_function("stream segments of the same 835 (untyped)", |b| {
        b.iter(|| {
            let mut stream = SegmentStream::new(black_box(remittance.as_slice()));
            let mut count = 0usize;
            while let Some(segment) = stream.next_segment().unwrap() {
                count += segment.raw().len();
            }
            count
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
