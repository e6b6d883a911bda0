//! Where the store reads "now" for the times it records (scrubs, submissions, postings,
//! acknowledgments, queue actions, intakes). Normally the system clock; a simulation (the
//! demo running a year of visits in minutes) sets a clock it advances itself, so that lags,
//! ages and days in A/R come out as they would have over the simulated months.
//!
//! The audit trail always records the system time: it says when the system acted.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds since the epoch, when simulated.
    simulated: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands at `at` until [`Clock::set`] moves it; clones share it.
    pub fn simulated(at: DateTime<Utc>) -> Self {
        Self {
            simulated: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))),
        }
    }

    /// Moves a simulated clock (the system clock cannot be moved: a no-op).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(micros) = &self.simulated {
            micros.store(at.timestamp_micros(), Ordering::Relaxed);
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.simulated {
            Some(micros) => DateTime::from_timestamp_micros(micros.load(Ordering::Relaxed))
                .unwrap_or_else(Utc::now),
            None => Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_clock_stands_still_until_set_and_clones_share_it() {
        let start = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let clock = Clock::simulated(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        let later = start + chrono::Duration::days(30);
        shared.set(later);
        assert_eq!(clock.now(), later);
        Clock::system().set(start);
        assert!(Clock::system().now() > later);
    }
}
