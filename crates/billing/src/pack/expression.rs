//! Payer edits written as conditions in CEL (the Common Expression Language, via the `cel`
//! crate), so a payer rule needs no recompile. A condition sees the encounter as it was sent
//! plus what the engine and the episode derived:
//!
//! | variable | type | what |
//! |---|---|---|
//! | `encounter` | map | the encounter JSON (docs/encounter-format.md) |
//! | `codes` | list of string | the codes billed with at least one unit |
//! | `units` | map string → int | units per billed code |
//! | `modifiers` | map string → list of string | modifiers per billed code |
//! | `age` | int | the patient's age in years on the date of service |
//! | `pos` | string | the place of service the claim will carry |
//! | `episode` | map | `treatment_day`, `evaluations`, `visits_this_year` |

use std::sync::Arc;

use chrono::NaiveDate;
use cleanclaim_model::Encounter;

use super::bindings::{Bindings, EpisodeFacts, Needs, VARIABLES};
use crate::rules::Rule;

/// A rule of a pack whose condition is an expression.
#[derive(Debug, Clone)]
pub struct ExpressionRule {
    pub rule: Rule,
    /// The finding's message when the condition is true.
    pub message: String,
    /// The condition, as written in the pack.
    pub when: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub(crate) program: Arc<cel::Program>,
    /// What the condition reads, so only that is bound.
    pub(crate) needs: Needs,
}

impl ExpressionRule {
    /// Whether the rule is in effect on this date.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }

    /// Evaluates the condition; the error says why it could not be decided.
    pub fn evaluate(&self, bindings: &Bindings<'_>) -> Result<bool, String> {
        match bindings.execute(&self.program) {
            Ok(cel::Value::Bool(value)) => Ok(value),
            Ok(other) => Err(format!(
                "the condition gave a {:?} instead of true or false",
                other.type_of()
            )),
            // A variable that could not be built leaves the name undefined; say why.
            Err(err) => Err(bindings
                .failure()
                .map_or_else(|| describe(&err), ToOwned::to_owned)),
        }
    }
}

/// The longest condition accepted, in characters.
const MAX_CONDITION: usize = 4_096;
/// The deepest nesting of parentheses, brackets and braces accepted: the parser recurses on
/// each, and 200,000 of them overflowed its stack.
const MAX_NESTING: usize = 32;
/// Comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) in one condition, and how
/// deep inside each other: the work of nested ones multiplies, and evaluation has no clock.
const MAX_COMPREHENSIONS: usize = 6;
const MAX_COMPREHENSION_DEPTH: usize = 2;

/// Refuses a condition too large or too deep to parse or evaluate safely, before the parser
/// sees it.
fn check_shape(text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_CONDITION {
        return Err(format!(
            "the condition is longer than {MAX_CONDITION} characters; split it into rules"
        ));
    }
    let mut depth = 0usize;
    let mut deepest = 0usize;
    // The nesting depth at which each open comprehension's parenthesis sits.
    let mut comprehensions: Vec<usize> = Vec::new();
    let mut deepest_comprehension = 0usize;
    let mut count = 0usize;
    let mut in_string: Option<char> = None;
    let chars: Vec<char> = text.chars().collect();
    for (index, ch) in chars.iter().copied().enumerate() {
        if let Some(quote) = in_string {
            if ch == quote && chars.get(index.wrapping_sub(1)) != Some(&'\\') {
                in_string = None;
            }
            continue;
        }
        match ch {
            '"' | '\'' => in_string = Some(ch),
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if ch == '(' && opens_comprehension(&chars, index) {
                    count += 1;
                    comprehensions.push(depth);
                    deepest_comprehension = deepest_comprehension.max(comprehensions.len());
                }
            }
            ')' | ']' | '}' => {
                if comprehensions.last() == Some(&depth) {
                    comprehensions.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        if deepest > MAX_NESTING {
            return Err(format!(
                "the condition nests more than {MAX_NESTING} levels of parentheses"
            ));
        }
    }
    if count > MAX_COMPREHENSIONS || deepest_comprehension > MAX_COMPREHENSION_DEPTH {
        return Err(format!(
            "the condition has {count} comprehension(s), {deepest_comprehension} deep: at most {MAX_COMPREHENSIONS}, and {MAX_COMPREHENSION_DEPTH} inside each other"
        ));
    }
    Ok(())
}

/// Whether the `(` at `index` opens `.all(`, `.exists(`, `.exists_one(`, `.map(` or `.filter(`.
fn opens_comprehension(chars: &[char], index: usize) -> bool {
    let before: String = chars
        .get(index.saturating_sub(12)..index)
        .unwrap_or_default()
        .iter()
        .collect();
    ["all", "exists", "exists_one", "map", "filter"]
        .iter()
        .any(|name| before.ends_with(&format!(".{name}")))
}

/// A sample encounter every condition is tried on at load: a type error, an unknown function
/// or a result that is not true or false shows here, not on every encounter at run time.
fn check_on_sample(env: &Arc<cel::Env>, program: &cel::Program) -> Result<(), String> {
    static SAMPLE: std::sync::OnceLock<Option<Encounter>> = std::sync::OnceLock::new();
    let Some(sample) = SAMPLE.get_or_init(|| {
        cleanclaim_model::parse_encounter(include_str!("../../data/check-encounter.json")).ok()
    }) else {
        return Ok(());
    };
    let everything = Needs::everything();
    let bindings = Bindings::new(
        env,
        &everything,
        sample,
        &[],
        sample.administrative.place_of_service,
        EpisodeFacts::default(),
    );
    use cel::ExecutionError as E;
    match bindings.execute(program) {
        Ok(cel::Value::Bool(_)) => Ok(()),
        Ok(other) => Err(format!(
            "the condition gives a {:?}, not true or false",
            other.type_of()
        )),
        // A field the sample does not have: decided by the data, not a mistake.
        Err(E::NoSuchKey(_)) => Ok(()),
        Err(err) => Err(format!(
            "the condition fails on a sample encounter: {}",
            describe(&err)
        )),
    }
}

pub(crate) fn compile(env: &Arc<cel::Env>, text: &str) -> Result<cel::Program, String> {
    check_shape(text)?;
    let program = env.compile(text).map_err(|err| {
        format!(
            "the condition does not compile: {}",
            one_line(&err.to_string())
        )
    })?;
    let references = program.references();
    let unknown: Vec<&str> = references
        .variables()
        .into_iter()
        .filter(|name| !VARIABLES.contains(name) && !is_bound_by_macro(text, name))
        .collect();
    if let Some(name) = unknown.first() {
        return Err(format!(
            "the condition uses `{name}`, which is not a variable; use {}",
            VARIABLES.join(", ")
        ));
    }
    check_on_sample(env, &program)?;
    Ok(program)
}

/// Comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) bind a name as their
/// first argument, e.g. `codes.exists(c, c == "97110")`.
fn is_bound_by_macro(text: &str, name: &str) -> bool {
    ["all", "exists", "exists_one", "map", "filter"]
        .iter()
        .any(|mac| {
            text.match_indices(&format!("{mac}(")).any(|(at, matched)| {
                text.get(at + matched.len()..).is_some_and(|rest| {
                    rest.trim_start().starts_with(&format!("{name},"))
                        || rest.trim_start().starts_with(&format!("{name} ,"))
                })
            })
        })
}

/// The encounter fields a condition reads (`encounter.a.b` paths), for findings and `explain`.
pub(crate) fn fields_read(text: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("encounter.") {
        let before_ok = rest
            .get(..at)
            .and_then(|b| b.chars().last())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'));
        let tail = rest.get(at + "encounter.".len()..).unwrap_or("");
        let path: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let path = path.trim_end_matches('.').to_owned();
        if before_ok && !path.is_empty() && !fields.contains(&path) {
            fields.push(path);
        }
        rest = tail;
    }
    for variable in VARIABLES.iter().filter(|v| **v != "encounter") {
        if contains_word(text, variable) && !fields.iter().any(|f| f == variable) {
            fields.push(format!("({variable})"));
        }
    }
    fields
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text.get(..at).and_then(|b| b.chars().last());
        let after = text.get(at + word.len()..).and_then(|a| a.chars().next());
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        before.is_none_or(|c| !is_word(c))
            && after.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A runtime error in words that never repeat an encounter value (values may be PHI).
fn describe(err: &cel::ExecutionError) -> String {
    use cel::ExecutionError as E;
    match err {
        E::NoSuchKey(key) => {
            format!("the encounter has no `{key}` here; guard optional fields with has()")
        }
        E::UndeclaredReference(name) => format!("`{name}` is not defined"),
        E::UnexpectedType { got, want } => format!("a value is a {got} where a {want} is needed"),
        E::NoSuchOverload(overload) => format!("no overload: {overload}"),
        E::InvalidArgumentCount { expected, actual } => {
            format!("a function takes {expected} arguments, not {actual}")
        }
        _ => "the condition failed on a value of the wrong type".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Arc<cel::Env> {
        Arc::new(cel::Env::stdlib())
    }

    #[test]
    fn unknown_variables_are_rejected_and_macro_variables_are_not() {
        let env = env();
        assert!(compile(&env, r#"codes.exists(c, c == "97110")"#).is_ok());
        assert!(compile(&env, r#"age >= 65 && "97110" in codes"#).is_ok());
        assert_eq!(
            compile(&env, "agee > 3").unwrap_err(),
            "the condition uses `agee`, which is not a variable; use encounter, codes, units, modifiers, age, pos, episode"
        );
        assert!(
            compile(&env, "age >")
                .unwrap_err()
                .starts_with("the condition does not compile:")
        );
    }

    #[test]
    fn fields_read_names_encounter_paths_and_derived_variables() {
        assert_eq!(
            fields_read(
                r#"encounter.clinical.visit_type == "evaluation" && "97750" in codes && has(encounter.compliance.plan_of_care)"#
            ),
            vec!["clinical.visit_type", "compliance.plan_of_care", "(codes)"]
        );
    }
}
