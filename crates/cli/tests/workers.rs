#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! Two `cleanclaim serve` processes on one PostgreSQL share the background work, and each is
//! killed (SIGKILL) again and again while they work: every queued 835 is posted exactly once
//! (no payment, no claim twice) and every job ends done.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cleanclaim_store::{JobKind, Store};
use cleanclaim_test_support::TestDatabase;

const JOBS: usize = 16;
const CLAIMS_PER_FILE: usize = 800;

/// An 835 of `CLAIMS_PER_FILE` claims under its own trace number (claims not ours: each is
/// posted unmatched, which is still a row per claim to count).
fn remittance(trace: usize) -> String {
    let mut body = String::new();
    for claim in 0..CLAIMS_PER_FILE {
        body.push_str(&format!(
            "CLP*F{trace}C{claim}*1*100.00*60.00*0*MB*PCN{trace}-{claim}~SVC*HC:97110*100.00*60.00**1~DTM*472*20250301~CAS*CO*45*40.00~REF*6R*F{trace}C{claim}-1~"
        ));
    }
    let paid = CLAIMS_PER_FILE * 60;
    let inner = format!(
        "BPR*I*{paid}.00*C*ACH*CCP*01*999*DA*123*1512345678**01*888*DA*456*20250320~TRN*1*TRACE{trace}*1512345678~N1*PR*MEDICARE PART B~N1*PE*CLINIC*XX*1245319599~REF*TJ*371234567~LX*1~{body}"
    );
    let count = 2 + inner.matches('~').count();
    format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250320*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20250320*1200*1*X*005010X221A1~ST*835*0001~{inner}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
    )
}

struct Server(Child);

impl Server {
    fn start(url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--database",
                url,
            ])
            .env_remove("CLEANCLAIM_DATABASE")
            .env_remove("DATABASE_URL")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        Self(child)
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[test]
fn two_servers_killed_at_random_post_every_queued_remittance_exactly_once() {
    let database = TestDatabase::create();
    let url = database.url().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        for trace in 0..JOBS {
            store
                .enqueue_job(JobKind::PostRemittance, &remittance(trace), "test", &[])
                .await
                .unwrap();
        }
        store.close().await;
    });

    let mut servers = [Server::start(&url), Server::start(&url)];
    // A fixed pseudo-random sequence: the same run every time, kills at varied moments.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    let remaining =
        || database.count("SELECT COUNT(*) FROM jobs WHERE status NOT IN ('done', 'failed')");
    let in_hand = || {
        database.count("SELECT COUNT(*) FROM job_attempts")
            > database.count("SELECT COUNT(*) FROM jobs WHERE status IN ('done', 'failed')")
    };
    // First, both at once while a job is in hand: that job's worker surely dies mid-job.
    while !in_hand() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no job was taken up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    for server in &mut servers {
        server.kill();
        *server = Server::start(&url);
    }
    let mut kills = 2;
    while remaining() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "jobs are still queued after 4 minutes"
        );
        std::thread::sleep(Duration::from_millis(500 + next() % 1_000));
        let victim = (next() % 2) as usize;
        servers[victim].kill();
        kills += 1;
        servers[victim] = Server::start(&url);
    }
    for server in &mut servers {
        server.kill();
    }
    assert!(
        kills >= 3,
        "the servers were killed while working ({kills} kills)"
    );

    let jobs = JOBS as i64;
    assert_eq!(
        database.count("SELECT COUNT(*) FROM jobs WHERE status = 'done'"),
        jobs
    );
    assert_eq!(database.count("SELECT COUNT(*) FROM remittances"), jobs);
    assert_eq!(
        database.count("SELECT COUNT(DISTINCT trace_number) FROM remittances"),
        jobs
    );
    assert_eq!(
        database.count("SELECT COUNT(*) FROM remittance_claims"),
        jobs * CLAIMS_PER_FILE as i64,
        "no claim posted twice"
    );
    let attempts = database.count("SELECT COUNT(*) FROM job_attempts");
    assert!(
        attempts > jobs,
        "a job was taken up again after its worker died: {attempts} attempts"
    );
    eprintln!("{JOBS} jobs, {kills} kills, {attempts} attempts");
}
