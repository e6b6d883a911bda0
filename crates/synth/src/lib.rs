//! Deterministic synthetic therapy encounters for tests, demos and benchmarks.
//!
//! [`Generator`] yields encounters episode by episode: an evaluation, treatment visits two or
//! three times a week, sometimes a re-evaluation, a discharge. It mixes PT, OT and SLP, several
//! payers, assistants, group time, modalities and telehealth, and puts documentation defects
//! on about 10-20% of encounters ([`DEFECT_RATE`]). About one treatment visit in 29 is
//! documented as a morning and an afternoon session of the same day. The same seed gives the
//! same encounters.
//!
//! Invariant: no I/O, no clock, no global randomness: output depends only on the seed.

mod defects;
mod episode;
mod org;
mod tables;

use cleanclaim_model::Encounter;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use defects::{DEFECT_RATE, Defect};
pub use org::{
    Authorization, Clinic, DefectRates, OrgDay, OrgDefect, OrgSpec, OrgVisit, Organization,
    Provider, is_medicare,
};

/// The timed codes the generators use; a missing-minutes defect strips one of these.
const TIMED_CODES: [&str; 9] = [
    "97110", "97112", "97116", "97140", "97530", "97535", "97035", "97760", "97129",
];

/// Yields synthetic encounters from a seed, forever; take as many as you need.
#[derive(Debug)]
pub struct Generator {
    rng: ChaCha8Rng,
    seed: u64,
    pending: std::vec::IntoIter<Encounter>,
    n_episodes: u64,
    n_encounters: u64,
}

impl Generator {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            pending: Vec::new().into_iter(),
            n_episodes: 0,
            n_encounters: 0,
        }
    }
}

impl Iterator for Generator {
    type Item = Encounter;

    fn next(&mut self) -> Option<Encounter> {
        loop {
            if let Some(mut encounter) = self.pending.next() {
                self.n_encounters += 1;
                encounter.id = format!("S{}-{:09}", self.seed % 100_000, self.n_encounters);
                return Some(encounter);
            }
            self.n_episodes += 1;
            let episode = episode::generate(&mut self.rng, self.n_episodes, DEFECT_RATE, true);
            self.pending = episode.into_iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_output_and_ids_are_unique() {
        let a: Vec<Encounter> = Generator::new(7).take(300).collect();
        let b: Vec<Encounter> = Generator::new(7).take(300).collect();
        assert_eq!(a, b);
        let c: Vec<Encounter> = Generator::new(8).take(300).collect();
        assert_ne!(a, c);
        let mut ids: Vec<&str> = a.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 300);
    }

    /// Some visits come as two sessions of a day: the same patient, discipline and date, the
    /// afternoon's timed line moved out of the morning's note, each note's total time its own.
    #[test]
    fn some_visits_are_two_sessions_of_one_day() {
        let encounters: Vec<Encounter> = Generator::new(7).take(3000).collect();
        let pairs: Vec<(&Encounter, &Encounter)> = encounters
            .windows(2)
            .filter_map(|pair| match pair {
                [a, b]
                    if a.patient.id == b.patient.id
                        && a.date_of_service == b.date_of_service
                        && a.discipline == b.discipline =>
                {
                    Some((a, b))
                }
                _ => None,
            })
            .collect();
        assert!(pairs.len() >= 20, "{} split sessions", pairs.len());
        for (morning, afternoon) in pairs {
            assert_eq!(afternoon.timing.lines.len(), 1);
            assert!(!morning.timing.lines.is_empty());
            let line = &afternoon.timing.lines[0];
            assert!(morning.timing.lines.iter().all(|l| l.code != line.code));
            assert_eq!(afternoon.timing.total_treatment_minutes, line.minutes);
            let morning_minutes: u32 = morning.timing.lines.iter().filter_map(|l| l.minutes).sum();
            assert!(morning.timing.total_treatment_minutes.unwrap_or(0) >= morning_minutes);
        }
    }
}
