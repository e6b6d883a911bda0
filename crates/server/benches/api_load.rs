#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]
//! `POST /api/encounters` under a fixed request rate (open loop: each request is sent at its
//! scheduled time whether or not earlier ones have answered, and its latency is counted from
//! that time, so a slow server cannot hide its queue). Each request stores a synthetic
//! encounter, scrubs it with its patient's stored history and writes its audit row, as the
//! integration user over HTTP on loopback. Prints p50, p99 and max per rate, and the highest
//! rate held with p99 under 10 ms, on SQLite and on PostgreSQL (`DATABASE_URL`, default the
//! local `test` server).
//!
//! cargo bench -p cleanclaim-server --bench api_load [-- sqlite|postgres] [RATES...]
//!
//! Client and server share the machine's cores: the figures are for both on one host.

mod support;

use std::time::Duration;

use cleanclaim_app::access::{self, NewAccount, Role};
use cleanclaim_store::{Clinic, Store};
use cleanclaim_test_support::TestDatabase;

const DEFAULT_RATES: [u32; 6] = [50, 100, 200, 400, 600, 800];
/// Seconds at each rate.
const STEP: Duration = Duration::from_secs(10);
const TARGET_P99: Duration = Duration::from_millis(10);

struct Step {
    rate: u32,
    sent: usize,
    errors: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    achieved: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn run_backend(name: &str, database: TestDatabase, rates: &[u32]) {
    let store = Store::connect(database.url()).await.unwrap();
    store
        .put_clinic(&Clinic {
            id: "north".into(),
            name: "North".into(),
        })
        .await
        .unwrap();
    access::add_user(
        &store,
        &NewAccount {
            username: "emr".into(),
            password: None,
            role: Role::Integration,
            npi: None,
            all_clinics: false,
            clinics: vec!["north".into()],
        },
    )
    .await
    .unwrap();
    let token = access::issue_api_token(&store, "emr", "bench")
        .await
        .unwrap();
    let served = support::serve_on_loopback(&store).await;
    let base = format!("{}/api/encounters", served.base);
    let client = reqwest::Client::new();
    let total: usize = 300
        + rates
            .iter()
            .map(|r| *r as usize * STEP.as_secs() as usize)
            .sum::<usize>();
    let mut bodies = cleanclaim_synth::Generator::new(2026)
        .take(total)
        .map(|mut e| {
            e.administrative.location = Some("north".into());
            serde_json::to_string(&e).unwrap()
        });
    // Warm up: connections, caches, the first patients' history.
    for body in bodies.by_ref().take(300) {
        let response = client
            .post(&base)
            .bearer_auth(&token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }
    println!(
        "\n{name}: POST /api/encounters, {} s per rate, open loop",
        STEP.as_secs()
    );
    println!("| rate (req/s) | sent | errors | achieved (req/s) | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    let mut held = None;
    for &rate in rates {
        let count = rate as usize * STEP.as_secs() as usize;
        let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::with_capacity(count);
        for (n, body) in bodies.by_ref().take(count).enumerate() {
            let due = start + interval * n as u32;
            tokio::time::sleep_until(due).await;
            let request = client.post(&base).bearer_auth(&token).body(body);
            tasks.push(tokio::spawn(async move {
                let ok = matches!(request.send().await, Ok(r) if r.status().is_success());
                (due.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::with_capacity(count);
        let mut errors = 0;
        for task in tasks {
            let (latency, ok) = task.await.unwrap();
            latencies.push(latency);
            errors += usize::from(!ok);
        }
        let elapsed = start.elapsed();
        latencies.sort_unstable();
        let step = Step {
            rate,
            sent: count,
            errors,
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
            max: latencies.last().copied().unwrap_or_default(),
            achieved: count as f64 / elapsed.as_secs_f64(),
        };
        println!(
            "| {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.1} ms |",
            step.rate,
            step.sent,
            step.errors,
            step.achieved,
            step.p50.as_secs_f64() * 1e3,
            step.p99.as_secs_f64() * 1e3,
            step.max.as_secs_f64() * 1e3
        );
        if step.p99 < TARGET_P99 && step.errors == 0 {
            held = Some(step.rate);
        } else {
            break;
        }
    }
    match held {
        Some(rate) => println!("{name}: highest rate held with p99 under 10 ms: {rate} req/s"),
        None => println!("{name}: no rate tried held p99 under 10 ms"),
    }
    served.stop().await;
    store.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let backends: Vec<&str> = match args.iter().find(|a| *a == "sqlite" || *a == "postgres") {
        Some(one) => vec![one.as_str()],
        None => vec!["sqlite", "postgres"],
    };
    let rates: Vec<u32> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let rates = if rates.is_empty() {
        DEFAULT_RATES.to_vec()
    } else {
        rates
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for backend in backends {
        let database = match backend {
            "sqlite" => TestDatabase::sqlite(),
            _ => TestDatabase::create(),
        };
        runtime.block_on(run_backend(backend, database, &rates));
    }
}
