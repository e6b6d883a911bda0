#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! House rules that keep a fresh clone green and quick to build (issue 11), checked on the
//! repository's own files.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Only `cleanclaim-test-support` knows where the public corpus is, and it skips with a word
/// when it is absent; a test that reads `../shared` on its own fails on a public clone.
#[test]
fn only_test_support_knows_where_the_corpus_is() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| !path.starts_with(workspace().join("crates/test-support")))
        .filter(|path| !path.components().any(|c| c.as_os_str() == "benches"))
        .filter(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .any(|line| !line.trim_start().starts_with("//") && line.contains("shared/corpus"))
        })
        .map(|path| path.display().to_string())
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}

/// The profile a newcomer's `cargo install` builds stays quick: fat LTO and one codegen unit
/// belong to `dist` and `bench`.
#[test]
fn the_release_profile_builds_quickly_and_dist_keeps_the_maximum_speed_settings() {
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    let section = |name: &str| -> String {
        let header = format!("[profile.{name}]");
        let start = manifest
            .find(&header)
            .unwrap_or_else(|| panic!("no {header}"));
        let rest = &manifest[start + header.len()..];
        rest[..rest.find("\n[").unwrap_or(rest.len())].to_owned()
    };
    let release = section("release");
    assert!(
        !release.contains("lto") && !release.contains("codegen-units"),
        "{release}"
    );
    for slow in ["dist", "bench"] {
        let settings = section(slow);
        assert!(
            settings.contains("lto = \"fat\"") && settings.contains("codegen-units = 1"),
            "{slow}: {settings}"
        );
    }
}
