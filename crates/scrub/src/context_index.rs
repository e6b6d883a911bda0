//! The context records of each patient, by position. A visit reads only its own patient's
//! plans, authorizations and prior usage; scanning every record per visit made the ledger a
//! fifth of the scrubber's time with one authorization per patient (BENCHMARKS.md).

use std::collections::HashMap;

use crate::context::{ContextData, LedgerItem, PlanRecord, PriorUsage};

/// Positions in [`ContextData`]'s lists, per patient id, in list order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContextIndex {
    patients: HashMap<String, PatientRecords>,
}

#[derive(Debug, Clone, Default)]
struct PatientRecords {
    plans: Vec<usize>,
    authorizations: Vec<usize>,
    usage: Vec<usize>,
}

static NO_RECORDS: PatientRecords = PatientRecords {
    plans: Vec::new(),
    authorizations: Vec::new(),
    usage: Vec::new(),
};

impl ContextIndex {
    pub(crate) fn new(context: &ContextData) -> Self {
        let mut patients: HashMap<String, PatientRecords> = HashMap::new();
        for (index, plan) in context.plans.iter().enumerate() {
            let records = patients.entry(plan.patient_id.clone()).or_default();
            records.plans.push(index);
        }
        for (index, item) in context.authorizations.iter().enumerate() {
            let records = patients.entry(item.patient_id.clone()).or_default();
            records.authorizations.push(index);
        }
        for (index, usage) in context.usage.iter().enumerate() {
            let records = patients.entry(usage.patient_id.clone()).or_default();
            records.usage.push(index);
        }
        Self { patients }
    }

    fn of(&self, patient: &str) -> &PatientRecords {
        self.patients.get(patient).unwrap_or(&NO_RECORDS)
    }

    pub(crate) fn plans<'c>(
        &self,
        context: &'c ContextData,
        patient: &str,
    ) -> impl Iterator<Item = &'c PlanRecord> {
        pick(&context.plans, &self.of(patient).plans).map(|(_, record)| record)
    }

    /// The patient's ledger items with their positions (the key a draw-down is kept under).
    pub(crate) fn authorizations<'c>(
        &self,
        context: &'c ContextData,
        patient: &str,
    ) -> impl Iterator<Item = LedgerItem<'c>> {
        pick(&context.authorizations, &self.of(patient).authorizations)
    }

    pub(crate) fn usage<'c>(
        &self,
        context: &'c ContextData,
        patient: &str,
    ) -> impl Iterator<Item = &'c PriorUsage> {
        pick(&context.usage, &self.of(patient).usage).map(|(_, record)| record)
    }
}

fn pick<'c, T>(list: &'c [T], positions: &[usize]) -> impl Iterator<Item = (usize, &'c T)> {
    positions
        .iter()
        .filter_map(move |&index| list.get(index).map(|item| (index, item)))
}
