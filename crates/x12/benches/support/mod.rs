//! What the memory benchmarks share: a synthetic 835 of a size given in MiB on the command
//! line, a reader that counts the bytes it passes, and the process's peak resident memory.

use std::io::Read;

use cleanclaim_x12::x835::SyntheticRemittance;

/// A synthetic 835 of about the MiB the first numeric argument asks for (1,024 without one),
/// produced as it is read.
pub fn synthetic_input_from_args() -> Counted<SyntheticRemittance> {
    let mib: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1024);
    let mut sample = Vec::new();
    SyntheticRemittance::new(1000)
        .read_to_end(&mut sample)
        .unwrap();
    let per_claim = sample.len() as u64 / 1000;
    let claims = usize::try_from(mib * 1024 * 1024 / per_claim).unwrap();
    Counted {
        inner: SyntheticRemittance::new(claims),
        bytes: 0,
    }
}

pub fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Counts bytes as they pass, to report the size actually streamed.
pub struct Counted<R> {
    pub inner: R,
    pub bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.bytes += n as u64;
        Ok(n)
    }
}
