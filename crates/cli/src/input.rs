//! Reading encounter inputs: files or standard input, as one object, an array, or NDJSON.
//!
//! NDJSON is streamed a line at a time so memory does not grow with the file; anything else is
//! read whole and handed to the model's multi-record parser.

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

/// A record of an input as read, before or after parsing.
pub struct RawItem {
    pub line: usize,
    pub raw: String,
    /// Already parsed (records of an array or pretty-printed objects, and lines that are
    /// not UTF-8); `None` for an NDJSON line, which the caller parses, on any thread.
    pub parsed: Option<Result<Encounter, EncounterError>>,
}

impl RawItem {
    /// Parses the record if it was not parsed yet.
    pub fn parse(self) -> Item {
        Item {
            result: self.parsed.unwrap_or_else(|| parse_encounter(&self.raw)),
            line: self.line,
            raw: self.raw,
        }
    }
}

/// Calls `each` for every encounter of the input named `name` (`-` is standard input).
///
/// NDJSON is read a line at a time, and each line stands alone: a line that is not UTF-8 or
/// not JSON is rejected with its number and the next line is read. Anything else is read whole
/// and handed to the model's multi-record parser.
pub fn for_each(
    name: &str,
    mut each: impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for_each_raw(name, |item| each(item.parse()))
}

/// [`for_each`], leaving NDJSON lines unparsed so the caller can parse them in parallel.
pub fn for_each_raw(
    name: &str,
    mut each: impl FnMut(RawItem) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(crate::files::open_stream(Path::new(name))?)
    };
    let mut lines = NonBlankLines {
        reader: BufReader::with_capacity(1 << 16, reader),
        buffer: Vec::new(),
        line_no: 0,
        name,
    };
    let Some(first_line) = lines.advance()? else {
        bail!("`{name}` is empty: there are no encounters to read");
    };
    let first_bytes = lines.buffer.clone();
    let first = lines.current().unwrap_or_default();
    let first = first.strip_prefix('\u{feff}').unwrap_or(first).to_owned();
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
    // NDJSON: the first line is a whole object, or (when it is damaged) the next line starts
    // another one. A pretty-printed object's second line starts with a key instead.
    let mut second: Option<usize> = None;
    let is_ndjson = first.starts_with('{')
        && (serde_json::from_str::<&RawValue>(&first).is_ok() || {
            second = lines.advance()?;
            second.is_some() && lines.current().is_some_and(|l| l.starts_with('{'))
        });
    if !is_ndjson {
        let mut bytes = first_bytes;
        if second.is_some() {
            bytes.extend_from_slice(&lines.buffer);
        }
        (&mut lines.reader)
            .take(MAX_WHOLE)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read `{name}`"))?;
        if bytes.len() as u64 >= MAX_WHOLE {
            bail!(
                "`{name}` is a JSON array or pretty-printed objects of more than {} MiB: send it as NDJSON (one object per line), which is streamed",
                MAX_WHOLE >> 20
            );
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let line = first_line
                    + error
                        .as_bytes()
                        .get(..valid)
                        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
                bail!(
                    "`{name}` is not UTF-8 text at line {line} (byte {valid}); nothing of it was read"
                );
            }
        };
        for record in parse_records(&text) {
            each(RawItem {
                line: record.line + first_line - 1,
                raw: record.raw,
                parsed: Some(record.result),
            })?;
        }
        return Ok(());
    }
    each(ndjson_item(first_line, &first))?;
    let mut line = match second {
        Some(line_no) => Some(line_no),
        None => lines.advance()?,
    };
    while let Some(line_no) = line {
        let item = match lines.current() {
            Some(text) => ndjson_item(line_no, text),
            None => RawItem {
                line: line_no,
                raw: String::new(),
                parsed: Some(Err(EncounterError::Json {
                    path: String::new(),
                    reason: "the line is not UTF-8 text; it was not read".to_owned(),
                    line: 0,
                })),
            },
        };
        each(item)?;
        line = lines.advance()?;
    }
    Ok(())
}

fn ndjson_item(line: usize, text: &str) -> RawItem {
    RawItem {
        line,
        raw: text.to_owned(),
        parsed: None,
    }
}

/// Reads a line at a time as bytes (so one bad byte spoils one line, not the input),
/// skipping blank lines and counting every line.
/// The longest line read (an encounter is a few kilobytes; a pretty-printed array is many short
/// lines): a stream with no line break, such as `/dev/zero` through a pipe, is refused at this
/// size instead of filling memory.
const MAX_LINE: u64 = 64 << 20;

/// The most read whole when the input is one JSON array or pretty-printed objects.
const MAX_WHOLE: u64 = 4096 << 20;

struct NonBlankLines<'a, R> {
    reader: BufReader<R>,
    buffer: Vec<u8>,
    line_no: usize,
    name: &'a str,
}

impl<R: Read> NonBlankLines<'_, R> {
    /// Moves to the next non-blank line; its 1-based number, or `None` at the end.
    fn advance(&mut self) -> anyhow::Result<Option<usize>> {
        loop {
            self.buffer.clear();
            let n_read = (&mut self.reader)
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut self.buffer)
                .with_context(|| format!("cannot read `{}`", self.name))?;
            if n_read == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if n_read as u64 > MAX_LINE {
                bail!(
                    "`{}` line {}: longer than {} MiB without a line break: not encounter records (nothing after it was read)",
                    self.name,
                    self.line_no,
                    MAX_LINE >> 20
                );
            }
            if !self.buffer.trim_ascii().is_empty() {
                return Ok(Some(self.line_no));
            }
        }
    }

    /// The current line without surrounding whitespace, or `None` when it is not UTF-8.
    fn current(&self) -> Option<&str> {
        std::str::from_utf8(self.buffer.trim_ascii()).ok()
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

/// Why a record whose encounter id an earlier record of the batch used is left out.
pub fn duplicate_id(position: &Position, id: &str, first: &str) -> String {
    format!(
        "{position}: rejected: encounter id `{id}` was already read at {first}; each visit needs an id of its own (a corrected visit replaces the first in a later run, not in the same batch)"
    )
}

/// The encounters of every input, read whole (history needs the batch in date order), with
/// what could not be used.
#[derive(Debug, Default)]
pub struct Batch {
    pub encounters: Vec<Encounter>,
    /// Where each encounter came from, index for index.
    pub positions: Vec<Position>,
    /// Records left out whole: rejected, or a second record with an id already read.
    pub rejected: u64,
}

/// Reads every input into one batch. A rejected record and a record whose encounter id an
/// earlier record already used are reported on standard error (with both positions for a
/// duplicate) and left out, so no visit is scrubbed, counted or billed twice.
pub fn read_batch(names: &[String]) -> anyhow::Result<Batch> {
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
                        eprintln!("{}", duplicate_id(&position, &encounter.id, &first));
                    }
                    None => {
                        first_seen.insert(encounter.id.clone(), batch.encounters.len());
                        batch.encounters.push(encounter);
                        batch.positions.push(position);
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
