//! Reading 835s in the tests that check the reader on corpus files and on fixtures alike.

#![allow(clippy::unwrap_used, reason = "tests fail loudly by design")]

use cleanclaim_x12::ReadError;
use cleanclaim_x12::x835::{RemitItem, RemitReader};

/// Every item of an 835.
pub fn read_all(bytes: &[u8]) -> Result<Vec<RemitItem>, ReadError> {
    RemitReader::new(bytes).collect()
}

/// Every item of an 835, handing each claim back with `recycle` once copied, as a consumer
/// that reuses claim storage does: must equal [`read_all`].
pub fn read_recycling(bytes: &[u8]) -> Vec<RemitItem> {
    let mut reader = RemitReader::new(bytes);
    let mut items = Vec::new();
    while let Some(item) = reader.next_item().unwrap() {
        match item {
            RemitItem::Claim(claim) => {
                items.push(RemitItem::Claim(claim.clone()));
                reader.recycle(claim);
            }
            other => items.push(other),
        }
    }
    items
}
