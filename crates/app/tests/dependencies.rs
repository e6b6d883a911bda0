#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The crate graph of ARCHITECTURE.md, checked against every crate's `[dependencies]`: codecs
//! and domain crates never reach for the application layer, the store or the billing engine
//! they do not need (the X12 crate once depended on the engine through the claim mapping).

use std::collections::BTreeMap;
use std::path::Path;

/// Each crate and the workspace crates it may depend on (dev-dependencies are free).
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("billing", &["model"]),
    ("scrub", &["model", "billing"]),
    ("synth", &["model"]),
    ("x12", &["model"]),
    ("hl7", &[]),
    ("emr", &["hl7", "model", "x12"]),
    ("payer", &["model", "x12"]),
    ("remit", &["model", "x12"]),
    ("store", &["x12"]),
    (
        "app",
        &[
            "model", "billing", "scrub", "x12", "remit", "store", "hl7", "emr", "synth", "payer",
        ],
    ),
    (
        "cli",
        &[
            "app", "server", "model", "billing", "scrub", "synth", "x12", "remit", "store", "hl7",
            "emr", "payer",
        ],
    ),
    (
        "server",
        &[
            "app", "model", "billing", "scrub", "store", "remit", "x12", "hl7", "emr",
        ],
    ),
    ("test-support", &["x12"]),
];

/// The workspace crates named in a manifest's `[dependencies]` table.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_table = false;
    let mut found = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_table = line == "[dependencies]";
            continue;
        }
        if in_table && let Some(name) = line.strip_prefix("cleanclaim-") {
            let name = name.split(['.', ' ', '=']).next().unwrap();
            found.push(name.to_owned());
        }
    }
    found.sort();
    found
}

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(permitted) = allowed.get(name.as_str()) else {
            panic!("crates/{name} is not in the architecture's crate graph");
        };
        for dependency in dependencies(&std::fs::read_to_string(&manifest).unwrap()) {
            assert!(
                permitted.contains(&dependency.as_str()),
                "crates/{name} depends on cleanclaim-{dependency}, which ARCHITECTURE.md does not allow"
            );
        }
        seen.push(name);
    }
    assert_eq!(seen.len(), ALLOWED.len(), "{seen:?}");
}
