//! `cleanclaim claims` as a new user meets it (issue 11): generated and example encounters
//! billed whole, one bad encounter not blocking the batch, a failed write leaving nothing
//! behind, duplicate ids named. Each test has an empty database of its own.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod common;

use std::path::{Path, PathBuf};

use cleanclaim_x12::x837::read_claims;
use common::{TestDatabase, cleanclaim, cleanclaim_db, scratch, scratch_dir, x12_data};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn claims_run(database: &TestDatabase, profile: &Path, out: &Path, inputs: &[&str]) -> Output {
    let mut args = vec![
        "claims",
        "--profile",
        profile.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(inputs);
    let output = cleanclaim_db(database, &args);
    Output {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

struct Output {
    code: Option<i32>,
    stderr: String,
}

/// The ids `scrub --format json` routes to `ready_to_bill`.
fn ready_ids(input: &str) -> Vec<String> {
    let output = cleanclaim(&["scrub", "--format", "json", "-q", input]);
    let mut ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["queue"] == "ready_to_bill")
        .map(|v| v["encounter_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn billed_ids(file: &Path) -> Vec<String> {
    let mut ids: Vec<String> = read_claims(&std::fs::read_to_string(file).unwrap())
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_ready_encounter_of_generated_and_example_data_is_billed_and_valid() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-generated", 'G');
    let generated = dir.join("generated.ndjson");
    let output = cleanclaim(&[
        "generate",
        "--encounters",
        "1500",
        "--seed",
        "7",
        "--out",
        generated.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let examples = workspace().join("examples/encounters.json");
    for (input, out) in [
        (generated.to_str().unwrap(), dir.join("generated.837")),
        (examples.to_str().unwrap(), dir.join("examples.837")),
    ] {
        let ready = ready_ids(input);
        assert!(ready.len() > 3, "{input}: {ready:?}");
        let run = claims_run(&database, &profile, &out, &[input]);
        // Held encounters are findings (1); nothing is left out or rejected.
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(run.stderr.contains("0 not billed"), "{}", run.stderr);
        assert_eq!(billed_ids(&out), ready, "{input}");
        if input.ends_with("generated.ndjson") {
            // Commercial payers' assistant-rendered visits name the supervising therapist
            // (loop 2310D, pack `supervising_provider_loop`).
            let claims = read_claims(&std::fs::read_to_string(&out).unwrap()).unwrap();
            assert!(
                claims.iter().any(|claim| claim.supervising.is_some()),
                "no claim carries loop 2310D"
            );
        }
        let validated = cleanclaim(&["x12", "validate", out.to_str().unwrap()]);
        assert_eq!(
            validated.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&validated.stdout)
        );
    }
}

/// A copy of a test encounter with another id and a change.
fn variant(dir: &Path, name: &str, id: &str, change: impl Fn(&mut serde_json::Value)) -> String {
    let mut encounter: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(x12_data().join("encounters/pt-medicare.json")).unwrap(),
    )
    .unwrap();
    encounter["id"] = id.into();
    encounter["patient"]["id"] = format!("MRN-{id}").into();
    change(&mut encounter);
    let path = dir.join(name);
    std::fs::write(&path, encounter.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn one_encounter_that_cannot_be_written_does_not_block_the_batch() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-one-bad", 'B');
    let good = variant(&dir, "good.json", "GOOD-1", |_| {});
    // A state the 837P cannot carry (N402 is a state code): the scrubber cannot know every
    // code list, the writer does.
    let bad = variant(&dir, "bad.json", "BAD-1", |e| {
        e["patient"]["address"]["state"] = "Illinois".into();
    });
    let out = dir.join("out.837");
    let strict = claims_run(
        &database,
        &profile,
        &out,
        &[&good, &bad, "--all-or-nothing"],
    );
    assert_eq!(strict.code, Some(2), "{}", strict.stderr);
    assert!(
        strict.stderr.contains("no claims written"),
        "{}",
        strict.stderr
    );
    assert!(!out.exists());

    let run = claims_run(&database, &profile, &out, &[&good, &bad]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("encounter BAD-1: not billed: claim BAD-1: patient.address.state"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("wrote 1 claim(s)"), "{}", run.stderr);
    assert_eq!(billed_ids(&out), ["GOOD-1"]);
}

#[test]
fn a_failed_write_records_nothing_and_leaves_nothing_behind() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-failed-write", 'W');
    let input = x12_data().join("encounters/pt-medicare.json");
    let input = input.to_str().unwrap();
    let folder = dir.join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let failed = claims_run(&database, &profile, &folder, &[input]);
    assert_eq!(failed.code, Some(2), "{}", failed.stderr);
    assert!(failed.stderr.contains("is a folder"), "{}", failed.stderr);
    let missing = claims_run(&database, &profile, &dir.join("nope/out.837"), &[input]);
    assert_eq!(missing.code, Some(2), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );

    // Nothing was recorded: the next run sends the claim as an original.
    let out = dir.join("out.837");
    let run = claims_run(&database, &profile, &out, &[input]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(billed_ids(&out), ["PT-0001"]);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

#[test]
fn the_same_encounter_id_twice_is_an_input_error_naming_both_records() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-duplicate", 'D');
    let first = variant(&dir, "first.json", "DUP-1", |_| {});
    let second = variant(&dir, "second.json", "DUP-1", |e| {
        e["timing"]["lines"][0]["minutes"] = 30.into();
    });
    let scrub = cleanclaim(&["scrub", &first, &second]);
    let stderr = String::from_utf8_lossy(&scrub.stderr);
    assert_eq!(scrub.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{second}:1: rejected: encounter id `DUP-1` was already read at {first}:1"
        )),
        "{stderr}"
    );
    // Counted once.
    assert!(stderr.contains("2 encounter(s): 1 clean"), "{stderr}");
    assert!(!stderr.contains("duplicate key"), "{stderr}");

    let out = dir.join("out.837");
    let run = claims_run(&database, &profile, &out, &[&first, &second]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("already read at"), "{}", run.stderr);
    assert!(!run.stderr.contains("duplicate key"), "{}", run.stderr);
    assert_eq!(billed_ids(&out), ["DUP-1"]);
}

/// With no database named, `claims`, `remit --post` and `migrate` work on an SQLite file in
/// the working directory, created on first use and named once (issue 15: no server needed).
#[test]
fn with_no_database_named_an_sqlite_file_is_created_and_used() {
    let (dir, profile, _) = scratch("claims-default-db", 'S');
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("CLEANCLAIM_DATABASE")
            .current_dir(&dir)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let input = x12_data().join("encounters/pt-medicare.json");
    let input = input.to_str().unwrap();
    let profile = profile.to_str().unwrap();
    let (code, stderr) = run(&["claims", "--profile", profile, "--out", "a.837", input]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("created the database"), "{stderr}");
    assert!(stderr.contains("cleanclaim.db (SQLite"), "{stderr}");
    assert!(dir.join("cleanclaim.db").is_file());
    // The second run finds the record of the first: the claim was sent.
    let (code, stderr) = run(&["claims", "--profile", profile, "--out", "b.837", input]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("created the database"), "{stderr}");
    assert!(stderr.contains("already submitted"), "{stderr}");
    let (code, stderr) = run(&["migrate"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("applied 0 migration(s); the SQLite database is at schema version"),
        "{stderr}"
    );
}

/// `ingest` stores and scrubs, a second run of the same records changes nothing, and the
/// queues can be listed, shown and assigned.
#[test]
fn ingest_stores_results_and_the_queues_can_be_worked() {
    let database = TestDatabase::sqlite();
    let examples = workspace().join("examples/encounters.json");
    let examples = examples.to_str().unwrap();
    let text = |o: &std::process::Output| {
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let first = cleanclaim_db(&database, &["ingest", examples]);
    let (stdout, stderr) = text(&first);
    assert_eq!(first.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("EX-PT-0003               documentation_hold   new record"),
        "{stdout}"
    );
    assert!(
        stderr.contains("5 new, 0 corrected, 0 unchanged"),
        "{stderr}"
    );
    let again = cleanclaim_db(&database, &["ingest", examples]);
    let (stdout, stderr) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("5 unchanged"), "{stderr}");

    let listed = cleanclaim_db(
        &database,
        &["queue", "list", "--queue", "documentation_hold"],
    );
    let (stdout, _) = text(&listed);
    let line = stdout.lines().find(|l| l.contains("EX-PT-0003")).unwrap();
    let id = line.split_whitespace().next().unwrap().to_owned();
    assert!(line.contains("units.timed-minutes-missing"), "{line}");
    let assigned = cleanclaim_db(&database, &["queue", "assign", &id, "ana"]);
    assert_eq!(assigned.status.code(), Some(0));
    let shown = cleanclaim_db(&database, &["queue", "show", "EX-PT-0003"]);
    let (stdout, _) = text(&shown);
    assert!(stdout.contains("(open), owner ana"), "{stdout}");
    assert!(stdout.contains("result 1: documentation_hold"), "{stdout}");
    let unknown = cleanclaim_db(&database, &["queue", "assign", "999999", "ana"]);
    assert_eq!(unknown.status.code(), Some(2));
}

/// `claims` with no files bills the stored encounters that are ready and not yet billed, and
/// their ready-to-bill stays end; the queue figures count what happened.
#[test]
fn claims_bills_what_ingest_stored_once_and_the_stays_end() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-stored", 'Q');
    let examples = workspace().join("examples/encounters.json");
    let ingested = cleanclaim_db(&database, &["ingest", examples.to_str().unwrap()]);
    assert_eq!(ingested.status.code(), Some(1));
    let out = dir.join("stored.837");
    let run = |out: &Path| {
        cleanclaim_db(
            &database,
            &[
                "claims",
                "--profile",
                profile.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        )
    };
    // Stored encounters are billed with the context stored with them, not a folder given now.
    let with_context = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--context",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(with_context.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&with_context.stderr).contains("cleanclaim ingest --context DIR")
    );
    assert!(!out.exists());
    let first = run(&out);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    assert_eq!(
        billed_ids(&out),
        ["EX-OT-0001", "EX-PT-0001", "EX-PT-0002", "EX-SLP-0001"]
    );
    let second = run(&dir.join("again.837"));
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("nothing written"));

    let stats = cleanclaim_db(&database, &["queue", "stats"]);
    let stdout = String::from_utf8_lossy(&stats.stdout);
    // The four billed stays ended; the held one is still open.
    assert!(
        stdout.contains("ready_to_bill               4      0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("documentation_hold          1      1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("auto-cleared: 4 of 5 encounter(s)"),
        "{stdout}"
    );

    let listed = cleanclaim_db(
        &database,
        &["queue", "list", "--queue", "documentation_hold"],
    );
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let id = listed
        .lines()
        .find(|l| l.contains("EX-PT-0003"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let wrong = cleanclaim_db(&database, &["queue", "status", &id, "denied"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("authorization items"));
    let commented = cleanclaim_db(
        &database,
        &[
            "queue",
            "comment",
            &id,
            "asked for the minutes",
            "--by",
            "ana",
        ],
    );
    assert_eq!(commented.status.code(), Some(0));
    let resolved = cleanclaim_db(&database, &["queue", "status", &id, "resolved"]);
    assert_eq!(resolved.status.code(), Some(0));
    let shown = cleanclaim_db(&database, &["queue", "show", "EX-PT-0003"]);
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert!(stdout.contains("status: resolved"), "{stdout}");
    assert!(stdout.contains("ana: asked for the minutes"), "{stdout}");
}

/// Regression (issue 12): eight `claims` runs at once over the same encounters, on one
/// database: exactly one bills them; the others withdraw their files and record nothing.
#[test]
fn concurrent_claims_runs_bill_each_claim_once() {
    for database in [TestDatabase::sqlite(), TestDatabase::create()] {
        let (dir, profile, _) = scratch("claims-race", 'C');
        let examples = workspace().join("examples/encounters.json");
        let runs: Vec<_> = (0..8)
            .map(|n| {
                std::process::Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
                    .args([
                        "claims",
                        "--profile",
                        profile.to_str().unwrap(),
                        "--out",
                        dir.join(format!("run{n}.837")).to_str().unwrap(),
                        examples.to_str().unwrap(),
                    ])
                    .env_remove("DATABASE_URL")
                    .env("CLEANCLAIM_DATABASE", database.url())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = runs
            .into_iter()
            .map(|run| run.wait_with_output().unwrap())
            .collect();
        // A run that found the claims already recorded leaves them out (exit 2, nothing
        // written); one that recorded them first wins; one that lost the race at the record
        // withdraws its file (exit 2).
        let winners = outputs
            .iter()
            .filter(|o| o.status.code() == Some(1))
            .count();
        assert_eq!(
            winners,
            1,
            "{:?}",
            outputs
                .iter()
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .collect::<Vec<_>>()
        );
        let files: Vec<_> = (0..8)
            .map(|n| dir.join(format!("run{n}.837")))
            .filter(|p| p.exists())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(billed_ids(&files[0]).len(), 4);
    }
}

/// Each encounter's latest stored (queue, findings), read through the store.
fn stored_results(database: &TestDatabase, ids: &[String]) -> Vec<(String, String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = cleanclaim_store::Store::connect(database.url())
            .await
            .unwrap();
        let mut results: Vec<(String, String, String)> = store
            .latest_results(ids)
            .await
            .unwrap()
            .into_values()
            .map(|r| (r.encounter_id, r.queue, r.findings))
            .collect();
        results.sort();
        results
    })
}

/// The order of an input does not change what `ingest` stores: a file grouped by patient
/// (streamed in chunks) and the same records dealt out by date (sorted in runs that spill to
/// disk, then merged) end with the same results; a second record of an id in the same intake
/// is rejected with both lines named, even chunks apart.
#[test]
fn ingest_stores_the_same_whatever_the_order_of_the_input() {
    let dir = scratch_dir("ingest-order");
    let grouped = dir.join("grouped.ndjson");
    let made = cleanclaim(&[
        "generate",
        "--encounters",
        "900",
        "--seed",
        "12",
        "--out",
        grouped.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0));
    let text = std::fs::read_to_string(&grouped).unwrap();
    let mut lines: Vec<(String, String, &str)> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                value["date_of_service"].as_str().unwrap().to_owned(),
                value["id"].as_str().unwrap().to_owned(),
                line,
            )
        })
        .collect();
    let ids: Vec<String> = lines.iter().map(|(_, id, _)| id.clone()).collect();
    lines.sort();
    let by_date = dir.join("by-date.ndjson");
    let mut dealt: String = lines.iter().map(|(_, _, l)| format!("{l}\n")).collect();
    // The first record again at the end: a duplicate id, chunks after the first.
    dealt.push_str(lines[0].2);
    dealt.push('\n');
    std::fs::write(&by_date, dealt).unwrap();

    let (one, other) = (TestDatabase::sqlite(), TestDatabase::sqlite());
    let streamed = cleanclaim_db(
        &one,
        &["ingest", "--chunk", "100", grouped.to_str().unwrap()],
    );
    assert_eq!(streamed.status.code(), Some(1));
    let sorted = cleanclaim_db(
        &other,
        &["ingest", "--chunk", "100", by_date.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&sorted.stderr);
    assert_eq!(sorted.status.code(), Some(2), "{stderr}");
    let first = format!("{}:1", by_date.display());
    let last = format!("{}:901", by_date.display());
    assert!(
        stderr.contains(&format!(
            "{last}: rejected: encounter id `{}` was already read at {first}",
            lines[0].1
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("901 record(s): 900 new, 0 corrected, 0 unchanged, 1 rejected"),
        "{stderr}"
    );
    let (streamed, sorted) = (stored_results(&one, &ids), stored_results(&other, &ids));
    assert_eq!(streamed.len(), 900);
    assert_eq!(streamed, sorted);
}

/// The 837P holds PHI and may already have been sent: an existing `--out` (or a symlink
/// planted at its name) is never overwritten without `--overwrite`, nothing is reserved or
/// recorded when it is refused, and the file is readable by its owner only.
#[cfg(unix)]
#[test]
fn an_existing_out_is_kept_and_a_new_one_is_private() {
    use std::os::unix::fs::PermissionsExt;

    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-out-file", 'O');
    let input = x12_data().join("encounters/pt-medicare.json");
    let input = input.to_str().unwrap();
    let out = dir.join("claims.837");
    std::fs::write(&out, "sent yesterday").unwrap();
    let target = dir.join("elsewhere.txt");
    let planted = dir.join("planted.837");
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    for name in [&out, &planted] {
        let refused = cleanclaim_db(
            &database,
            &[
                "claims",
                "--profile",
                profile.to_str().unwrap(),
                "--out",
                name.to_str().unwrap(),
                input,
            ],
        );
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("pass --overwrite"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "sent yesterday");
    assert!(!target.exists(), "nothing was written through the symlink");

    let fresh = dir.join("fresh.837");
    let written = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            fresh.to_str().unwrap(),
            input,
        ],
    );
    assert_eq!(
        written.status.code(),
        Some(0),
        "nothing was recorded by the refused runs: {}",
        String::from_utf8_lossy(&written.stderr)
    );
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());

    let replaced = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--overwrite",
            "--allow-resend",
            input,
        ],
    );
    assert_eq!(
        replaced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replaced.stderr)
    );
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("ISA"));
}

/// `claims --as-of` on stored encounters judges timely filing in the store first: the ready
/// visits past their limit move to their hold (printed, and kept as results with the reason)
/// and no claim goes out for them; without `--as-of`, the same store bills them.
#[test]
fn stored_claims_as_of_holds_visits_past_their_filing_limit() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-stored-filing", 'F');
    let examples = workspace().join("examples/encounters.json");
    let examples = examples.to_str().unwrap();
    let ready = ready_ids(examples);
    assert!(!ready.is_empty());
    assert_eq!(
        cleanclaim_db(&database, &["ingest", examples])
            .status
            .code(),
        Some(1)
    );
    let out = dir.join("late.837");
    let late = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2030-01-01",
        ],
    );
    let stderr = String::from_utf8_lossy(&late.stderr).into_owned();
    assert!(!out.exists(), "{stderr}");
    for id in &ready {
        assert!(
            stderr.lines().any(|line| line.starts_with(id.as_str())
                && line.contains("timely filing judged as of 2030-01-01")
                && line.contains("(was ready_to_bill)")),
            "{id}: {stderr}"
        );
    }
    for (id, queue, findings) in stored_results(&database, &ready) {
        assert_ne!(queue, "ready_to_bill", "{id}");
        assert!(findings.contains("filing.limit-passed"), "{id}: {findings}");
    }

    // Judged as of a day within every limit, the store's queues go back and the visits bill.
    let timely = dir.join("timely.837");
    let billed = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            timely.to_str().unwrap(),
            "--as-of",
            "2026-04-01",
        ],
    );
    assert!(
        timely.exists(),
        "{}",
        String::from_utf8_lossy(&billed.stderr)
    );
    let mut sent = billed_ids(&timely);
    sent.sort();
    sent.dedup();
    let mut expected = ready.clone();
    expected.sort();
    assert_eq!(sent, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Same-day pooling holds against what the store already billed (MCPM ch.5 §20.2): a PT
/// morning visit is ingested and billed; an afternoon session of 7 minutes of 97110, alone
/// worth no unit, arrives in a later intake and bills the unit the day's pooled minutes allow.
#[test]
fn a_later_session_bills_what_the_days_pooled_minutes_allow_beyond_the_billed_claim() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("claims-pooled", 'P');
    let examples: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("examples/encounters.json")).unwrap(),
    )
    .unwrap();
    let morning = examples
        .iter()
        .find(|e| e["id"] == "EX-PT-0001")
        .unwrap()
        .clone();
    let mut afternoon = morning.clone();
    afternoon["id"] = serde_json::json!("EX-PT-0001-PM");
    afternoon["timing"] = serde_json::json!({
        "lines": [{"code": "97110", "minutes": 7, "start": "15:00", "stop": "15:07", "charge_per_unit": 4200}],
        "total_treatment_minutes": 7
    });
    let write = |name: &str, value: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path
    };
    let am = write("am.json", &morning);
    let pm = write("pm.json", &afternoon);
    let bill = |name: &str| {
        let out = dir.join(name);
        claims_run(&database, &profile, &out, &[]);
        read_claims(&std::fs::read_to_string(&out).unwrap()).unwrap()
    };
    assert_eq!(
        cleanclaim_db(&database, &["ingest", am.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let first = bill("am.837");
    let units = |claims: &[cleanclaim_x12::x837::Claim]| -> u32 {
        claims
            .iter()
            .flat_map(|c| &c.lines)
            .map(|line| line.units)
            .sum()
    };
    assert_eq!(units(&first), 3, "47 minutes alone");
    assert_eq!(
        cleanclaim_db(&database, &["ingest", pm.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let second = bill("pm.837");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, "EX-PT-0001-PM");
    assert_eq!(
        units(&second),
        1,
        "the day's 54 minutes are 4 units, 3 billed"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `schedule check --stored` starts where the stored history ends: authorization A9 allows 5
/// March PT visits and 1 was used before; the two stored March visits draw the 2nd and 3rd,
/// so of the appointments on the 16th, 23rd and 30th the last is the 6th and is listed (the
/// folder alone would list none), and the appointment on the 9th, whose visit is stored, is
/// left out as seen.
#[test]
fn schedule_check_against_the_store_counts_the_stored_visits() {
    let database = TestDatabase::sqlite();
    let dir = scratch_dir("schedule-stored");
    let context = dir.join("context");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(
        context.join("authorizations.json"),
        r#"[{"patient_id": "MRN-1001", "payer_id": "04412", "number": "A9", "from": "2026-03-01",
             "to": "2026-03-31", "disciplines": ["pt"], "visits": 5, "used_visits": 1}]"#,
    )
    .unwrap();
    let examples: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("examples/encounters.json")).unwrap(),
    )
    .unwrap();
    let march: Vec<&serde_json::Value> = examples
        .iter()
        .filter(|e| e["id"] == "EX-PT-0001" || e["id"] == "EX-PT-0002")
        .collect();
    assert_eq!(march.len(), 2);
    let visits = dir.join("visits.json");
    std::fs::write(&visits, serde_json::to_string(&march).unwrap()).unwrap();
    let ingested = cleanclaim_db(
        &database,
        &[
            "ingest",
            "--context",
            context.to_str().unwrap(),
            visits.to_str().unwrap(),
        ],
    );
    assert!(
        ingested.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&ingested.stderr)
    );
    let appointment = |id: &str, date: &str| {
        serde_json::json!({"appointment_id": id, "patient_id": "MRN-1001", "payer_id": "04412",
                           "plan": "medicare_part_b", "date": date, "discipline": "pt"})
    };
    let schedule = serde_json::json!([
        appointment("P09", "2026-03-09"),
        appointment("P16", "2026-03-16"),
        appointment("P23", "2026-03-23"),
        appointment("P30", "2026-03-30"),
    ]);
    std::fs::write(context.join("schedule.json"), schedule.to_string()).unwrap();

    // With the authorization in the folder, --stored refuses rather than ignore it.
    let refused = cleanclaim_db(
        &database,
        &[
            "schedule",
            "check",
            "--stored",
            "--context",
            context.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("ingest --context"));

    let folder_only = cleanclaim_db(
        &database,
        &[
            "schedule",
            "check",
            "--format",
            "json",
            "--context",
            context.to_str().unwrap(),
        ],
    );
    assert_eq!(
        folder_only.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&folder_only.stdout)
    );

    std::fs::remove_file(context.join("authorizations.json")).unwrap();
    let stored = cleanclaim_db(
        &database,
        &[
            "schedule",
            "check",
            "--stored",
            "--format",
            "json",
            "--context",
            context.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&stored.stdout).into_owned();
    assert_eq!(stored.status.code(), Some(1), "{stdout}");
    let listed: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(listed.len(), 1, "{stdout}");
    assert_eq!(listed[0]["appointment_id"], "P30");
    assert_eq!(listed[0]["index"], 3);
    assert_eq!(
        listed[0]["gap"]["beyond_visits"],
        serde_json::json!({"number": "A9", "allowed": 5, "nth": 6})
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
