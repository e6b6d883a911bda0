//! The visits an intake read and parsed, kept for the next intakes of the same process (the
//! demo's weekly intakes), so a patient's history is not read from the store and parsed
//! again each week: at a year of 20 clinics that was a third of the intakes' time.
//!
//! Correct whoever else writes the store: an intake still lists each patient's visits and
//! their latest version numbers from the store (an index read) and takes from the cache only
//! a visit held at that version; any other is read. A version number names one record
//! because a version is kept here only once the intake that read or wrote it committed (a
//! rolled-back intake's version number may be used again for another record).

use std::collections::HashMap;
use std::sync::Arc;

use cleanclaim_model::Encounter;

/// Parsed visits by encounter id, for intakes into one store.
#[derive(Debug)]
pub struct HistoryCache {
    visits: HashMap<String, Cached>,
    /// Intakes committed with this cache.
    intakes: u64,
    /// A visit no intake used for this many intakes is dropped: its patient's episode has
    /// ended, or gone quiet, and memory holds only the active patients.
    keep_for: u64,
}

#[derive(Debug)]
struct Cached {
    version: i32,
    encounter: Arc<Encounter>,
    /// The last intake that used it (counted as `intakes` will be once that intake commits).
    used: u64,
}

/// What an open intake read or wrote, kept only if it commits.
#[derive(Debug, Default)]
pub(crate) struct Staged {
    visits: Vec<(i32, Arc<Encounter>)>,
}

impl Staged {
    pub(crate) fn add(&mut self, version: i32, encounter: Arc<Encounter>) {
        self.visits.push((version, encounter));
    }
}

impl HistoryCache {
    /// A cache that drops a visit no intake used for `keep_for` intakes.
    pub fn new(keep_for: u64) -> Self {
        Self {
            visits: HashMap::new(),
            intakes: 0,
            keep_for: keep_for.max(1),
        }
    }

    /// Visits held.
    pub fn len(&self) -> usize {
        self.visits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visits.is_empty()
    }

    /// The visit, if held at `version`; marks it used by the intake under way.
    pub(crate) fn take(&mut self, encounter_id: &str, version: i32) -> Option<Arc<Encounter>> {
        let now = self.intakes + 1;
        let cached = self
            .visits
            .get_mut(encounter_id)
            .filter(|c| c.version == version)?;
        cached.used = now;
        Some(Arc::clone(&cached.encounter))
    }

    /// Keeps what a committed intake staged and drops what has gone unused.
    pub(crate) fn commit(&mut self, staged: Staged) {
        self.intakes += 1;
        let now = self.intakes;
        for (version, encounter) in staged.visits {
            self.visits.insert(
                encounter.id.clone(),
                Cached {
                    version,
                    encounter,
                    used: now,
                },
            );
        }
        let keep_for = self.keep_for;
        self.visits.retain(|_, cached| cached.used + keep_for > now);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "tests fail loudly by design")]

    use super::*;

    fn visit(id: &str) -> Arc<Encounter> {
        let mut encounter = cleanclaim_synth::Generator::new(1)
            .next()
            .expect("the generator makes visits");
        encounter.id = id.to_owned();
        Arc::new(encounter)
    }

    #[test]
    fn only_a_committed_version_is_served() {
        let mut cache = HistoryCache::new(2);
        let mut staged = Staged::default();
        staged.add(1, visit("v1"));
        assert!(
            cache.take("v1", 1).is_none(),
            "nothing is held before a commit"
        );
        cache.commit(staged);
        assert!(cache.take("v1", 1).is_some());
        assert!(
            cache.take("v1", 2).is_none(),
            "another version is read from the store"
        );
    }

    #[test]
    fn a_visit_unused_for_its_intakes_is_dropped() {
        let mut cache = HistoryCache::new(2);
        let mut staged = Staged::default();
        staged.add(1, visit("a"));
        staged.add(1, visit("b"));
        cache.commit(staged);
        assert!(cache.take("a", 1).is_some());
        cache.commit(Staged::default());
        assert_eq!(cache.len(), 2);
        cache.commit(Staged::default());
        assert_eq!(cache.len(), 1, "b went two intakes unused");
        assert!(cache.take("a", 1).is_some());
    }
}
