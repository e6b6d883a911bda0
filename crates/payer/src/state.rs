//! What a payer remembers between files: claims already adjudicated (a second original is a
//! duplicate), each member's deductible met and therapy allowed so far in a year (the KX
//! threshold), and the control numbers it has used. Serialised as JSON beside the answers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PayerState {
    /// `payer|claim id` of every claim adjudicated (paid or denied).
    pub adjudicated: BTreeSet<String>,
    /// `payer|member|year` → deductible met, cents.
    pub deductible_met: BTreeMap<String, i64>,
    /// `payer|member|year` → therapy allowed so far, cents.
    pub therapy_allowed: BTreeMap<String, i64>,
    /// The last interchange control number used (ISA13), and trace numbers issued.
    pub last_control: u32,
}

impl PayerState {
    pub fn next_control(&mut self) -> u32 {
        self.last_control = self.last_control.wrapping_add(1).max(1) % 1_000_000_000;
        self.last_control.max(1)
    }
}
