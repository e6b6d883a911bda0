//! Deterministic synthetic therapy encounters for tests, demos and benchmarks.
//!
//! [`Generator`] yields encounters episode by episode: an evaluation, treatment visits two or
//! three times a week, sometimes a re-evaluation, a discharge. It mixes PT, OT and SLP, several
//! payers, assistants, group time, modalities and telehealth, and puts documentation defects
//! on about 10-20% of encounters ([`DEFECT_RATE`]). The same seed gives the same encounters.
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
            let episode = episode::generate(&mut self.rng, self.n_episodes, DEFECT_RATE);
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
}
