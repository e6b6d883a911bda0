//! Context records: what the scrubber knows besides the encounters themselves. Each kind is a
//! JSON array (one file each for `cleanclaim scrub --context DIR`); the stored pipeline keeps
//! each record under its [`ContextEntry::key`], a new version whenever it changes.

use chrono::NaiveDate;
use cleanclaim_model::{Cents, Discipline, PlanOfCare, ProcedureCode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A plan of care on file for a patient, used when an encounter does not carry its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRecord {
    pub patient_id: String,
    pub plan_of_care: PlanOfCare,
    /// The first treatment day of the episode, when it began before the encounters at hand.
    #[serde(default)]
    pub episode_start: Option<NaiveDate>,
}

/// Where an authorization stands, as the clinic records it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStatus {
    #[default]
    Active,
    /// More visits or units were asked for; the payer has not answered.
    ExtensionRequested,
    /// The payer refused it.
    Denied,
    /// The patient agreed to pay for what the authorization does not cover.
    PatientPay,
}

impl AuthStatus {
    /// The name used in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::ExtensionRequested => "extension_requested",
            Self::Denied => "denied",
            Self::PatientPay => "patient_pay",
        }
    }
}

/// One authorization in the ledger: a number, its dates, what it allows for which
/// disciplines (e.g. PT and OT combined), and how much was used before these encounters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationItem {
    pub patient_id: String,
    pub payer_id: String,
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The disciplines that draw on it; several share one allowance.
    pub disciplines: Vec<Discipline>,
    /// The codes it covers (a code group, e.g. 97110, 97112, 97140, 97530); empty = every
    /// code of its disciplines. Only these codes' units draw on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<ProcedureCode>,
    #[serde(default)]
    pub visits: Option<u32>,
    #[serde(default)]
    pub units: Option<u32>,
    #[serde(default)]
    pub used_visits: u32,
    #[serde(default)]
    pub used_units: u32,
    #[serde(default)]
    pub status: AuthStatus,
}

impl AuthorizationItem {
    /// Whether it covers a code: its code group lists it, or it has none.
    pub fn covers(&self, code: ProcedureCode) -> bool {
        self.codes.is_empty() || self.codes.contains(&code)
    }
}

/// A ledger item with its position in the ledger (the key its draw-down is kept under).
pub(crate) type LedgerItem<'c> = (usize, &'c AuthorizationItem);

/// The ledger items of one patient (`patient_items`, from the whole ledger or the patient's
/// index) for a payer and discipline, and the one a visit on `date` draws on: the earliest
/// covering authorization, ties to the lower number. The scrubber and the schedule check draw
/// the same way through this.
pub(crate) fn ledger_for<'c>(
    patient_items: impl Iterator<Item = LedgerItem<'c>>,
    payer_id: &str,
    discipline: Discipline,
    date: NaiveDate,
) -> (Vec<LedgerItem<'c>>, Option<LedgerItem<'c>>) {
    let items: Vec<LedgerItem<'c>> = patient_items
        .filter(|(_, item)| item.payer_id == payer_id && item.disciplines.contains(&discipline))
        .collect();
    let covering = items
        .iter()
        .filter(|(_, item)| item.from <= date && date <= item.to)
        .min_by(|(_, a), (_, b)| a.from.cmp(&b.from).then_with(|| a.number.cmp(&b.number)))
        .copied();
    (items, covering)
}

/// Visits and charges for a patient, payer, year and discipline before these encounters:
/// feeds the annual benefit limits and the KX threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorUsage {
    pub patient_id: String,
    pub payer_id: String,
    pub year: i32,
    pub discipline: Discipline,
    #[serde(default)]
    pub visits: u32,
    #[serde(default)]
    pub charges: Cents,
    /// The allowed amounts of those visits, when known: the KX threshold counts them
    /// (charges stand in when absent).
    #[serde(default)]
    pub allowed: Option<Cents>,
    /// The condition these visits were for (an ICD-10-CM code or its three-character
    /// category), for lifetime limits the pack counts per condition; they count toward the
    /// annual and whole-coverage limits either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl PriorUsage {
    /// Whether these visits were for `category` (a three-character ICD-10-CM category).
    pub fn is_for_condition(&self, category: &str) -> bool {
        self.condition.as_deref().is_some_and(|condition| {
            condition
                .replace('.', "")
                .get(..3)
                .is_some_and(|own| own.eq_ignore_ascii_case(category))
        })
    }
}

/// A context file that could not be read; names the file and the JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {path}: {reason}")]
pub struct ContextError {
    pub file: String,
    pub path: String,
    pub reason: String,
}

/// Everything the scrubber knows besides the encounters.
#[derive(Debug, Clone, Default)]
pub struct ContextData {
    pub plans: Vec<PlanRecord>,
    pub authorizations: Vec<AuthorizationItem>,
    pub usage: Vec<PriorUsage>,
    /// Appointments not yet seen, for `schedule check` (the scrubber does not read them; the
    /// store keeps appointments from SIU messages instead).
    pub schedule: Vec<crate::schedule::ScheduledVisit>,
}

impl ContextData {
    /// The file names `--context DIR` reads, each optional.
    pub const FILES: [&str; 4] = [
        "plans_of_care.json",
        "authorizations.json",
        "prior_usage.json",
        "schedule.json",
    ];

    /// Adds the records of one context file, chosen by its name; the whole file is rejected
    /// on the first bad record, and nothing of it is kept.
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), ContextError> {
        match name {
            "plans_of_care.json" => self.plans.extend(parse::<PlanRecord>(name, text)?),
            "authorizations.json" => {
                let items = parse::<AuthorizationItem>(name, text)?;
                if let Some((index, item)) = items
                    .iter()
                    .enumerate()
                    .find(|(_, item)| item.to < item.from)
                {
                    return Err(ContextError {
                        file: name.to_owned(),
                        path: format!("[{index}].to"),
                        reason: format!("authorization `{}` ends before it starts", item.number),
                    });
                }
                self.authorizations.extend(items);
            }
            "prior_usage.json" => self.usage.extend(parse::<PriorUsage>(name, text)?),
            "schedule.json" => self.schedule.extend(parse(name, text)?),
            _ => {
                return Err(ContextError {
                    file: name.to_owned(),
                    path: "$".to_owned(),
                    reason: format!(
                        "not a context file; expected one of {}",
                        Self::FILES.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// One context record as the store keeps it: its kind, the key a newer record of the same
/// thing replaces it under, its patient, and the record as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEntry {
    pub kind: ContextKind,
    pub key: String,
    pub patient_id: String,
    pub record: String,
}

/// The kinds of context record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContextKind {
    Plan,
    Authorization,
    Usage,
}

impl ContextKind {
    pub const ALL: [Self; 3] = [Self::Plan, Self::Authorization, Self::Usage];

    /// The name stored and printed.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plan => "plan_of_care",
            Self::Authorization => "authorization",
            Self::Usage => "prior_usage",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl ContextData {
    /// Every record with its key: a plan by patient, discipline and certification start; an
    /// authorization by patient, payer and number; prior usage by patient, payer, year and
    /// discipline.
    pub fn entries(&self) -> Result<Vec<ContextEntry>, serde_json::Error> {
        let mut entries = Vec::new();
        for plan in &self.plans {
            entries.push(ContextEntry {
                kind: ContextKind::Plan,
                key: format!(
                    "{}/{}/{}",
                    plan.patient_id,
                    plan.plan_of_care.discipline.label(),
                    plan.plan_of_care.certification_start
                ),
                patient_id: plan.patient_id.clone(),
                record: serde_json::to_string(plan)?,
            });
        }
        for auth in &self.authorizations {
            entries.push(ContextEntry {
                kind: ContextKind::Authorization,
                key: format!("{}/{}/{}", auth.patient_id, auth.payer_id, auth.number),
                patient_id: auth.patient_id.clone(),
                record: serde_json::to_string(auth)?,
            });
        }
        for usage in &self.usage {
            entries.push(ContextEntry {
                kind: ContextKind::Usage,
                key: format!(
                    "{}/{}/{}/{}",
                    usage.patient_id,
                    usage.payer_id,
                    usage.year,
                    usage.discipline.label()
                ),
                patient_id: usage.patient_id.clone(),
                record: serde_json::to_string(usage)?,
            });
        }
        Ok(entries)
    }

    /// Adds a stored record of `kind`.
    pub fn add_entry(&mut self, kind: ContextKind, record: &str) -> Result<(), serde_json::Error> {
        match kind {
            ContextKind::Plan => self.plans.push(serde_json::from_str(record)?),
            ContextKind::Authorization => self.authorizations.push(serde_json::from_str(record)?),
            ContextKind::Usage => self.usage.push(serde_json::from_str(record)?),
        }
        Ok(())
    }
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<Vec<T>, ContextError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let records: Vec<T> =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| ContextError {
            file: file.to_owned(),
            path: cleanclaim_model::safe_path(&err),
            reason: cleanclaim_model::redact_quoted(&err.inner().to_string()),
        })?;
    deserializer.end().map_err(|err| ContextError {
        file: file.to_owned(),
        path: "$".to_owned(),
        reason: cleanclaim_model::redact_quoted(&err.to_string()),
    })?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_the_same_records() {
        let mut context = ContextData::default();
        context
            .add_file(
                "authorizations.json",
                r#"[{"patient_id":"p1","payer_id":"X","number":"A1","from":"2025-01-01","to":"2025-03-31","disciplines":["pt","ot"],"visits":12,"status":"extension_requested"}]"#,
            )
            .unwrap();
        context
            .add_file(
                "prior_usage.json",
                r#"[{"patient_id":"p1","payer_id":"X","year":2025,"discipline":"slp","visits":3,"charges":45000}]"#,
            )
            .unwrap();
        context
            .add_file(
                "plans_of_care.json",
                r#"[{"patient_id":"p1","plan_of_care":{"discipline":"pt","certification_start":"2025-01-02","certification_end":"2025-03-31"},"episode_start":"2024-12-20"}]"#,
            )
            .unwrap();
        let entries = context.entries().unwrap();
        let keys: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.kind.name(), e.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("plan_of_care", "p1/PT/2025-01-02"),
                ("authorization", "p1/X/A1"),
                ("prior_usage", "p1/X/2025/SLP"),
            ]
        );
        let mut back = ContextData::default();
        for entry in &entries {
            back.add_entry(entry.kind, &entry.record).unwrap();
        }
        assert_eq!(back.plans, context.plans);
        assert_eq!(back.authorizations, context.authorizations);
        assert_eq!(back.usage, context.usage);
    }

    #[test]
    fn a_bad_record_names_its_file_and_path_and_nothing_is_kept() {
        let mut context = ContextData::default();
        let text = r#"[{"patient_id":"p1","payer_id":"X","number":"A1","from":"2025-01-01","to":"2025-03-31","disciplines":["pt"],"visits":12},
                      {"patient_id":"p1","payer_id":"X","number":"A2","from":"2025-01-01","to":"2025-03-31","disciplines":["pt"],"status":"maybe"}]"#;
        let err = context.add_file("authorizations.json", text).unwrap_err();
        assert_eq!(err.file, "authorizations.json");
        assert_eq!(err.path, "[1].status");
        assert!(context.authorizations.is_empty());
        let err = context
            .add_file(
                "prior_usage.json",
                r#"[{"patient_id": 5, "payer_id": "X", "year": 2025, "discipline": "pt"}]"#,
            )
            .unwrap_err();
        assert_eq!(err.path, "[0].patient_id");
        let err = context
            .add_file("prior_usage.json", r#"[{"patient_id": "Doe", "payer_id": "X", "year": "Jane Doe", "discipline": "pt"}]"#)
            .unwrap_err();
        assert!(!err.to_string().contains("Jane"), "{err}");
        let err = context.add_file("plans.json", "[]").unwrap_err();
        assert!(err.to_string().contains("not a context file"));
    }
}
