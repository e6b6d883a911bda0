//! `scrub` over inputs larger than its sort buffer, on several workers: the same output as
//! one worker with everything in memory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod common;

use std::path::Path;

use common::cleanclaim;

/// 4,000 generated encounters (about 7 MB), last first so no patient's visits arrive in
/// order, with a broken line and a second record reusing an id.
fn shuffled_input(dir: &Path) -> String {
    let generated = dir.join("generated.ndjson");
    let out = cleanclaim(&[
        "generate",
        "--encounters",
        "4000",
        "--seed",
        "23",
        "--out",
        generated.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&generated).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reused = lines[10].to_owned();
    lines.insert(2000, "{\"id\": broken");
    lines.insert(3000, &reused);
    let input = dir.join("input.ndjson");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    input.to_str().unwrap().to_owned()
}

#[test]
fn spilled_and_parallel_runs_print_what_one_worker_in_memory_prints() {
    let dir = tempfile::tempdir().unwrap();
    let input = shuffled_input(dir.path());
    let run = |extra: &[&str], format: &str| {
        let mut args = vec!["scrub", "--format", format, &input];
        args.extend_from_slice(extra);
        cleanclaim(&args)
    };
    for format in ["json", "table"] {
        let reference = run(&["--jobs", "1"], format);
        assert_eq!(
            reference.status.code(),
            Some(2),
            "bad input sets the exit code"
        );
        let stderr = String::from_utf8_lossy(&reference.stderr);
        assert!(stderr.contains(":2001: rejected:"), "{stderr}");
        assert!(
            stderr.contains(":3001: rejected: encounter id") && stderr.contains("already read at"),
            "{stderr}"
        );
        // 4,000 encounters, less the reused id, each reported once, plus the summary.
        if format == "json" {
            let records = String::from_utf8_lossy(&reference.stdout).lines().count();
            assert_eq!(records, 4000 + 1);
        }
        for extra in [
            &["--jobs", "1", "--sort-buffer-mb", "1"][..],
            &["--jobs", "3", "--sort-buffer-mb", "1"][..],
            &["--jobs", "2"][..],
        ] {
            let other = run(extra, format);
            assert_eq!(other.status.code(), reference.status.code(), "{extra:?}");
            assert!(
                other.stdout == reference.stdout,
                "{format} {extra:?}: the output differs"
            );
            assert_eq!(
                String::from_utf8_lossy(&other.stderr),
                stderr,
                "{format} {extra:?}"
            );
        }
    }
}
