//! What the scrubber says about one encounter.

use cleanclaim_billing::{Derivation, PackSelection, Period, Queue, Rule, RulePack, Severity};
use cleanclaim_model::Cents;
use cleanclaim_model::ProcedureCode;

/// One finding, with the severity the pack gives its rule on the date of service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrubFinding<'e> {
    pub rule: &'e Rule,
    pub severity: Severity,
    /// What was found, with the specifics (codes, minutes, dates); never patient identifiers.
    pub message: String,
    /// The code the finding is about, when it is about one line.
    pub code: Option<ProcedureCode>,
}

/// The scrub result of one encounter: its work queue, billed lines and findings.
#[derive(Debug, Clone)]
pub struct ScrubResult<'e> {
    pub encounter_id: String,
    pub queue: Queue,
    pub pack: &'e RulePack,
    /// Whether a pack named the payer id, or the plan type's default applied.
    pub pack_selection: PackSelection,
    pub period: &'e Period,
    /// Units, modifiers and place of service (its own findings are in `findings`).
    pub derivation: Derivation<'e>,
    /// In a stable order: by queue, a queue's holds before its warnings, then rule id, code
    /// and message.
    pub findings: Vec<ScrubFinding<'e>>,
    /// The authorization the visit drew on, as it stands after the visit.
    pub authorization: Option<AuthorizationStanding>,
    /// The plan's annual and lifetime limits, as they stand after the visit.
    pub benefits: Option<BenefitStanding>,
}

/// What is used and left on an authorization after a visit, and how soon it ends: what the
/// front desk needs to ask for an extension in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationStanding {
    pub number: String,
    pub visits_used: u32,
    pub visits_allowed: Option<u32>,
    pub units_used: u32,
    pub units_allowed: Option<u32>,
    pub ends: chrono::NaiveDate,
    /// Days from the visit to the last day covered.
    pub days_left: i64,
}

/// `authorization A-123: 4 visit(s) used, 8 left; 12 unit(s) used; ends 2025-06-30 (20 day(s)
/// after this visit)`: the line the CLI's table and the encounter trace show.
impl std::fmt::Display for AuthorizationStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = |used: u32, left: Option<u32>, what: &str| match left {
            Some(left) => format!("{used} {what} used, {left} left"),
            None => format!("{used} {what} used"),
        };
        write!(
            f,
            "authorization {}: {}; {}; ends {} ({} day(s) after this visit)",
            self.number,
            used(self.visits_used, self.visits_left(), "visit(s)"),
            used(self.units_used, self.units_left(), "unit(s)"),
            self.ends,
            self.days_left
        )
    }
}

impl AuthorizationStanding {
    pub fn visits_left(&self) -> Option<u32> {
        self.visits_allowed
            .map(|allowed| allowed.saturating_sub(self.visits_used))
    }

    pub fn units_left(&self) -> Option<u32> {
        self.units_allowed
            .map(|allowed| allowed.saturating_sub(self.units_used))
    }
}

/// Where the plan's annual and lifetime limits stand after a visit: what is used and what
/// the plan allows, for the disciplines that share the visit's limit. Present when the pack
/// sets any benefit limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitStanding {
    /// The disciplines counted together (one, or those that share a limit).
    pub disciplines: Vec<cleanclaim_model::Discipline>,
    pub year: i32,
    pub visits_used: u32,
    pub visits_allowed: Option<u32>,
    pub charges_used: Cents,
    pub charges_allowed: Option<Cents>,
    /// The condition (ICD-10-CM category) lifetime usage is counted for, when the pack counts
    /// lifetime limits per condition.
    pub lifetime_condition: Option<String>,
    /// Lifetime usage is counted only when the plan sets a lifetime limit (0 otherwise).
    pub lifetime_visits_used: u32,
    pub lifetime_visits_allowed: Option<u32>,
    pub lifetime_charges_used: Cents,
    pub lifetime_charges_allowed: Option<Cents>,
}

impl BenefitStanding {
    /// What is left of the annual dollar limit (never below zero).
    pub fn charges_left(&self) -> Option<Cents> {
        self.charges_allowed
            .map(|allowed| left_of(allowed, self.charges_used))
    }

    /// What is left of the lifetime dollar limit (never below zero).
    pub fn lifetime_charges_left(&self) -> Option<Cents> {
        self.lifetime_charges_allowed
            .map(|allowed| left_of(allowed, self.lifetime_charges_used))
    }

    pub fn visits_left(&self) -> Option<u32> {
        self.visits_allowed
            .map(|allowed| allowed.saturating_sub(self.visits_used))
    }

    pub fn lifetime_visits_left(&self) -> Option<u32> {
        self.lifetime_visits_allowed
            .map(|allowed| allowed.saturating_sub(self.lifetime_visits_used))
    }
}

fn left_of(allowed: Cents, used: Cents) -> Cents {
    allowed
        .checked_sub(used)
        .unwrap_or(Cents::ZERO)
        .max(Cents::ZERO)
}

/// `benefits (PT+OT): 3 visit(s) in 2025 used, 27 left; lifetime 22 visit(s) used, 2 left`:
/// the line the CLI's table and the encounter trace show.
impl std::fmt::Display for BenefitStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = vec![match self.visits_left() {
            Some(left) => format!(
                "{} visit(s) in {} used, {left} left",
                self.visits_used, self.year
            ),
            None => format!("{} visit(s) in {} used", self.visits_used, self.year),
        }];
        if let Some(left) = self.charges_left() {
            parts.push(format!(
                "{} of charges used, {left} left",
                self.charges_used
            ));
        }
        let lifetime = match &self.lifetime_condition {
            Some(condition) => format!("for condition {condition}"),
            None => "lifetime".to_owned(),
        };
        if let Some(left) = self.lifetime_visits_left() {
            parts.push(format!(
                "{lifetime} {} visit(s) used, {left} left",
                self.lifetime_visits_used
            ));
        }
        if let Some(left) = self.lifetime_charges_left() {
            parts.push(format!(
                "{lifetime} {} of charges used, {left} left",
                self.lifetime_charges_used
            ));
        }
        let disciplines: Vec<&str> = self.disciplines.iter().map(|d| d.label()).collect();
        write!(
            f,
            "benefits ({}): {}",
            disciplines.join("+"),
            parts.join("; ")
        )
    }
}

impl ScrubResult<'_> {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether a finding holds the claim.
    pub fn is_held(&self) -> bool {
        self.queue != Queue::ReadyToBill
    }
}

/// The queue of the first hold in routing order; `ready_to_bill` when nothing holds.
pub(crate) fn route(findings: &[ScrubFinding<'_>]) -> Queue {
    findings
        .iter()
        .filter(|finding| finding.severity == Severity::Hold)
        .map(|finding| finding.rule.queue)
        .min()
        .unwrap_or(Queue::ReadyToBill)
}
