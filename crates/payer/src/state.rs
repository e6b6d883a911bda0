//! What a payer remembers between files: claims already adjudicated (a second original is a
//! duplicate), each member's deductible met and therapy allowed so far in a year (the KX
//! threshold), and the control numbers it has used. Serialised as JSON beside the answers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An authorization the payer issued: the visits it allows between two dates, and the claims
/// that have drawn on it (a replacement of a claim draws nothing more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub visits: u32,
    #[serde(default)]
    pub drawn_by: BTreeSet<String>,
}

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
    /// Authorization number → what the payer granted. A claim naming a number not here is
    /// taken as authorized (a payer the simulator was told nothing about).
    #[serde(default)]
    pub authorizations: BTreeMap<String, Grant>,
}

impl PayerState {
    /// The next interchange control number: 1 to 999,999,999, then 1 again (nine digits).
    /// Grants (or extends) authorization `number`: what it already drew stays drawn.
    pub fn grant(&mut self, number: &str, from: NaiveDate, to: NaiveDate, visits: u32) {
        let grant = self
            .authorizations
            .entry(number.to_owned())
            .or_insert_with(|| Grant {
                from,
                to,
                visits,
                drawn_by: BTreeSet::new(),
            });
        grant.from = from;
        grant.to = to;
        grant.visits = visits;
    }

    pub fn next_control(&mut self) -> u32 {
        self.last_control = if (1..999_999_999).contains(&self.last_control) {
            self.last_control + 1
        } else {
            1
        };
        self.last_control
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_numbers_count_up_and_wrap_to_one() {
        let mut state = PayerState::default();
        assert_eq!((state.next_control(), state.next_control()), (1, 2));
        state.last_control = 999_999_998;
        assert_eq!(
            (
                state.next_control(),
                state.next_control(),
                state.next_control()
            ),
            (999_999_999, 1, 2)
        );
    }
}
