//! The public sample corpus: X12 and HL7 files other projects wrote. It is not part of the
//! repository (a clone from the public repository has no `../shared`), so every test that reads
//! it asks [`Corpus::find`] first and returns early, saying so, when it is absent.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the corpus is, when it is there.
#[derive(Debug, Clone)]
pub struct Corpus {
    root: PathBuf,
}

impl Corpus {
    /// `CLEANCLAIM_CORPUS`, else `../shared/corpus` beside the workspace. When neither exists,
    /// writes a line naming the skipped test to the real standard error (libtest captures
    /// `eprintln!`, and a skip must be seen) and returns `None`.
    pub fn find(test: &str) -> Option<Self> {
        let root = std::env::var_os("CLEANCLAIM_CORPUS").map_or_else(
            || {
                // crates/test-support -> the workspace -> the folder beside it.
                let beside = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3);
                beside.unwrap_or(Path::new("..")).join("shared/corpus")
            },
            PathBuf::from,
        );
        if root.is_dir() {
            return Some(Self { root });
        }
        let _ = writeln!(
            std::io::stderr(),
            "corpus check skipped: {test}: no corpus at {} (set CLEANCLAIM_CORPUS to run it)",
            root.display()
        );
        None
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One corpus file.
    pub fn file(&self, folder: &str, name: &str) -> PathBuf {
        self.root.join(folder).join(name)
    }

    /// The files (not folders) of a corpus folder, sorted by name.
    pub fn files(&self, folder: &str) -> Vec<PathBuf> {
        let dir = self.root.join(folder);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus folder {}: {e}", dir.display()));
        let mut files: Vec<PathBuf> = entries
            .map(|entry| entry.expect("corpus folder entry").path())
            .filter(|path| path.is_file())
            .collect();
        files.sort();
        files
    }
}
