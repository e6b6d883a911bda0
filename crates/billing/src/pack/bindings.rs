//! The variables a pack's conditions see, bound per encounter. Only what some condition of
//! the pack reads is built: converting the whole encounter to CEL values took two thirds of
//! the scrubber's time with a full pack (BENCHMARKS.md), while a condition usually reads one
//! or two fields of it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use cel::common::value::{CowVal, Val};

use chrono::NaiveDate;
use cleanclaim_model::{Encounter, PlaceOfService};

use super::projection::{Paths, project};
use crate::line::BilledLine;

/// The variables a condition may use.
pub const VARIABLES: [&str; 7] = [
    "encounter",
    "codes",
    "units",
    "modifiers",
    "age",
    "pos",
    "episode",
];

/// What the conditions of a pack read, found in their syntax trees when the pack loads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Names from [`VARIABLES`].
    variables: BTreeSet<&'static str>,
    /// The encounter's field paths selected by name (`encounter.clinical.visit_type`); whole
    /// when some use reads `encounter` itself as a value (`encounter["x"]`,
    /// `size(encounter)`, a comprehension over it).
    encounter: Paths,
}

impl Needs {
    /// Everything: what a condition checked on the sample encounter at load is bound with.
    pub(crate) fn everything() -> Self {
        let mut encounter = Paths::default();
        encounter.insert(&[]);
        Self {
            variables: VARIABLES.into_iter().collect(),
            encounter,
        }
    }

    /// What one compiled condition reads.
    pub(crate) fn of(expression: &cel::IdedExpr) -> Self {
        let mut needs = Self::default();
        needs.visit(expression);
        needs
    }

    /// What either reads.
    pub(crate) fn merge(&mut self, other: &Self) {
        self.variables.extend(other.variables.iter().copied());
        self.encounter.merge(&other.encounter);
    }

    /// Whether a variable is read.
    pub fn reads(&self, variable: &str) -> bool {
        self.variables.contains(variable)
    }

    fn visit(&mut self, expression: &cel::IdedExpr) {
        use cel::common::ast::Expr;
        if let Some((root, path)) = select_chain(expression) {
            self.name(root, &path);
            return;
        }
        match &expression.expr {
            Expr::Unspecified | Expr::Literal(_) => {}
            Expr::Ident(name) => self.name(name, &[]),
            Expr::Select(select) => self.visit(&select.operand),
            Expr::Call(call) => {
                for operand in call.target.iter().map(AsRef::as_ref).chain(&call.args) {
                    self.visit(operand);
                }
            }
            Expr::Comprehension(comprehension) => {
                for part in [
                    &comprehension.iter_range,
                    &comprehension.accu_init,
                    &comprehension.loop_cond,
                    &comprehension.loop_step,
                    &comprehension.result,
                ] {
                    self.visit(part);
                }
            }
            Expr::List(list) => {
                for element in &list.elements {
                    self.visit(element);
                }
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    self.entry(&entry.expr);
                }
            }
            Expr::Struct(structure) => {
                for entry in &structure.entries {
                    self.entry(&entry.expr);
                }
            }
        }
    }

    fn entry(&mut self, entry: &cel::common::ast::EntryExpr) {
        use cel::common::ast::EntryExpr;
        match entry {
            EntryExpr::StructField(field) => self.visit(&field.value),
            EntryExpr::MapEntry(pair) => {
                self.visit(&pair.key);
                self.visit(&pair.value);
            }
        }
    }

    /// A name used with a path of fields selected from it (empty: used bare). A
    /// comprehension's own variable that shadows one of ours only makes us bind more.
    fn name(&mut self, name: &str, path: &[&str]) {
        let Some(variable) = VARIABLES.iter().find(|known| **known == name) else {
            return;
        };
        self.variables.insert(variable);
        if *variable == "encounter" {
            self.encounter.insert(path);
        }
    }
}

/// `name.a.b.c` (a `has()` test included): the name and the fields, outermost first.
fn select_chain(expression: &cel::IdedExpr) -> Option<(&str, Vec<&str>)> {
    use cel::common::ast::Expr;
    let mut fields = Vec::new();
    let mut at = expression;
    while let Expr::Select(select) = &at.expr {
        fields.push(select.field.as_str());
        at = &select.operand;
    }
    match &at.expr {
        Expr::Ident(name) if !fields.is_empty() => {
            fields.reverse();
            Some((name.as_str(), fields))
        }
        _ => None,
    }
}

/// What the episode tells a condition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EpisodeFacts {
    /// This visit's treatment day in the episode (1 = the first day).
    pub treatment_day: u32,
    /// Evaluations billed in the episode before this visit.
    pub evaluations: u32,
    /// Visits for this payer in the calendar year before this one.
    pub visits_this_year: u32,
}

/// The variables of one encounter, shared by every condition. Each is built the first time
/// a condition reads it: `age >= 85 && codes.exists(...)` never builds `codes` for a younger
/// patient.
pub struct Bindings<'a> {
    env: Arc<cel::Env>,
    needs: &'a Needs,
    encounter: &'a Encounter,
    lines: &'a [BilledLine],
    place_of_service: PlaceOfService,
    episode: EpisodeFacts,
    /// One per name of [`VARIABLES`], in that order.
    built: [OnceLock<Result<Box<dyn Val>, String>>; VARIABLES.len()],
}

impl std::fmt::Debug for Bindings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bindings")
    }
}

impl<'a> Bindings<'a> {
    /// The encounter, its billed lines and its episode, of which `needs` says what may be
    /// read.
    pub fn new(
        env: &Arc<cel::Env>,
        needs: &'a Needs,
        encounter: &'a Encounter,
        lines: &'a [BilledLine],
        place_of_service: PlaceOfService,
        episode: EpisodeFacts,
    ) -> Self {
        Self {
            env: Arc::clone(env),
            needs,
            encounter,
            lines,
            place_of_service,
            episode,
            built: Default::default(),
        }
    }

    /// Runs a compiled condition against these variables.
    pub(crate) fn execute(&self, program: &cel::Program) -> cel::ResolveResult {
        let mut context = cel::Context::with_env(Arc::clone(&self.env));
        context.set_variable_resolver(self);
        program.execute(&context)
    }

    /// Why a variable a condition read could not be built, if one could not.
    pub(crate) fn failure(&self) -> Option<&str> {
        self.built
            .iter()
            .find_map(|slot| slot.get().and_then(|built| built.as_ref().err()))
            .map(String::as_str)
    }

    fn build(&self, variable: &str) -> Result<Box<dyn Val>, String> {
        let value: cel::Value = match variable {
            "encounter" => project(self.encounter, &self.needs.encounter)
                .map_err(|err| format!("the encounter could not be bound: {err}"))?,
            "codes" => billed_codes(self.lines).into(),
            "units" => billed_units(self.lines).into(),
            "modifiers" => billed_modifiers(self.lines).into(),
            "age" => i64::from(age_on(
                self.encounter.patient.birth_date,
                self.encounter.date_of_service,
            ))
            .into(),
            "pos" => self.place_of_service.as_str().into(),
            "episode" => HashMap::from([
                ("treatment_day", i64::from(self.episode.treatment_day)),
                ("evaluations", i64::from(self.episode.evaluations)),
                ("visits_this_year", i64::from(self.episode.visits_this_year)),
            ])
            .into(),
            other => return Err(format!("`{other}` is not a variable")),
        };
        Box::<dyn Val>::try_from(value)
            .map_err(|err| format!("`{variable}` could not be bound: {err}"))
    }
}

impl cel::context::VariableResolver for Bindings<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let at = VARIABLES.iter().position(|known| *known == variable)?;
        if !self.needs.reads(variable) {
            return None;
        }
        let built = self.built.get(at)?.get_or_init(|| self.build(variable));
        built
            .as_ref()
            .ok()
            .map(|value| CowVal::Borrowed(value.as_ref()))
    }
}

/// The lines billed with at least one unit.
fn billed(lines: &[BilledLine]) -> impl Iterator<Item = &BilledLine> {
    lines.iter().filter(|line| line.units > 0)
}

/// Each billed code once, in line order.
fn billed_codes(lines: &[BilledLine]) -> Vec<cel::Value> {
    let mut codes: Vec<&str> = Vec::with_capacity(lines.len());
    for line in billed(lines) {
        if !codes.contains(&line.code.as_str()) {
            codes.push(line.code.as_str());
        }
    }
    codes.into_iter().map(Into::into).collect()
}

fn billed_units(lines: &[BilledLine]) -> HashMap<String, i64> {
    let mut units: HashMap<String, i64> = HashMap::with_capacity(lines.len());
    for line in billed(lines) {
        *units.entry(line.code.as_str().to_owned()).or_default() += i64::from(line.units);
    }
    units
}

fn billed_modifiers(lines: &[BilledLine]) -> HashMap<String, Vec<cel::Value>> {
    let mut modifiers: HashMap<String, Vec<cel::Value>> = HashMap::with_capacity(lines.len());
    for line in billed(lines) {
        let list = modifiers.entry(line.code.as_str().to_owned()).or_default();
        for applied in &line.modifiers {
            let text: cel::Value = applied.modifier.as_str().into();
            if !list.contains(&text) {
                list.push(text);
            }
        }
    }
    modifiers
}

/// Whole years from birth to the date; 0 when the birth date is after it.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    date.years_since(birth).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs_of(text: &str) -> Needs {
        let program = cel::Program::compile(text).unwrap();
        Needs::of(program.expression())
    }

    #[test]
    fn needs_name_the_variables_and_encounter_paths_read() {
        let needs = needs_of(
            r#"encounter.clinical.visit_type == "evaluation" && has(encounter.compliance.plan_of_care) && codes.exists(c, units[c] > 3)"#,
        );
        assert_eq!(
            needs.variables,
            BTreeSet::from(["encounter", "codes", "units"])
        );
        let mut expected = Paths::default();
        expected.insert(&["clinical", "visit_type"]);
        expected.insert(&["compliance", "plan_of_care"]);
        assert_eq!(needs.encounter, expected);
    }

    #[test]
    fn reading_the_encounter_as_a_value_binds_all_of_it() {
        for text in [
            r#"encounter["clinical"].visit_type == "evaluation""#,
            "size(encounter) > 3",
            r#"encounter.exists(k, k == "timing")"#,
            "[encounter][0].id == 'x'",
        ] {
            assert!(needs_of(text).encounter.is_whole(), "{text}");
        }
    }

    /// The same answer, true, false or the same error, whether a condition is given only
    /// what it reads or everything.
    #[test]
    fn binding_what_is_read_answers_as_binding_everything() {
        let env = Arc::new(cel::Env::stdlib());
        let conditions = [
            r#"encounter.clinical.visit_type == "evaluation" && episode.treatment_day > 1"#,
            "has(encounter.compliance.plan_of_care) && age >= 65",
            "has(encounter.clinical.re_evaluation_basis)",
            "encounter.compliance.plan_of_care.certification_end > encounter.date_of_service",
            r#"encounter.administrative.payer.id.startsWith("MC") || pos == "11""#,
            "size(encounter.clinical.diagnoses) > 2",
            "encounter.patient.sex == 'female' && encounter.nonsense == 1",
            r#"size(encounter) == 8 && encounter["timing"] != null"#,
            "encounter.timing.lines.exists(l, l.minutes > 30)",
            "has(encounter.patient.birth_date) && encounter.administrative.payer.plan_type == 'medicare'",
            "encounter.compliance.plan_of_care.discipline == encounter.discipline",
            r#"encounter.clinical.diagnoses.exists(d, d.startsWith("M54"))"#,
            "has(encounter.administrative.authorization)",
            r#"codes.exists(c, units[c] > 2 && "GP" in modifiers[c])"#,
            r#"age >= 70 && size(codes) > 2 && pos == "11""#,
            "episode.visits_this_year >= 4 && units.all(c, units[c] < 5)",
        ];
        let engine = crate::Engine::builtin().unwrap();
        let programs: Vec<cel::Program> = conditions
            .iter()
            .map(|text| env.compile(text).unwrap())
            .collect();
        let mut disagreements = Vec::new();
        let mut answers = BTreeSet::new();
        for encounter in cleanclaim_synth::Generator::new(7).take(300) {
            let facts = EpisodeFacts {
                treatment_day: 2,
                evaluations: 0,
                visits_this_year: 4,
            };
            let pos = encounter.administrative.place_of_service;
            let everything = Needs::everything();
            let lines = engine.derive(&encounter, crate::Selection::default()).lines;
            let all = Bindings::new(&env, &everything, &encounter, &lines, pos, facts);
            for (text, program) in conditions.iter().zip(&programs) {
                let needs = Needs::of(program.expression());
                let some = Bindings::new(&env, &needs, &encounter, &lines, pos, facts);
                let whole = all.execute(program);
                let read = some.execute(program);
                answers.insert(
                    format!("{text}: {whole:?}")
                        .chars()
                        .take(120)
                        .collect::<String>(),
                );
                if whole != read {
                    disagreements.push(format!("{text}: {whole:?} vs {read:?}"));
                }
            }
        }
        assert!(disagreements.is_empty(), "{disagreements:#?}");
        // Each condition was seen giving more than one kind of answer overall, so the
        // comparison covered true, false and errors.
        assert!(answers.len() > conditions.len() + 8, "{answers:#?}");
    }

    #[test]
    fn age_counts_whole_years() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(age_on(date(1950, 6, 15), date(2025, 6, 14)), 74);
        assert_eq!(age_on(date(1950, 6, 15), date(2025, 6, 15)), 75);
        assert_eq!(age_on(date(2030, 1, 1), date(2025, 6, 15)), 0);
    }
}
