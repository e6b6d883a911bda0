//! Units for timed codes: the CMS total-time method and the per-code midpoint method.
//!
//! Both share one table (MCPM ch.5 §20.2.C): 8-22 minutes is 1 unit, 23-37 is 2, and so on,
//! 15 minutes a unit, a unit counting once its midpoint (8 minutes) is reached.

use cleanclaim_model::ProcedureCode;

/// Units for `minutes` of 15-minute timed service under the CMS/CPT table.
/// Source: MCPM ch.5 §20.2.C ("≥ 8 through 22 = 1 unit ... the pattern remains the same").
pub fn units_for_minutes(minutes: u32) -> u32 {
    minutes / 15 + u32::from(minutes % 15 >= 8)
}

/// One timed code's minutes for the day, all documented entries of the code summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedMinutes {
    pub code: ProcedureCode,
    pub minutes: u32,
}

/// Why the last remainder unit went to one code rather than another with the same leftover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tie {
    /// The code that had the same leftover minutes and did not get the unit.
    pub passed_over: ProcedureCode,
    /// Whether the winner had more total minutes (otherwise the lower code number won).
    pub won_on_total_minutes: bool,
}

/// How the CMS method gave one code its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PooledShare {
    /// All timed minutes of the day.
    pub pooled_minutes: u32,
    /// Units the pooled minutes allow.
    pub pooled_units: u32,
    /// Units left after every code took its full 15-minute units.
    pub remainder_units: u32,
    /// This code's full 15-minute units.
    pub full_units: u32,
    /// This code's minutes beyond its full units.
    pub leftover: u32,
    /// Whether this code got one of the remainder units.
    pub got_remainder: bool,
    /// Set when this code won a remainder unit on a tie.
    pub tie: Option<Tie>,
}

impl PooledShare {
    /// The units this code is billed.
    pub fn units(&self) -> u32 {
        self.full_units + u32::from(self.got_remainder)
    }
}

/// Allocates the day's pooled timed units among the codes (MCPM ch.5 §20.2 and its
/// examples): each code first gets its full 15-minute units; the units the pooled total still
/// allows go one at a time to the codes with the most leftover minutes. Example 3 (97110 33,
/// 97140 7) shows CMS compares leftovers, not totals. Ties (Example 2: "either code") go to
/// the code with more total minutes, then to the lower code number, and are reported.
///
/// The result has one share per input entry, in input order; entries must have distinct codes.
pub fn allocate_pooled(timed: &[TimedMinutes]) -> Vec<PooledShare> {
    let pooled_minutes: u32 = timed.iter().map(|t| t.minutes).sum();
    let pooled_units = units_for_minutes(pooled_minutes);
    let full_total: u32 = timed.iter().map(|t| t.minutes / 15).sum();
    let remainder_units = pooled_units.saturating_sub(full_total);

    let mut shares: Vec<PooledShare> = timed
        .iter()
        .map(|t| PooledShare {
            pooled_minutes,
            pooled_units,
            remainder_units,
            full_units: t.minutes / 15,
            leftover: t.minutes % 15,
            got_remainder: false,
            tie: None,
        })
        .collect();

    // Rank by (most leftover, most total minutes, lowest code): a total order, so the answer
    // never depends on the order the lines were documented in.
    let mut ranking: Vec<usize> = (0..timed.len())
        .filter(|&i| timed.get(i).is_some_and(|t| t.minutes % 15 > 0))
        .collect();
    let key = |i: usize| {
        timed.get(i).map(|t| {
            (
                std::cmp::Reverse(t.minutes % 15),
                std::cmp::Reverse(t.minutes),
                t.code,
            )
        })
    };
    ranking.sort_by_key(|&i| key(i));

    let n_awarded = usize::try_from(remainder_units)
        .unwrap_or(usize::MAX)
        .min(ranking.len());
    for &winner in ranking.iter().take(n_awarded) {
        if let Some(share) = shares.get_mut(winner) {
            share.got_remainder = true;
        }
    }
    // A tie matters only at the cut: the last winner and the first loser share a leftover.
    if n_awarded > 0
        && let (Some(&last_in), Some(&first_out)) =
            (ranking.get(n_awarded - 1), ranking.get(n_awarded))
        && let (Some(winner), Some(loser)) = (timed.get(last_in), timed.get(first_out))
        && winner.minutes % 15 == loser.minutes % 15
        && let Some(share) = shares.get_mut(last_in)
    {
        share.tie = Some(Tie {
            passed_over: loser.code,
            won_on_total_minutes: winner.minutes > loser.minutes,
        });
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(entries: &[(&str, u32)]) -> Vec<TimedMinutes> {
        entries
            .iter()
            .map(|(code, minutes)| TimedMinutes {
                code: code.parse().unwrap(),
                minutes: *minutes,
            })
            .collect()
    }

    fn units(entries: &[(&str, u32)]) -> Vec<u32> {
        allocate_pooled(&timed(entries))
            .iter()
            .map(PooledShare::units)
            .collect()
    }

    #[test]
    fn the_unit_table_matches_mcpm_ch5_20_2() {
        let table = [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (52, 3),
            (53, 4),
            (67, 4),
            (68, 5),
            (82, 5),
            (83, 6),
            (97, 6),
            (98, 7),
            (112, 7),
            (113, 8),
            (127, 8),
            (128, 9),
        ];
        for (minutes, expected) in table {
            assert_eq!(units_for_minutes(minutes), expected, "{minutes} minutes");
        }
    }

    #[test]
    fn a_tie_at_the_cut_is_reported_and_resolved_by_code() {
        let shares = allocate_pooled(&timed(&[("97112", 20), ("97110", 20)]));
        assert_eq!(
            shares.iter().map(PooledShare::units).collect::<Vec<_>>(),
            [1, 2]
        );
        let tie = shares[1].tie.unwrap();
        assert_eq!(tie.passed_over.as_str(), "97112");
        assert!(!tie.won_on_total_minutes);
        assert!(shares[0].tie.is_none());
    }

    #[test]
    fn no_timed_minutes_means_no_units() {
        assert_eq!(units(&[("97110", 0)]), [0]);
        assert!(allocate_pooled(&[]).is_empty());
    }
}
