//! An external merge sort: records are held up to a byte budget, then sorted and written to
//! an unnamed temporary file (a run); reading back merges the runs. Memory stays at the
//! budget plus one record per run whatever the input's size. When nothing was spilled the
//! records never leave memory.
//!
//! Hand-rolled rather than taken from a crate: the budget is in bytes, because a record is
//! anything from a few hundred bytes to a 64 MiB line, and the available crates cut runs by
//! record count.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// A record the sorter can write to a run and read back.
pub trait Spill: Ord + Sized {
    fn write_to(&self, out: &mut impl Write) -> io::Result<()>;
    /// The next record of a run, `None` at its end.
    fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>>;
    /// About how many bytes the record holds in memory.
    fn weight(&self) -> usize;
}

/// Sorts any number of records in bounded memory.
pub struct Sorter<T> {
    buffer: Vec<T>,
    held: usize,
    budget: usize,
    runs: Vec<File>,
}

impl<T: Spill> Sorter<T> {
    /// A sorter that spills once `budget` bytes are held.
    pub fn new(budget: usize) -> Self {
        Self {
            buffer: Vec::new(),
            held: 0,
            budget: budget.max(1),
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, record: T) -> io::Result<()> {
        self.held += record.weight();
        self.buffer.push(record);
        if self.held >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// How many runs were written so far.
    #[cfg(test)]
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable();
        let mut out = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        for record in self.buffer.drain(..) {
            record.write_to(&mut out)?;
        }
        let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.held = 0;
        Ok(())
    }

    /// Every record pushed, in order.
    pub fn finish(mut self) -> io::Result<Sorted<T>> {
        if self.runs.is_empty() {
            self.buffer.sort_unstable();
            return Ok(Sorted::Memory(self.buffer.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut readers: Vec<BufReader<File>> = self
            .runs
            .into_iter()
            .map(|file| BufReader::with_capacity(1 << 16, file))
            .collect();
        let mut heads = BinaryHeap::with_capacity(readers.len());
        for (run, reader) in readers.iter_mut().enumerate() {
            if let Some(record) = T::read_from(reader)? {
                heads.push(Reverse((record, run)));
            }
        }
        Ok(Sorted::Runs { readers, heads })
    }
}

/// The records of a [`Sorter`] in order.
pub enum Sorted<T> {
    Memory(std::vec::IntoIter<T>),
    Runs {
        readers: Vec<BufReader<File>>,
        /// The smallest unread record of each run, with the run's position (a tie goes to
        /// the earlier run).
        heads: BinaryHeap<Reverse<(T, usize)>>,
    },
}

impl<T: Spill> Iterator for Sorted<T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        match self {
            Self::Memory(records) => records.next().map(Ok),
            Self::Runs { readers, heads } => {
                let Reverse((record, run)) = heads.pop()?;
                match readers.get_mut(run).map(T::read_from) {
                    Some(Ok(Some(next))) => heads.push(Reverse((next, run))),
                    Some(Ok(None)) | None => {}
                    Some(Err(err)) => return Some(Err(err)),
                }
                Some(Ok(record))
            }
        }
    }
}

/// A run that ends inside a record: the temporary file was damaged.
pub fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "a temporary sort file ended inside a record",
    )
}

/// Writes a length-prefixed byte string.
pub fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u64::try_from(bytes.len()).map_err(io::Error::other)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(bytes)
}

/// Reads what [`write_bytes`] wrote; `None` at a clean end of the run.
pub fn read_bytes(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    if input.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let len = usize::try_from(read_u64(input)?).map_err(io::Error::other)?;
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

pub fn read_u64(input: &mut impl Read) -> io::Result<u64> {
    let mut bytes = [0; 8];
    input.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

/// A run holds what this process wrote moments ago; text that is not UTF-8 means the
/// temporary file was damaged.
pub fn read_string(input: &mut impl BufRead) -> io::Result<Option<String>> {
    read_bytes(input)?
        .map(|bytes| String::from_utf8(bytes).map_err(io::Error::other))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Word(String);

    impl Spill for Word {
        fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
            write_bytes(out, self.0.as_bytes())
        }
        fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>> {
            Ok(read_string(input)?.map(Word))
        }
        fn weight(&self) -> usize {
            self.0.len()
        }
    }

    fn sorted(words: &[&str], budget: usize) -> (Vec<String>, usize) {
        let mut sorter = Sorter::new(budget);
        for word in words {
            sorter.push(Word((*word).to_owned())).unwrap();
        }
        let runs = sorter.runs();
        let out = sorter
            .finish()
            .unwrap()
            .map(|word| word.unwrap().0)
            .collect();
        (out, runs)
    }

    #[test]
    fn spilled_runs_merge_into_the_same_order_as_memory() {
        let words: Vec<String> = (0..500)
            .map(|n| format!("{:03}", (n * 7919) % 503))
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let (in_memory, no_runs) = sorted(&words, usize::MAX);
        let (spilled, runs) = sorted(&words, 40);
        assert_eq!(no_runs, 0);
        assert!(runs > 10, "{runs} runs");
        assert_eq!(spilled, in_memory);
        let mut expected: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        expected.sort();
        assert_eq!(spilled, expected);
    }

    proptest::proptest! {
        /// Whatever the budget, spilled or not, the records come back sorted and complete.
        #[test]
        fn any_budget_gives_the_sorted_records(
            words in proptest::collection::vec("[a-c]{0,6}", 0..300),
            budget in 1usize..200,
        ) {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let (spilled, _) = sorted(&words, budget);
            let mut expected: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
            expected.sort();
            proptest::prop_assert_eq!(spilled, expected);
        }
    }

    #[test]
    fn an_empty_sorter_yields_nothing() {
        assert_eq!(sorted(&[], 10), (Vec::new(), 0));
    }
}
