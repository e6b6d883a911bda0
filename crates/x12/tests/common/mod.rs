//! The public sample corpus beside the project (`../shared/corpus`), for every X12 test file.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test file uses part of this module; tests fail loudly"
)]

use std::path::{Path, PathBuf};

pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// One corpus file.
pub fn corpus_file(folder: &str, name: &str) -> PathBuf {
    corpus_root().join(folder).join(name)
}

/// The files (not folders) of a corpus folder, sorted by name.
pub fn corpus(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_root().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}
