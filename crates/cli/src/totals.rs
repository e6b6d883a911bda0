//! The totals a billing lead reads at the end of `scrub`: encounters and dollars per work
//! queue, per payer and per rule, so what is held (and what it is worth) needs no script.
//! Printed after the table, or as the last NDJSON record (`{"summary": ...}`).

use std::collections::BTreeMap;
use std::io::Write;

use cleanclaim_billing::Queue;
use cleanclaim_model::{Cents, Encounter};
use cleanclaim_scrub::ScrubResult;
use serde::Serialize;

/// Encounters and the dollars they bill.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Count {
    pub encounters: u64,
    pub charge_cents: Cents,
}

impl Count {
    fn add(&mut self, charge: Cents) {
        self.encounters += 1;
        self.charge_cents += charge;
    }

    fn merge(&mut self, other: Self) {
        self.encounters += other.encounters;
        self.charge_cents += other.charge_cents;
    }
}

#[derive(Debug, Default, Serialize)]
pub struct PayerTotals {
    /// The name on the payer's first encounter in input order.
    pub name: String,
    /// That encounter's place in the input, so totals kept apart (one per worker) agree on it.
    #[serde(skip)]
    first_seen: u64,
    pub all: Count,
    /// In any queue but `ready_to_bill`.
    pub held: Count,
}

#[derive(Debug, Default, Serialize)]
pub struct RuleTotals {
    /// Encounters with at least one finding of the rule, and their dollars.
    #[serde(flatten)]
    pub count: Count,
    pub holds: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub encounters: u64,
    pub rejected: u64,
    /// In routing order (every queue, also empty ones).
    pub queues: BTreeMap<&'static str, Count>,
    pub payers: BTreeMap<String, PayerTotals>,
    pub rules: BTreeMap<String, RuleTotals>,
}

impl Totals {
    pub fn new(rejected: u64) -> Self {
        Self {
            rejected,
            queues: Queue::ALL
                .iter()
                .map(|q| (q.name(), Count::default()))
                .collect(),
            ..Self::default()
        }
    }

    /// Counts one encounter; `seq` is its place in the input.
    pub fn record(&mut self, seq: u64, encounter: &Encounter, result: &ScrubResult<'_>) {
        let charge = result
            .derivation
            .lines
            .iter()
            .filter_map(|line| line.charge)
            .fold(Cents::ZERO, |sum, charge| sum + charge);
        self.encounters += 1;
        self.queues
            .entry(result.queue.name())
            .or_default()
            .add(charge);
        let payer = &encounter.administrative.payer;
        // Looked up before inserting: the key is allocated once per payer, not per encounter.
        if !self.payers.contains_key(&payer.id) {
            self.payers.insert(
                payer.id.clone(),
                PayerTotals {
                    name: payer.name.clone(),
                    first_seen: seq,
                    ..PayerTotals::default()
                },
            );
        }
        let Some(totals) = self.payers.get_mut(&payer.id) else {
            return;
        };
        if seq < totals.first_seen {
            totals.first_seen = seq;
            totals.name.clone_from(&payer.name);
        }
        totals.all.add(charge);
        if result.is_held() {
            totals.held.add(charge);
        }
        let mut seen: Vec<&str> = Vec::new();
        for finding in &result.findings {
            let id = finding.rule.id.as_ref();
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            if !self.rules.contains_key(id) {
                self.rules.insert(id.to_owned(), RuleTotals::default());
            }
            let Some(rule) = self.rules.get_mut(id) else {
                continue;
            };
            rule.count.add(charge);
            rule.holds |= finding.severity == cleanclaim_billing::Severity::Hold;
        }
    }

    /// The closing block of the table.
    /// Adds totals counted apart (by another worker) to these.
    pub fn merge(&mut self, other: Self) {
        self.encounters += other.encounters;
        self.rejected += other.rejected;
        for (queue, count) in other.queues {
            self.queues.entry(queue).or_default().merge(count);
        }
        for (id, theirs) in other.payers {
            let ours = self.payers.entry(id).or_insert_with(|| PayerTotals {
                first_seen: u64::MAX,
                ..PayerTotals::default()
            });
            if theirs.first_seen < ours.first_seen {
                ours.first_seen = theirs.first_seen;
                ours.name = theirs.name;
            }
            ours.all.merge(theirs.all);
            ours.held.merge(theirs.held);
        }
        for (id, theirs) in other.rules {
            let ours = self.rules.entry(id).or_default();
            ours.count.merge(theirs.count);
            ours.holds |= theirs.holds;
        }
    }

    pub fn write_table(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(
            out,
            "TOTALS  {} encounter(s){}",
            self.encounters,
            if self.rejected > 0 {
                format!(", {} record(s) rejected", self.rejected)
            } else {
                String::new()
            }
        )?;
        writeln!(
            out,
            "  {:<36} {:>10} {:>14}",
            "queue", "encounters", "dollars"
        )?;
        for queue in Queue::ALL {
            let count = self.queues.get(queue.name()).copied().unwrap_or_default();
            writeln!(
                out,
                "  {:<36} {:>10} {:>14}",
                queue.name(),
                count.encounters,
                count.charge_cents.to_string()
            )?;
        }
        writeln!(
            out,
            "  {:<36} {:>10} {:>14} {:>10} {:>14}",
            "payer", "encounters", "dollars", "held", "held dollars"
        )?;
        for (id, payer) in &self.payers {
            writeln!(
                out,
                "  {:<36} {:>10} {:>14} {:>10} {:>14}",
                truncate(&format!("{id} {}", payer.name), 36),
                payer.all.encounters,
                payer.all.charge_cents.to_string(),
                payer.held.encounters,
                payer.held.charge_cents.to_string()
            )?;
        }
        if !self.rules.is_empty() {
            writeln!(
                out,
                "  {:<48} {:<5} {:>10} {:>14}",
                "rule", "", "encounters", "dollars"
            )?;
            let mut rules: Vec<_> = self.rules.iter().collect();
            // The costliest first: that is where a billing lead starts.
            rules.sort_by(|a, b| {
                b.1.count
                    .charge_cents
                    .cmp(&a.1.count.charge_cents)
                    .then_with(|| a.0.cmp(b.0))
            });
            for (id, rule) in rules {
                writeln!(
                    out,
                    "  {:<48} {:<5} {:>10} {:>14}",
                    id,
                    if rule.holds { "hold" } else { "warn" },
                    rule.count.encounters,
                    rule.count.charge_cents.to_string()
                )?;
            }
        }
        Ok(())
    }

    /// The last NDJSON record.
    pub fn write_json(&self, out: &mut impl Write) -> anyhow::Result<()> {
        #[derive(Serialize)]
        struct Record<'a> {
            summary: &'a Totals,
        }
        serde_json::to_writer(&mut *out, &Record { summary: self })?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
