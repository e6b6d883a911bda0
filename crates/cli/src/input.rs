//! Reading encounter inputs: files or standard input, as one object, an array, or NDJSON.
//!
//! NDJSON is streamed a line at a time so memory does not grow with the file; anything else is
//! read whole and handed to the model's multi-record parser.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, bail};
use cleanclaim_model::{Encounter, EncounterError, parse_encounter, parse_records};
use serde_json::value::RawValue;

/// One encounter from an input, or why it was rejected.
pub struct Item {
    pub line: usize,
    /// The record's text as it appeared in the input.
    pub raw: String,
    pub result: Result<Encounter, EncounterError>,
}

/// Calls `each` for every encounter of the input named `name` (`-` is standard input).
pub fn for_each(
    name: &str,
    mut each: impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(Path::new(name)).with_context(|| format!("cannot open `{name}`"))?)
    };
    let mut lines = NonBlankLines {
        reader: BufReader::with_capacity(1 << 16, reader),
        buffer: String::new(),
        line_no: 0,
        name,
    };
    let Some(first_line) = lines.advance()? else {
        bail!("`{name}` is empty: there are no encounters to read");
    };
    let first = lines.current();
    let first = first.strip_prefix('\u{feff}').unwrap_or(first);
    if !first.starts_with('{') && !first.starts_with('[') {
        let looks_like_csv = first.contains(',') || first.contains('\t');
        bail!(
            "`{name}` is not JSON: encounters are JSON objects (one object, an array or NDJSON; see docs/encounter-format.md){}",
            if looks_like_csv {
                "; its first line looks like CSV or tab-separated text, which `scrub` does not read (convert it to the JSON format; a CSV import is planned)"
            } else {
                ""
            }
        );
    }
    let is_ndjson = first.starts_with('{') && serde_json::from_str::<&RawValue>(first).is_ok();
    if !is_ndjson {
        let mut text = std::mem::take(&mut lines.buffer);
        lines
            .reader
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read `{name}`"))?;
        for record in parse_records(&text) {
            each(Item {
                line: record.line + first_line - 1,
                raw: record.raw,
                result: record.result,
            })?;
        }
        return Ok(());
    }
    let mut line = Some(first_line);
    while let Some(line_no) = line {
        each(Item {
            line: line_no,
            raw: lines.current().to_owned(),
            result: parse_encounter(lines.current()),
        })?;
        line = lines.advance()?;
    }
    Ok(())
}

/// Reads a line at a time, skipping blank lines and counting every line.
struct NonBlankLines<'a, R> {
    reader: BufReader<R>,
    buffer: String,
    line_no: usize,
    name: &'a str,
}

impl<R: Read> NonBlankLines<'_, R> {
    /// Moves to the next non-blank line; its 1-based number, or `None` at the end.
    fn advance(&mut self) -> anyhow::Result<Option<usize>> {
        loop {
            self.buffer.clear();
            let n_read = self
                .reader
                .read_line(&mut self.buffer)
                .with_context(|| format!("cannot read `{}`", self.name))?;
            if n_read == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if !self.buffer.trim().is_empty() {
                return Ok(Some(self.line_no));
            }
        }
    }

    /// The current line without surrounding whitespace.
    fn current(&self) -> &str {
        self.buffer.trim()
    }
}

/// Where a record came from: the input's name and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub input: String,
    pub line: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.input, self.line)
    }
}

/// The encounters of every input, read whole (history needs the batch in date order), with
/// what could not be used.
#[derive(Debug, Default)]
pub struct Batch {
    pub encounters: Vec<Encounter>,
    /// Where each encounter came from, index for index.
    pub positions: Vec<Position>,
    /// Each encounter's record as received, index for index (empty unless asked for).
    pub raws: Vec<String>,
    /// Records left out whole: rejected, or a second record with an id already read.
    pub rejected: u64,
}

/// Reads every input into one batch. A rejected record and a record whose encounter id an
/// earlier record already used are reported on standard error (with both positions for a
/// duplicate) and left out, so no visit is scrubbed, counted or billed twice.
pub fn read_batch(names: &[String]) -> anyhow::Result<Batch> {
    read(names, false)
}

/// As [`read_batch`], keeping each record's text as received (for `ingest`, which stores it).
pub fn read_batch_as_received(names: &[String]) -> anyhow::Result<Batch> {
    read(names, true)
}

fn read(names: &[String], keep_raw: bool) -> anyhow::Result<Batch> {
    let mut batch = Batch::default();
    let mut first_seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for name in names {
        for_each(name, |item| {
            let position = Position {
                input: name.clone(),
                line: item.line,
            };
            match item.result {
                Ok(encounter) => match first_seen.get(&encounter.id) {
                    Some(&index) => {
                        batch.rejected += 1;
                        let first = batch
                            .positions
                            .get(index)
                            .map_or_else(String::new, ToString::to_string);
                        eprintln!(
                            "{position}: rejected: encounter id `{}` was already read at {first}; each visit needs an id of its own (a corrected visit replaces the first in a later run, not in the same batch)",
                            encounter.id
                        );
                    }
                    None => {
                        first_seen.insert(encounter.id.clone(), batch.encounters.len());
                        batch.encounters.push(encounter);
                        batch.positions.push(position);
                        if keep_raw {
                            batch.raws.push(item.raw);
                        }
                    }
                },
                Err(err) => {
                    batch.rejected += 1;
                    eprintln!("{position}: rejected: {err}");
                }
            }
            Ok(())
        })?;
    }
    Ok(batch)
}
