//! Reading the files a command is given, so that no file can exhaust memory or hang it: a file
//! read whole (a rule pack, a profile, a context file, a table) must be a regular file no
//! larger than its kind allows; a streamed input (encounters, an 835) may also be a pipe, but
//! never a device or a folder. `/dev/zero` named as a pack, or a FIFO named `*.toml`, is refused
//! at once with what was expected.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

const MIB: u64 = 1 << 20;

/// A rule pack, billing profile, category map, certificate or key.
pub const SMALL: u64 = 16 * MIB;
/// A context file (plans of care, authorizations, prior usage), an acknowledgment.
pub const RECORDS: u64 = 1024 * MIB;
/// A CMS table (NCCI PTP edits run to a few hundred megabytes).
pub const TABLE: u64 = 2048 * MIB;

/// Opens a file to read whole: a regular file of at most `max` bytes.
fn open_regular(path: &Path, what: &str, max: u64) -> anyhow::Result<File> {
    // Checked before opening (opening a FIFO blocks until a writer comes) and again on the
    // handle (the name could be swapped in between).
    let named =
        std::fs::metadata(path).with_context(|| format!("cannot open `{}`", path.display()))?;
    let file = if named.is_file() {
        File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?
    } else {
        bail!(
            "`{}` is not a regular file: a {what} is read from a file (not a folder, device or pipe)",
            path.display()
        );
    };
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if !metadata.is_file() {
        bail!(
            "`{}` is not a regular file: a {what} is read from a file (not a folder, device or pipe)",
            path.display()
        );
    }
    if metadata.len() > max {
        bail!(
            "`{}` is {} MiB: a {what} is at most {} MiB",
            path.display(),
            metadata.len() / MIB,
            max / MIB
        );
    }
    Ok(file)
}

/// The bytes of a regular file of at most `max` bytes (a file that grows past it while read
/// is refused too).
pub fn read_bytes(path: &Path, what: &str, max: u64) -> anyhow::Result<Vec<u8>> {
    let file = open_regular(path, what, max)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if bytes.len() as u64 > max {
        bail!(
            "`{}` grew past {} MiB while it was read",
            path.display(),
            max / MIB
        );
    }
    Ok(bytes)
}

/// As [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path, what: &str, max: u64) -> anyhow::Result<String> {
    String::from_utf8(read_bytes(path, what, max)?).map_err(|error| {
        anyhow::anyhow!(
            "`{}` is not UTF-8 text (byte {})",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })
}

/// Opens an input that is streamed: a regular file or a pipe, never a folder or a device.
pub fn open_stream(path: &Path) -> anyhow::Result<File> {
    let file = File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
    let kind = file
        .metadata()
        .with_context(|| format!("cannot read `{}`", path.display()))?
        .file_type();
    #[cfg(unix)]
    let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&kind);
    #[cfg(not(unix))]
    let pipe = false;
    if !kind.is_file() && !pipe {
        bail!(
            "`{}` is not a file or a pipe: inputs are read from files (or `-`, standard input)",
            path.display()
        );
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn devices_and_folders_are_refused_and_sizes_capped() {
        let error = read_text(Path::new("/dev/zero"), "rule pack", SMALL).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        let error = read_text(Path::new("/tmp"), "rule pack", SMALL).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        assert!(open_stream(Path::new("/dev/zero")).is_err());
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 2 * MIB as usize]).unwrap();
        let error = read_text(&big, "rule pack", MIB).unwrap_err();
        assert!(error.to_string().contains("at most 1 MiB"), "{error}");
        assert_eq!(
            read_text(&big, "rule pack", SMALL).unwrap().len(),
            2 * MIB as usize
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_where_a_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pack.toml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Opening a FIFO with no writer would block: it is refused before it is opened.
        let error = read_text(&fifo, "rule pack", SMALL).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }
}
