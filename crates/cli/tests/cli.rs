//! Drives the `cleanclaim` binary: exit codes, formats, bad input, generate, schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cleanclaim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed stdin from a thread: the child writes output while it reads, and a large input
    // would otherwise fill both pipes and deadlock.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The encounter reports of `scrub --format json`, without its closing summary record.
fn encounter_reports(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("summary").is_none())
        .collect()
}

const EXAMPLE: &str = "../../examples/encounters.json";

fn example_encounters() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/encounters.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn scrub_the_example_prints_lines_findings_and_exits_1() {
    let out = cleanclaim(&["scrub", EXAMPLE]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("97112      2  GP"), "{stdout}");
    assert!(
        stdout.contains("HOLD units.timed-minutes-missing"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: Document the direct treatment minutes"),
        "{stdout}"
    );
    assert_eq!(
        text(&out.stderr).trim(),
        "5 encounter(s): 4 clean, 1 with findings, 0 rejected; documentation_hold 1 authorization 0 coding_review 0 ready_to_bill 4"
    );
}

#[test]
fn json_output_is_one_object_per_encounter() {
    let out = cleanclaim(&["scrub", "--format", "json", "-q", EXAMPLE]);
    let reports = encounter_reports(&out.stdout);
    assert_eq!(reports.len(), 5);
    let pta = &reports[1];
    assert_eq!(pta["encounter_id"], "EX-PT-0002");
    let lines: Vec<String> = pta["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}",
                l["code"].as_str().unwrap(),
                l["units"],
                l["modifiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("-")
            )
        })
        .collect();
    assert_eq!(lines, ["97110:1:GP-CQ", "97110:1:GP-KX", "97140:2:GP-KX"]);
    let finding = &reports[4]["findings"][0];
    assert_eq!(finding["rule"], "units.timed-minutes-missing");
    assert_eq!(finding["severity"], "hold");
    assert!(finding["source"].as_str().unwrap().contains("MCPM"));
}

#[test]
fn payer_method_override_changes_units() {
    let out = cleanclaim(&[
        "scrub",
        "--format",
        "json",
        "-q",
        "--payer-method",
        "per_code_midpoint",
        EXAMPLE,
    ]);
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    let units: u64 = first["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["units"].as_u64().unwrap())
        .sum();
    assert_eq!(units, 4, "24 + 23 minutes per code is 2 + 2");
    assert_eq!(first["unit_method"], "per_code_midpoint");
}

#[test]
fn a_bad_record_is_rejected_whole_named_by_path_and_its_neighbours_still_scrub() {
    let encounters = example_encounters();
    let mut ndjson: Vec<String> = encounters.iter().map(|e| e.to_string()).collect();
    ndjson[2] = ndjson[2].replace("\"97530\"", "\"97x30\"");
    let out = with_stdin(&["scrub", "--format", "json", "-"], &ndjson.join("\n"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("-:3: rejected: at `timing.lines[0].code`: invalid procedure code `…`"),
        "{stderr}"
    );
    assert_eq!(encounter_reports(&out.stdout).len(), 4);
    assert!(!text(&out.stdout).contains("EX-OT-0001"));
}

#[test]
fn inconsistent_minutes_and_unknown_fields_are_input_errors() {
    let encounters = example_encounters();
    let mut split = encounters[0].clone();
    split["timing"]["lines"][0]["furnished_by"] =
        serde_json::json!({"therapist_alone": 10, "assistant_alone": 10});
    let out = with_stdin(&["scrub", "-"], &split.to_string());
    assert!(
        text(&out.stderr)
            .contains("at `timing.lines[0].furnished_by`: adds up to 20 minutes but minutes is 24"),
        "{}",
        text(&out.stderr)
    );
    let mut typo = encounters[0].clone();
    typo["clinical"]["diagnosis"] = serde_json::json!(["M17.11"]);
    let out = with_stdin(&["scrub", "-"], &typo.to_string());
    assert_eq!(out.status.code(), Some(2));
    // The unknown key is not repeated (a name pasted as a key would be PHI); the known ones are.
    assert!(
        text(&out.stderr).contains("at `clinical`: unknown field `…`, expected one of `diagnoses`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn phi_values_are_not_echoed_in_type_errors() {
    let encounters = example_encounters();
    let mut bad = encounters[0].clone();
    bad["patient"]["birth_date"] = serde_json::json!("Rivera-1951");
    let out = with_stdin(&["scrub", "-"], &bad.to_string());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("at `patient.birth_date`"), "{stderr}");
    assert!(!stderr.contains("Rivera"), "{stderr}");
}

#[test]
fn truncated_json_and_unknown_payer_exit_2() {
    let out = with_stdin(&["scrub", "-"], "[{\"id\": ");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("rejected"),
        "{}",
        text(&out.stderr)
    );
    let out = cleanclaim(&["scrub", "--payer", "acme", EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown payer pack `acme`; known packs: medicare-part-b"),
        "{}",
        text(&out.stderr)
    );
    let out = cleanclaim(&["scrub", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open `no-such-file.json`"));
}

#[test]
fn clean_input_exits_0() {
    let encounters = example_encounters();
    let out = with_stdin(
        &["scrub", "-"],
        &serde_json::to_string_pretty(&encounters[0]).unwrap(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn generate_is_deterministic_and_everything_it_writes_parses() {
    let a = cleanclaim(&["generate", "--encounters", "1500", "--seed", "42"]);
    let b = cleanclaim(&["generate", "--encounters", "1500", "--seed", "42"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(text(&a.stdout).lines().count(), 1500);
    let scrub = with_stdin(&["scrub", "--format", "json", "-"], &text(&a.stdout));
    let stderr = text(&scrub.stderr);
    assert!(
        stderr.contains("1500 encounter(s)") && stderr.contains("0 rejected"),
        "{stderr}"
    );
    let reports = encounter_reports(&scrub.stdout);
    let disciplines: std::collections::BTreeSet<&str> = reports
        .iter()
        .map(|r| r["discipline"].as_str().unwrap())
        .collect();
    assert_eq!(
        disciplines.into_iter().collect::<Vec<_>>(),
        ["OT", "PT", "SLP"]
    );
    let modifiers: std::collections::BTreeSet<String> = reports
        .iter()
        .flat_map(|r| {
            r["lines"].as_array().unwrap().iter().flat_map(|l| {
                l["modifiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_owned())
            })
        })
        .collect();
    for expected in ["GP", "GO", "GN", "CQ", "95"] {
        assert!(
            modifiers.contains(expected),
            "{expected} missing from {modifiers:?}"
        );
    }
}

#[test]
fn the_committed_schema_matches_the_types() {
    let out = cleanclaim(&["schema", "encounter"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/encounter.schema.json"
    ))
    .unwrap();
    assert_eq!(
        text(&out.stdout),
        committed,
        "regenerate with: cleanclaim schema encounter > docs/encounter.schema.json"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["scrub", "--help"],
        &["schema", "--help"],
        &["schema", "encounter", "--help"],
        &["generate", "--help"],
    ] {
        let out = cleanclaim(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("Usage: cleanclaim"), "{args:?}");
    }
}

#[test]
fn the_committed_rule_reference_matches_the_packs() {
    let out = cleanclaim(&["rules", "docs"]);
    assert_eq!(out.status.code(), Some(0));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        text(&out.stdout) == committed,
        "docs/rules.md is stale: run `cargo run -p cleanclaim -- rules docs > docs/rules.md`"
    );
}

#[test]
fn rules_check_accepts_good_packs_and_names_the_line_of_a_bad_one() {
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/packs");
    let out = cleanclaim(&["rules", "check", good]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok: pack `expression-test` version 1"));

    let dir = std::env::temp_dir().join(format!("cleanclaim-bad-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        "[pack]\nid = \"bad\"\nname = \"Bad\"\nversion = \"1\"\nsource = \"s\"\nbogus = 1\n",
    )
    .unwrap();
    let out = cleanclaim(&["rules", "check", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.toml:6:1: unknown field `bogus`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rules_explain_shows_the_queue_and_what_each_pack_does() {
    let out = cleanclaim(&["rules", "explain", "doc.progress-report-overdue"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("queue:    documentation_hold"), "{stdout}");
    assert!(
        stdout.contains("pack `commercial-per-code` from 2019-01-01: warn"),
        "{stdout}"
    );
    let out = cleanclaim(&["rules", "explain", "wc.more-than-four-procedures"]);
    assert!(text(&out.stdout).contains("when: size(codes) > 4"));
    let out = cleanclaim(&["rules", "explain", "no.such-rule"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn scrub_with_context_routes_the_golden_batch_to_every_queue() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/golden");
    let batch = format!("{data}/batch.ndjson");
    let context = format!("{data}/context");
    let out = cleanclaim(&["scrub", "--format", "json", "--context", &context, &batch]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("documentation_hold 8 authorization 14 coding_review 1 ready_to_bill 47"),
        "{}",
        text(&out.stderr)
    );
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["queue"], "coding_review");
    assert_eq!(first["rule_pack"], "medicare-part-b");
    assert!(first["findings"][0]["fields"].is_array());
}

/// Runs `cleanclaim` with its standard output read for one line and then closed, as
/// `cleanclaim ... | head -1` does.
fn with_stdout_closed_early(args: &[&str]) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe is closed.
    let output = child.wait_with_output().unwrap();
    (output.status.code(), text(&output.stderr))
}

/// Regression (issue 11): `rules list | head` panicked (exit 101), and `scrub | head` exited 0
/// although encounters had findings. A closed standard output ends quietly everywhere, with
/// the exit code the work earned.
#[test]
fn a_closed_standard_output_ends_quietly_with_the_exit_code_the_work_earned() {
    let dir = std::env::temp_dir().join(format!("cleanclaim-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let generated = dir.join("big.ndjson");
    let made = cleanclaim(&[
        "generate",
        "--encounters",
        "3000",
        "--seed",
        "3",
        "--out",
        generated.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0));
    let big = generated.to_str().unwrap();
    let cases: [(&[&str], i32); 5] = [
        (&["rules", "list"], 0),
        (&["rules", "docs"], 0),
        (&["generate", "--encounters", "200000"], 0),
        (&["scrub", big], 1),
        (&["scrub", "--format", "json", big], 1),
    ];
    for (args, code) in cases {
        let (status, stderr) = with_stdout_closed_early(args);
        assert_eq!(status, Some(code), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

/// Regression (issue 11): the mistakes people make get an answer that says what to do.
#[test]
fn common_input_mistakes_are_named_with_what_is_expected() {
    let out = with_stdin(&["scrub", "-"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is empty: there are no encounters to read"),
        "{}",
        text(&out.stderr)
    );
    let out = with_stdin(&["scrub", "-"], "id,date_of_service\nA-1,2026-03-09\n");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is not JSON") && stderr.contains("looks like CSV"),
        "{stderr}"
    );

    let base = &example_encounters()[0];
    let cases: [(&str, serde_json::Value, &str); 4] = [
        (
            "date_of_service",
            "03/09/2026".into(),
            "at `date_of_service`: expected a date as YYYY-MM-DD",
        ),
        (
            "date_of_service",
            "2026-3-9".into(),
            "at `date_of_service`: expected a date as YYYY-MM-DD",
        ),
        (
            "date_of_service",
            "2026-02-30".into(),
            "at `date_of_service`: not a calendar date",
        ),
        (
            "charge",
            serde_json::json!(46.00),
            "at `timing.lines[0].charge_per_unit`: amounts are integer cents",
        ),
    ];
    for (field, value, expected) in cases {
        let mut encounter = base.clone();
        if field == "charge" {
            encounter["timing"]["lines"][0]["charge_per_unit"] = value;
        } else {
            encounter[field] = value;
        }
        let out = with_stdin(&["scrub", "-"], &encounter.to_string());
        assert_eq!(out.status.code(), Some(2), "{expected}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        // A date may be a birth date: the value is never repeated.
        assert!(!stderr.contains("03/09/2026"), "{stderr}");
    }

    let out = cleanclaim(&["scrub", "--context", EXAMPLE, EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is a file; it takes the folder"),
        "{}",
        text(&out.stderr)
    );
}

/// Regression (issue 11): a payer id no pack names took the plan type's default pack without
/// a word; the result says which way the pack was chosen.
#[test]
fn the_result_says_when_the_plan_default_pack_applies() {
    let out = cleanclaim(&["scrub", "--format", "json", EXAMPLE]);
    let first = &encounter_reports(&out.stdout)[0];
    assert_eq!(first["rule_pack_chosen_by"], "plan_default");
    let table = text(&cleanclaim(&["scrub", EXAMPLE]).stdout);
    assert!(
        table.contains("(plan default: no pack names payer"),
        "{table}"
    );
    let forced = cleanclaim(&[
        "scrub",
        "--format",
        "json",
        "--payer",
        "medicare-part-b",
        EXAMPLE,
    ]);
    let first: serde_json::Value =
        serde_json::from_str(text(&forced.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["rule_pack_chosen_by"], "forced");
}

/// Regression (issue 11): what is held, and what it is worth, per queue, payer and rule,
/// without a script; long explanations wrap; an assistant split shows each line's minutes.
#[test]
fn scrub_ends_with_totals_and_its_table_stays_readable() {
    let out = cleanclaim(&["scrub", "--format", "json", "-q", EXAMPLE]);
    let last: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    let summary = &last["summary"];
    assert_eq!(summary["encounters"], 5);
    assert_eq!(summary["queues"]["ready_to_bill"]["encounters"], 4);
    assert_eq!(summary["queues"]["documentation_hold"]["encounters"], 1);
    // EX-PT-0003 bills $41.00 + 2 x $47.00 and is held for its missing minutes.
    assert_eq!(
        summary["queues"]["documentation_hold"]["charge_cents"],
        13_500
    );
    assert_eq!(
        summary["rules"]["units.timed-minutes-missing"]["charge_cents"],
        13_500
    );
    assert_eq!(summary["payers"]["04412"]["held"]["encounters"], 1);

    let table = text(&cleanclaim(&["scrub", EXAMPLE]).stdout);
    assert!(table.contains("TOTALS  5 encounter(s)"), "{table}");
    assert!(
        table.contains("  documentation_hold                            1        $135.00"),
        "{table}"
    );
    let widest = table
        .lines()
        .filter(|l| !l.starts_with("EX-"))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(widest <= 110, "a line of {widest} characters");
    // 97110 split for CQ: 23 assistant minutes on the CQ line, 13 therapist minutes on the other.
    assert!(
        table.contains("  97110      1  GP CQ          23"),
        "{table}"
    );
    assert!(
        table.contains("  97110      1  GP KX          13"),
        "{table}"
    );
}

/// Regression (issue 12): one bad byte, a truncated first line, or a missing comma lost every
/// encounter after it. Each bad record is rejected alone, with where it is, and the rest read.
#[test]
fn one_damaged_record_loses_only_itself() {
    let flat: Vec<String> = example_encounters().iter().map(|e| e.to_string()).collect();
    let dir = std::env::temp_dir().join(format!("cleanclaim-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scrub = |bytes: &[u8]| {
        let file = dir.join("input.json");
        std::fs::write(&file, bytes).unwrap();
        let out = cleanclaim(&["scrub", "--format", "json", "-q", file.to_str().unwrap()]);
        let ids: Vec<String> = encounter_reports(&out.stdout)
            .iter()
            .map(|r| r["encounter_id"].as_str().unwrap().to_owned())
            .collect();
        (out.status.code(), ids, text(&out.stderr))
    };

    // An invalid UTF-8 byte inside line 3 of an NDJSON file.
    let mut bytes = Vec::new();
    for (n, line) in flat.iter().enumerate() {
        let mut line = line.clone().into_bytes();
        if n == 2 {
            line.insert(10, 0xff);
        }
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
    }
    let (code, ids, stderr) = scrub(&bytes);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(ids.len(), 4, "{stderr}");
    assert!(
        stderr.contains(":3: rejected") && stderr.contains("not UTF-8"),
        "{stderr}"
    );

    // The first NDJSON line cut short.
    let cut = format!("{}\n{}\n", &flat[0][..40], flat[1..].join("\n"));
    let (code, ids, stderr) = scrub(cut.as_bytes());
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(ids.len(), 4, "{stderr}");
    assert!(stderr.contains(":1: rejected"), "{stderr}");

    // An array with the comma between the third and fourth encounters missing.
    let array = format!(
        "[\n{},\n{},\n{}\n{},\n{}\n]",
        flat[0], flat[1], flat[2], flat[3], flat[4]
    );
    let (code, ids, stderr) = scrub(array.as_bytes());
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(ids.len(), 3, "{stderr}");
    assert!(
        stderr.contains(":5: rejected: at `[3]`") && stderr.contains("not processed"),
        "{stderr}"
    );
}

/// Files that would exhaust memory or hang a command are refused at once, saying what was
/// expected: a device or a FIFO where a file is read whole, a device as an input, and an
/// input with no line break for longer than any record.
#[cfg(unix)]
#[test]
fn devices_pipes_and_endless_lines_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pack.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let rules = dir.path().to_str().unwrap();
    let output = cleanclaim(&["scrub", "--rules", rules, "examples/encounters.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a regular file"), "{stderr}");

    let output = cleanclaim(&["scrub", "/dev/zero"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a file or a pipe"));

    let output = cleanclaim(&["remit", "--categories", "/dev/zero", "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a regular file"));

    // 70 MiB of `{` with no line break, through a pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(["scrub", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'{'; 1 << 20];
        for _ in 0..70 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().unwrap();
    let _ = writer.join();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without a line break"), "{stderr}");
}

/// `schedule check` reads schedule.json from the context folder and lists the appointments
/// that would fall outside their authorization; `scrub --context` reads the same folder and
/// leaves the schedule alone.
#[test]
fn schedule_check_lists_appointments_past_their_authorization() {
    let dir = std::env::temp_dir().join(format!("cleanclaim-schedule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("authorizations.json"),
        r#"[{"patient_id": "MRN-1", "payer_id": "MCD01", "number": "A1", "from": "2025-03-01",
             "to": "2025-03-31", "disciplines": ["pt"], "visits": 2, "used_visits": 1}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("schedule.json"),
        r#"[{"appointment_id": "S1", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-05", "discipline": "pt"},
            {"appointment_id": "S2", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-12", "discipline": "pt"}]"#,
    )
    .unwrap();
    let context = dir.to_str().unwrap();
    let out = cleanclaim(&["schedule", "check", "--context", context]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("S2") && stdout.contains("visit 3 of authorization A1, which allows 2"),
        "{stdout}"
    );
    assert!(!stdout.contains("S1 "), "{stdout}");
    assert!(stdout.contains("1 of 2 scheduled visit(s)"), "{stdout}");
    let scrubbed = cleanclaim(&["scrub", "--context", context, EXAMPLE]);
    assert_ne!(
        scrubbed.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&scrubbed.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn as_of_judges_timely_filing_only_when_asked() {
    let rules_of = |out: &Output| -> Vec<String> {
        encounter_reports(&out.stdout)
            .iter()
            .flat_map(|report| {
                report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["rule"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let without = cleanclaim(&["scrub", "--format", "json", EXAMPLE]);
    assert!(!rules_of(&without).iter().any(|r| r.starts_with("filing.")));
    let late = cleanclaim(&[
        "scrub",
        "--format",
        "json",
        "--as-of",
        "2030-01-01",
        EXAMPLE,
    ]);
    let passed = rules_of(&late)
        .iter()
        .filter(|r| *r == "filing.limit-passed")
        .count();
    assert_eq!(passed, example_encounters().len(), "{}", text(&late.stdout));
    let bad = cleanclaim(&["scrub", "--as-of", "next week", EXAMPLE]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("`next week` is not a date (YYYY-MM-DD) or `today`"));
}
