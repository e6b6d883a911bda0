#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]
//! Every dashboard page and the KPI API on a stored organization, over HTTP on loopback: how long
//! the first read of the facts since the start takes (the dashboard says it is counting
//! meanwhile), then the first answer and the time of each page over repeated requests (p50,
//! max), and a KPI page answered right after a write (the facts refresh in the background; the
//! page answers from the kept ones within the wait, saying so).
//!
//! cargo bench -p cleanclaim-server --bench dashboard_pages -- DATABASE_URL [ROUNDS]
//!
//! Made for the database `cleanclaim demo` leaves (BENCHMARKS.md has the command): it adds a
//! bench admin and therapist if they are missing, and resolves one held visit.

mod support;

use std::time::{Duration, Instant};

use cleanclaim_app::access::{self, NewAccount, Role};
use cleanclaim_store::{QueueAction, Scope, Store};

const DEFAULT_ROUNDS: usize = 10;

async fn account(store: &Store, account: NewAccount) -> String {
    let name = account.username.clone();
    if store.user_by_name(&name).await.unwrap().is_none() {
        access::add_user(store, &account).await.unwrap();
    }
    access::issue_api_token(store, &name, "bench")
        .await
        .unwrap()
}

/// One request, signed in as `token`: how long it took to the last byte, its status, its body
/// and whether it says its figures are behind the store.
async fn get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> (Duration, reqwest::StatusCode, String, bool) {
    let start = Instant::now();
    let response = client
        .get(url)
        .header("Cookie", format!("cleanclaim_session={token}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let behind = response
        .headers()
        .get("x-figures-behind")
        .is_some_and(|v| v == "true");
    let body = response.text().await.unwrap();
    let behind = behind || body.contains("newer activity is being counted");
    (start.elapsed(), status, body, behind)
}

/// A page that must answer: its time, size and whether it is behind.
async fn time(client: &reqwest::Client, url: &str, token: &str) -> (Duration, usize, bool) {
    let (elapsed, status, body, behind) = get(client, url, token).await;
    assert!(status.is_success(), "{url}: {status}: {body}");
    (elapsed, body.len(), behind)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

async fn run(url: &str, rounds: usize) {
    let began = Instant::now();
    let store = Store::connect(url).await.unwrap();
    println!(
        "connected (and migrated) in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let held = store.held_within(&Scope::everything()).await.unwrap();
    let visit = store
        .encounter_view(held.first().expect("a held visit"))
        .await
        .unwrap()
        .unwrap();
    let clinic = visit.clinic_id.clone().unwrap();
    let admin = account(
        &store,
        NewAccount {
            username: "bench-admin".into(),
            password: None,
            role: Role::Admin,
            npi: None,
            all_clinics: true,
            clinics: Vec::new(),
        },
    )
    .await;
    let therapist = account(
        &store,
        NewAccount {
            username: "bench-therapist".into(),
            password: None,
            role: Role::Therapist,
            npi: visit.rendering_npi.clone(),
            all_clinics: false,
            clinics: vec![clinic.clone()],
        },
    )
    .await;
    let served = support::serve_on_loopback(&store).await;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    // The first read of the facts begins with the server; until it is done the dashboard says
    // so (503, reloading itself). How long that lasts, and how fast those answers are.
    let started = Instant::now();
    let mut counting = Vec::new();
    loop {
        let (elapsed, status, _, _) = get(&client, &format!("{base}/dashboard"), &admin).await;
        match status.as_u16() {
            503 => counting.push(elapsed),
            200 => break,
            other => panic!("the dashboard answered {other} while the figures were read"),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    counting.sort_unstable();
    println!(
        "first read of the facts since the start: ready {:.1} s after it; {} dashboard answers meanwhile said so (max {})",
        started.elapsed().as_secs_f64(),
        counting.len(),
        counting.last().map_or_else(|| "-".to_owned(), |d| ms(*d))
    );
    let pages: Vec<(&str, String, &str)> = vec![
        ("dashboard", "/dashboard".into(), &admin),
        (
            "dashboard, one location",
            format!("/dashboard?location={clinic}"),
            &admin,
        ),
        (
            "dashboard, OT, one quarter",
            "/dashboard?discipline=ot&from=2026-01-01&to=2026-03-31".into(),
            &admin,
        ),
        (
            "dashboard, before and after",
            "/dashboard?a_from=2025-09-01&a_to=2026-02-28&b_from=2026-03-01&b_to=2026-08-31&staff_cost=40000".into(),
            &admin,
        ),
        ("dashboard, therapist", "/dashboard".into(), &therapist),
        ("/api/kpis (JSON)", "/api/kpis".into(), &admin),
        ("/api/kpis (CSV)", "/api/kpis?format=csv".into(), &admin),
        ("work queues", "/queues".into(), &admin),
        ("work queues by dollars", "/queues?order=dollars".into(), &admin),
        (
            "encounter trace",
            format!("/encounters/{}", visit.encounter_id),
            &admin,
        ),
        ("provider view", "/provider".into(), &therapist),
        ("rule packs", "/packs".into(), &admin),
        ("audit report", "/audit".into(), &admin),
    ];
    println!("| page | first answer | p50 | max | bytes |");
    println!("|---|---|---|---|---|");
    for (name, path, token) in &pages {
        let url = format!("{base}{path}");
        let (first, _, _) = time(&client, &url, token).await;
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for _ in 0..rounds {
            let (elapsed, size, _) = time(&client, &url, token).await;
            times.push(elapsed);
            bytes = size;
        }
        times.sort_unstable();
        println!(
            "| {name} | {} | {} | {} | {bytes} |",
            ms(first),
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap())
        );
    }

    // A biller resolves a held visit: the store moves on, and the next dashboard answers
    // within the wait, from the kept facts if the refresh has not finished.
    let item = store.queue_items(None, true).await.unwrap()[0].id;
    let resolve = QueueAction::Status {
        status: "resolved".into(),
    };
    assert!(store.act_on_queue_item(item, &resolve, &[]).await.unwrap());
    let url = format!("{base}/dashboard");
    let (after_write, _, behind) = time(&client, &url, &admin).await;
    println!(
        "dashboard right after a write: {} ({})",
        ms(after_write),
        if behind {
            "answered from the kept facts, marked as refreshing"
        } else {
            "the refresh finished within the wait"
        }
    );
    let refreshed = Instant::now();
    loop {
        let (elapsed, _, behind) = time(&client, &url, &admin).await;
        if !behind {
            println!(
                "caught up {:.1} s after the write; that answer took {}",
                refreshed.elapsed().as_secs_f64() + after_write.as_secs_f64(),
                ms(elapsed)
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    served.stop().await;
    store.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let url = args
        .first()
        .expect("the database URL of a stored organization (see the module docs)");
    let rounds = args
        .get(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(url, rounds));
}
