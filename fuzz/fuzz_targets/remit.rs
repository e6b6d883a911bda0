//! Any bytes through the streaming 835 reader, the remittance assessment and the
//! acknowledgment readers: errors, never panics. The 835 is read from a reader that hands
//! out odd-sized pieces, so segments cross buffer boundaries.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;

struct Pieces<'a> {
    data: &'a [u8],
    size: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.size.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.size = self.size % 7 + 1;
        Ok(n)
    }
}

static MAP: std::sync::LazyLock<cleanclaim_remit::CategoryMap> =
    std::sync::LazyLock::new(|| cleanclaim_remit::CategoryMap::builtin().unwrap());

fuzz_target!(|data: &[u8]| {
    let map = &*MAP;
    let reader = cleanclaim_x12::x835::RemitReader::new(Pieces { data, size: 1 });
    for item in reader {
        match item {
            Ok(cleanclaim_x12::x835::RemitItem::Claim(claim)) => {
                let outcome = cleanclaim_remit::assess(&claim, map);
                assert!(outcome.adjustments.len() >= claim.adjustments.len());
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cleanclaim_x12::ack::read_acknowledgments(text);
    }
});
