//! Figures from the stored queue history: how long items stay in each queue and how many
//! encounters needed no human touch. The KPI definitions (docs to come with the dashboard)
//! build on these.

use std::collections::BTreeMap;

use cleanclaim_store::QueueItem;

/// One queue's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFigures {
    pub queue: String,
    /// Stays that began in this queue.
    pub entered: usize,
    /// Stays still open.
    pub open: usize,
    /// Median and 90th percentile hours of the stays that ended (nearest rank).
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// Per queue, in name order.
pub fn queue_figures(items: &[QueueItem]) -> Vec<QueueFigures> {
    let mut by_queue: BTreeMap<&str, Vec<&QueueItem>> = BTreeMap::new();
    for item in items {
        by_queue.entry(item.queue.as_str()).or_default().push(item);
    }
    by_queue
        .into_iter()
        .map(|(queue, stays)| {
            let mut hours: Vec<f64> = stays
                .iter()
                .filter_map(|s| s.left_at.map(|left| left - s.entered_at))
                .map(|d| d.num_seconds() as f64 / 3600.0)
                .collect();
            hours.sort_by(f64::total_cmp);
            QueueFigures {
                queue: queue.to_owned(),
                entered: stays.len(),
                open: stays.iter().filter(|s| s.left_at.is_none()).count(),
                median_hours: nearest_rank(&hours, 50),
                p90_hours: nearest_rank(&hours, 90),
            }
        })
        .collect()
}

/// The share of encounters whose first stay was `ready_to_bill` (cleared by the scrubber,
/// no human touch), as (cleared, encounters).
pub fn auto_cleared(items: &[QueueItem]) -> (usize, usize) {
    let mut first: BTreeMap<&str, &QueueItem> = BTreeMap::new();
    for item in items {
        let earliest = first.entry(item.encounter_id.as_str()).or_insert(item);
        if (item.entered_at, item.id) < (earliest.entered_at, earliest.id) {
            *earliest = item;
        }
    }
    let cleared = first
        .values()
        .filter(|item| item.queue == "ready_to_bill")
        .count();
    (cleared, first.len())
}

/// The value at percentile `p` of sorted `values` by the nearest-rank method.
fn nearest_rank(values: &[f64], p: usize) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = (p * values.len()).div_ceil(100).max(1);
    values.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn stay(id: i64, encounter: &str, queue: &str, from_h: u32, to_h: Option<u32>) -> QueueItem {
        let at = |h: u32| {
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
                + chrono::Duration::hours(i64::from(h))
        };
        QueueItem {
            id,
            encounter_id: encounter.to_owned(),
            queue: queue.to_owned(),
            entered_at: at(from_h),
            left_at: to_h.map(at),
            owner: None,
            status: "open".to_owned(),
            findings: String::new(),
        }
    }

    #[test]
    fn stays_are_timed_per_queue_and_first_stays_count_as_cleared() {
        // Worked by hand: documentation holds of 2, 4, 6 and 30 hours and one still open.
        let items = [
            stay(1, "A", "documentation_hold", 0, Some(2)),
            stay(2, "A", "ready_to_bill", 2, None),
            stay(3, "B", "documentation_hold", 0, Some(4)),
            stay(4, "C", "documentation_hold", 0, Some(6)),
            stay(5, "D", "documentation_hold", 0, Some(30)),
            stay(6, "E", "documentation_hold", 1, None),
            stay(7, "F", "ready_to_bill", 0, None),
        ];
        let figures = queue_figures(&items);
        let holds = &figures[0];
        assert_eq!(holds.queue, "documentation_hold");
        assert_eq!((holds.entered, holds.open), (5, 1));
        // Nearest rank of 4 values: the 50th percentile is the 2nd, the 90th the 4th.
        assert_eq!(
            (holds.median_hours, holds.p90_hours),
            (Some(4.0), Some(30.0))
        );
        assert_eq!(figures[1].median_hours, None);
        // Only F was ready on its first scrub; A was held first.
        assert_eq!(auto_cleared(&items), (1, 6));
    }
}
