//! The control numbers seen so far (ST02 within a group, ISA13 and GS06 within a file), in
//! memory that does not grow with their count when they run in sequence, as senders number
//! them: `0001`, `0002`, ... are kept as one run. Numbers out of sequence, and control
//! numbers that are not digits, cost an entry each.

use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Default)]
pub(crate) struct ControlNumbers {
    /// Runs of numbers written with the same number of digits: `(digits, first)` → last.
    /// `0001` and `1` are different control numbers, so the width is part of the key.
    runs: BTreeMap<(usize, u64), u64>,
    other: HashSet<String>,
}

impl ControlNumbers {
    /// Adds `control`; false when it was already there.
    pub(crate) fn insert(&mut self, control: &str) -> bool {
        let width = control.len();
        let number = if (1..=19).contains(&width) && control.bytes().all(|b| b.is_ascii_digit()) {
            control.parse::<u64>().ok()
        } else {
            None
        };
        let Some(number) = number else {
            return self.other.insert(control.to_owned());
        };
        let before = self
            .runs
            .range(..=(width, number))
            .next_back()
            .filter(|((w, _), _)| *w == width)
            .map(|(&(_, first), &last)| (first, last));
        if let Some((first, last)) = before {
            if number <= last {
                return false;
            }
            if last + 1 == number {
                let last = self.take_run_after(width, number).unwrap_or(number);
                self.runs.insert((width, first), last);
                return true;
            }
        }
        let last = self.take_run_after(width, number).unwrap_or(number);
        self.runs.insert((width, number), last);
        true
    }

    /// Removes the run that starts right after `number`, returning its last number.
    fn take_run_after(&mut self, width: usize, number: u64) -> Option<u64> {
        let next = number.checked_add(1)?;
        self.runs.remove(&(width, next))
    }

    pub(crate) fn clear(&mut self) {
        self.runs.clear();
        self.other.clear();
    }

    /// Entries held: runs and non-numeric numbers (for tests of the memory it takes).
    #[cfg(test)]
    fn entries(&self) -> usize {
        self.runs.len() + self.other.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_one_run_and_repeats_are_found() {
        let mut seen = ControlNumbers::default();
        for n in 1..=100_000u32 {
            assert!(seen.insert(&format!("{n:04}")));
        }
        // 0001..9999, 10000..99999 and 100000 are written with three widths.
        assert_eq!(seen.entries(), 3);
        assert!(!seen.insert("0001") && !seen.insert("0500") && !seen.insert("100000"));
        assert!(seen.insert("1"), "`1` is not `0001`");
        assert!(seen.insert("ABC") && !seen.insert("ABC"));
    }

    #[test]
    fn runs_out_of_order_join_when_the_gap_closes() {
        let mut seen = ControlNumbers::default();
        for n in ["0005", "0003", "0001", "0002", "0004"] {
            assert!(seen.insert(n), "{n}");
        }
        assert_eq!(seen.entries(), 1);
        for n in ["0001", "0003", "0005"] {
            assert!(!seen.insert(n), "{n}");
        }
        assert!(seen.insert("0006") && seen.insert("0000"));
        assert_eq!(seen.entries(), 1);
        let max = u64::MAX.to_string();
        assert!(seen.insert(&max) && !seen.insert(&max));
    }
}
