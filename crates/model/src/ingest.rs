//! Reading encounters from the native JSON format: one object, an array, or NDJSON.
//!
//! Each encounter is parsed and checked on its own, so one bad record rejects that record
//! whole and leaves its neighbours alone.

use serde_json::value::RawValue;

use crate::clinical::MAX_DIAGNOSES;
use crate::encounter::Encounter;
use crate::error::EncounterError;
use crate::money::Cents;

/// CLM01 is 1 to 38 characters in 005010X222A1.
const MAX_ENCOUNTER_ID_LEN: usize = 38;
/// SV1-01-3..6 hold four modifiers.
const MAX_LINE_MODIFIERS: usize = 4;

/// No one receives more treatment than there are minutes in the day of service: a count past
/// it is a typing or export error, and billed as read it would be 286,331,153 units for
/// 4,294,967,295 minutes. Rejecting it also keeps every minute sum far from `u32::MAX`.
const MINUTES_IN_A_DAY: u32 = 24 * 60;

/// The most one unit of a code may be charged: far above any fee schedule, far below what
/// overflows a claim's total or an X12 amount's 18 digits (96 units a line, 50 lines a claim).
const MAX_CHARGE_PER_UNIT: i64 = 1_000_000_000;

/// The most a year's therapy spend may be, in cents.
const MAX_YEAR_SPEND: i64 = 10_000_000_000;

/// Parses and checks one encounter from JSON text.
pub fn parse_encounter(json: &str) -> Result<Encounter, EncounterError> {
    // Path tracking costs about a third of parse time, so good records take the plain path
    // and only a failing record is parsed again to find where it went wrong.
    match serde_json::from_str::<Encounter>(json) {
        Ok(encounter) => normalize(encounter),
        Err(_) => Err(locate_error(json)),
    }
}

fn locate_error(json: &str) -> EncounterError {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, Encounter>(&mut deserializer) {
        Err(err) => {
            let path = safe_path(&err);
            json_error(path, &err.into_inner())
        }
        Ok(_) => match deserializer.end() {
            Err(err) => json_error(String::new(), &err),
            Ok(()) => EncounterError::Json {
                path: String::new(),
                reason: "the encounter did not parse".to_owned(),
                line: 0,
            },
        },
    }
}

/// The JSON path of a deserialization error, without the input's own words: for an unknown
/// key the path ends at the object that holds it, since the key itself (a name pasted in the
/// wrong place) may be PHI. Empty for the whole document.
pub fn safe_path(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    use serde_path_to_error::Segment;
    let mut segments: Vec<&Segment> = err.path().iter().collect();
    if err.inner().to_string().starts_with("unknown field") {
        segments.pop();
    }
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Segment::Unknown => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push('?');
            }
        }
    }
    path
}

/// The error without serde's " at line L column C" suffix: the line is kept as a number so
/// callers can make it absolute, and the column is meaningless once the line is rebased.
fn json_error(path: String, err: &serde_json::Error) -> EncounterError {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let reason = text.strip_suffix(&suffix).unwrap_or(&text);
    EncounterError::Json {
        path,
        reason: redact_quoted(reason),
        line: err.line(),
    }
}

/// The absolute line of an error found in a record that starts on `start_line`.
fn error_line(start_line: usize, result: &Result<Encounter, EncounterError>) -> usize {
    match result {
        Err(EncounterError::Json { line, .. }) if *line > 0 => start_line + line - 1,
        _ => start_line,
    }
}

/// One record of a multi-encounter input.
#[derive(Debug)]
pub struct Record {
    /// The 1-based line where the record starts.
    pub line: usize,
    /// The 0-based position of the record in the input.
    pub index: usize,
    /// The record's JSON text as it appeared in the input (empty when the input could not
    /// be split into records there): what an EMR sent, kept as received.
    pub raw: String,
    pub result: Result<Encounter, EncounterError>,
}

/// Parses a whole input held in memory: one object, an array of objects, NDJSON, or any
/// whitespace-separated mix of these. A syntax error that stops the stream ends the input
/// with one final error record.
pub fn parse_records(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut start = 0usize;
    loop {
        let value_start = start + leading_whitespace(text.get(start..).unwrap_or_default());
        let line = line_of(text, value_start);
        match stream.next() {
            None => break,
            Some(Ok(raw)) => {
                let json = raw.get();
                if json.starts_with('[') {
                    push_array(&mut records, text, json, line);
                } else {
                    let index = records.len();
                    let result = parse_encounter(json);
                    records.push(Record {
                        line: error_line(line, &result),
                        index,
                        raw: json.to_owned(),
                        result,
                    });
                }
            }
            Some(Err(err)) => {
                // An array broken part way (a missing comma, a cut-off file): the elements
                // before the break are still records; the break is reported with what could
                // not be read.
                let rest = text.get(value_start..).unwrap_or_default();
                let salvaged = if rest.starts_with('[') {
                    salvage_array(&mut records, text, rest)
                } else {
                    0
                };
                let index = records.len();
                let mut error = json_error(String::new(), &err);
                if rest.starts_with('[')
                    && let EncounterError::Json { path, reason, .. } = &mut error
                {
                    *path = format!("[{salvaged}]");
                    reason.push_str(
                        "; the array could not be read past this point, so this element and any after it were not processed",
                    );
                }
                records.push(Record {
                    line: err.line(),
                    index,
                    raw: String::new(),
                    result: Err(error),
                });
                break;
            }
        }
        start = stream.byte_offset();
    }
    records
}

/// Pushes the elements of the array at the start of `array` (a slice of `text`) up to the
/// first one that cannot be read; returns how many.
fn salvage_array(records: &mut Vec<Record>, text: &str, array: &str) -> usize {
    struct Collect<'v, 'de>(&'v mut Vec<&'de RawValue>);

    impl<'de> serde::de::Visitor<'de> for Collect<'_, 'de> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of encounters")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(element) = seq.next_element::<&'de RawValue>()? {
                self.0.push(element);
            }
            Ok(())
        }
    }

    let mut elements = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(array);
    // The error is the caller's to report; what was read before it is kept.
    let _ = serde::Deserializer::deserialize_seq(&mut deserializer, Collect(&mut elements));
    let count = elements.len();
    for (position, element) in elements.into_iter().enumerate() {
        push_element(records, text, element, position);
    }
    count
}

/// One element of an array, as a record: its line comes from where it sits in `text`.
fn push_element(records: &mut Vec<Record>, text: &str, element: &RawValue, position: usize) {
    let index = records.len();
    // The element borrows from `text`, so its address gives its offset and line.
    let offset = (element.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let result = parse_encounter(element.get()).map_err(|err| prefix(err, position));
    records.push(Record {
        line: error_line(line_of(text, offset), &result),
        index,
        raw: element.get().to_owned(),
        result,
    });
}

fn push_array(records: &mut Vec<Record>, text: &str, json: &str, line: usize) {
    match serde_json::from_str::<Vec<&RawValue>>(json) {
        Ok(elements) => {
            for (position, element) in elements.into_iter().enumerate() {
                push_element(records, text, element, position);
            }
        }
        Err(err) => {
            let index = records.len();
            let result = Err(json_error(String::new(), &err));
            records.push(Record {
                line: error_line(line, &result),
                index,
                raw: json.to_owned(),
                result,
            });
        }
    }
}

fn prefix(err: EncounterError, position: usize) -> EncounterError {
    let join = |path: String| {
        if path.is_empty() {
            format!("[{position}]")
        } else {
            format!("[{position}].{path}")
        }
    };
    match err {
        EncounterError::Json { path, reason, line } => EncounterError::Json {
            path: join(path),
            reason,
            line,
        },
        EncounterError::Inconsistent { path, reason } => EncounterError::Inconsistent {
            path: join(path),
            reason,
        },
    }
}

/// An error message without the input value it quotes: serde quotes the offending value (`invalid
/// type: string "Doe"`, `unknown variant \`Ana Rivera\``, `invalid value: integer \`7\``) and
/// the code types name theirs (`invalid ICD-10-CM code \`...\``); for a name or a birth date
/// that value is PHI, so every quoted part is replaced before the message leaves. What follows
/// `, expected` is the schema's own vocabulary (`one of \`pt\`, \`ot\``) and stays, as do the
/// field names of `missing field` and `duplicate field`, which are ours, not the input's.
pub fn redact_quoted(message: &str) -> String {
    // serde_json's syntax errors (`expected \`,\` or \`]\``) quote only JSON punctuation.
    if message.starts_with("missing field")
        || message.starts_with("duplicate field")
        || message.starts_with("expected ")
    {
        return message.to_owned();
    }
    let Some(open) = message.find(['"', '`']) else {
        return message.to_owned();
    };
    // Both quote characters are one byte, so these splits fall on character boundaries.
    let (head, value_and_rest) = message.split_at(open + 1);
    let quote = head.chars().last().unwrap_or('"');
    // The value ends at its quote before `, expected` (serde's vocabulary follows); without
    // one, at the last quote of the message (a code type's `: reason` follows). A value that
    // itself holds quotes is redacted whole either way.
    let close = value_and_rest
        .match_indices(quote)
        .map(|(at, _)| at)
        .find(|&at| {
            value_and_rest
                .get(at + 1..)
                .is_some_and(|rest| rest.starts_with(", expected"))
        })
        .or_else(|| value_and_rest.rfind(quote));
    match close.and_then(|at| value_and_rest.get(at..)) {
        Some(rest) => format!("{head}…{rest}"),
        None => format!("{head}…"),
    }
}

fn bad(path: impl Into<String>, reason: impl Into<String>) -> EncounterError {
    EncounterError::inconsistent(path, reason)
}

fn beyond_a_day() -> String {
    format!("is more than the {MINUTES_IN_A_DAY} minutes in a day: not a plausible count")
}

fn leading_whitespace(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text
        .as_bytes()
        .get(..offset)
        .unwrap_or_default()
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// Checks what the types cannot (fields that must agree) and fills minutes that are
/// documented only through start/stop times or the therapist/assistant split.
fn normalize(mut encounter: Encounter) -> Result<Encounter, EncounterError> {
    if encounter.id.trim().is_empty() || encounter.id.len() > MAX_ENCOUNTER_ID_LEN {
        return Err(bad("id", "must be 1 to 38 characters (CLM01)"));
    }
    if encounter.patient.id.trim().is_empty() {
        return Err(bad("patient.id", "must not be empty"));
    }
    if encounter.patient.name.family.trim().is_empty() {
        return Err(bad("patient.name.family", "must not be empty"));
    }
    if encounter.patient.birth_date > encounter.date_of_service {
        return Err(bad("patient.birth_date", "is after the date of service"));
    }
    if encounter.clinical.diagnoses.len() > MAX_DIAGNOSES {
        return Err(bad(
            "clinical.diagnoses",
            format!(
                "has {} diagnoses; a claim carries at most {MAX_DIAGNOSES}",
                encounter.clinical.diagnoses.len()
            ),
        ));
    }
    if let Some(plan) = &encounter.compliance.plan_of_care
        && plan.certification_end < plan.certification_start
    {
        return Err(bad(
            "compliance.plan_of_care.certification_end",
            "is before certification_start",
        ));
    }
    for (position, line) in encounter.timing.lines.iter_mut().enumerate() {
        // The most 15-minute units a day holds: anything above is not a documented count.
        if line.units.is_some_and(|units| units > 96) {
            return Err(bad(
                format!("timing.lines[{position}].units"),
                "is more units than a day holds (96 of 15 minutes)",
            ));
        }
        let path = |field: &str| format!("timing.lines[{position}].{field}");
        if let Some(Cents(charge)) = line.charge_per_unit {
            if charge < 0 {
                return Err(bad(
                    path("charge_per_unit"),
                    "is negative: a charge is never negative (send an adjustment as a void or replacement claim)",
                ));
            }
            if charge > MAX_CHARGE_PER_UNIT {
                return Err(bad(
                    path("charge_per_unit"),
                    "is more than $10,000,000.00 for one unit: not a plausible charge",
                ));
            }
        }
        if line.modifiers.len() > MAX_LINE_MODIFIERS {
            return Err(bad(
                path("modifiers"),
                "a claim line carries at most 4 modifiers",
            ));
        }
        // Before the split fills `minutes`: its own parts are where a bad count was written.
        if line.furnished_by.is_some_and(|split| {
            [
                split.therapist_alone,
                split.assistant_alone,
                split.together,
                split.student_alone,
            ]
            .into_iter()
            .any(|minutes| minutes > MINUTES_IN_A_DAY)
        }) {
            return Err(bad(path("furnished_by"), beyond_a_day()));
        }
        let interval = match (line.start, line.stop) {
            (Some(start), Some(stop)) => Some(start.minutes_until(stop).ok_or_else(|| {
                bad(
                    path("stop"),
                    format!("`{stop}` is not after start `{start}`"),
                )
            })?),
            _ => None,
        };
        if let Some(split) = line.furnished_by {
            match line.minutes {
                Some(minutes) if minutes != split.total() => {
                    return Err(bad(
                        path("furnished_by"),
                        format!(
                            "adds up to {} minutes but minutes is {minutes}",
                            split.total()
                        ),
                    ));
                }
                Some(_) => {}
                None => line.minutes = Some(split.total()),
            }
        }
        if line.minutes.is_none() {
            line.minutes = interval;
        }
        if line
            .minutes
            .is_some_and(|minutes| minutes > MINUTES_IN_A_DAY)
        {
            return Err(bad(path("minutes"), beyond_a_day()));
        }
    }
    let day: u64 = encounter
        .timing
        .lines
        .iter()
        .filter_map(|line| line.minutes)
        .map(u64::from)
        .sum();
    if day > u64::from(MINUTES_IN_A_DAY) {
        return Err(bad(
            "timing.lines",
            format!(
                "the lines' minutes add up to {day}, more than the {MINUTES_IN_A_DAY} minutes in a day"
            ),
        ));
    }
    if encounter
        .timing
        .total_treatment_minutes
        .is_some_and(|total| total > MINUTES_IN_A_DAY)
    {
        return Err(bad("timing.total_treatment_minutes", beyond_a_day()));
    }
    let spend = &encounter.administrative.year_to_date_spend;
    for (field, Cents(amount)) in [("pt_slp", spend.pt_slp), ("ot", spend.ot)] {
        if !(0..=MAX_YEAR_SPEND).contains(&amount) {
            return Err(bad(
                format!("administrative.year_to_date_spend.{field}"),
                "is negative or more than $100,000,000.00: not a plausible year of therapy",
            ));
        }
    }
    Ok(encounter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"id":"E1","date_of_service":"2024-05-06","discipline":"pt",
"patient":{"id":"M1","name":{"family":"Doe","given":"J"},"birth_date":"1950-01-01","sex":"female"},
"clinical":{"diagnoses":["M54.50"],"visit_type":"treatment"},
"timing":{"lines":[{"code":"97110","start":"09:00","stop":"09:23"}]},
"administrative":{"payer":{"id":"P","name":"P","plan":"commercial"},"member_id":"X","place_of_service":"11"},
"compliance":{"rendering":{"npi":"1234567893","role":"pt"}}}"#;

    #[test]
    fn minutes_come_from_start_and_stop() {
        let encounter = parse_encounter(ONE).unwrap();
        assert_eq!(encounter.timing.lines[0].minutes, Some(23));
    }

    #[test]
    fn object_array_and_ndjson_all_read() {
        let flat = ONE.replace('\n', "");
        let ndjson = format!("{flat}\n{}\n", flat.replace("\"E1\"", "\"E2\""));
        let array = format!("[{flat},\n{}]", flat.replace("\"E1\"", "\"E2\""));
        for text in [ndjson.as_str(), array.as_str()] {
            let ids: Vec<String> = parse_records(text)
                .into_iter()
                .map(|r| r.result.unwrap().id)
                .collect();
            assert_eq!(ids, ["E1", "E2"]);
        }
        assert_eq!(parse_records(ONE).len(), 1);
        assert!(parse_records("  \n").is_empty());
    }

    #[test]
    fn a_syntax_error_ends_the_stream_with_its_line() {
        let flat = ONE.replace('\n', "");
        let records = parse_records(&format!("{flat}\n{{\"id\": \n"));
        assert_eq!(records.len(), 2);
        assert!(records[0].result.is_ok());
        assert_eq!(records[1].line, 3);
        assert!(records[1].result.is_err());
    }

    /// Regression (issue 12): an array with one missing comma dropped every encounter and
    /// reported one error; the elements before the break are read, and the break says that the
    /// rest could not be.
    #[test]
    fn an_array_broken_part_way_keeps_the_elements_before_the_break() {
        let flat = ONE.replace('\n', "");
        let element = |id: &str| flat.replace("\"E1\"", &format!("\"{id}\""));
        let text = format!(
            "[{},\n{},\n{}\n{}]",
            element("E1"),
            element("E2"),
            element("E3"),
            element("E4")
        );
        let records = parse_records(&text);
        let ids: Vec<String> = records
            .iter()
            .filter_map(|r| r.result.as_ref().ok().map(|e| e.id.clone()))
            .collect();
        assert_eq!(ids, ["E1", "E2", "E3"]);
        let error = records
            .last()
            .unwrap()
            .result
            .as_ref()
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("at `[3]`"), "{error}");
        assert!(
            error.contains("could not be read past this point"),
            "{error}"
        );
        assert_eq!(records.last().unwrap().line, 4);
    }

    #[test]
    fn redaction_keeps_structure_and_drops_values() {
        assert_eq!(
            redact_quoted(r#"invalid type: string "Jane Doe", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(redact_quoted("unknown field `x`"), "unknown field `…`");
        assert_eq!(
            redact_quoted("unknown variant `Ana Rivera`, expected one of `pt`, `ot`"),
            "unknown variant `…`, expected one of `pt`, `ot`"
        );
        assert_eq!(
            redact_quoted("invalid ICD-10-CM code `RIVERA`: must start with a letter"),
            "invalid ICD-10-CM code `…`: must start with a letter"
        );
        // A value holding quotes does not end early.
        assert_eq!(
            redact_quoted(r#"invalid type: string "Ri"ve`ra", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(
            redact_quoted("missing field `name`"),
            "missing field `name`"
        );
        assert_eq!(redact_quoted("no quotes at all"), "no quotes at all");
    }

    proptest::proptest! {
        #[test]
        fn reading_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = parse_records(&text);
        }

        #[test]
        fn reading_never_panics_on_damaged_encounters(cut in 0usize..700, insert in "[\\[\\]{}\",:0-9a-z ]{0,3}") {
            let mut text = ONE.to_owned();
            let at = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            text.insert_str(at, &insert);
            let _ = parse_records(&text);
            let _ = parse_encounter(text.get(..at).unwrap_or_default());
        }
    }

    #[test]
    fn minutes_beyond_a_day_are_rejected_with_the_field_named() {
        let with_line =
            |line: &str| ONE.replace(r#"{"code":"97110","start":"09:00","stop":"09:23"}"#, line);
        for (line, path) in [
            (
                r#"{"code":"97110","minutes":4294967295}"#,
                "timing.lines[0].minutes",
            ),
            (
                r#"{"code":"97110","minutes":1441}"#,
                "timing.lines[0].minutes",
            ),
            (
                r#"{"code":"97110","furnished_by":{"therapist_alone":4294967295,"assistant_alone":1}}"#,
                "timing.lines[0].furnished_by",
            ),
            (
                r#"{"code":"97110","minutes":800},{"code":"97140","minutes":800}"#,
                "timing.lines",
            ),
        ] {
            let error = parse_encounter(&with_line(line)).unwrap_err();
            assert!(error.to_string().contains(path), "{line}: {error}");
            assert!(
                error.to_string().contains("1440 minutes in a day"),
                "{error}"
            );
        }
        // A long day is still a day.
        let full = parse_encounter(&with_line(r#"{"code":"97110","minutes":1440}"#)).unwrap();
        assert_eq!(full.timing.lines[0].minutes, Some(1440));
    }

    #[test]
    fn documented_units_beyond_a_day_are_rejected_and_an_empty_visit_is_read() {
        let with_line =
            |line: &str| ONE.replace(r#"{"code":"97110","start":"09:00","stop":"09:23"}"#, line);
        let error =
            parse_encounter(&with_line(r#"{"code":"97110","minutes":23,"units":97}"#)).unwrap_err();
        assert!(
            error.to_string().contains("timing.lines[0].units"),
            "{error}"
        );
        let read =
            parse_encounter(&with_line(r#"{"code":"97110","minutes":23,"units":2}"#)).unwrap();
        assert_eq!(read.timing.lines[0].units, Some(2));
        // A visit with no procedure is incomplete, not malformed: it is read (and held later).
        let empty = ONE.replace(r#"{"code":"97110","start":"09:00","stop":"09:23"}"#, "");
        assert!(parse_encounter(&empty).unwrap().timing.lines.is_empty());
    }

    #[test]
    fn negative_and_implausible_amounts_are_rejected_with_the_field_named() {
        let with_line =
            |line: &str| ONE.replace(r#"{"code":"97110","start":"09:00","stop":"09:23"}"#, line);
        for (charge, reason) in [
            ("-5000", "never negative"),
            ("9223372036854775807", "not a plausible charge"),
            ("1000000001", "not a plausible charge"),
        ] {
            let line = format!(r#"{{"code":"97110","minutes":23,"charge_per_unit":{charge}}}"#);
            let error = parse_encounter(&with_line(&line)).unwrap_err().to_string();
            assert!(error.contains("timing.lines[0].charge_per_unit"), "{error}");
            assert!(error.contains(reason), "{error}");
        }
        let line = r#"{"code":"97110","minutes":23,"charge_per_unit":1000000000}"#;
        assert!(parse_encounter(&with_line(line)).is_ok());
        let spend = ONE.replacen(
            r#""administrative":{"#,
            r#""administrative":{"year_to_date_spend":{"pt_slp":-1},"#,
            1,
        );
        assert_ne!(spend, ONE);
        let error = parse_encounter(&spend).unwrap_err().to_string();
        assert!(error.contains("year_to_date_spend.pt_slp"), "{error}");
    }
}
