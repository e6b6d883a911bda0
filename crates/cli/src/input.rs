//! Reading encounter inputs: files or standard input, as one object, an array, or NDJSON.
//!
//! NDJSON is streamed a line at a time so memory does not grow with the file; anything else is
//! read whole and handed to the model's multi-record parser.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Context;
use cleanclaim_model::{Encounter, EncounterError, parse_encounter, parse_records};
use serde_json::value::RawValue;

/// One encounter from an input, or why it was rejected.
pub struct Item {
    pub line: usize,
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
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut first = String::new();
    let mut line_no = 0usize;
    // Skip blank lines to find the first record.
    while first.trim().is_empty() {
        first.clear();
        if reader
            .read_line(&mut first)
            .with_context(|| format!("cannot read `{name}`"))?
            == 0
        {
            return Ok(());
        }
        line_no += 1;
    }
    let trimmed = first.trim();
    let is_ndjson = trimmed.starts_with('{') && serde_json::from_str::<&RawValue>(trimmed).is_ok();
    if !is_ndjson {
        let mut text = std::mem::take(&mut first);
        reader
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read `{name}`"))?;
        for record in parse_records(&text) {
            each(Item {
                line: record.line + line_no - 1,
                result: record.result,
            })?;
        }
        return Ok(());
    }
    each(Item {
        line: line_no,
        result: parse_encounter(trimmed),
    })?;
    let mut buffer = String::new();
    loop {
        buffer.clear();
        if reader
            .read_line(&mut buffer)
            .with_context(|| format!("cannot read `{name}`"))?
            == 0
        {
            return Ok(());
        }
        line_no += 1;
        let text = buffer.trim();
        if !text.is_empty() {
            each(Item {
                line: line_no,
                result: parse_encounter(text),
            })?;
        }
    }
}
