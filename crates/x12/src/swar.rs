//! Finding delimiter bytes eight at a time in a `u64` ("SIMD within a register").
//!
//! Elements are a few bytes long. A loop that branches on every byte mispredicts at nearly
//! every separator, and a vector search (`memchr`) spends more on its setup than it saves on
//! text this short. Testing a whole word at once and walking its matching bytes avoids both,
//! in safe code.

const LOW_BITS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each byte of `word` that equals the byte `pattern` is made of, and no
/// other bit. Exact (no false positives from borrows), unlike the shorter "has zero byte" test.
#[inline]
fn matching_bytes(word: u64, pattern: u64) -> u64 {
    let zero_where_equal = word ^ pattern;
    !(((zero_where_equal & LOW_BITS).wrapping_add(LOW_BITS)) | zero_where_equal | LOW_BITS)
}

/// Writes the positions of `needle` in `bytes`, in order, into `out` and returns how many
/// it wrote; it stops once `out` is full. Positions are `u32`: only the first 4 GiB are
/// searched (segments are at most [`crate::stream::MAX_SEGMENT`]).
pub(crate) fn positions_of(needle: u8, bytes: &[u8], out: &mut [u32]) -> usize {
    let bytes = bytes.get(..u32::MAX as usize).unwrap_or(bytes);
    let pattern = u64::from_ne_bytes([needle; 8]);
    let mut slots = out.iter_mut();
    let mut written = 0;
    let mut record = |mut matches: u64, base: u32| -> bool {
        while matches != 0 {
            let Some(slot) = slots.next() else {
                return false;
            };
            *slot = base + matches.trailing_zeros() / 8;
            written += 1;
            matches &= matches - 1;
        }
        true
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0u32;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if !record(matching_bytes(u64::from_le_bytes(word), pattern), base) {
            return written;
        }
        base += 8;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        record(tail_matches(bytes, tail.len(), pattern), base);
    }
    written
}

/// The position of the first `needle` in `bytes`. For text where the needle is usually a
/// few words away (a segment terminator); a vector search wins on long runs.
#[inline]
pub(crate) fn find(needle: u8, bytes: &[u8]) -> Option<usize> {
    let pattern = u64::from_ne_bytes([needle; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let matches = matching_bytes(u64::from_le_bytes(word), pattern);
        if matches != 0 {
            return Some(base + (matches.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return None;
    }
    let matches = tail_matches(bytes, tail.len(), pattern);
    (matches != 0).then(|| base + (matches.trailing_zeros() / 8) as usize)
}

/// Matches in the last `tail` (1 to 7) bytes, as if they started a word. The word is built
/// in a register, never through memory: a byte-wise copy read back as a `u64` stalls the
/// load until the copy retires.
#[inline]
fn tail_matches(bytes: &[u8], tail: usize, pattern: u64) -> u64 {
    let dropped = 8 - tail;
    if let Some(last) = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..)) {
        // The last eight bytes, overlapping what was already searched: shift that part out.
        let mut word = [0u8; 8];
        word.copy_from_slice(last);
        return matching_bytes(u64::from_le_bytes(word), pattern) >> (dropped * 8);
    }
    // Shorter than a word: pad with the complement of the needle, which cannot match.
    let padding = !pattern & 0xff;
    let word = bytes
        .iter()
        .rev()
        .fold(0u64, |word, byte| (word << 8) | u64::from(*byte));
    let padded = (0..dropped).fold(word, |word, slot| word | (padding << ((tail + slot) * 8)));
    matching_bytes(padded, pattern)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "tests fail loudly by design")]
    use super::*;
    use proptest::prelude::*;

    fn naive(needle: u8, bytes: &[u8], limit: usize) -> Vec<u32> {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == needle)
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
            .take(limit)
            .collect()
    }

    fn swar(needle: u8, bytes: &[u8], limit: usize) -> Vec<u32> {
        let mut out = vec![0; limit];
        let written = positions_of(needle, bytes, &mut out);
        out.truncate(written);
        out
    }

    #[test]
    fn finds_separators_across_words_and_in_the_tail() {
        let text = b"CAS*CO*45*12.34**PR*2*5.5";
        assert_eq!(swar(b'*', text, 24), vec![3, 6, 9, 15, 16, 19, 21]);
        assert_eq!(swar(b'*', text, 2), vec![3, 6]);
        assert_eq!(swar(b'*', b"", 24), Vec::<u32>::new());
        assert_eq!(swar(b'*', b"********", 24), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn bytes_next_to_the_needle_do_not_match() {
        // The classic "has zero byte" test reports 0x01 after a match through the borrow.
        for needle in [0u8, 1, b'*', 0x7f, 0x80, 0xff] {
            let text: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
            assert_eq!(
                swar(needle, &text, 64),
                naive(needle, &text, 64),
                "{needle}"
            );
        }
    }

    proptest! {
        #[test]
        fn find_agrees_with_a_byte_search(
            bytes in proptest::collection::vec(prop_oneof![Just(b'~'), any::<u8>()], 0..40),
        ) {
            prop_assert_eq!(find(b'~', &bytes), bytes.iter().position(|b| *b == b'~'));
        }

        #[test]
        fn agrees_with_a_byte_loop(
            bytes in proptest::collection::vec(prop_oneof![Just(b'*'), Just(b':'), any::<u8>()], 0..100),
            limit in 0usize..30,
        ) {
            prop_assert_eq!(swar(b'*', &bytes, limit), naive(b'*', &bytes, limit));
        }
    }
}
